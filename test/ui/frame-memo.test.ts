// The live screen computes a frame only when something it reads changed: a poll while paused (which
// must go on, for alarms and the log) costs no frame. And the fields it skips are really never read.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {type DashboardAction, type DashboardState, initialState, update} from '../../source/screen/board.js';
import type {Session} from '../../source/readings/types.js';
import {type Desk, deskOf, updateDesk} from '../../source/screen/desk.js';
import {dashboardLines, deskLines} from '../../source/ui/components/dashboard.js';
import {FIELDS_NOT_DRAWN, type FrameContext, frameMemo} from '../../source/ui/use-dashboard.js';
import {baseTimeMs, command, defaultThresholds, serverSnapshot, session, typed} from '../helpers/snapshots.js';

const frame: FrameContext = {columns: 160, rows: 45, targets: ['postgres://app@db/app']};
const names = [null];
/** The desk of one server, as the model keeps it from step to step (the same names). */
const desk = (state: DashboardState): Desk => ({names, boards: [state], selected: 0});
const polled = (atMs: number, sessions: Session[]): DashboardAction =>
	({type: 'server-polled', reading: {ok: true, snapshot: serverSnapshot({takenAtMs: atMs, sessions}), isReconnected: false}, atMs});
const step = (state: DashboardState, action: DashboardAction) => update(state, action).state;

/** Sessions that differ from poll to poll: the frame would change if it were drawn from them. */
const sessionsAt = (second: number) => [
	session({pid: 101, stateSeconds: second, state: second % 2 === 0 ? 'active' : 'idle'}),
	session({pid: 200 + second, application: `job-${second}`, backendStartMicros: String(second)}),
];

function counted() {
	let computed = 0;
	const memo = frameMemo((each, context) => {
		computed++;
		return deskLines({desk: each, ...context});
	});
	return {memo: (state: DashboardState, context: FrameContext) => memo(desk(state), context), computed: () => computed};
}

describe('frames are computed only when what they read changed', () => {
	test('polls while paused compute no frame, though the model takes in every reading', () => {
		const {memo, computed} = counted();
		let state = step(initialState(defaultThresholds), polled(baseTimeMs, sessionsAt(0)));
		assert.equal(memo(state, frame).isChanged, true);
		state = step(state, command('pause', {atMs: baseTimeMs + 500}));
		assert.equal(state.isPaused, true);
		assert.equal(memo(state, frame).isChanged, true, 'the PAUSE mark is drawn');
		const afterPause = computed();
		for (let second = 1; second <= 5; second++) {
			const before = state;
			state = step(state, polled(baseTimeMs + second * 1000, sessionsAt(second)));
			// The readings went in: the live picture and the held snapshot moved.
			assert.notEqual(state.watch.live, before.watch.live);
			assert.equal(state.watch.server?.sessions[1]?.application, `job-${second}`);
			assert.equal(memo(state, frame).isChanged, false);
		}

		assert.equal(computed(), afterPause, 'no frame was computed for the paused polls');
		state = step(state, command('pause', {atMs: baseTimeMs + 6000}));
		const resumed = memo(state, frame);
		assert.equal(resumed.isChanged, true);
		assert.match(resumed.lines.map(line => line.spans.map(span => span.text).join('')).join('\n'), /job-5/);
	});

	test('a poll that is not paused, a key and a resize each compute a frame', () => {
		const {memo, computed} = counted();
		let state = step(initialState(defaultThresholds), polled(baseTimeMs, sessionsAt(0)));
		memo(state, frame);
		state = step(state, polled(baseTimeMs + 1000, sessionsAt(1)));
		assert.equal(memo(state, frame).isChanged, true);
		state = step(state, command('sort', {atMs: baseTimeMs + 1500}));
		assert.equal(memo(state, frame).isChanged, true);
		assert.equal(memo(state, {...frame, columns: 120}).isChanged, true);
		assert.equal(computed(), 4);
		// Same state, same size: nothing to compute.
		assert.equal(memo(state, {...frame, columns: 120}).isChanged, false);
		assert.equal(computed(), 4);
	});

	test('dashboardLines reads none of the fields the memo skips, in any mode', () => {
		let state = step(initialState(defaultThresholds), polled(baseTimeMs, sessionsAt(0)));
		const states: DashboardState[] = [initialState(defaultThresholds), state];
		// Pause, help, filter prompt, confirmation, note prompt, a marked row.
		const commands: DashboardAction[] = [command('pause'), command('pause'), command('help'), command('close-help'), command('filter'), typed('a'), command('discard'),
			command('terminate'), command('decline'), command('flag'), command('discard'), command('mark')];
		for (const action of commands) {
			state = step(state, {...action, atMs: baseTimeMs + 100});
			states.push(state);
		}

		assert.deepEqual(new Set(states.map(candidate => candidate.mode.kind)), new Set(['list', 'help', 'filter', 'confirm', 'note']));

		states.push(step(state, {type: 'server-polled', reading: {ok: false, error: 'connection refused', isDisconnected: true}, atMs: baseTimeMs + 2000}));
		for (const candidate of states) {
			const read = new Set<string>();
			const watched = new Proxy(candidate, {
				get(target, key, receiver) {
					read.add(String(key));
					return Reflect.get(target, key, receiver) as unknown;
				},
			});
			dashboardLines({state: watched, target: frame.targets[0]!, columns: frame.columns, rows: frame.rows});
			assert.deepEqual([...read].filter(key => FIELDS_NOT_DRAWN.has(key as keyof DashboardState)), [], `mode ${candidate.mode.kind}`);
			assert.ok(read.has('shown'), 'the proxy saw the frame read the state');
		}
	});

	test('several servers: a paused poll of any server computes no frame; Tab does', () => {
		let computed = 0;
		const memo = frameMemo((each, context) => {
			computed++;
			return deskLines({desk: each, ...context});
		});
		const context: FrameContext = {columns: 120, rows: 40, targets: ['postgres://a@p/app', 'postgres://a@r/app']};
		const board = () => initialState(defaultThresholds, {hasServers: true});
		let several = deskOf([board(), board()], ['primary', 'replica']);
		const poll = (server: number, second: number) => {
			several = updateDesk(several, {type: 'server-polled', server, reading: {ok: true, snapshot: serverSnapshot({takenAtMs: baseTimeMs + (second * 1000), sessions: sessionsAt(second)}), isReconnected: false}, atMs: baseTimeMs + (second * 1000)}).desk;
		};

		poll(0, 0);
		poll(1, 0);
		several = updateDesk(several, command('pause', {atMs: baseTimeMs + 500})).desk;
		memo(several, context);
		const paused = computed;
		poll(1, 1);
		poll(0, 2);
		assert.equal(memo(several, context).isChanged, false);
		assert.equal(computed, paused);
		several = updateDesk(several, command('next-server', {atMs: baseTimeMs + 3000})).desk;
		assert.equal(memo(several, context).isChanged, true);
		assert.equal(computed, paused + 1);
	});
});
