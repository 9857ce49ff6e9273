// The dashboard's state and its pure update: poll readings and key presses in, the next state and the
// effects to run out (log lines, bell, signal sessions, refresh, quit). No clock, no I/O: times
// arrive inside the actions, and one small runner in ui/use-dashboard.ts performs the effects.
import {type KeyContext, type KeyPress, type ModeKind, resolveKey} from '../keys/bindings.js';
import {logNumbers, logTime, type LogEvent, openFinding, type SessionOutcome} from '../judge/log-events.js';
import {emptyPicture, type Picture, type PoolView} from '../judge/picture.js';
import {type GoneInstance, memberKeys, moveKey, poolByKey, poolKey, reconcileKey, updateGone} from './drill-down.js';
import {rankInstances} from '../judge/instances.js';
import {moveSelection, reconcileSelection} from './selection.js';
import {nextSortKey, visibleSessions, type SortKey} from './session-view.js';
import {type SignalKind, type SignalResult} from '../readings/signals.js';
import {summarizeResults} from './signal-results.js';
import type {PoolStatus, Thresholds} from '../judge/types.js';
import {emptyWatch, judgePoolReading, judgeServerReading, type Judged, type Watch} from '../judge/watch.js';
import type {PoolEndpoint, PoolReading, ServerReading, ServerSnapshot, Session} from '../readings/types.js';

export type {SignalKind} from '../readings/signals.js';

export type Mode =
	| {kind: 'list'}
	| {kind: 'filter'; draft: string}
	/** `back`: the drill-down mode the help was opened from, to return to. */
	| {kind: 'help'; back?: DrillMode}
	/** Targets are captured when the dialog opens; the list is frozen until it closes. */
	| {kind: 'confirm'; action: SignalKind; targets: Session[]}
	| {kind: 'signalling'; action: SignalKind; targets: Session[]}
	| {kind: 'note'; draft: string}
	| DrillMode;

/**
 * The pools drill-down. The cursor follows a key (a pool's endpoint and name, an instance's label);
 * `index` is where it was, for when its row leaves. `gone`: instances seen in this drill-down that
 * the latest reading no longer has, newest first.
 */
export type DrillMode =
	| {kind: 'pools'; selected: string | null; index: number}
	| {kind: 'members'; pool: string; selected: string | null; index: number; gone: GoneInstance[]};

export type DashboardState = {
	/** The judge's state: every reading, the alarms, `watch.live` the newest picture. The frame never reads it. */
	watch: Watch;
	/** Last good snapshot the list shows; kept (and shown as stale) while disconnected, held while frozen. */
	server: ServerSnapshot | null;
	/** The judge's connection state, copied for the header: the frame reads these, never `watch`. */
	serverError: string | null;
	disconnectedSinceMs: number | null;
	/** What the frame draws: `watch.live`, or the picture of the moment the display was paused. */
	shown: Picture;
	isPaused: boolean;
	sort: SortKey;
	filter: string;
	selectedPid: number | null;
	selectedIndex: number;
	/** Marked sessions: pid -> backend_start in µs, so a replaced pid is not marked by accident. */
	marked: Record<number, string>;
	/** 0 none, 1 idle marked by `i`, 2 idle in transaction added by a second `i`. */
	idleMarkStage: 0 | 1 | 2;
	mode: Mode;
	notice: {text: string; atMs: number} | null;
	lastFlag: {note: string; atMs: number} | null;
	thresholds: Thresholds;
	isReadOnly: boolean;
	hasPoolControl: boolean;
	/** One of several servers on the screen: Tab and [ ] switch between them. */
	hasServers: boolean;
	/** --idle-after, for `i`. */
	idleAfterSeconds: number;
};

export type DashboardAction =
	| {type: 'server-polled'; reading: ServerReading; atMs: number}
	| {type: 'pool-polled'; endpoint: PoolEndpoint; reading: PoolReading; atMs: number}
	/** pageRows: how many rows PgUp / PgDn move at the current terminal size. */
	| {type: 'key'; input: string; key: KeyPress; atMs: number; pageRows?: number}
	| {type: 'signal-finished'; action: SignalKind; results: SignalResult[]; atMs: number}
	| {type: 'notify'; text: string; atMs: number};

