// The board's update, command by command and reading by reading, with no database, no terminal and
// no keys (they are resolved at the edge, test/ui/key-edge.test.ts): the state it returns and the
// effects it asks for.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {type DashboardAction, type DashboardState, type Effect, initialState, reduce, sessionsInView, update} from '../../source/screen/board.js';
import type {PoolEndpoint, PoolMetrics, ServerSnapshot, Session} from '../../source/readings/types.js';
import {subjectKey} from '../../source/judge/subject.js';
import {baseTimeMs, clientGroup, command, defaultThresholds, exposedPool, serverSnapshot, session, typed} from '../helpers/snapshots.js';

const snap = (sessions: Session[], atMs = baseTimeMs, overrides: Partial<ServerSnapshot> = {}): DashboardAction =>
	({type: 'server-polled', reading: {ok: true, snapshot: serverSnapshot({sessions, takenAtMs: atMs, ...overrides}), isReconnected: false}, atMs});
const run = (state: DashboardState, ...actions: DashboardAction[]) => actions.reduce(reduce, state);
/** Every effect of a sequence of actions, in order. */
function effectsOf(state: DashboardState, ...actions: DashboardAction[]): {state: DashboardState; effects: Effect[]} {
	const effects: Effect[] = [];
	for (const action of actions) {
		const step = update(state, action);
		state = step.state;
		effects.push(...step.effects);
	}

	return {state, effects};
}

const pids = (state: DashboardState) => sessionsInView(state).map(entry => entry.pid);
const logged = (effects: Effect[]) => effects.flatMap(effect => (effect.type === 'log' ? [effect.event] : []));

const a = session({pid: 1, stateSeconds: 30, user: 'alice', application: 'api'});
const b = session({pid: 2, stateSeconds: 20, user: 'bob', application: 'worker', backendStartMicros: '2'});
const c = session({pid: 3, stateSeconds: 10, user: 'carol', application: 'api', state: 'active', backendStartMicros: '3'});

const api: PoolEndpoint = {id: 'endpoint-api', name: 'api', url: 'http://127.0.0.1:9/pool.json', maskedUrl: 'http://127.0.0.1:9/pool.json', kind: 'http', forcedFormat: 'json'};
const pooled = (metrics: Partial<PoolMetrics>, atMs: number): DashboardAction =>
	({type: 'pool-polled', endpoint: api, reading: {ok: true, format: 'json', pools: [exposedPool({label: null, ...metrics})]}, atMs});

describe('selection follows its pid', () => {
	test('across a refresh that reorders rows', () => {
		let state = run(initialState(defaultThresholds), snap([a, b, c]), command('down'));
		assert.equal(state.selectedPid, 2);
		// b is now the longest in state: first row. The cursor stays on pid 2, not on row 2.
		state = reduce(state, snap([{...a, stateSeconds: 1}, {...b, stateSeconds: 99}, c]));
		assert.deepEqual(pids(state), [2, 3, 1]);
		assert.equal(state.selectedPid, 2);
		assert.equal(state.selectedIndex, 0);
	});

	test('moves to the neighbour at its place when its session ends; PgDn moves a page', () => {
		let state = run(initialState(defaultThresholds), snap([a, b, c]), command('down'));
		state = reduce(state, snap([a, c]));
		assert.equal(state.selectedPid, 3);
		state = run(state, command('page-up'));
		assert.equal(state.selectedPid, 1);
		state = run(state, command('page-down'), snap([a]));
		assert.equal(state.selectedPid, 1);
	});
});

describe('sort and filter', () => {
	test('default is longest in state first; s cycles through state, pid, user, database, application', () => {
		let state = reduce(initialState(defaultThresholds), snap([b, c, a]));
		assert.deepEqual(pids(state), [1, 2, 3]);
		state = reduce(state, command('sort'));
		assert.equal(state.sort, 'state');
		assert.deepEqual(pids(state), [3, 1, 2], 'active before idle');
		state = run(state, command('sort'), command('sort'), command('sort'), command('sort'), command('sort'));
		assert.equal(state.sort, 'time');
	});

	test('/ edits a draft, Enter applies it; letters are text while typing; Esc clears', () => {
		let state = run(initialState(defaultThresholds), snap([a, b, c]), command('filter'), typed('A'), typed('P'), typed('t'), command('erase'), typed('I'));
		assert.equal(state.mode.kind, 'filter');
		assert.deepEqual(pids(state), [1, 2, 3], 'a draft does not filter yet');
		state = reduce(state, command('submit'));
		assert.equal(state.filter, 'API');
		assert.deepEqual(pids(state), [1, 3]);
		state = reduce(state, command('clear-filter'));
		assert.equal(state.filter, '');
		assert.deepEqual(pids(state), [1, 2, 3]);
	});

	test('a pasted filter that ends in Enter is typed, then applied', () => {
		const state = run(initialState(defaultThresholds), snap([a, b, c]), command('filter'), typed('worker'), command('submit'));
		assert.equal(state.filter, 'worker');
		assert.deepEqual(pids(state), [2]);
	});
});

