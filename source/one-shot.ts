// One snapshot of everything, for --json, `check` and the plain summary: every server and every pool
// endpoint concurrently, the pools given at most one pool timeout.
import type {PoolCollector} from './collectors/pools/create-collector.js';
import type {PostgresSource} from './collectors/postgres-activity.js';
import {ADVICE_SAMPLE_MS, hasUsageCounters} from './judge/advice.js';
import {placeholderPool} from './judge/pool-status.js';
import type {Thresholds} from './judge/types.js';
import {emptyWatch, judgePoolReading, judgeServerReading} from './judge/watch.js';
import type {ServerShot} from './output/json.js';
import type {PoolReading, ServerReading} from './readings/types.js';

export type {ServerShot} from './output/json.js';

/** One derivation of one observation: --json, `check` and the plain summary all print it. */
export type OneShot = Omit<ServerShot, 'name' | 'target'>;

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

/** Every server once, and the pools once (twice, ADVICE_SAMPLE_MS apart, when they expose usage counters); the pools are judged against the first server. */
export async function collectServers(input: {
	servers: readonly OneShotServer[];
	poolCollectors: readonly PoolCollector[];
	poolTimeoutMs: number;
	thresholds: Thresholds;
	now: () => number;
}): Promise<ServerShot[]> {
	const collectPools = async () => Promise.all(input.poolCollectors.map(async collector => collector.collect(input.poolTimeoutMs)));
	let early: {atMs: number; readings: PoolReading[]} | null = null;
	if (input.servers[0]?.postgres && input.poolCollectors.length > 0) {
		const readings = await collectPools();
		if (readings.some(reading => hasUsageCounters(reading))) {
			early = {atMs: input.now(), readings};
			await new Promise(resolve => {
				setTimeout(resolve, ADVICE_SAMPLE_MS);
			});
		}
	}

	const [readings, poolReadings] = await Promise.all([
		Promise.all(input.servers.map(async (server): Promise<ServerReading> => (server.postgres
			? server.postgres.poll()
			: {ok: false, error: server.error ?? 'not connected', isDisconnected: true}))),
		collectPools(),
	]);
	const atMs = input.now();
	return input.servers.map((server, index) => {
		const reading = readings[index]!;
		// The live screen's judge, one reading each: the server first, then the pools judged against it.
		const hasPools = index === 0;
		let watch = emptyWatch(input.thresholds, {role: server.role, pools: hasPools ? input.poolCollectors.map(collector => placeholderPool(collector.endpoint)) : []});
		// The earlier reading only gives the counters a start: the pools' own history, before the server's.
		for (const [pool, collector] of (hasPools && early ? input.poolCollectors : []).entries()) {
			watch = judgePoolReading(watch, collector.endpoint, early!.readings[pool]!, early!.atMs).watch;
		}

		watch = judgeServerReading(watch, reading, atMs).watch;
		for (const [pool, collector] of (hasPools ? input.poolCollectors : []).entries()) {
			watch = judgePoolReading(watch, collector.endpoint, poolReadings[pool]!, atMs).watch;
		}

		return {name: server.name, target: server.target, picture: watch.live, error: reading.ok ? null : reading.error};
	});
}