export type Effect =
	| {type: 'log'; event: LogEvent}
	| {type: 'ring'}
	| {type: 'signal'; action: SignalKind; targets: Session[]}
	| {type: 'refresh'}
	| {type: 'adjust-pool'; direction: 'raise' | 'lower'}
	/** Several servers: show the next (1) or previous (-1) one. */
	| {type: 'switch-server'; delta: 1 | -1}
	| {type: 'quit'};

export type Step = {state: DashboardState; effects: Effect[]};

export type InitialOptions = {isReadOnly?: boolean; pools?: PoolStatus[]; role?: string; hasPoolControl?: boolean; hasServers?: boolean; idleAfterSeconds?: number};

export function initialState(thresholds: Thresholds, options: InitialOptions = {}): DashboardState {
	return {
		watch: emptyWatch(thresholds, {role: options.role, pools: options.pools}),
		server: null,
		serverError: null,
		disconnectedSinceMs: null,
		shown: emptyPicture,
		isPaused: false,
		sort: 'time',
		filter: '',
		selectedPid: null,
		selectedIndex: 0,
		marked: {},
		idleMarkStage: 0,
		mode: {kind: 'list'},
		notice: null,
		lastFlag: null,
		thresholds,
		isReadOnly: options.isReadOnly ?? false,
		hasPoolControl: options.hasPoolControl ?? false,
		hasServers: options.hasServers ?? false,
		idleAfterSeconds: options.idleAfterSeconds ?? 300,
	};
}

export function sessionsInView(state: DashboardState): Session[] {
	if (state.mode.kind === 'confirm' || state.mode.kind === 'signalling') {
		return state.mode.targets;
	}

	return state.server ? visibleSessions(state.server.sessions, state.sort, state.filter) : [];
}

const isFrozen = (state: DashboardState) => state.mode.kind === 'confirm' || state.mode.kind === 'signalling';

function withSelection(state: DashboardState): DashboardState {
	const visible = state.server ? visibleSessions(state.server.sessions, state.sort, state.filter) : [];
	const selection = reconcileSelection({pid: state.selectedPid, index: state.selectedIndex}, visible);
	return {...state, selectedPid: selection.pid, selectedIndex: selection.index};
}

function applySnapshot(state: DashboardState, snapshot: ServerSnapshot): DashboardState {
	const alive = new Map(snapshot.sessions.map(session => [session.pid, session.backendStartMicros]));
	const marked = Object.fromEntries(Object.entries(state.marked)
		.filter(([pid, key]) => alive.get(Number(pid)) === key));
	return withSelection({...state, server: snapshot, marked});
}

/** The list again after a freeze or a pause: the newest snapshot, if one arrived meanwhile. */
function withNewest(state: DashboardState): DashboardState {
	const newest = state.watch.server;
	return newest && newest !== state.server ? applySnapshot(state, newest) : state;
}

function targetsFor(state: DashboardState, action: SignalKind): Session[] {
	const sessions = state.server?.sessions ?? [];
	const marked = sessions.filter(session => state.marked[session.pid] === session.backendStartMicros);
	const chosen = marked.length > 0 ? marked : sessions.filter(session => session.pid === state.selectedPid);
	return action === 'cancel' ? chosen.filter(session => session.state === 'active') : chosen;
}

function markIdle(state: DashboardState, idleAfterSeconds: number): DashboardState {
	const stage = state.idleMarkStage === 1 ? 2 : 1;
	const states = stage === 1 ? ['idle'] : ['idle', 'idle in transaction', 'idle in transaction (aborted)'];
	const candidates = (state.server ? visibleSessions(state.server.sessions, state.sort, state.filter) : [])
		.filter(session => states.includes(session.state ?? '') && (session.stateSeconds ?? 0) >= idleAfterSeconds);
	const marked = {...state.marked};
	for (const session of candidates) {
		if (session.backendStartMicros) {
			marked[session.pid] = session.backendStartMicros;
		}
	}

	return {...state, marked, idleMarkStage: stage};
}

