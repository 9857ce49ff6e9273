// pool-suspected's evidence of a queue on synthetic readings: new work, poolers seen from the server
// side, levels that hold, a configured console covering its pools, and the groups being watched.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {emptyPoolerTrack, poolerNamed, trackPoolers} from '../../source/judge/pooler-backends.js';
import {suspectMessage, watchedGroups, watchedText} from '../../source/judge/suspect-words.js';
import {groupKey, poolerKey, suspectSample, type SuspectSample} from '../../source/judge/suspect-samples.js';
import {suspectPools, type Suspect} from '../../source/judge/suspected-pools.js';
import {emptyWatch, judgeServerReading} from '../../source/judge/watch.js';
import type {BackendState, ClientGroup} from '../../source/readings/types.js';
import {baseTimeMs, defaultThresholds, serverSnapshot} from '../helpers/snapshots.js';

/** A client group from its backends' states (pids from `firstPid`). */
function group(application: string, states: BackendState[], firstPid = 100, client: string | null = '127.0.0.1'): ClientGroup {
	const backends = states.map((state, index): [number, BackendState] => [firstPid + index, state]);
	const busy = states.filter(state => state !== 0).length;
	return {application, client, connections: states.length, active: busy, busy, backends};
}

/** `seconds + 1` samples one second apart, the last at baseTimeMs, through the pooler track. */
function history(seconds: number, at: (ageSeconds: number) => ClientGroup[]): SuspectSample[] {
	let track = emptyPoolerTrack;
	const samples: SuspectSample[] = [];
	for (let age = seconds; age >= 0; age--) {
		const snapshot = serverSnapshot({takenAtMs: baseTimeMs - (age * 1000), clientGroups: at(age)});
		track = trackPoolers(track, snapshot.clientGroups);
		samples.push(suspectSample(snapshot, 85, track.pooled));
	}

	return samples;
}

const working = (count: number): BackendState[] => Array.from({length: count}, () => 1);

describe('evidence of a queue: new work, not a plateau', () => {
	test('four long statements and an idle transaction (stale after 10 s): not suspected', () => {
		const batch = history(60, age => [group('batch', age > 50 ? working(5) : [2, 2, 2, 2, 2])]);
		assert.deepEqual(suspectPools(batch), []);
	});

	test('a capped pool whose connections work: suspected; one stuck connection of four: not', () => {
		assert.equal(suspectPools(history(40, () => [group('checkout', working(4))])).length, 1);
		assert.deepEqual(suspectPools(history(40, () => [group('checkout', [1, 1, 1, 2])])), []);
	});

	test('idle connections on most samples (a roomy pool): not suspected, however many', () => {
		assert.deepEqual(suspectPools(history(60, age => [group('roomy', age % 4 === 0 ? working(6) : [1, 0, 1, 1, 1, 1])])), []);
	});

	test('the ceiling is the window\'s most: a connection being replaced at this very sample keeps it suspected', () => {
		const [suspect] = suspectPools(history(40, age => [group('pgpool-app', age === 0 ? working(3) : working(4))]));
		assert.equal(suspect?.ceiling, 4);
		assert.equal(suspect?.connections, 3);
	});
});

describe('poolers from the server side', () => {
	// Three backends (pids 1-3) lent to two services in turn, and the services' own idle connection.
	const lent = (age: number) => [
		group('orders', age % 2 === 0 ? [1, 1] : [1], age % 2 === 0 ? 1 : 3),
		group('billing', age % 2 === 0 ? [1] : [1, 1], age % 2 === 0 ? 3 : 1),
	];

	test('a backend seen under two application names is a pooler\'s, for as long as it lives', () => {
		const first = trackPoolers(emptyPoolerTrack, [group('orders', [1], 7)]);
		assert.deepEqual([...first.pooled], []);
		const second = trackPoolers(first, [group('billing', [1], 7)]);
		assert.deepEqual([...second.pooled], [[7, 'PgBouncer']]);
		const loggingIn = trackPoolers(emptyPoolerTrack, [group('', [0], 8)]);
		assert.deepEqual([...trackPoolers(loggingIn, [group('checkout', [1], 8)]).pooled], [], 'a backend still logging in has no name yet');
		assert.deepEqual([...trackPoolers(second, [group('billing', [1], 7)]).pooled], [[7, 'PgBouncer']]);
		assert.deepEqual([...trackPoolers(second, []).pooled], []);
		assert.equal(poolerNamed('pgpool-II'), 'pgpool-II');
		assert.equal(poolerNamed('pgpool-app'), null);
		assert.deepEqual([...trackPoolers(emptyPoolerTrack, [group('pgbouncer', [1], 9)]).pooled], [[9, 'PgBouncer']]);
	});

	test('two services sharing three re-tagged backends: one group by address, in the pooler\'s words', () => {
		const samples = history(45, lent);
		assert.deepEqual(samples.at(-1)!.groups.map(entry => [entry.key, entry.connections]), [[poolerKey('127.0.0.1'), 3]]);
		const [suspect, ...others] = suspectPools(samples);
		assert.deepEqual(others, []);
		assert.deepEqual([suspect!.pooler, suspect!.client, suspect!.ceiling, suspect!.keys], ['PgBouncer', '127.0.0.1', 3, [poolerKey('127.0.0.1')]]);
		assert.equal(suspectMessage(suspect!), '127.0.0.1 (a connection pooler, probably PgBouncer) has held exactly 3 server connections, all busy, for 40 s while the server has 85 free: its pool size is probably 3 (default_pool_size / pool_size). Add --pool pgbouncer://… to see who waits.');
	});

	test('a configured PgBouncer console covers the pooler group, and an application group holding its server connections', () => {
		assert.deepEqual(suspectPools(history(45, lent), {isPoolerMeasured: true}), []);
		const oneService = history(45, () => [group('bouncer-app', working(3))]);
		assert.equal(suspectPools(oneService).length, 1);
		assert.deepEqual(suspectPools(oneService, {poolerConnections: new Set([3])}), []);
	});
});

