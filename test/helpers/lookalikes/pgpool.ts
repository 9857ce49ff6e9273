// A real pgpool-II (Debian `pgpool2`) in raw mode in front of one test PostgreSQL, on loopback: its
// SQL port (`SHOW POOL_PROCESSES`, `SHOW POOL_POOLS`, `SHOW POOL_VERSION`) and its PCP port.
// Its pool is its children: `numInitChildren` processes, each holding up to `maxPool` cached backend
// connections; a client beyond them waits in the listen queue until a child is free.
// pgpool-II 4.3 caches no connection to the databases postgres, template0/1 and regression, and keys
// its cache on the startup parameters (application_name included): by default the helper creates a
// database of its own, so that the pool holds its backends; `ownDatabase: false` shows the turnover.
import {execFile, spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {createHash, randomBytes} from 'node:crypto';
import {existsSync} from 'node:fs';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import pg from 'pg';
import {freePort, pollUntil, type TestServer} from '../postgres.js';
import {ownProcess} from '../test-tmp.js';

const PGPOOL = '/usr/sbin/pgpool';
// Where available, pgpool-II gets SIGQUIT (immediate shutdown) when this process dies, even by SIGKILL.
const SETPRIV = '/usr/bin/setpriv';

export const PGPOOL_MISSING = existsSync(PGPOOL) ? null : 'pgpool-II not installed: apt-get install pgpool2';

/** `4.3.5`, or null without pgpool-II. */
export function pgpoolVersion(): string | null {
	if (PGPOOL_MISSING) {
		return null;
	}

	// It prints its version on stderr.
	const {stdout, stderr} = spawnSync(PGPOOL, ['--version'], {encoding: 'utf8'});
	return /version (\S+)/.exec(`${stdout}${stderr}`)?.[1] ?? null;
}

export type PgpoolOptions = {
	/** num_init_children; default 4 */
	numInitChildren?: number;
	/** max_pool; default 1 */
	maxPool?: number;
	/** Connect to a database created for it (default), or to `postgres` (never cached: a backend per login). */
	ownDatabase?: boolean;
};

export type TestPgpool = {
	host: string;
	/** The SQL port: applications connect here. */
	port: number;
	/** The PCP port: pcp_proc_info and friends. */
	pcpPort: number;
	pcpUser: string;
	pcpPassword: string;
	numInitChildren: number;
	/** The database its clients use. */
	database: string;
	/** A URL through pgpool-II to `database`, as the backend's superuser (the same password). */
	url: string;
	/** The main process; its children are the pool. */
	pid: number;
	/** Run a PCP command (`pcp_proc_info`, `pcp_pool_status`, …) against this pgpool-II; resolves its stdout. */
	pcp: (command: string, args?: string[]) => Promise<string>;
	log: () => string;
	stop: () => Promise<void>;
};

export async function startPgpool(backend: TestServer, options: PgpoolOptions = {}): Promise<TestPgpool> {
	if (PGPOOL_MISSING) {
		throw new Error(PGPOOL_MISSING);
	}

	const database = options.ownDatabase === false ? 'postgres' : `lookalikes_pgpool_${randomBytes(3).toString('hex')}`;
	if (database !== 'postgres') {
		await onBackend(backend, `create database ${database}`);
	}

	const directory = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-test-pgpool-'));
	const ports = {port: await freePort(), pcpPort: await freePort()};
	const {port, pcpPort} = ports;
	const numInitChildren = options.numInitChildren ?? 4;
	const pcpUser = 'pcpadmin';
	const pcpPassword = 'pcp-pw-2468';
	const file = (name: string) => path.join(directory, name);
	await writeConfig(directory, backend, {...ports, numInitChildren, maxPool: options.maxPool ?? 1, pcpUser, pcpPassword});

	const {child, output} = spawnPgpool(file);
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) {
			const exited = new Promise(resolve => {
				child.once('exit', resolve);
			});
			child.kill('SIGINT'); // fast shutdown: clients are disconnected
			const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
			await exited;
			clearTimeout(killer);
		}

		await rm(directory, {recursive: true, force: true});
		if (database !== 'postgres') {
			await onBackend(backend, `drop database if exists ${database} with (force)`).catch(() => undefined);
		}
	};

	try {
		await pollUntil(() => {
			if (child.exitCode !== null) {
				throw new Error(`pgpool-II exited with ${child.exitCode}: ${output()}`);
			}

			return /pgpool-II successfully started/.test(output());
		}, {timeoutMs: 15_000, everyMs: 50, what: 'pgpool-II to start'});
	} catch (error) {
		await stop();
		throw new Error(`${(error as Error).message}\n${output()}`);
	}

	const url = new URL(backend.url);
	url.port = String(port);
	url.pathname = `/${database}`;
	return {
		host: '127.0.0.1',
		port,
		pcpPort,
		pcpUser,
		pcpPassword,
		numInitChildren,
		database,
		url: url.toString(),
		pid: child.pid!,
		async pcp(command, args = []) {
			const {stdout} = await promisify(execFile)(`/usr/sbin/${command}`, ['-h', '127.0.0.1', '-p', String(pcpPort), '-U', pcpUser, '-w', ...args], {
				env: {PATH: process.env['PATH'] ?? '/usr/bin:/bin', PCPPASSFILE: file('pcppass')},
				timeout: 10_000,
			});
			return stdout;
		},
		log: output,
		stop,
	};
}

