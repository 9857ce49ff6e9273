// pgpool-II with clients through it: its children are the pool (num_init_children, default 4), and
// clients beyond them wait to be accepted. Each client reconnects after `reconnectEvery` transactions,
// as short-lived application processes (CGI, cron, serverless) do: pgpool-II's usual clientele.
import type {TestServer} from '../postgres.js';
import {startServices, stopServices, type RunningService, type Service} from './pg-clients.js';
import {startPgpool, type PgpoolOptions, type TestPgpool} from './pgpool.js';
import {descendantsOf, localPortsTo} from './server-view.js';

export type PgpoolLoadOptions = PgpoolOptions & {
	/** default [{applicationName: 'pgpool-app', clients: 12}] */
	services?: Service[];
	/** Transactions per client connection; default 20. */
	reconnectEvery?: number;
	/** Each transaction's pg_sleep; default 50 ms. */
	transactionMs?: number;
	limitMs?: number;
};

export type PgpoolLoad = {
	pgpool: TestPgpool;
	services: RunningService[];
	/** The client_port, as the server shows it, of each backend connection its processes hold right now. */
	serverPorts: () => number[];
	stop: () => Promise<void>;
};

export async function startPgpoolLoad(backend: TestServer, options: PgpoolLoadOptions = {}): Promise<PgpoolLoad> {
	const pgpool = await startPgpool(backend, options);
	try {
		const running = await startServices(pgpool.url, options.services ?? [{applicationName: 'pgpool-app', clients: 12}], {
			reconnectEvery: options.reconnectEvery ?? 20,
			transactionMs: options.transactionMs,
			limitMs: options.limitMs,
		});
		return {
			pgpool,
			services: running,
			serverPorts: () => localPortsTo(descendantsOf(pgpool.pid), backend.port),
			async stop() {
				await stopServices(running);
				await pgpool.stop();
			},
		};
	} catch (error) {
		await pgpool.stop();
		throw error;
	}
}
