// The restart-or-deploy rule on hand-made samples: a burst replacing most of an application's
// backends is told once, with its numbers; each look-alike stays quiet (a max-lifetime rotation, a pool
// growing from idle, a single reconnect, a group of two, an application connecting per request, a
// pooler's server connections). The real-server test is test/collectors/reconnect-burst.test.ts.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {BURST_SPREAD_SECONDS, BURST_WINDOW_MS, type BurstTrack, emptyBurstTrack, MIN_REPLACED, MOST_REPLACED, OLD_SECONDS, type ReconnectBurst, trackBursts} from '../../source/judge/reconnect-bursts.js';
import type {ClientGroup} from '../../source/readings/types.js';

const T0 = 1_796_000_000_000;
/** Backends as [pid, backend_start in seconds]: one group of `application` from `client`. */
const group = (application: string, backends: Array<[number, number]>, client: string | null = '10.0.0.5'): ClientGroup => ({
	application, client, connections: backends.length, active: 0, busy: 0, backends: backends.map(([pid, started]) => [pid, 0, started]),
});
/** `count` backends with pids from `firstPid`, started at `startSeconds` + index × `everySeconds`. */
const backends = (count: number, firstPid: number, startSeconds: number, everySeconds = 0.1): Array<[number, number]> =>
	Array.from({length: count}, (_, index) => [firstPid + index, startSeconds + index * everySeconds]);

/** Feed samples (ms after T0 → groups) in order; every burst told, with the time of its sample. */
function run(samples: Array<[number, ClientGroup[]]>, pooled: ReadonlyMap<number, string> = new Map()): Array<ReconnectBurst & {atMs: number}> {
	let track: BurstTrack = emptyBurstTrack;
	const told: Array<ReconnectBurst & {atMs: number}> = [];
	for (const [offsetMs, groups] of samples) {
		const step = trackBursts(track, groups, pooled, T0 + offsetMs);
		track = step.track;
		told.push(...step.bursts.map(burst => ({...burst, atMs: T0 + offsetMs})));
	}

	return told;
}

const S0 = T0 / 1000;
const OLD = S0 - 3600;

test('the thresholds, named and as the README gives them', () => {
	assert.deepEqual([BURST_WINDOW_MS, BURST_SPREAD_SECONDS, MIN_REPLACED, MOST_REPLACED, OLD_SECONDS], [10_000, 5, 3, 0.75, 20]);
});

test('20 old backends gone and 20 new within a second, between two polls: told once, 20 of 20 within 1 s', () => {
	const told = run([
		[0, [group('billing-api', backends(20, 100, OLD, 0))]],
		[1000, [group('billing-api', backends(20, 100, OLD, 0))]],
		[2000, [group('billing-api', backends(20, 500, S0 + 1.5, 0.05))]],
		[3000, [group('billing-api', backends(20, 500, S0 + 1.5, 0.05))]],
	]);
	assert.deepEqual(told, [{application: 'billing-api', client: null, replaced: 20, of: 20, spreadSeconds: 1, firstStartedMs: T0 + 1500, atMs: T0 + 2000}]);
});

test('a restart over three polls (old ones leave, new ones arrive in halves): told once, when most are replaced', () => {
	const told = run([
		[0, [group('billing-api', backends(20, 100, OLD, 0))]],
		[1000, [group('billing-api', [...backends(10, 110, OLD, 0), ...backends(8, 500, S0 + 0.8)])]],
		[2000, [group('billing-api', [...backends(2, 118, OLD, 0), ...backends(18, 500, S0 + 0.8)])]],
		[3000, [group('billing-api', backends(18, 500, S0 + 0.8))]],
	]);
	assert.equal(told.length, 1, JSON.stringify(told));
	assert.deepEqual([told[0]!.replaced, told[0]!.of, told[0]!.atMs], [18, 20, T0 + 2000]);
});

test('new backends opened before the old ones close (a new instance up, then the old one stopped): told when the old ones leave', () => {
	const told = run([
		[0, [group('api', backends(6, 100, OLD, 0), '10.0.0.5')]],
		[1000, [group('api', backends(6, 100, OLD, 0), '10.0.0.5'), group('api', backends(6, 500, S0 + 0.5), '10.0.0.6')]],
		[3000, [group('api', backends(6, 500, S0 + 0.5), '10.0.0.6')]],
	]);
	assert.deepEqual(told.map(burst => [burst.application, burst.replaced, burst.of, burst.atMs]), [['api', 6, 6, T0 + 3000]]);
});

test('quiet: a max-lifetime rotation (one connection at a time, every 2.5 s over 20 s)', () => {
	const samples: Array<[number, ClientGroup[]]> = [];
	for (let second = 0; second <= 25; second++) {
		// Connection i (of 8) is replaced at 2.5 × i seconds.
		const replaced = Math.min(8, Math.floor(second / 2.5));
		const rows: Array<[number, number]> = [...backends(8 - replaced, 100 + replaced, OLD, 0), ...Array.from({length: replaced}, (_, index): [number, number] => [500 + index, S0 + index * 2.5])];
		samples.push([second * 1000, [group('checkout', rows)]]);
	}

	assert.deepEqual(run(samples), []);
});

