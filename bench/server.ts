// The benchmark's throw-away PostgreSQL: the demo's embedded server with settings for measuring.
import {startEmbeddedServer} from '../source/demo/embedded-server.js';

export type BenchServer = {
	/** A superuser URL (password auth over loopback). */
	url: string;
	port: number;
	password: string;
	dataDir: string;
	/** Idempotent: stops the server and removes the data directory. */
	stop: () => Promise<void>;
};

export type BenchServerOptions = {maxConnections: number; sharedBuffers?: string};

export async function startServer(options: BenchServerOptions): Promise<BenchServer> {
	const server = await startEmbeddedServer({
		maxConnections: options.maxConnections,
		dirPrefix: 'lifeguard-bench-pg-',
		flags: [
			'-c', `shared_buffers=${options.sharedBuffers ?? '256MB'}`,
			// Nothing to persist: keep the benchmark's own I/O out of the numbers.
			'-c', 'fsync=off',
			'-c', 'synchronous_commit=off',
			'-c', 'full_page_writes=off',
		],
	});
	const url = `postgres://${server.user}:${server.password}@${server.host}:${server.port}/postgres`;
	return {url, port: server.port, password: server.password, dataDir: server.dataDir, stop: server.stop};
}
