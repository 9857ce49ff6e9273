// The fleet-membership rule on hand-made readings: an instance that joins is told at once; one that
// leaves is told once Prometheus failed to scrape it twice in a row, or once it is no target any more
// (missing, no failing `up`, two polls); one failed scrape (a hiccup) says nothing. The real
// Prometheus test is test/collectors/pools/prometheus-fleet-members.test.ts.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {servicePool} from '../../source/collectors/pools/prometheus-fleet.js';
import {emptyFleetTrack, type FleetChange, type FleetTrack, LEFT_AFTER_FAILED_SCRAPES, LEFT_AFTER_POLLS, trackFleets} from '../../source/judge/fleet-members.js';
import type {FailedScrape, PoolInstance} from '../../source/readings/types.js';

const member = (instance: string): PoolInstance => ({instance, max: 10, open: 2, active: 1, idle: 1, waiting: 0, oldestWaitSeconds: null, sourceRates: {waitsPerSecond: null, waitingAverage: null, timeoutsPerMinute: null}, isAtMax: false});
const pools = (instances: string[]) => [{name: 'checkout', metrics: servicePool('checkout', null, instances.map(member))}];

/** Readings in order (instances, failed scrapes as [instance, seconds]); every change told. */
function run(readings: Array<[string[], Array<[string, number]> | undefined]>): FleetChange[][] {
	let track: FleetTrack = emptyFleetTrack;
	return readings.map(([instances, failed]) => {
		const scrapes: FailedScrape[] | undefined = failed?.map(([instance, seconds]) => ({instance, scrapedAtMs: seconds * 1000}));
		const step = trackFleets(track, 'e1', pools(instances), scrapes);
		track = step.track;
		return step.changes;
	});
}

const ABC = ['a:1', 'b:1', 'c:1'];

test('the thresholds', () => {
	assert.deepEqual([LEFT_AFTER_POLLS, LEFT_AFTER_FAILED_SCRAPES], [2, 2]);
});

test('an instance whose server stopped: told after its second failed scrape, once, with the counts', () => {
	assert.deepEqual(run([
		[ABC, []],
		[['a:1', 'b:1'], [['c:1', 100]]],
		[['a:1', 'b:1'], [['c:1', 100]]],
		[['a:1', 'b:1'], [['c:1', 101]]],
		[['a:1', 'b:1'], [['c:1', 102]]],
	]), [[], [], [], [{pool: 'checkout', from: 3, to: 2, joined: [], left: ['c:1']}], []]);
});

test('quiet: one failed scrape (Prometheus marks the series stale until the next good scrape)', () => {
	assert.deepEqual(run([
		[ABC, []],
		[['a:1', 'b:1'], [['c:1', 100]]],
		[['a:1', 'b:1'], [['c:1', 100]]],
		[ABC, []],
		[ABC, []],
	]).flat(), []);
});

test('an instance taken out of discovery (no series, no up): told on the second poll without it', () => {
	assert.deepEqual(run([[ABC, []], [['a:1', 'b:1'], []], [['a:1', 'b:1'], []]]), [[], [], [{pool: 'checkout', from: 3, to: 2, joined: [], left: ['c:1']}]]);
});

test('an instance that joins is told at once; one joining and one leaving in the same poll, both', () => {
	assert.deepEqual(run([[ABC, []], [[...ABC, 'd:1'], []]]), [[], [{pool: 'checkout', from: 3, to: 4, joined: ['d:1'], left: []}]]);
	assert.deepEqual(run([[ABC, []], [['a:1', 'b:1', 'd:1'], []], [['a:1', 'b:1', 'd:1'], []]]).flat(), [
		{pool: 'checkout', from: 3, to: 4, joined: ['d:1'], left: []},
		{pool: 'checkout', from: 4, to: 3, joined: [], left: ['c:1']},
	]);
});

test('quiet: without Prometheus\'s word on failed scrapes nothing leaves; the first reading is a baseline', () => {
	assert.deepEqual(run([[ABC, undefined], [['a:1'], undefined], [['a:1'], undefined], [['a:1'], undefined]]).flat(), []);
	assert.deepEqual(run([[ABC, []]]).flat(), []);
});