/** The board after the judge took a reading: the frame's picture (unless paused), the drill-down, the effects. */
function judged(state: DashboardState, step: Judged): Step {
	const {watch} = step;
	const next = {...state, watch, serverError: watch.serverError, disconnectedSinceMs: watch.disconnectedSinceMs, shown: state.isPaused ? state.shown : watch.live};
	const effects: Effect[] = step.log.map(event => ({type: 'log', event}));
	if (step.ring) {
		effects.push({type: 'ring'});
	}

	return {state: withDrillDown(next, state.shown), effects};
}

/** The drill-down after the frame's picture changed from `before`: the cursor on its key, the instances that left. */
function withDrillDown(state: DashboardState, before: Picture): DashboardState {
	const {mode} = state;
	if (mode.kind !== 'pools' && mode.kind !== 'members') {
		return state;
	}

	if (state.shown === before) {
		return state;
	}

	if (mode.kind === 'pools') {
		return {...state, mode: {...mode, ...cursorOf(reconcileKey({key: mode.selected, index: mode.index}, state.shown.pools.map(poolKey)))}};
	}

	const members = (pools: readonly PoolView[]) => poolByKey(pools, mode.pool)?.metrics?.fleet?.members ?? null;
	const isCut = (poolByKey(state.shown.pools, mode.pool)?.metrics?.fleet?.omittedMembers ?? 0) > 0;
	const gone = updateGone(mode.gone, members(before.pools), members(state.shown.pools), before.atMs, isCut);
	const keys = memberKeys(rankedMembers(state), gone);
	return {...state, mode: {...mode, gone, ...cursorOf(reconcileKey({key: mode.selected, index: mode.index}, keys))}};
}

const cursorOf = ({key, index}: {key: string | null; index: number}) => ({selected: key, index});

/** The shown pool's instances, ranked as the members view shows them; none when it is no fleet or gone. */
export function rankedMembers(state: DashboardState): ReturnType<typeof rankInstances> {
	const {mode, shown} = state;
	if (mode.kind !== 'members') {
		return [];
	}

	const fleet = poolByKey(shown.pools, mode.pool)?.metrics?.fleet;
	return fleet ? rankInstances(fleet.members, state.thresholds, shown.server) : [];
}

function serverPolled(state: DashboardState, reading: ServerReading, atMs: number): Step {
	const step = judged(state, judgeServerReading(state.watch, reading, atMs));
	// A dialog or a pause holds the list still; the newest snapshot waits in the judge.
	return reading.ok && !isFrozen(state) && !state.isPaused ? {...step, state: applySnapshot(step.state, reading.snapshot)} : step;
}

function poolPolled(state: DashboardState, endpoint: PoolEndpoint, reading: PoolReading, atMs: number): Step {
	return judged(state, judgePoolReading(state.watch, endpoint, reading, atMs));
}

const OUTCOME_FOR_LOG: Record<SignalResult['outcome'], SessionOutcome['outcome']> = {
	terminated: 'done',
	cancelled: 'done',
	skipped: 'skipped',
	'not-permitted': 'failed',
	failed: 'failed',
};

function signalFinished(state: DashboardState, action: SignalKind, results: SignalResult[], atMs: number): Step {
	const closed: DashboardState = {
		...state,
		mode: {kind: 'list'},
		marked: {},
		idleMarkStage: 0,
		notice: {text: summarizeResults(results, action), atMs},
	};
	const event: LogEvent = {
		at: logTime(atMs),
		type: action,
		sessions: results.map(result => ({
			pid: result.pid,
			user: result.user,
			application: result.application,
			state: result.state,
			outcome: OUTCOME_FOR_LOG[result.outcome],
			...(result.outcome === 'terminated' || result.outcome === 'cancelled' ? {} : {reason: result.detail}),
		})),
	};
	return {state: closed.isPaused ? closed : withNewest(closed), effects: [{type: 'log', event}, {type: 'refresh'}]};
}

