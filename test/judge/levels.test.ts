import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {freeConnections, levelForRatio, serverLevel, usableConnections, usedRatio, waitingForMs, worstLevel} from '../../source/judge/levels.js';
import {derivePicture, type PoolLevel} from '../../source/judge/picture.js';
import {poolRates} from '../../source/judge/rates.js';
import {subjectKey} from '../../source/judge/subject.js';
import type {Level, Observation, PoolStatus} from '../../source/judge/types.js';
import type {PoolMetrics} from '../../source/readings/types.js';
import {baseTimeMs, defaultThresholds, observation, poolStatus, serverSnapshot} from '../helpers/snapshots.js';

describe('server levels', () => {
	it('subtracts both reservations from max_connections', () => {
		const s = serverSnapshot({maxConnections: 100, superuserReservedConnections: 3, reservedForRoleConnections: 5, connections: 46});
		assert.equal(usableConnections(s), 92);
		assert.equal(freeConnections(s), 46);
		assert.equal(usedRatio(s), 0.5);
	});

	it('never reports negative free slots', () => {
		const s = serverSnapshot({connections: 99});
		assert.equal(freeConnections(s), 0);
	});

	it('counts a server without usable slots as full', () => {
		const s = serverSnapshot({maxConnections: 3, superuserReservedConnections: 3, connections: 0});
		assert.equal(usedRatio(s), 1);
		assert.equal(serverLevel(s, defaultThresholds), 'critical');
	});

	const cases: Array<{connections: number; expected: Level}> = [
		{connections: 0, expected: 'ok'},
		{connections: 77, expected: 'ok'}, // 0.794
		{connections: 78, expected: 'warning'}, // 0.804
		{connections: 92, expected: 'warning'}, // 0.948
		{connections: 93, expected: 'critical'}, // 0.959
		{connections: 97, expected: 'critical'},
		{connections: 100, expected: 'critical'},
	];
	for (const {connections, expected} of cases) {
		it(`${connections}/97 is ${expected}`, () => {
			assert.equal(serverLevel(serverSnapshot({connections}), defaultThresholds), expected);
		});
	}

	it('treats a ratio equal to a threshold as reaching it', () => {
		assert.equal(levelForRatio(0.8, defaultThresholds), 'warning');
		assert.equal(levelForRatio(0.95, defaultThresholds), 'critical');
	});

	it('picks the worst level', () => {
		assert.equal(worstLevel([]), 'ok');
		assert.equal(worstLevel(['ok', 'critical', 'warning']), 'critical');
		assert.equal(worstLevel(['warning', 'ok']), 'warning');
	});
});

function poolAt(atMs: number, metrics: Partial<PoolMetrics> | null, extra: Partial<PoolStatus> = {}): Observation {
	return observation({atMs, pools: [poolStatus({metrics, sampledAtMs: atMs, ...extra})]});
}

/** The pool's level on the frame; a level other than ok always comes with a finding about the pool. */
function poolLevel(history: Observation[], name: string): PoolLevel | undefined {
	const {picture} = derivePicture(history, defaultThresholds, {});
	const view = picture.pools.find(pool => pool.name === name);
	if (view && view.level !== 'ok' && view.level !== 'unknown') {
		assert.ok(picture.findings.some(finding => subjectKey(finding.subject) === `pool ${name}` && finding.level === view.level), `a ${view.level} pool without its finding: ${JSON.stringify(picture.findings)}`);
	}

	return view?.level;
}

