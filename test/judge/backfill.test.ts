// Seeding the history strip's trend from past pool readings (--prometheus at start): on the live
// bucket axis, named as the live rows, only before the start, marked as from elsewhere.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {type PastPools, seedTrend} from '../../source/judge/backfill.js';
import {seriesValues} from '../../source/judge/series.js';
import {appendTrend, TREND_BUCKET_MS, trendKeys} from '../../source/judge/trend.js';
import {pictureOf} from '../../source/judge/picture.js';
import {emptyWatch} from '../../source/judge/watch.js';
import {prometheusEndpoint} from '../helpers/fleet.js';
import {baseTimeMs, defaultThresholds, exposedPool, observation, poolStatus, serverSnapshot} from '../helpers/snapshots.js';

const startMs = baseTimeMs + 3500; // inside the bucket starting at baseTimeMs
const at = (bucketsBefore: number, waiting: number | null, active = 5, label = 'orders/P'): PastPools => ({
	atMs: baseTimeMs - (bucketsBefore * TREND_BUCKET_MS),
	pools: [exposedPool({label, max: 5, active, waiting})],
});

test('past points become buckets before the start, keyed as the live rows name the pools', () => {
	const trend = seedTrend([{endpoint: prometheusEndpoint, points: [at(3, 0), at(2, 40), at(1, 150)]}], startMs, 'Prometheus');
	assert.deepEqual(trend.times, [3, 2, 1].map(before => baseTimeMs - (before * TREND_BUCKET_MS)));
	assert.deepEqual(seriesValues(trend, trendKeys.poolWaiting('orders/P')), [0, 40, 150]);
	assert.deepEqual(seriesValues(trend, trendKeys.poolBusy('orders/P')), [5, 5, 5]);
	assert.deepEqual(trend.prior, {source: 'Prometheus', untilMs: startMs});
});

test('points in the start\'s bucket or later are the live screen\'s: left out', () => {
	const trend = seedTrend([{endpoint: prometheusEndpoint, points: [at(1, 7), at(0, 99), at(-1, 99)]}], startMs, 'Prometheus');
	assert.deepEqual(seriesValues(trend, trendKeys.poolWaiting('orders/P')), [7]);
});

test('two points in one bucket keep the larger; unordered input is ordered; a missing value is a gap, not 0', () => {
	const early = {...at(2, 3), atMs: baseTimeMs - (2 * TREND_BUCKET_MS) + 4000};
	const trend = seedTrend([{endpoint: prometheusEndpoint, points: [at(1, null), early, at(2, 9), at(3, 1)]}], startMs, 'Prometheus');
	assert.deepEqual(seriesValues(trend, trendKeys.poolWaiting('orders/P')), [1, 9, null]);
});

test('an impossible reading is no reading; nothing seeded is the empty trend, unmarked', () => {
	const invalid: PastPools = {atMs: baseTimeMs - TREND_BUCKET_MS, pools: [{...exposedPool({label: 'orders/P', waiting: 3}), error: 'negative waiting'}]};
	const trend = seedTrend([{endpoint: prometheusEndpoint, points: [invalid]}], startMs, 'Prometheus');
	assert.equal(trend.times.length, 0);
	assert.equal(trend.prior, undefined);
	assert.equal(seedTrend([], startMs, 'Prometheus').prior, undefined);
});

test('a named endpoint\'s pools are named NAME/label, as its rows are', () => {
	const named = {...prometheusEndpoint, name: 'shop'};
	const points = [{atMs: baseTimeMs - TREND_BUCKET_MS, pools: [exposedPool({label: 'a/P', waiting: 1}), exposedPool({label: 'b/P', waiting: 2})]}];
	const trend = seedTrend([{endpoint: named, points}], startMs, 'Prometheus');
	assert.deepEqual([...trend.values.keys()].filter(key => key.endsWith('waiting')), [trendKeys.poolWaiting('shop/a/P'), trendKeys.poolWaiting('shop/b/P')]);
});

test('the live samples continue the seeded trend on one axis, and keep its mark', () => {
	const seeded = seedTrend([{endpoint: prometheusEndpoint, points: [at(2, 40), at(1, 150)]}], startMs, 'Prometheus');
	const watch = emptyWatch(defaultThresholds, {trend: seeded});
	const picture = pictureOf(observation({atMs: startMs, server: serverSnapshot({takenAtMs: startMs}), pools: [poolStatus({name: 'orders/P', metrics: {max: 5, active: 5, waiting: 160}, sampledAtMs: startMs})]}), defaultThresholds);
	const trend = appendTrend(watch.live.trend, picture, []);
	assert.deepEqual(seriesValues(trend, trendKeys.poolWaiting('orders/P')), [40, 150, 160]);
	assert.deepEqual(trend.times.at(-1), baseTimeMs);
	assert.deepEqual(trend.prior, {source: 'Prometheus', untilMs: startMs});
});