describe('levels that hold', () => {
	// Busy share 0.875 over the window: under the line of 0.9, over the held line of 0.85.
	const hovering = history(45, age => [group('checkout', age % 2 === 0 ? [1, 1, 1, 0, 0, 1, 1, 1] : working(8))]);

	test('a held group is judged by lines CLEAR_MARGIN lower', () => {
		assert.deepEqual(suspectPools(hovering), []);
		assert.equal(suspectPools(hovering, {held: new Set([groupKey('checkout', '127.0.0.1')])}).length, 1);
	});

	test('through the judge: a group that dips below the line for one poll keeps its level', () => {
		let watch = emptyWatch(defaultThresholds);
		const levels: string[] = [];
		for (let second = 0; second <= 60; second++) {
			const states: BackendState[] = second === 45 ? [1, 1, 0, 0] : working(4);
			const snapshot = serverSnapshot({takenAtMs: baseTimeMs + (second * 1000), connections: 10, clientGroups: [group('checkout', states)]});
			watch = judgeServerReading(watch, {ok: true, snapshot, isReconnected: false}, snapshot.takenAtMs).watch;
			levels.push(watch.live.alarms[`group checkout\u0000127.0.0.1`]?.level ?? 'ok');
		}

		const rises = levels.filter((level, index) => index > 0 && level !== levels[index - 1]);
		assert.deepEqual(rises, ['warning'], levels.join(' '));
	});
});

describe('watching, before it is sure', () => {
	test('all busy at a steady count for 12 s: watched, with its numbers; suspected groups are not watched', () => {
		const samples = history(12, () => [group('checkout', working(5)), group('quiet', [1, 0, 0], 200)]);
		const watched = watchedGroups(samples, []);
		assert.deepEqual(watched.map(entry => watchedText(entry)), ['watching checkout (127.0.0.1): 5/5 busy for 10 s']);
		const suspect = {application: 'checkout', pooler: null, client: '127.0.0.1'} as Suspect;
		assert.deepEqual(watchedGroups(samples, [suspect]), []);
		assert.deepEqual(watchedGroups(history(3, () => [group('checkout', working(5))]), []), [], 'a burst of a few seconds is not watched');
		assert.deepEqual(watchedGroups(samples, [], {excludedApplications: new Set(['checkout'])}), [], 'a group whose pool endpoint is configured is measured, not watched');
		assert.deepEqual(watchedGroups(samples, [], {poolerConnections: new Set([5])}), [], 'one service behind PgBouncer holding exactly its console pool\'s connections: measured, not watched');
	});

	test('the picture carries it', () => {
		let watch = emptyWatch(defaultThresholds);
		for (let second = 0; second <= 8; second++) {
			const snapshot = serverSnapshot({takenAtMs: baseTimeMs + (second * 1000), connections: 10, clientGroups: [group('checkout', working(5))]});
			watch = judgeServerReading(watch, {ok: true, snapshot, isReconnected: false}, snapshot.takenAtMs).watch;
		}

		assert.deepEqual(watch.live.watching.map(entry => watchedText(entry)), ['watching checkout (127.0.0.1): 5/5 busy for 8 s']);
		assert.deepEqual(watch.live.findings.filter(finding => finding.code === 'pool-suspected'), []);
	});
});