describe('pool levels', () => {
	const single: Array<{name: string; metrics: Partial<PoolMetrics> | null; extra?: Partial<PoolStatus>; expected: PoolLevel}> = [
		{name: 'quiet pool', metrics: {active: 2, max: 10, waiting: 0}, expected: 'ok'},
		{name: '8/10 busy', metrics: {active: 8, max: 10, waiting: 0}, expected: 'warning'},
		{name: '7/10 busy', metrics: {active: 7, max: 10, waiting: 0}, expected: 'ok'},
		{name: '10/10 busy, nobody waiting', metrics: {active: 10, max: 10, waiting: 0}, expected: 'critical'},
		{name: 'waiters below max', metrics: {active: 3, max: 10, waiting: 1}, expected: 'warning'},
		{name: 'waiters at max', metrics: {active: 10, max: 10, waiting: 4}, expected: 'critical'},
		{name: 'waiters, max unknown', metrics: {active: 4, max: null, waiting: 2}, expected: 'warning'},
		{name: 'waiters, active unknown', metrics: {active: null, max: 10, waiting: 2}, expected: 'warning'},
		{name: 'nothing known', metrics: {active: null, max: null, waiting: null}, expected: 'ok'},
		{name: 'waiting unknown, 9/10 busy', metrics: {active: 9, max: 10, waiting: null}, expected: 'warning'},
		{name: 'max 0 judged by waiting only', metrics: {active: 0, max: 0, waiting: 0}, expected: 'ok'},
		{name: 'endpoint down, no metrics', metrics: null, extra: {error: 'connect ECONNREFUSED'}, expected: 'unknown'},
		{
			name: 'endpoint down: its last metrics prove nothing now',
			metrics: {active: 10, max: 10, waiting: 3},
			extra: {error: 'timeout after 2000 ms'},
			expected: 'unknown',
		},
	];
	for (const {name, metrics, extra, expected} of single) {
		it(`${name} → ${expected}`, () => {
			assert.equal(poolLevel([poolAt(baseTimeMs, metrics, extra)], 'api'), expected);
		});
	}

	const waitingOnly = {active: 3, max: 10, waiting: 2};
	const persistence: Array<{name: string; history: Observation[]; expected: PoolLevel; waitingMs: number | null}> = [
		{
			name: 'waiters for 10 s',
			history: [0, 5000, 10_000].map(offset => poolAt(baseTimeMs + offset, waitingOnly)),
			expected: 'critical',
			waitingMs: 10_000,
		},
		{
			name: 'waiters for 9 s',
			history: [0, 4500, 9000].map(offset => poolAt(baseTimeMs + offset, waitingOnly)),
			expected: 'warning',
			waitingMs: 9000,
		},
		{
			name: 'a sample without waiters breaks the run',
			history: [
				poolAt(baseTimeMs, waitingOnly),
				poolAt(baseTimeMs + 5000, {...waitingOnly, waiting: 0}),
				poolAt(baseTimeMs + 12_000, waitingOnly),
			],
			expected: 'warning',
			waitingMs: 0,
		},
		{
			name: 'an endpoint error breaks the run',
			history: [
				poolAt(baseTimeMs, waitingOnly),
				poolAt(baseTimeMs + 5000, waitingOnly, {error: 'HTTP 500'}),
				poolAt(baseTimeMs + 12_000, waitingOnly),
			],
			expected: 'warning',
			waitingMs: 0,
		},
		{
			name: 'waiters gone now',
			history: [poolAt(baseTimeMs, waitingOnly), poolAt(baseTimeMs + 12_000, {...waitingOnly, waiting: 0})],
			expected: 'ok',
			waitingMs: null,
		},
		{
			name: 'persistent waiters with unknown max',
			history: [0, 10_000].map(offset => poolAt(baseTimeMs + offset, {active: null, max: null, waiting: 5})),
			expected: 'critical',
			waitingMs: 10_000,
		},
	];
	for (const {name, history, expected, waitingMs} of persistence) {
		it(`${name} → ${expected}`, () => {
			assert.equal(poolLevel(history, 'api'), expected);
			assert.equal(waitingForMs(history, 'api'), waitingMs);
		});
	}
});

describe('rates from counters', () => {
	const at = (offsetMs: number, timeoutsTotal: number | null, sampledOffsetMs = offsetMs): Observation =>
		observation({
			atMs: baseTimeMs + offsetMs,
			pools: [poolStatus({metrics: {timeoutsTotal}, sampledAtMs: baseTimeMs + sampledOffsetMs})],
		});

	const cases: Array<{name: string; history: Observation[]; expected: number | null}> = [
		{name: 'no samples', history: [], expected: null},
		{name: 'one sample', history: [at(0, 4)], expected: null},
		{name: 'unknown counter', history: [at(0, null), at(30_000, null)], expected: null},
		{name: '6 timeouts in 30 s', history: [at(0, 4), at(15_000, 7), at(30_000, 10)], expected: 12},
		{name: 'no change', history: [at(0, 4), at(60_000, 4)], expected: 0},
		{name: 'a restart counts from zero', history: [at(0, 50), at(30_000, 52), at(60_000, 3)], expected: 5},
		{
			name: 'a stale repeat is taken once',
			history: [at(0, 4), at(30_000, 10), at(60_000, 10, 30_000)],
			expected: 12,
		},
	];
	for (const {name, history, expected} of cases) {
		it(`${name} → ${String(expected)}`, () => {
			assert.equal(poolRates(history, 'api', 120_000).timeoutsPerMinute, expected);
		});
	}

	it('only the last 30 s count by default: a fix shows within half a minute', () => {
		assert.equal(poolRates([at(0, 0), at(60_000, 100), at(75_000, 100), at(90_000, 100)], 'api').timeoutsPerMinute, 0);
	});

	const waits = (offsetMs: number, waitsTotal: number | null, waitSecondsTotal: number | null): Observation =>
		observation({atMs: baseTimeMs + offsetMs, pools: [poolStatus({metrics: {waitsTotal, waitSecondsTotal, waiting: null}, sampledAtMs: baseTimeMs + offsetMs})]});
	it('waits per second and the mean wait come from the two wait counters', () => {
		const rates = poolRates([waits(0, 100, 40), waits(10_000, 131, 53.02)], 'api');
		assert.equal(rates.waitsPerSecond, 3.1);
		assert.equal(Math.round(rates.meanWaitSeconds! * 1000), 420);
	});

	it('the first sample has no rate yet, and a restart is no negative rate', () => {
		assert.deepEqual(poolRates([waits(0, 100, 40)], 'api'), {waitsPerSecond: null, meanWaitSeconds: null, waitingAverage: null, timeoutsPerMinute: null, servedPerSecond: null, meanHoldSeconds: null, queueGrowthPerSecond: null});
		const restarted = poolRates([waits(0, 500, 200), waits(10_000, 20, 8)], 'api');
		assert.equal(restarted.waitsPerSecond, 2);
		assert.equal(restarted.meanWaitSeconds, 0.4);
	});

	it('no waits in the window: a rate of 0 and no mean', () => {
		assert.deepEqual(poolRates([waits(0, 100, 40), waits(10_000, 100, 40)], 'api'), {waitsPerSecond: 0, meanWaitSeconds: null, waitingAverage: 0, timeoutsPerMinute: 0, servedPerSecond: null, meanHoldSeconds: null, queueGrowthPerSecond: null});
	});
});