describe('marks and the terminate dialog', () => {
	test('i marks idle sessions past --idle-after within the filter; a second i adds idle in transaction', () => {
		const inTx = session({pid: 4, state: 'idle in transaction', stateSeconds: 400, backendStartMicros: '4'});
		const young = session({pid: 5, stateSeconds: 5, backendStartMicros: '5'});
		const old = session({pid: 6, stateSeconds: 600, backendStartMicros: '6', application: 'worker'});
		let state = run(initialState(defaultThresholds, {idleAfterSeconds: 300}), snap([old, young, inTx, c]), command('mark-idle'));
		assert.deepEqual(Object.keys(state.marked), ['6']);
		state = reduce(state, command('mark-idle'));
		assert.deepEqual(Object.keys(state.marked).sort(), ['4', '6']);
		state = run(state, command('unmark'), command('filter'), typed('api'), command('submit'), command('mark-idle'));
		assert.deepEqual(Object.keys(state.marked), [], 'pid 6 (worker) is outside the filter');
	});

	test('the dialog captures its targets, freezes the list, and any key but y is No', () => {
		let state = run(initialState(defaultThresholds), snap([a, b, c]), command('mark'), command('mark'));
		assert.deepEqual(Object.keys(state.marked), ['1', '2'], 'space marks and moves down');
		state = reduce(state, command('terminate'));
		assert.equal(state.mode.kind, 'confirm');
		assert.deepEqual(pids(state), [1, 2]);
		// A refresh while the dialog is open changes nothing in the list.
		state = reduce(state, snap([c], baseTimeMs + 1000));
		assert.deepEqual(pids(state), [1, 2]);
		const declined = effectsOf(state, command('decline'));
		assert.equal(declined.state.mode.kind, 'list');
		assert.deepEqual(declined.effects, [], 'No sends nothing');
		assert.deepEqual(pids(declined.state), [3], 'the held snapshot applies when the dialog closes');
		assert.deepEqual(declined.state.marked, {}, 'marks of ended sessions are dropped');
	});

	test('y asks for the signal; the results close the dialog, are logged per session, and refresh', () => {
		let step = effectsOf(initialState(defaultThresholds), snap([a, b]), command('mark'), command('terminate'), command('confirm'));
		assert.equal(step.state.mode.kind, 'signalling');
		assert.deepEqual(step.effects, [{type: 'signal', action: 'terminate', targets: [a]}]);
		assert.equal(resolveWhileSignalling(step.state), 'signalling', 'keys wait for the signal to finish');
		step = effectsOf(step.state, {type: 'signal-finished', action: 'terminate', atMs: baseTimeMs + 5, results: [
			{pid: 1, user: 'alice', application: 'api', state: 'idle', outcome: 'terminated', detail: 'terminated'},
		]});
		assert.equal(step.state.mode.kind, 'list');
		assert.equal(step.state.notice?.text, 'Terminated 1 of 1: 1');
		assert.deepEqual(step.state.marked, {});
		assert.deepEqual(step.effects, [
			{type: 'log', event: {at: '2025-03-14T12:00:00.005Z', type: 'terminate', sessions: [{pid: 1, user: 'alice', application: 'api', state: 'idle', outcome: 'done'}]}},
			{type: 'refresh'},
		]);
	});

	test('a mark does not carry over to a new session that reuses the pid', () => {
		let state = run(initialState(defaultThresholds), snap([a]), command('mark'));
		assert.deepEqual(state.marked, {1: a.backendStartMicros});
		state = reduce(state, snap([{...a, backendStartMicros: '999'}]));
		assert.deepEqual(state.marked, {});
	});

	test('cancel targets only active sessions; none active is a notice, not a dialog', () => {
		let state = run(initialState(defaultThresholds), snap([a, b, c]), command('cancel'));
		assert.equal(state.mode.kind, 'list');
		assert.match(state.notice?.text ?? '', /no active session/);
		state = run(state, command('down'), command('down'), command('cancel'));
		assert.equal(state.mode.kind, 'confirm');
		assert.deepEqual(pids(state), [3]);
	});

	test('a command its mode has no key for does nothing: no terminate from a prompt, no typing in the list', () => {
		const prompt = run(initialState(defaultThresholds), snap([a]), command('filter'), typed('al'));
		const step = effectsOf(prompt, command('terminate'), command('sort'), command('confirm'));
		assert.deepEqual(step.state, prompt);
		assert.deepEqual(step.effects, []);
		const list = run(initialState(defaultThresholds), snap([a]));
		assert.deepEqual(run(list, typed('x'), command('submit'), command('back')), list);
	});

	test('read-only refuses terminate and cancel and says so', () => {
		const {state, effects} = effectsOf(initialState(defaultThresholds, {isReadOnly: true}), snap([a]), command('terminate'), command('confirm'));
		assert.equal(state.mode.kind, 'list');
		assert.equal(state.notice?.text, 'read-only: terminate is disabled');
		assert.ok(!effects.some(effect => effect.type === 'signal'));
	});
});

