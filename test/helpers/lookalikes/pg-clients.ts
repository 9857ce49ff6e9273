// Application clients (node-postgres) in a child process of their own: one process per service, as in
// production, so that two services are two processes with their own client addresses and ports.
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import type {PgClientsConfig, PgClientsStatus} from './pg-clients-child.js';
import {startLoadProcess, type LoadProcess} from './load-process.js';

const CHILD = fileURLToPath(new URL('pg-clients-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Every lookalike load stops by itself after this unless told otherwise: longer than any test needs. */
export const LOAD_LIMIT_MS = 180_000;

export type PgClients = LoadProcess<PgClientsStatus>;

/** Start `clients` clients of one application; resolves once one transaction has gone through. */
export async function startPgClients(url: string, options: Partial<PgClientsConfig> & {applicationName: string; clients: number}): Promise<PgClients> {
	const parsed = new URL(url);
	const password = decodeURIComponent(parsed.password);
	parsed.password = '';
	const config: PgClientsConfig = {
		url: parsed.toString(),
		applicationName: options.applicationName,
		clients: options.clients,
		transactionMs: options.transactionMs ?? 50,
		reconnectEvery: options.reconnectEvery ?? 0,
		limitMs: options.limitMs ?? LOAD_LIMIT_MS,
	};
	return startLoadProcess(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(config)], {
		cwd: ROOT,
		env: {PGPASSWORD: password || undefined},
		what: `the ${config.applicationName} clients`,
	});
}

/** A service: one application name, one client process of `clients` clients. */
export type Service = {applicationName: string; clients: number};

export type RunningService = Service & {process: PgClients};

/** One client process per service, all through `url`; on a failure the ones started are stopped. */
export async function startServices(url: string, services: Service[], options: Omit<Partial<PgClientsConfig>, 'url' | 'applicationName' | 'clients'> = {}): Promise<RunningService[]> {
	const started: RunningService[] = [];
	try {
		for (const service of services) {
			started.push({...service, process: await startPgClients(url, {...options, ...service})});
		}
	} catch (error) {
		await stopServices(started);
		throw error;
	}

	return started;
}

export async function stopServices(services: RunningService[]): Promise<void> {
	await Promise.all(services.map(async service => service.process.stop()));
}