test('quiet: late in a rotation, three replaced close together while half are young already (of the old ones alone, 3 of 4 looked like most)', () => {
	// Seen on a loaded machine: 4 of 8 rotated in the last 15 s, then 3 more within 5 s, 1 old one left.
	const young: Array<[number, number]> = [[500, S0 - 15], [501, S0 - 12.5], [502, S0 - 10], [503, S0 - 7.5]];
	const before = [...backends(4, 100, OLD, 0), ...young];
	const after = [[103, OLD] as [number, number], ...young, [600, S0 + 1], [601, S0 + 3], [602, S0 + 5]] as Array<[number, number]>;
	assert.deepEqual(run([[0, [group('checkout', before)]], [6000, [group('checkout', after)]]]), []);
});

test('quiet: the same rotation seen only every 30 s (all replaced between two polls, but their starts spread over 20 s)', () => {
	const rotated = Array.from({length: 8}, (_, index): [number, number] => [500 + index, S0 + index * 2.5]);
	assert.deepEqual(run([[0, [group('checkout', backends(8, 100, OLD, 0))]], [30_000, [group('checkout', rotated)]]]), []);
});

test('quiet: a pool growing from idle (20 new at once, none leaving)', () => {
	assert.deepEqual(run([
		[0, [group('api', backends(2, 100, OLD, 0))]],
		[1000, [group('api', [...backends(2, 100, OLD, 0), ...backends(20, 500, S0 + 0.5)])]],
	]), []);
});

test('quiet: a pool that shrinks by idle timeout and then grows again, minutes apart', () => {
	assert.deepEqual(run([
		[0, [group('api', backends(20, 100, OLD, 0))]],
		[1000, [group('api', backends(5, 100, OLD, 0))]],
		[120_000, [group('api', [...backends(5, 100, OLD, 0), ...backends(15, 500, S0 + 119.5)])]],
	]), []);
});

test('quiet: a single reconnect, and a group of two replaced at once', () => {
	assert.deepEqual(run([
		[0, [group('api', backends(10, 100, OLD, 0)), group('cron', backends(2, 300, OLD, 0))]],
		[1000, [group('api', [...backends(9, 101, OLD, 0), [600, S0 + 0.5]]), group('cron', backends(2, 700, S0 + 0.5))]],
	]), []);
});

test('quiet: an application that connects per request (its backends never grow old)', () => {
	const samples: Array<[number, ClientGroup[]]> = [];
	for (let second = 0; second < 30; second++) {
		samples.push([second * 1000, [group('php-app', backends(10, 1000 + second * 10, S0 + second - 0.5))]]);
	}

	assert.deepEqual(run(samples), []);
});

test('quiet: a pooler\'s server connections, known by their re-tagging, recycled at once (server_lifetime)', () => {
	// PgBouncer's backends from 10.0.0.9 carry their clients' names; pooler-backends.ts knew pids 100–119 as its own.
	const pooled = new Map(Array.from({length: 20}, (_, index) => [100 + index, 'PgBouncer']));
	assert.deepEqual(run([
		[0, [group('api', backends(20, 100, OLD, 0), '10.0.0.9')]],
		[1000, [group('api', backends(20, 500, S0 + 0.5), '10.0.0.9')]],
	], pooled), []);
});

test('quiet: the first sample is a baseline, and a burst is not told twice as more of it arrives', () => {
	assert.deepEqual(run([[0, [group('api', backends(20, 500, S0 - 0.5))]]]), [], 'a pool opened just before lifeguard started');
	const told = run([
		[0, [group('api', backends(20, 100, OLD, 0))]],
		[1000, [group('api', [...backends(4, 116, OLD, 0), ...backends(16, 500, S0 + 0.5)])]],
		[2000, [group('api', backends(20, 500, S0 + 0.5))]],
	]);
	assert.deepEqual(told.map(burst => [burst.replaced, burst.of]), [[16, 20]]);
});

test('an application without a name is judged by its client address, and named by it', () => {
	const told = run([
		[0, [group('', backends(5, 100, OLD, 0), '10.0.0.7')]],
		[1000, [group('', backends(5, 500, S0 + 0.5), '10.0.0.7')]],
	]);
	assert.deepEqual(told.map(burst => [burst.application, burst.client, burst.replaced]), [['', '10.0.0.7', 5]]);
});

test('new backends seen while still logging in (no application_name yet) count for their application once named', () => {
	const told = run([
		[0, [group('api', backends(6, 100, OLD, 0))]],
		[1000, [group('', backends(3, 500, S0 + 0.5), '10.0.0.5'), group('api', backends(3, 503, S0 + 0.8))]],
		[2000, [group('api', backends(6, 500, S0 + 0.5))]],
	]);
	assert.deepEqual(told.map(burst => [burst.application, burst.replaced, burst.of, burst.atMs]), [['api', 6, 6, T0 + 2000]]);
});