async function onBackend(backend: TestServer, sql: string): Promise<void> {
	const client = new pg.Client({connectionString: backend.url});
	client.on('error', () => undefined);
	await client.connect();
	try {
		await client.query(sql);
	} finally {
		await client.end().catch(() => undefined);
	}
}

/** pgpool.conf, pcp.conf, an empty pool_hba.conf and the PCP password file, in `directory`. */
async function writeConfig(directory: string, backend: TestServer, settings: {port: number; pcpPort: number; numInitChildren: number; maxPool: number; pcpUser: string; pcpPassword: string}): Promise<void> {
	const {port, pcpPort, numInitChildren, pcpUser, pcpPassword} = settings;
	const file = (name: string) => path.join(directory, name);
	await writeFile(file('pgpool.conf'), [
		'backend_clustering_mode = \'raw\'',
		'listen_addresses = \'127.0.0.1\'',
		`port = ${port}`,
		// TCP on loopback only: a socket path under a deep temporary directory can exceed 107 bytes.
		'unix_socket_directories = \'\'',
		'pcp_listen_addresses = \'127.0.0.1\'',
		`pcp_port = ${pcpPort}`,
		'pcp_socket_dir = \'\'',
		`backend_hostname0 = '${backend.host}'`,
		`backend_port0 = ${backend.port}`,
		'backend_weight0 = 1',
		'backend_flag0 = \'DISALLOW_TO_FAILOVER\'',
		// Authentication passes through to the backend (trust, or the embedded server's password).
		'enable_pool_hba = off',
		'pool_passwd = \'\'',
		`num_init_children = ${numInitChildren}`,
		`max_pool = ${settings.maxPool}`,
		'log_destination = \'stderr\'',
		`logdir = '${directory}'`,
		`pid_file_name = '${file('pgpool.pid')}'`,
		'health_check_period = 0',
		'sr_check_period = 0',
		'load_balance_mode = off',
		'use_watchdog = off',
		`memqcache_oiddir = '${file('oiddir')}'`,
		'',
	].join('\n'));
	await writeFile(file('pcp.conf'), `${pcpUser}:${createHash('md5').update(pcpPassword).digest('hex')}\n`);
	await writeFile(file('pool_hba.conf'), '');
	// PCP reads its password from here (-w: never prompt); 0600 or it is ignored.
	await writeFile(file('pcppass'), `127.0.0.1:${pcpPort}:${pcpUser}:${pcpPassword}\n`, {mode: 0o600});
}

/** pgpool-II in the foreground, owned by this process (and, where setpriv exists, ended with it). */
function spawnPgpool(file: (name: string) => string): {child: ChildProcess; output: () => string} {
	const pgpoolArgs = ['-n', '-f', file('pgpool.conf'), '-F', file('pcp.conf'), '-a', file('pool_hba.conf')];
	const child: ChildProcess = existsSync(SETPRIV)
		? spawn(SETPRIV, ['--pdeathsig', 'SIGQUIT', '--', PGPOOL, ...pgpoolArgs], {stdio: ['ignore', 'pipe', 'pipe']})
		: spawn(PGPOOL, pgpoolArgs, {stdio: ['ignore', 'pipe', 'pipe']});
	ownProcess(child);
	let output = '';
	for (const stream of [child.stdout, child.stderr]) {
		stream?.on('data', (chunk: Buffer) => {
			output += chunk.toString();
		});
	}

	return {child, output: () => output};
}