function modeKind(state: DashboardState): ModeKind {
	return state.mode.kind;
}

const NO_KEY: KeyPress = {upArrow: false, downArrow: false, pageUp: false, pageDown: false, return: false, escape: false, backspace: false, delete: false, ctrl: false, meta: false};

/**
 * Keys typed faster than the screen reads them (or while it was starting) arrive as one chunk:
 * "/checkout\rt" is a filter, Enter, then t on the filtered list, never one unknown key dropped
 * while a later one acts. A chunk is text in a prompt until Enter, and single keys in the list.
 */
function typed(state: DashboardState, input: string, key: KeyPress, atMs: number, pageRows: number): Step {
	const isPlainChunk = input.length > 1 && !key.ctrl && !key.meta && !key.escape && !key.return;
	if (!isPlainChunk) {
		return keyPressed(state, input, key, atMs, pageRows);
	}

	let next = state;
	const effects: Effect[] = [];
	let rest = input;
	while (rest.length > 0) {
		const isText = next.mode.kind === 'filter' || next.mode.kind === 'note';
		let step: Step;
		if (isText) {
			// The text up to the next line break or backspace is typed at once; those keys act.
			const end = rest.search(/[\r\n\u0008\u007F]/);
			if (end === 0) {
				const isErase = rest[0] === '\u0008' || rest[0] === '\u007F';
				step = keyPressed(next, '', isErase ? {...NO_KEY, backspace: true} : {...NO_KEY, return: true}, atMs, pageRows);
				rest = rest.slice(rest.startsWith('\r\n') ? 2 : 1);
			} else {
				const text = end === -1 ? rest : rest.slice(0, end);
				step = keyPressed(next, text, NO_KEY, atMs, pageRows);
				rest = rest.slice(text.length);
			}
		} else {
			const character = String.fromCodePoint(rest.codePointAt(0)!);
			const isBreak = character === '\r' || character === '\n';
			step = keyPressed(next, isBreak ? '' : character, isBreak ? {...NO_KEY, return: true} : NO_KEY, atMs, pageRows);
			rest = rest.slice(character.length);
		}

		next = step.state;
		effects.push(...step.effects);
	}

	return {state: next, effects};
}

