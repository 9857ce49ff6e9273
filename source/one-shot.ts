// One snapshot of everything, for --json, `check` and the plain summary: the server and every pool
// endpoint concurrently, the pools given at most one pool timeout.
import type {PoolCollector} from './collectors/pools/create-collector.js';
import type {PostgresSource} from './collectors/postgres-activity.js';
import {type Picture, pictureOf} from './model/picture.js';
import {applyPoolReading, placeholderPool} from './model/pool-status.js';
import type {Observation, PoolStatus, Thresholds} from './model/types.js';

/** One derivation of one observation: --json, `check` and the plain summary all print it. */
export type OneShot = {picture: Picture; error: string | null};

export async function collectOnce(input: {
	postgres: PostgresSource;
	poolCollectors: readonly PoolCollector[];
	poolTimeoutMs: number;
	thresholds: Thresholds;
	now: () => number;
	role?: string;
}): Promise<OneShot> {
	const [server, ...readings] = await Promise.all([
		input.postgres.poll(),
		...input.poolCollectors.map(async collector => collector.collect(input.poolTimeoutMs)),
	]);
	const atMs = input.now();
	let pools: PoolStatus[] = input.poolCollectors.map(collector => placeholderPool(collector.endpoint));
	for (const [index, collector] of input.poolCollectors.entries()) {
		pools = applyPoolReading(pools, collector.endpoint, readings[index]!, atMs);
	}

	const observation: Observation = {atMs, server: server.ok ? server.snapshot : null, pools};
	return {picture: pictureOf(observation, input.thresholds, {role: input.role}), error: server.ok ? null : server.error};
}
