import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {type DashboardAction, type DashboardState, initialState, reduce, sessionsInView} from '../../source/model/dashboard.js';
import type {Session} from '../../source/model/types.js';
import {baseTimeMs, defaultThresholds, serverSnapshot, session} from '../helpers/snapshots.js';

const snap = (sessions: Session[], atMs = baseTimeMs) => ({type: 'snapshot-received', snapshot: serverSnapshot({sessions, takenAtMs: atMs})}) as const;
const run = (state: DashboardState, ...actions: DashboardAction[]) => actions.reduce(reduce, state);
const pids = (state: DashboardState) => sessionsInView(state).map(entry => entry.pid);

const a = session({pid: 1, stateSeconds: 30, user: 'alice', application: 'api'});
const b = session({pid: 2, stateSeconds: 20, user: 'bob', application: 'worker', backendStartMicros: '2'});
const c = session({pid: 3, stateSeconds: 10, user: 'carol', application: 'api', state: 'active', backendStartMicros: '3'});

describe('selection follows its pid', () => {
	test('across a refresh that reorders rows', () => {
		let state = run(initialState(defaultThresholds), snap([a, b, c]), {type: 'move', delta: 1});
		assert.equal(state.selectedPid, 2);
		// b is now the longest in state: first row. The cursor stays on pid 2, not on row 2.
		state = reduce(state, snap([{...a, stateSeconds: 1}, {...b, stateSeconds: 99}, c]));
		assert.deepEqual(pids(state), [2, 3, 1]);
		assert.equal(state.selectedPid, 2);
		assert.equal(state.selectedIndex, 0);
	});

	test('moves to the neighbour at its place when its session ends', () => {
		let state = run(initialState(defaultThresholds), snap([a, b, c]), {type: 'move', delta: 1});
		state = reduce(state, snap([a, c]));
		assert.equal(state.selectedPid, 3);
		state = run(state, {type: 'move', delta: 5}, snap([a]));
		assert.equal(state.selectedPid, 1);
	});
});

describe('sort and filter', () => {
	test('default is longest in state first; s cycles through state, pid, user, database, application', () => {
		let state = reduce(initialState(defaultThresholds), snap([b, c, a]));
		assert.deepEqual(pids(state), [1, 2, 3]);
		state = reduce(state, {type: 'cycle-sort'});
		assert.equal(state.sort, 'state');
		assert.deepEqual(pids(state), [3, 1, 2], 'active before idle');
		state = run(state, {type: 'cycle-sort'}, {type: 'cycle-sort'}, {type: 'cycle-sort'}, {type: 'cycle-sort'}, {type: 'cycle-sort'});
		assert.equal(state.sort, 'time');
	});

	test('/ edits a draft, Enter applies it over user, database, application, client and query; Esc clears', () => {
		let state = run(initialState(defaultThresholds), snap([a, b, c]), {type: 'open-filter'}, {type: 'edit-draft', text: 'API'});
		assert.deepEqual(pids(state), [1, 2, 3], 'a draft does not filter yet');
		state = reduce(state, {type: 'apply-filter'});
		assert.equal(state.filter, 'API');
		assert.deepEqual(pids(state), [1, 3]);
		state = reduce(state, {type: 'clear-filter'});
		assert.deepEqual(pids(state), [1, 2, 3]);
	});
});