function resolveWhileSignalling(state: DashboardState): string {
	return reduce(state, command('quit')).mode.kind;
}

describe('effects as data', () => {
	test('q logs quit, then quits', () => {
		const {effects} = effectsOf(initialState(defaultThresholds), snap([a]), command('quit', {atMs: baseTimeMs + 1000}));
		assert.deepEqual(effects, [{type: 'log', event: {at: '2025-03-14T12:00:01.000Z', type: 'quit'}}, {type: 'quit'}]);
	});

	test('f records a note with the numbers of the moment; Esc drops it', () => {
		const {state, effects} = effectsOf(initialState(defaultThresholds), snap([a]), command('flag'), typed('bus full'), command('submit', {atMs: baseTimeMs + 2000}));
		assert.equal(state.lastFlag?.note, 'bus full');
		assert.deepEqual(logged(effects), [{at: '2025-03-14T12:00:02.000Z', type: 'flag', note: 'bus full', numbers: {server: {used: 13, usable: 97}, pools: []}, findings: []}]);
		const dropped = effectsOf(state, command('flag'), typed('x'), command('discard'));
		assert.deepEqual(dropped.effects, []);
		assert.equal(dropped.state.mode.kind, 'list');
	});

	test('a level change is logged once with its finding and numbers, and rings on critical', () => {
		const busy = (atMs: number, connections: number) => snap([], atMs, {connections, states: {active: 1, idle: connections - 2, idleInTransaction: 0, idleInTransactionAborted: 0, other: 0}});
		const {state, effects} = effectsOf(initialState(defaultThresholds), busy(baseTimeMs, 13), busy(baseTimeMs + 1000, 93), busy(baseTimeMs + 2000, 93));
		const events = logged(effects);
		assert.equal(events.length, 1);
		assert.deepEqual({...events[0], message: undefined}, {at: '2025-03-14T12:00:01.000Z', type: 'level', subject: {kind: 'server'}, from: 'ok', to: 'critical', code: 'server-saturated', message: undefined, numbers: {server: {used: 93, usable: 97}}});
		assert.equal(effects.filter(effect => effect.type === 'ring').length, 1);
		assert.equal(state.watch.live.alarms['server']?.sinceMs, baseTimeMs + 1000);
		assert.equal(state.watch.live.serverLevel, 'critical');
	});

	test('a disconnect is logged once, the reconnect once; a pool endpoint down and up once each', () => {
		const down = {type: 'server-polled', reading: {ok: false, error: 'connection refused', isDisconnected: true}, atMs: baseTimeMs + 1000} as const;
		const failing = {type: 'pool-polled', endpoint: api, reading: {ok: false, error: 'HTTP 500'}, atMs: baseTimeMs + 1500} as const;
		const {state, effects} = effectsOf(initialState(defaultThresholds), snap([a]), down, {...down, atMs: baseTimeMs + 2000}, failing, {...failing, atMs: baseTimeMs + 2500},
			snap([a], baseTimeMs + 3000), pooled({max: 5, active: 1, waiting: 0}, baseTimeMs + 3500));
		assert.deepEqual(logged(effects).filter(event => event.type !== 'level').map(event => event.type), ['disconnect', 'endpoint-down', 'reconnect', 'endpoint-up']);
		assert.equal(state.disconnectedSinceMs, null);
	});

	test('while disconnected the last data stays, marked stale', () => {
		const state = run(initialState(defaultThresholds), snap([a]), {type: 'server-polled', reading: {ok: false, error: 'connection refused', isDisconnected: true}, atMs: baseTimeMs + 1000});
		assert.equal(state.serverError, 'connection refused');
		assert.equal(state.disconnectedSinceMs, baseTimeMs + 1000);
		assert.deepEqual(pids(state), [1]);
		assert.equal(state.watch.history.at(-1)?.server, null);
	});
});

