// One snapshot of everything, for --json, `check` and the plain summary: every server and every pool
// endpoint concurrently, the pools given at most one pool timeout.
import type {PoolCollector} from './collectors/pools/create-collector.js';
import type {PostgresSource} from './collectors/postgres-activity.js';
import {type Picture, pictureOf} from './judge/picture.js';
import {applyPoolReading, placeholderPool} from './judge/pool-status.js';
import type {Observation, PoolStatus, Thresholds} from './judge/types.js';
import type {ServerReading} from './readings/types.js';

/** One derivation of one observation: --json, `check` and the plain summary all print it. */
export type OneShot = {picture: Picture; error: string | null};

/** One server's shot among several (`name` null for a lone server). */
export type ServerShot = OneShot & {name: string | null; target: string};

/** A server to read once: its source, or why it could not be opened. */
export type OneShotServer = {name: string | null; target: string; role?: string; postgres: PostgresSource | null; error?: string};

export async function collectOnce(input: {
	postgres: PostgresSource;
	poolCollectors: readonly PoolCollector[];
	poolTimeoutMs: number;
	thresholds: Thresholds;
	now: () => number;
	role?: string;
}): Promise<OneShot> {
	const [shot] = await collectServers({...input, servers: [{name: null, target: '', role: input.role, postgres: input.postgres}]});
	return {picture: shot!.picture, error: shot!.error};
}

/** Every server once, and the pools once; the pools are judged against the first server. */
export async function collectServers(input: {
	servers: readonly OneShotServer[];
	poolCollectors: readonly PoolCollector[];
	poolTimeoutMs: number;
	thresholds: Thresholds;
	now: () => number;
}): Promise<ServerShot[]> {
	const [readings, poolReadings] = await Promise.all([
		Promise.all(input.servers.map(async (server): Promise<ServerReading> => (server.postgres
			? server.postgres.poll()
			: {ok: false, error: server.error ?? 'not connected', isDisconnected: true}))),
		Promise.all(input.poolCollectors.map(async collector => collector.collect(input.poolTimeoutMs))),
	]);
	const atMs = input.now();
	let pools: PoolStatus[] = input.poolCollectors.map(collector => placeholderPool(collector.endpoint));
	for (const [index, collector] of input.poolCollectors.entries()) {
		pools = applyPoolReading(pools, collector.endpoint, poolReadings[index]!, atMs);
	}

	return input.servers.map((server, index) => {
		const reading = readings[index]!;
		const observation: Observation = {atMs, server: reading.ok ? reading.snapshot : null, pools: index === 0 ? pools : []};
		return {
			name: server.name,
			target: server.target,
			picture: pictureOf(observation, input.thresholds, {role: server.role}),
			error: reading.ok ? null : reading.error,
		};
	});
}
