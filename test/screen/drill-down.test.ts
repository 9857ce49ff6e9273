// The pools drill-down in the screen: pools / instances / back move between sessions, pools and one fleet pool's
// instances; the cursor follows a pool's key and an instance's label across readings that reorder
// them; instances rank worst first by their own level; an instance that leaves is said to be gone.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {type DashboardAction, type DashboardState, initialState, rankedMembers, reduce} from '../../source/screen/board.js';
import {judgeInstance, rankInstances} from '../../source/judge/instances.js';
import {moveKey, reconcileKey, updateGone} from '../../source/screen/pool-cursors.js';
import type {PoolEndpoint, PoolInstance, PoolMetrics} from '../../source/readings/types.js';
import {fleetPool, instance, noRates, prometheusEndpoint} from '../helpers/fleet.js';
import {baseTimeMs, command, defaultThresholds, exposedPool, serverSnapshot} from '../helpers/snapshots.js';

const read = (pools: PoolMetrics[], atMs = baseTimeMs): DashboardAction => ({type: 'pool-polled', endpoint: prometheusEndpoint, reading: {ok: true, format: 'prometheus', pools}, atMs});
const server = (atMs = baseTimeMs): DashboardAction => ({type: 'server-polled', reading: {ok: true, isReconnected: false, snapshot: serverSnapshot({takenAtMs: atMs})}, atMs});
/** Enter in the list, Enter on a pool row, Esc in the drill-down, ↓ (test/ui/key-edge.test.ts has the keys). */
const open = command('pools');
const instances = command('instances');
const back = command('back');
const down = command('down');
const run = (state: DashboardState, ...actions: DashboardAction[]) => actions.reduce(reduce, state);
const start = () => initialState(defaultThresholds);

const checkout = fleetPool('checkout', [instance('pod-a', 10, 7), instance('pod-b', 10, 3), instance('pod-c', 4, 0)]);
const billing = fleetPool('billing', [instance('bill-1', 2, 0), instance('bill-2', 1, 0)]);
const selected = (state: DashboardState) => ('selected' in state.mode ? state.mode.selected : undefined);
const poolName = (state: DashboardState) => selected(state)?.split('\u0000')[1];