describe('one picture per reading', () => {
	test('the first reading that shows a saturated pool shows its finding and level, between two server polls', () => {
		let state = run(initialState(defaultThresholds), snap([a]), pooled({max: 5, active: 5, idle: 0, waiting: 0}, baseTimeMs + 100));
		assert.equal(state.shown.pools[0]?.level, 'critical', '5/5 busy is the critical line');
		assert.equal(state.shown.findings[0]?.code, 'pool-busy');
		state = reduce(state, pooled({max: 5, active: 5, idle: 0, waiting: 812}, baseTimeMs + 200));
		const [pool] = state.shown.pools;
		assert.equal(pool?.metrics?.waiting, 812);
		assert.equal(pool?.level, 'critical');
		assert.equal(state.shown.findings[0]?.code, 'pool-saturated');
		assert.match(state.shown.findings[0]!.message, /5\/5 busy, 812 waiting/);
	});

	test('readings in every order: the banner always quotes the numbers the rows show', () => {
		const readings = [
			snap([a], baseTimeMs + 1000, {connections: 80}),
			pooled({max: 5, active: 5, waiting: 136}, baseTimeMs + 1100),
			pooled({max: 5, active: 5, waiting: 168}, baseTimeMs + 1200),
			snap([a], baseTimeMs + 1300, {connections: 17, maxConnections: 20}),
			pooled({max: 5, active: 4, waiting: 0}, baseTimeMs + 1400),
		];
		for (const order of permutations(readings.map((_, index) => index))) {
			let state = initialState(defaultThresholds);
			for (const index of order) {
				state = reduce(state, readings[index]!);
				const {shown} = state;
				const pool = shown.pools[0];
				for (const finding of shown.findings) {
					if (finding.code === 'pool-saturated' && pool?.metrics) {
						assert.match(finding.message, new RegExp(`${pool.metrics.active}/${pool.metrics.max} busy, ${pool.metrics.waiting} waiting`));
					}

					if (finding.code === 'server-saturated' && shown.server) {
						assert.match(finding.message, new RegExp(`\\(${shown.server.connections}/${shown.server.maxConnections - 3}\\)`));
					}
				}

				// Every level on the frame has its finding.
				for (const view of shown.pools.filter(view => view.level === 'warning' || view.level === 'critical')) {
					assert.ok(shown.findings.some(finding => subjectKey(finding.subject) === `pool ${view.name}` && finding.level === view.level), `pool ${view.level} without a finding (order ${order.join(',')})`);
				}

				if (shown.serverLevel !== 'ok') {
					assert.ok(shown.findings.some(finding => finding.subject.kind === 'server' && finding.level === shown.serverLevel));
				}
			}
		}
	});

	test('paused, the whole picture stands still while alarms and the log go on; resume shows the newest', () => {
		let step = effectsOf(initialState(defaultThresholds), snap([a]), command('pause'), snap([a, b], baseTimeMs + 1000, {connections: 93}));
		assert.deepEqual(pids(step.state), [1]);
		assert.equal(step.state.shown.server?.connections, 13, 'the frame is the paused one');
		assert.equal(step.state.watch.live.serverLevel, 'critical', 'alarms follow the newest reading');
		assert.equal(logged(step.effects).filter(event => event.type === 'level').length, 1, 'the log goes on');
		step = effectsOf(step.state, command('pause'));
		assert.deepEqual(pids(step.state), [1, 2]);
		assert.equal(step.state.shown.server?.connections, 93);
	});
});