describe('marks and the terminate dialog', () => {
	test('i marks idle sessions past --idle-after within the filter; a second i adds idle in transaction', () => {
		const inTx = session({pid: 4, state: 'idle in transaction', stateSeconds: 400, backendStartMicros: '4'});
		const young = session({pid: 5, stateSeconds: 5, backendStartMicros: '5'});
		const old = session({pid: 6, stateSeconds: 600, backendStartMicros: '6', application: 'worker'});
		let state = run(initialState(defaultThresholds), snap([old, young, inTx, c]), {type: 'mark-idle', idleAfterSeconds: 300});
		assert.deepEqual(Object.keys(state.marked), ['6']);
		state = reduce(state, {type: 'mark-idle', idleAfterSeconds: 300});
		assert.deepEqual(Object.keys(state.marked).sort(), ['4', '6']);
		state = run(state, {type: 'unmark-all'}, {type: 'open-filter'}, {type: 'edit-draft', text: 'api'}, {type: 'apply-filter'}, {type: 'mark-idle', idleAfterSeconds: 300});
		assert.deepEqual(Object.keys(state.marked), [], 'pid 6 (worker) is outside the filter');
	});

	test('the dialog captures its targets, freezes the list, and defaults to No', () => {
		let state = run(initialState(defaultThresholds), snap([a, b, c]), {type: 'toggle-mark'}, {type: 'move', delta: 1}, {type: 'toggle-mark'});
		state = reduce(state, {type: 'open-signal', action: 'terminate', atMs: baseTimeMs});
		assert.equal(state.mode.kind, 'confirm');
		assert.deepEqual(pids(state), [1, 2]);
		// A refresh while the dialog is open changes nothing on screen.
		state = reduce(state, snap([c], baseTimeMs + 1000));
		assert.deepEqual(pids(state), [1, 2]);
		assert.equal(state.server?.sessions.length, 3);
		state = reduce(state, {type: 'close'});
		assert.equal(state.mode.kind, 'normal');
		assert.deepEqual(pids(state), [3], 'the held snapshot applies when the dialog closes');
		assert.deepEqual(state.marked, {}, 'marks of ended sessions are dropped');
	});

	test('a mark does not carry over to a new session that reuses the pid', () => {
		let state = run(initialState(defaultThresholds), snap([a]), {type: 'toggle-mark'});
		assert.deepEqual(state.marked, {1: a.backendStartMicros});
		state = reduce(state, snap([{...a, backendStartMicros: '999'}]));
		assert.deepEqual(state.marked, {});
	});

	test('cancel targets only active sessions; none active is a notice, not a dialog', () => {
		let state = run(initialState(defaultThresholds), snap([a, b, c]), {type: 'open-signal', action: 'cancel', atMs: baseTimeMs});
		assert.equal(state.mode.kind, 'normal');
		assert.match(state.notice?.text ?? '', /no active session/);
		state = run(state, {type: 'move', delta: 2}, {type: 'open-signal', action: 'cancel', atMs: baseTimeMs});
		assert.equal(state.mode.kind, 'confirm');
		assert.deepEqual(pids(state), [3]);
	});

	test('read-only refuses terminate and cancel and says so', () => {
		const state = run(initialState(defaultThresholds, {isReadOnly: true}), snap([a]), {type: 'open-signal', action: 'terminate', atMs: baseTimeMs});
		assert.equal(state.mode.kind, 'normal');
		assert.equal(state.notice?.text, 'read-only: terminate is disabled');
	});

	test('confirm runs, signal-finished reports and clears the marks', () => {
		let state = run(initialState(defaultThresholds), snap([a, b]), {type: 'toggle-mark'}, {type: 'open-signal', action: 'terminate', atMs: baseTimeMs}, {type: 'confirm'});
		assert.equal(state.mode.kind, 'signalling');
		state = reduce(state, {type: 'signal-finished', summary: 'Terminated 1 of 1: 1', atMs: baseTimeMs + 5});
		assert.equal(state.mode.kind, 'normal');
		assert.equal(state.notice?.text, 'Terminated 1 of 1: 1');
		assert.deepEqual(state.marked, {});
	});
});

describe('pause, disconnect, alarms', () => {
	test('paused: the screen keeps its data, the history keeps observing; resume shows the newest', () => {
		let state = run(initialState(defaultThresholds), snap([a]), {type: 'toggle-pause'}, snap([a, b], baseTimeMs + 1000));
		assert.deepEqual(pids(state), [1]);
		assert.equal(state.history.length, 2);
		state = reduce(state, {type: 'toggle-pause'});
		assert.deepEqual(pids(state), [1, 2]);
	});

	test('a disconnect keeps the last data, marks it stale, and recovers on the next snapshot', () => {
		let state = run(initialState(defaultThresholds), snap([a]), {type: 'poll-failed', error: 'connection refused', atMs: baseTimeMs + 1000, isDisconnected: true});
		assert.equal(state.serverError, 'connection refused');
		assert.equal(state.disconnectedSinceMs, baseTimeMs + 1000);
		assert.deepEqual(pids(state), [1]);
		assert.equal(state.history.at(-1)?.server, null);
		state = reduce(state, snap([a, b], baseTimeMs + 5000));
		assert.equal(state.serverError, null);
		assert.equal(state.disconnectedSinceMs, null);
	});

	test('level changes are reported once, with the time they began', () => {
		const busy = (atMs: number, connections: number) => ({type: 'snapshot-received', snapshot: serverSnapshot({takenAtMs: atMs, connections, states: {active: 1, idle: connections - 2}})}) as const;
		let state = reduce(initialState(defaultThresholds), busy(baseTimeMs, 13));
		assert.deepEqual(state.changes, []);
		state = reduce(state, busy(baseTimeMs + 1000, 93));
		assert.deepEqual(state.changes.find(change => change.subject === 'server'), {subject: 'server', from: 'ok', to: 'critical', atMs: baseTimeMs + 1000});
		assert.ok(state.findings.some(finding => finding.code === 'server-saturated'));
		state = reduce(state, busy(baseTimeMs + 2000, 93));
		assert.deepEqual(state.changes, []);
		assert.equal(state.alarms['server']?.sinceMs, baseTimeMs + 1000);
	});
});

test('the history keeps session lists only in its latest observation', () => {
	const state = run(initialState(defaultThresholds), snap([a, b], baseTimeMs), snap([a, b], baseTimeMs + 1000), snap([a], baseTimeMs + 2000));
	assert.deepEqual(state.history.map(entry => entry.server?.sessions.length), [0, 0, 1]);
	assert.equal(state.history[0]!.server?.connections, 13, 'the counts stay');
});