describe('Enter and Esc: sessions → pools → instances → pools → sessions', () => {
	test('Enter opens the pools on the worst; Enter on a fleet lists its instances on the worst; Esc goes back one level each', () => {
		let state = run(start(), server(), read([billing, checkout]));
		state = reduce(state, open);
		assert.equal(state.mode.kind, 'pools');
		assert.equal(poolName(state), 'checkout/HikariPool-1', 'the worst pool (the picture\'s first row) is selected first');
		state = reduce(state, instances);
		assert.equal(state.mode.kind, 'members');
		assert.equal(selected(state), 'pod-a');
		assert.deepEqual(rankedMembers(state).map(member => [member.instance, member.level, member.reason]), [
			['pod-a', 'critical', 'at max, queueing'],
			['pod-b', 'critical', 'at max, queueing'],
			['pod-c', 'ok', '40% busy'],
		]);
		state = reduce(state, back);
		assert.equal(state.mode.kind, 'pools');
		assert.equal(poolName(state), 'checkout/HikariPool-1', 'back on the pool it came from');
		assert.equal(reduce(state, back).mode.kind, 'list');
	});

	test('without pools Enter says so and stays in the list; Enter on a pool that is no fleet says why', () => {
		const none = reduce(run(start(), server()), open);
		assert.equal(none.mode.kind, 'list');
		assert.match(none.notice?.text ?? '', /no pools to list/);
		const single: PoolEndpoint = {id: 'endpoint-api', name: 'api', url: 'http://127.0.0.1:9/m', maskedUrl: 'http://127.0.0.1:9/m', kind: 'http', forcedFormat: 'prometheus'};
		const state = run(start(), server(), {type: 'pool-polled', endpoint: single, reading: {ok: true, format: 'prometheus', pools: [exposedPool({label: null, max: 10, active: 2, waiting: 0})]}, atMs: baseTimeMs}, open, instances);
		assert.equal(state.mode.kind, 'pools');
		assert.match(state.notice?.text ?? '', /^api: one endpoint's pool, not a fleet/);
	});

	test('the list\'s commands do nothing in the drill-down: terminate never opens a confirmation there; the help returns to where it was', () => {
		let state = run(start(), server(), read([checkout]), open, instances, command('terminate'), command('filter'), command('mark'));
		assert.equal(state.mode.kind, 'members');
		state = run(state, command('help'));
		assert.equal(state.mode.kind, 'help');
		state = run(state, command('close-help'));
		assert.equal(state.mode.kind, 'members');
		assert.equal(selected(state), 'pod-a');
	});
});

describe('the cursor follows a key, never an index', () => {
	test('a pool row keeps the cursor when a reading reorders the pools', () => {
		// billing, then checkout becomes worst: the cursor stays on billing.
		const calm = fleetPool('checkout', [instance('pod-a', 1, 0)]);
		let state = run(start(), server(), read([billing, calm]), open);
		assert.equal(poolName(state), 'billing/HikariPool-1', 'both quiet: by name');
		state = run(state, down);
		assert.equal(poolName(state), 'checkout/HikariPool-1');
		state = reduce(state, read([billing, checkout], baseTimeMs + 1000));
		assert.equal(state.shown.pools[0]!.name, 'checkout/HikariPool-1', 'checkout is now the worst: first row');
		assert.equal(poolName(state), 'checkout/HikariPool-1');
		assert.equal(state.mode.kind === 'pools' ? state.mode.index : -1, 0);
	});

	test('an instance keeps the cursor when the ranking changes; when it leaves, the cursor stays on its gone row', () => {
		let state = run(start(), server(), read([checkout]), open, instances, down, down);
		assert.equal(selected(state), 'pod-c');
		// pod-c now has the longest queue: first row; the cursor follows it there.
		state = reduce(state, read([fleetPool('checkout', [instance('pod-a', 10, 1), instance('pod-b', 10, 0), instance('pod-c', 10, 40)])], baseTimeMs + 1000));
		assert.equal(rankedMembers(state)[0]!.instance, 'pod-c');
		assert.equal(selected(state), 'pod-c');
		// pod-c leaves: it is listed as gone, with when it was last seen, and stays selected.
		state = reduce(state, read([fleetPool('checkout', [instance('pod-a', 10, 1), instance('pod-b', 10, 0)])], baseTimeMs + 2000));
		assert.equal(state.mode.kind === 'members' ? JSON.stringify(state.mode.gone) : '', JSON.stringify([{instance: 'pod-c', lastSeenAtMs: baseTimeMs + 1000}]));
		assert.equal(selected(state), 'pod-c');
		// It comes back: no longer gone.
		state = reduce(state, read([checkout], baseTimeMs + 3000));
		assert.deepEqual(state.mode.kind === 'members' ? state.mode.gone : null, []);
	});

	test('paused, the instances stand still with the rest of the frame; resumed, they catch up', () => {
		let state = run(start(), server(), read([checkout]), open, instances, command('pause'));
		state = reduce(state, read([fleetPool('checkout', [instance('pod-a', 10, 7)])], baseTimeMs + 1000));
		assert.deepEqual(rankedMembers(state).map(member => member.instance), ['pod-a', 'pod-b', 'pod-c']);
		assert.deepEqual(state.mode.kind === 'members' ? state.mode.gone : null, []);
		state = reduce(state, command('pause'));
		assert.deepEqual(rankedMembers(state).map(member => member.instance), ['pod-a']);
		assert.deepEqual(state.mode.kind === 'members' ? state.mode.gone.map(entry => entry.instance).sort() : null, ['pod-b', 'pod-c']);
	});

	test('reconcileKey and moveKey: the neighbour at its place when the key leaves; clamped at both ends', () => {
		assert.deepEqual(reconcileKey({key: 'b', index: 1}, ['a', 'c', 'b']), {key: 'b', index: 2});
		assert.deepEqual(reconcileKey({key: 'x', index: 5}, ['a', 'c']), {key: 'c', index: 1});
		assert.deepEqual(moveKey({key: 'a', index: 0}, ['a', 'b'], -1), {key: 'a', index: 0});
		assert.deepEqual(moveKey({key: 'a', index: 0}, ['a', 'b', 'c'], 10), {key: 'c', index: 2});
	});
});

describe('each instance judged on its own numbers, worst first', () => {
	const judge = (member: PoolInstance, free = true) => {
		const verdict = judgeInstance(member, defaultThresholds, serverSnapshot(free ? {} : {connections: 97}));
		return `${verdict.level}: ${verdict.reason}`;
	};

	test('table', () => {
		assert.equal(judge(instance('a', 10, 5)), 'critical: at max, queueing');
		assert.equal(judge(instance('a', 6, 5)), 'warning: queueing below max');
		assert.equal(judge(instance('a', 6, 5), false), 'critical: queueing, server full');
		assert.equal(judge(instance('a', 10, 0)), 'critical: 100% busy');
		assert.equal(judge(instance('a', 9, 0)), 'warning: 90% busy');
		assert.equal(judge(instance('a', 1, 0)), 'ok: 10% busy');
		assert.equal(judge(instance('a', 3, 0, 10, {sourceRates: {...noRates, timeoutsPerMinute: 12}})), 'warning: timeouts 12/min');
		assert.equal(judge(instance('a', 10, 0, 10, {waiting: null, sourceRates: {...noRates, waitsPerSecond: 2.5}})), 'critical: at max, waits 2.5/s');
		assert.equal(judge({...instance('a', 0, 0), active: null, waiting: null, max: null, isAtMax: false}), 'unknown: no numbers');
	});

	test('a WARN row never sits above a CRIT one; within a level the collector\'s order (most waiting first) stands', () => {
		// The collector's order: the most waiting first, then the fullest.
		const ranked = rankInstances([instance('waits-below', 5, 9), instance('queued-at-max', 10, 2), instance('full', 10, 0), instance('quiet', 1, 0)], defaultThresholds, serverSnapshot());
		assert.deepEqual(ranked.map(member => `${member.instance} ${member.level}`), ['queued-at-max critical', 'full critical', 'waits-below warning', 'quiet ok']);
	});

	test('instances that left: newest first, back ones dropped, at most 100 remembered', () => {
		const a = instance('a', 1, 0);
		const b = instance('b', 1, 0);
		assert.deepEqual(updateGone([], [a, b], [a], 5), [{instance: 'b', lastSeenAtMs: 5}]);
		assert.deepEqual(updateGone([{instance: 'b', lastSeenAtMs: 5}], [a], [b], 6), [{instance: 'a', lastSeenAtMs: 6}]);
		const many = Array.from({length: 150}, (_, index) => instance(`p${index}`, 1, 0));
		assert.equal(updateGone([], many, [], 1).length, 100);
	});
});