function keyPressed(state: DashboardState, input: string, key: KeyPress, atMs: number, pageRows: number): Step {
	const context: KeyContext = {isReadOnly: state.isReadOnly, hasPoolControl: state.hasPoolControl, hasServers: state.hasServers};
	const resolved = resolveKey(modeKind(state), input, key, context);
	if (!resolved) {
		return {state, effects: []};
	}

	const {command} = resolved.binding;
	if (resolved.isRefused) {
		return {state: {...state, notice: {text: `read-only: ${command} is disabled`, atMs}}, effects: []};
	}

	const same = (next: DashboardState): Step => ({state: next, effects: []});
	const {mode} = state;
	switch (command) {
		case 'quit': {
			return {state, effects: [{type: 'log', event: {at: logTime(atMs), type: 'quit'}}, {type: 'quit'}]};
		}

		case 'help': {
			return same({...state, mode: mode.kind === 'pools' || mode.kind === 'members' ? {kind: 'help', back: mode} : {kind: 'help'}});
		}

		case 'close-help': {
			return same({...state, mode: mode.kind === 'help' && mode.back ? mode.back : {kind: 'list'}});
		}

		case 'pools': {
			return same(openPools(state, atMs));
		}

		case 'instances': {
			return same(openInstances(state, atMs));
		}

		case 'back': {
			return same(back(state));
		}

		case 'up':
		case 'down':
		case 'page-up':
		case 'page-down': {
			// The instances list gives its first row to the pool's own line: a page is one row less.
			const rows = Math.max(1, mode.kind === 'members' ? pageRows - 1 : pageRows);
			const delta = {up: -1, down: 1, 'page-up': -rows, 'page-down': rows}[command];
			return same(move(state, delta));
		}

		case 'pause': {
			return same(withPause(state, !state.isPaused));
		}

		case 'next-server':
		case 'previous-server': {
			return {state, effects: [{type: 'switch-server', delta: command === 'next-server' ? 1 : -1}]};
		}

		case 'sort': {
			return same(withSelection({...state, sort: nextSortKey(state.sort)}));
		}

		case 'filter': {
			return same({...state, mode: {kind: 'filter', draft: state.filter}});
		}

		case 'clear-filter': {
			return same(state.filter ? withSelection({...state, filter: ''}) : state);
		}

		case 'mark': {
			return same(move(toggleMark(state), 1));
		}

		case 'mark-idle': {
			return same(markIdle(state, state.idleAfterSeconds));
		}

		case 'unmark': {
			return same({...state, marked: {}, idleMarkStage: 0});
		}

		case 'terminate':
		case 'cancel': {
			return same(openSignal(state, command, atMs));
		}

		case 'flag': {
			return same({...state, mode: {kind: 'note', draft: ''}});
		}

		case 'raise-pool':
		case 'lower-pool': {
			return {state, effects: [{type: 'adjust-pool', direction: command === 'raise-pool' ? 'raise' : 'lower'}]};
		}

		case 'type': {
			if (mode.kind !== 'filter' && mode.kind !== 'note') {
				return same(state);
			}

			// A chunk reaches here without line breaks (see typed): all of it is text.
			return same({...state, mode: {...mode, draft: mode.draft + input}});
		}

		case 'erase': {
			return same(mode.kind === 'filter' || mode.kind === 'note' ? {...state, mode: {...mode, draft: mode.draft.slice(0, -1)}} : state);
		}

		case 'submit': {
			return submit(state, atMs);
		}

		case 'discard': {
			return same(mode.kind === 'filter' ? withSelection({...state, filter: '', mode: {kind: 'list'}}) : {...state, mode: {kind: 'list'}});
		}

		case 'confirm': {
			if (mode.kind !== 'confirm') {
				return same(state);
			}

			return {state: {...state, mode: {kind: 'signalling', action: mode.action, targets: mode.targets}}, effects: [{type: 'signal', action: mode.action, targets: mode.targets}]};
		}

		case 'decline': {
			const closed: DashboardState = {...state, mode: {kind: 'list'}};
			return same(closed.isPaused ? closed : withNewest(closed));
		}
	}
}

/** Pause or resume the display; with several servers, the screen pauses all of them at once. */
export function withPause(state: DashboardState, isPaused: boolean): DashboardState {
	if (isPaused === state.isPaused) {
		return state;
	}

	if (isPaused) {
		return {...state, isPaused: true};
	}

	const resumed = withDrillDown({...state, isPaused: false, shown: state.watch.live}, state.shown);
	return isFrozen(state) ? resumed : withNewest(resumed);
}

function submit(state: DashboardState, atMs: number): Step {
	const {mode} = state;
	if (mode.kind === 'filter') {
		return {state: withSelection({...state, filter: mode.draft.trim(), mode: {kind: 'list'}}), effects: []};
	}

	if (mode.kind !== 'note') {
		return {state, effects: []};
	}

	const note = mode.draft.trim();
	const {live} = state.watch;
	const event: LogEvent = {
		at: logTime(atMs),
		type: 'flag',
		note,
		numbers: logNumbers(live),
		findings: live.findings.map(finding => openFinding(finding)),
	};
	return {state: {...state, mode: {kind: 'list'}, lastFlag: {note, atMs}}, effects: [{type: 'log', event}]};
}

function openPools(state: DashboardState, atMs: number): DashboardState {
	const keys = state.shown.pools.map(poolKey);
	if (keys.length === 0) {
		return {...state, notice: {text: 'no pools to list: --pool URL or --prometheus URL adds them', atMs}};
	}

	// The worst pool first: the cursor starts on it.
	return {...state, mode: {kind: 'pools', selected: keys[0]!, index: 0}};
}

