// PgBouncer as the bottleneck: transaction pooling with a pool too small for its clients.
// One service (40 clients of one application) or several sharing the same pool (one client process
// each), running short transactions back to back through it until stop() or the time limit.
import {startPgBouncer, type TestPgBouncer} from '../pgbouncer.js';
import type {TestServer} from '../postgres.js';
import {startServices, stopServices, type RunningService, type Service} from './pg-clients.js';
import {localPortsTo} from './server-view.js';

export type BouncerLoadOptions = {
	/** default [{applicationName: 'bouncer-app', clients: 40}] */
	services?: Service[];
	/** default_pool_size; default 3 */
	poolSize?: number;
	/** Each transaction's pg_sleep; default 50 ms. */
	transactionMs?: number;
	limitMs?: number;
	/** More [pgbouncer] settings, e.g. {application_name_add_host: 1}. */
	settings?: Record<string, string | number>;
};

export type BouncerLoad = {
	bouncer: TestPgBouncer;
	poolSize: number;
	/** In the order given; `process.pid` is the service's process. */
	services: RunningService[];
	/** The client_port, as the server shows it, of each of PgBouncer's server connections right now. */
	serverPorts: () => number[];
	stop: () => Promise<void>;
};

export async function startBouncerLoad(backend: TestServer, options: BouncerLoadOptions = {}): Promise<BouncerLoad> {
	const poolSize = options.poolSize ?? 3;
	const services = options.services ?? [{applicationName: 'bouncer-app', clients: 40}];
	const bouncer = await startPgBouncer({
		backend,
		poolSize,
		poolMode: 'transaction',
		// Room for the clients, the console and whatever the test connects besides.
		maxClientConn: services.reduce((sum, service) => sum + service.clients, 20),
		settings: options.settings,
	});
	try {
		const running = await startServices(bouncer.appUrl(), services, {transactionMs: options.transactionMs, limitMs: options.limitMs});
		return {
			bouncer,
			poolSize,
			services: running,
			serverPorts: () => localPortsTo([bouncer.pid()!], backend.port),
			async stop() {
				await stopServices(running);
				await bouncer.stop();
			},
		};
	} catch (error) {
		await bouncer.stop();
		throw error;
	}
}
