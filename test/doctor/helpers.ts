// Helpers of the doctor tests: a review run exactly as the command runs it, and a real pg.Pool
// published on a loopback endpoint the way an application does it (lifeguard/pool-stats).
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import pg from 'pg';
import {createPoolCollector, type PoolCollector} from '../../source/collectors/pools/create-collector.js';
import {parsePoolSpec} from '../../source/connection/pool-endpoint.js';
import {openMonitorClient} from '../../source/connection/monitor-client.js';
import {resolveTarget} from '../../source/connection/target.js';
import {runChecks} from '../../source/doctor/run-doctor.js';
import {readDoctorInput} from '../../source/doctor/read.js';
import type {Check, CheckId, DoctorInput} from '../../source/doctor/types.js';
import {poolStatsPayload} from '../../source/pool-stats.js';

export type Review = {input: DoctorInput; checks: Check[]; byId: (id: CheckId) => Check};

/** Connect as the command does (server defaults, no session settings of lifeguard's), read and judge. */
export async function review(url: string, poolSpecs: readonly string[] = []): Promise<Review> {
	const target = resolveTarget(url, {PGSSLMODE: 'disable', PGAPPNAME: 'lifeguard'});
	const client = await openMonitorClient(target, {isServerDefaults: true});
	const collectors: PoolCollector[] = poolSpecs.map(spec => createPoolCollector(parsePoolSpec(spec)));
	try {
		const input = await readDoctorInput({client, password: target.password, poolCollectors: collectors, poolTimeoutMs: 3000, warnRatio: 0.8});
		const checks = runChecks(input);
		return {
			input,
			checks,
			byId(id) {
				const found = checks.find(check => check.id === id);
				if (!found) {
					throw new Error(`no check ${id}`);
				}

				return found;
			},
		};
	} finally {
		await client.end().catch(() => undefined);
		await Promise.all(collectors.map(async collector => collector.close()));
	}
}

export type PublishedPool = {pool: pg.Pool; spec: string; close: () => Promise<void>};

/** A real pg.Pool and its lifeguard JSON endpoint on 127.0.0.1. */
export async function publishPool(name: string, config: pg.PoolConfig): Promise<PublishedPool> {
	const pool = new pg.Pool(config);
	pool.on('error', () => undefined);
	const server = http.createServer((_request, response) => {
		response.writeHead(200, {'content-type': 'application/json'});
		response.end(JSON.stringify(poolStatsPayload({[name]: pool})));
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	const {port} = server.address() as AddressInfo;
	return {
		pool,
		spec: `${name}=json+http://127.0.0.1:${port}/pool`,
		async close() {
			server.closeAllConnections();
			await new Promise(resolve => {
				server.close(resolve);
			});
			await pool.end().catch(() => undefined);
		},
	};
}

export function withUser(url: string, user: string, password: string, database?: string): string {
	const parsed = new URL(url);
	parsed.username = user;
	parsed.password = password;
	if (database) {
		parsed.pathname = `/${database}`;
	}

	return parsed.toString();
}