describe('hysteresis', () => {
	test('a server oscillating across 80 % ten times rises once; it clears once after three polls below 75 %', () => {
		const at = (index: number, connections: number) => snap([], baseTimeMs + index * 1000, {connections});
		// 97 usable: 78 is 80.4 %, 76 is 78.4 %.
		const actions = Array.from({length: 20}, (_, index) => at(index, index % 2 === 0 ? 78 : 76));
		let step = effectsOf(initialState(defaultThresholds), ...actions);
		let levels = logged(step.effects).filter(event => event.type === 'level');
		assert.deepEqual(levels.map(event => event.type === 'level' && `${event.from}>${event.to}`), ['ok>warning']);
		assert.equal(step.state.shown.serverLevel, 'warning');
		assert.match(step.state.shown.findings.find(finding => finding.subject.kind === 'server')?.message ?? '', /Server at 78% of usable connections \(76\/97\) \(below 80%, but warning holds until under 75%\)/, 'the held level says why');
		step = effectsOf(step.state, at(30, 50), at(31, 50));
		assert.equal(step.state.shown.serverLevel, 'warning', 'two polls below is not yet a clear');
		step = effectsOf(step.state, at(32, 50));
		levels = logged(step.effects).filter(event => event.type === 'level');
		assert.deepEqual(levels.map(event => event.type === 'level' && `${event.from}>${event.to}`), ['warning>ok']);
		assert.equal(step.state.shown.serverLevel, 'ok');
		assert.deepEqual(step.state.shown.findings, []);
	});

	test('a pool reading does not count as a server sample', () => {
		const at = (index: number, connections: number) => snap([], baseTimeMs + index * 1000, {connections});
		let state = run(initialState(defaultThresholds), at(0, 80), at(1, 50));
		for (let index = 0; index < 5; index++) {
			state = reduce(state, pooled({max: 5, active: 1, waiting: 0}, baseTimeMs + 1100 + index * 100));
		}

		assert.equal(state.shown.serverLevel, 'warning');
	});
});

test('the history keeps session lists only in its latest observation', () => {
	const state = run(initialState(defaultThresholds), snap([a, b], baseTimeMs), snap([a, b], baseTimeMs + 1000), snap([a], baseTimeMs + 2000));
	assert.deepEqual(state.watch.history.map(entry => entry.server?.sessions.length), [0, 0, 1]);
	assert.equal(state.watch.history[0]!.server?.connections, 13, 'the counts stay');
});

function * permutations(items: number[]): Generator<number[]> {
	if (items.length <= 1) {
		yield items;
		return;
	}

	for (const [index, item] of items.entries()) {
		for (const rest of permutations([...items.slice(0, index), ...items.slice(index + 1)])) {
			yield [item, ...rest];
		}
	}
}

describe('a capped pool found from the server side alone', () => {
	const capped = (atMs: number): DashboardAction => snap([], atMs, {
		connections: 6,
		clientGroups: [clientGroup('checkout', '10.0.0.5', 5, 5)],
	});

	test('five busy connections and never more, for the window: pool-suspected with the evidence', () => {
		let state = initialState(defaultThresholds);
		for (let second = 0; second <= 35; second++) {
			state = reduce(state, capped(baseTimeMs + second * 1000));
		}

		const finding = state.shown.findings.find(candidate => candidate.code === 'pool-suspected');
		assert.equal(finding?.level, 'warning');
		assert.deepEqual(finding?.subject, {kind: 'group', application: 'checkout', client: '10.0.0.5'});
		assert.match(finding?.message ?? '', /^checkout \(10\.0\.0\.5\) has held exactly 5 connections, all busy, for 3\d s and never more, while the server has 91 free slots: its pool is probably capped at 5/);
	});

	test('not when its pool endpoint is configured: the measured pool speaks', () => {
		let state = initialState(defaultThresholds, {pools: [{name: 'checkout', endpointId: 'endpoint-checkout', endpoint: 'http://127.0.0.1:9/', format: 'json', metrics: null, sampledAtMs: null, error: null}]});
		for (let second = 0; second <= 35; second++) {
			state = reduce(state, capped(baseTimeMs + second * 1000));
		}

		assert.deepEqual(state.shown.findings.filter(candidate => candidate.code === 'pool-suspected'), []);
	});
});