describe('every pool level has its finding', () => {
	it('requests timing out make a warning, even while the pool looks idle', () => {
		const at = (atMs: number, timeoutsTotal: number) => observation({atMs, pools: [poolStatus({sampledAtMs: atMs, metrics: {active: 0, max: 5, waiting: 0, timeoutsTotal}})]});
		assert.equal(poolLevel([at(baseTimeMs, 10), at(baseTimeMs + 1000, 10)], 'api'), 'ok');
		assert.equal(poolLevel([at(baseTimeMs, 10), at(baseTimeMs + 1000, 15)], 'api'), 'warning');
	});

	it('a growing wait counter at max is saturation, like a waiting gauge (Go database/sql)', () => {
		const at = (offsetMs: number, waitsTotal: number) => observation({atMs: baseTimeMs + offsetMs, pools: [poolStatus({sampledAtMs: baseTimeMs + offsetMs, metrics: {active: 2, max: 2, idle: 0, waiting: null, waitsTotal, waitSecondsTotal: waitsTotal * 0.4}})]});
		const history = [at(0, 100), at(1000, 103), at(2000, 106)];
		assert.equal(poolLevel(history, 'api'), 'critical');
		const {picture} = derivePicture(history, defaultThresholds, {});
		assert.equal(picture.findings[0]?.code, 'pool-saturated');
		assert.match(picture.findings[0]!.message, /2\/2 busy, waits 3\.0\/s, avg 400 ms/);
	});
});

describe('fleets read through Prometheus', () => {
	const member = (instance: string, active: number, waiting: number) => ({instance, max: 10, open: 10, active, idle: 10 - active, waiting, oldestWaitSeconds: null, sourceRates: {waitsPerSecond: null, waitingAverage: null, timeoutsPerMinute: null}, isAtMax: active >= 10});
	const fleetPool = (name: string, members: Array<ReturnType<typeof member>>) => poolStatus({name, metrics: {
		max: members.length * 10, open: members.length * 10, active: members.reduce((sum, each) => sum + each.active, 0), idle: 0,
		waiting: members.reduce((sum, each) => sum + each.waiting, 0), timeoutsTotal: null, waitsTotal: null, waitSecondsTotal: null,
		sourceRates: {waitsPerSecond: 3, waitingAverage: 1.2, timeoutsPerMinute: 0},
		fleet: {service: name, pool: null, instances: members.length, atMax: members.filter(each => each.isAtMax).length, maxPerInstance: 10, worst: members[0]!, members},
	}});

	it('one instance at its max with waiters is saturation, named with the instance count, though the sums have room', () => {
		const pool = fleetPool('checkout', [member('pod-1', 10, 7), member('pod-2', 3, 0)]);
		const {picture} = derivePicture([observation({pools: [pool]})], defaultThresholds, {});
		assert.equal(picture.pools[0]?.level, 'critical');
		assert.equal(picture.findings[0]?.code, 'pool-saturated');
		assert.match(picture.findings[0]!.message, /1 of 2 instances at their max of 10, 7 waiting(?: \(oldest [^)]*\))?, while the server has 84 free slots \(worst: pod-1\): raise the pool's max \(its source exposes no hold time to size it\)/);
		assert.deepEqual({...picture.pools[0]?.rates, meanWaitSeconds: Number(picture.pools[0]?.rates.meanWaitSeconds?.toFixed(3))}, {waitsPerSecond: 3, waitingAverage: 1.2, timeoutsPerMinute: 0, meanWaitSeconds: 0.4, servedPerSecond: null, meanHoldSeconds: null, queueGrowthPerSecond: null});
	});

	it('fleets whose pools together exceed the usable slots: a finding with the arithmetic', () => {
		const many = Array.from({length: 10}, (_, index) => member(`pod-${index}`, 1, 0));
		const {picture} = derivePicture([observation({pools: [fleetPool('checkout', many), fleetPool('billing', many.slice(0, 2))]})], defaultThresholds, {});
		const finding = picture.findings.find(candidate => candidate.code === 'fleet-over-capacity');
		assert.match(finding?.message ?? '', /can open 120 connections \(checkout 10 × 10 \+ billing 2 × 10\) but the server has 97 usable slots/);
	});
});
