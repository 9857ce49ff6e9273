// A real Go database/sql program with client_golang's DB stats collector on /metrics (see
// go-sql-waits/main.go), built once per test process into its run directory (a fresh build takes
// ~25 s: client_golang and its dependencies are compiled from Debian's sources, no download).
import {execFile} from 'node:child_process';
import {createHash} from 'node:crypto';
import {existsSync, readFileSync} from 'node:fs';
import {copyFile, mkdir} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import type {TestServer} from '../postgres.js';
import {RUN_DIR} from '../test-tmp.js';
import {LOAD_LIMIT_MS} from './pg-clients.js';
import {startLoadProcess, type LoadProcess} from './load-process.js';

const SOURCE = fileURLToPath(new URL('go-sql-waits/main.go', import.meta.url));
const GOCODE = '/usr/share/gocode';
const GO = ['/usr/bin/go', '/usr/lib/go/bin/go', '/usr/local/go/bin/go'].find(candidate => existsSync(candidate));

export const GO_SQL_MISSING = !GO
	? 'Go not installed: apt-get install golang-go'
	: existsSync(`${GOCODE}/src/github.com/prometheus/client_golang/prometheus/collectors`) && existsSync(`${GOCODE}/src/github.com/lib/pq`)
		? null
		: 'client_golang or lib/pq sources not installed: apt-get install golang-github-prometheus-client-golang-dev golang-github-lib-pq-dev';

let built: Promise<string> | undefined;

/** The program's binary, built on first use (GOPATH mode, GOPROXY off, caches in the run directory). */
export async function goSqlBinary(): Promise<string> {
	if (GO_SQL_MISSING) {
		throw new Error(GO_SQL_MISSING);
	}

	built ??= (async () => {
		const hash = createHash('sha256').update(readFileSync(SOURCE)).digest('hex').slice(0, 12);
		const work = path.join(RUN_DIR, `go-sql-waits-${hash}`);
		const binary = path.join(work, 'go-sql-waits');
		await mkdir(path.join(work, 'src', 'go-sql-waits'), {recursive: true});
		await copyFile(SOURCE, path.join(work, 'src', 'go-sql-waits', 'main.go'));
		await promisify(execFile)(GO!, ['build', '-o', binary, '.'], {
			cwd: path.join(work, 'src', 'go-sql-waits'),
			env: {PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: work, GOPATH: `${work}:${GOCODE}`, GO111MODULE: 'off', GOFLAGS: '', GOPROXY: 'off', GOCACHE: path.join(work, 'cache'), GOTOOLCHAIN: 'local'},
			timeout: 180_000,
		});
		return binary;
	})();
	return built;
}

export type GoSqlOptions = {
	applicationName: string;
	maxOpen?: number;
	goroutines?: number;
	startEveryMs?: number;
	querySeconds?: number;
	limitMs?: number;
};

export type GoSqlStatus = {at: number; maxOpen: number; open: number; inUse: number; idle: number; waitCount: number; waitDurationSeconds: number};

export type GoSqlProgram = LoadProcess<GoSqlStatus> & {applicationName: string; metricsUrl: string};

/** SetMaxOpenConns(2), 8 callers starting 300 ms apart, pg_sleep(60) each, unless told otherwise. */
export async function startGoSql(server: TestServer, options: GoSqlOptions): Promise<GoSqlProgram> {
	const binary = await goSqlBinary();
	const limitMs = options.limitMs ?? LOAD_LIMIT_MS;
	// Bounded on the server too: statement_timeout, and client_connection_check_interval for a lost client.
	const dsn = `host=${server.host} port=${server.port} user=${server.user} dbname=postgres sslmode=disable application_name=${options.applicationName} statement_timeout=${limitMs} client_connection_check_interval=1000`;
	const program = await startLoadProcess<GoSqlStatus>(binary, [
		`-dsn=${dsn}`,
		`-max-open=${options.maxOpen ?? 2}`,
		`-goroutines=${options.goroutines ?? 8}`,
		`-start-every=${options.startEveryMs ?? 300}ms`,
		`-query-seconds=${options.querySeconds ?? 60}`,
		`-limit=${limitMs}ms`,
	], {env: {PGPASSWORD: server.password || undefined}, what: `the Go program ${options.applicationName}`});
	return {...program, applicationName: options.applicationName, metricsUrl: String(program.ready['metricsUrl'])};
}