function openInstances(state: DashboardState, atMs: number): DashboardState {
	const {mode} = state;
	if (mode.kind !== 'pools') {
		return state;
	}

	const cursor = reconcileKey({key: mode.selected, index: mode.index}, state.shown.pools.map(poolKey));
	const pool = cursor.key === null ? null : poolByKey(state.shown.pools, cursor.key);
	if (!pool) {
		return state;
	}

	const fleet = pool.metrics?.fleet;
	if (!fleet) {
		const why = pool.metrics ? 'one endpoint\'s pool, not a fleet read through --prometheus' : 'no numbers yet';
		return {...state, mode: {...mode, ...cursorOf(cursor)}, notice: {text: `${pool.name}: ${why}, so no instances to list`, atMs}};
	}

	// The cursor starts on the worst instance.
	const first = rankInstances(fleet.members, state.thresholds, state.shown.server)[0];
	return {...state, mode: {kind: 'members', pool: poolKey(pool), selected: first?.instance ?? null, index: 0, gone: []}};
}

/** Esc: instances → pools (on the pool they belong to) → sessions. */
function back(state: DashboardState): DashboardState {
	const {mode} = state;
	if (mode.kind === 'members') {
		const keys = state.shown.pools.map(poolKey);
		const index = Math.max(0, keys.indexOf(mode.pool));
		return {...state, mode: {kind: 'pools', selected: mode.pool, index}};
	}

	return {...state, mode: {kind: 'list'}};
}

function move(state: DashboardState, delta: number): DashboardState {
	const {mode} = state;
	if (mode.kind === 'pools') {
		return {...state, mode: {...mode, ...cursorOf(moveKey({key: mode.selected, index: mode.index}, state.shown.pools.map(poolKey), delta))}};
	}

	if (mode.kind === 'members') {
		const keys = memberKeys(rankedMembers(state), mode.gone);
		return {...state, mode: {...mode, ...cursorOf(moveKey({key: mode.selected, index: mode.index}, keys, delta))}};
	}

	const visible = sessionsInView(state);
	const selection = moveSelection({pid: state.selectedPid, index: state.selectedIndex}, visible, delta);
	return {...state, selectedPid: selection.pid, selectedIndex: selection.index};
}

function toggleMark(state: DashboardState): DashboardState {
	const session = state.server?.sessions.find(candidate => candidate.pid === state.selectedPid);
	if (!session?.backendStartMicros) {
		return state;
	}

	const marked = {...state.marked};
	if (marked[session.pid] === undefined) {
		marked[session.pid] = session.backendStartMicros;
	} else {
		delete marked[session.pid];
	}

	return {...state, marked};
}

function openSignal(state: DashboardState, action: SignalKind, atMs: number): DashboardState {
	const targets = targetsFor(state, action);
	if (targets.length === 0) {
		const text = action === 'cancel' ? 'no active session to cancel (cancel stops a running query)' : 'no session selected';
		return {...state, notice: {text, atMs}};
	}

	return {...state, mode: {kind: 'confirm', action, targets}};
}

export function update(state: DashboardState, action: DashboardAction): Step {
	switch (action.type) {
		case 'server-polled': {
			return serverPolled(state, action.reading, action.atMs);
		}

		case 'pool-polled': {
			return poolPolled(state, action.endpoint, action.reading, action.atMs);
		}

		case 'key': {
			return typed(state, action.input, action.key, action.atMs, action.pageRows ?? 10);
		}

		case 'signal-finished': {
			return signalFinished(state, action.action, action.results, action.atMs);
		}

		case 'notify': {
			return {state: {...state, notice: {text: action.text, atMs: action.atMs}}, effects: []};
		}
	}
}

/** The next state alone, for callers (and tests) that do not run effects. */
export function reduce(state: DashboardState, action: DashboardAction): DashboardState {
	return update(state, action).state;
}
