// The history strip's past from before lifeguard started (`--prometheus`): past pool readings, as data
// with their times, folded into the trend on its bucket axis before the first live sample. The keys are
// the ones the live trend writes (trend.ts), named as the live rows will be (pool-status.ts), so the
// strip continues one line across the start. Pure.
import type {PoolEndpoint, PoolMetrics} from '../readings/types.js';
import {poolDisplayName} from './pool-status.js';
import {appendSeries, mergeLastSeries, type Series} from './series.js';
import {bucketOf, emptyTrend, trendKeys} from './trend.js';

/** The pools of one endpoint at one past moment (a step of a range query). */
export type PastPools = {atMs: number; pools: PoolMetrics[]};

/** One endpoint's past readings. */
export type EndpointPast = {endpoint: PoolEndpoint; points: readonly PastPools[]};

/**
 * A trend of the points before `startMs`'s bucket (later ones are the live screen's to draw), each
 * bucket keeping the largest value seen, at most the trend's capacity of the newest buckets. Marked
 * `prior` (where it came from, and the moment lifeguard started) when any value was seeded.
 */
export function seedTrend(pasts: readonly EndpointPast[], startMs: number, source: string): Series {
	const startBucket = bucketOf(startMs);
	const moments: Array<{bucket: number; readings: Record<string, number | null>}> = [];
	for (const {endpoint, points} of pasts) {
		for (const point of points) {
			const bucket = bucketOf(point.atMs);
			if (bucket < startBucket) {
				moments.push({bucket, readings: readingsOf(endpoint, point.pools)});
			}
		}
	}

	let trend: Series = emptyTrend;
	for (const {bucket, readings} of moments.sort((a, b) => a.bucket - b.bucket)) {
		trend = trend.times.at(-1) === bucket ? mergeLastSeries(trend, readings) : appendSeries(trend, bucket, readings);
	}

	return trend.values.size === 0 ? emptyTrend : {...trend, prior: {source, untilMs: startMs}};
}

/** The trend's keys for one endpoint's pools, as appendTrend writes them live. */
function readingsOf(endpoint: PoolEndpoint, pools: readonly PoolMetrics[]): Record<string, number | null> {
	const readings: Record<string, number | null> = {};
	for (const metrics of pools) {
		// An impossible reading is no reading: a gap, as it is live.
		if (metrics.error === undefined) {
			const name = poolDisplayName(endpoint, metrics.label, pools.length);
			readings[trendKeys.poolWaiting(name)] = metrics.waiting;
			readings[trendKeys.poolBusy(name)] = metrics.active;
		}
	}

	return readings;
}
