// The dashboard's state and its pure update: poll readings and key presses in, the next state and the
// effects to run out (log lines, bell, signal sessions, refresh, quit). No clock, no I/O: times
// arrive inside the actions, and one small runner in ui/use-dashboard.ts performs the effects.
import {type KeyContext, type KeyPress, type ModeKind, resolveKey} from '../keys/bindings.js';
import {levelEvents, logNumbers, logTime, type LogEvent, type SessionOutcome} from '../judge/log-events.js';
import {freeConnections} from '../judge/levels.js';
import {derivePicture, emptyPicture, type Picture, type PoolView} from '../judge/picture.js';
import {applyPoolReading} from '../judge/pool-status.js';
import {type GoneInstance, memberKeys, moveKey, poolByKey, poolKey, reconcileKey, updateGone} from './drill-down.js';
import {rankInstances} from '../judge/instances.js';
import {moveSelection, reconcileSelection} from './selection.js';
import {nextSortKey, visibleSessions, type SortKey} from './session-view.js';
import {type SignalKind, type SignalResult} from '../readings/signals.js';
import {summarizeResults} from './signal-results.js';
import {appendSuspectSample, suspectPools, suspectSample, type SuspectSample} from '../judge/suspected-pools.js';
import {appendTrend} from '../judge/trend.js';
import type {Observation, PoolStatus, Thresholds} from '../judge/types.js';
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
	/** Last good snapshot the list shows; kept (and shown as stale) while disconnected. */
	server: ServerSnapshot | null;
	/** Snapshot that arrived while the list was frozen by a dialog or a pause. */
	heldServer: ServerSnapshot | null;
	serverError: string | null;
	disconnectedSinceMs: number | null;
	pools: PoolStatus[];
	/** Short history for the diagnosis, oldest first. */
	history: Observation[];
	/** Per-instance connection counts of the last minutes, for capped pools nobody pointed us at. */
	suspectHistory: SuspectSample[];
	/** The newest derivation of every reading: alarms, the log and the bell follow it. */
	live: Picture;
	/** What the frame draws: `live`, or the picture of the moment the display was paused. */
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
	role: string | undefined;
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

export const HISTORY_WINDOW_MS = 120_000;
/** The pool-suspected detector takes at most one sample a second. */
const SUSPECT_SAMPLE_MS = 1000;

export type InitialOptions = {isReadOnly?: boolean; pools?: PoolStatus[]; role?: string; hasPoolControl?: boolean; hasServers?: boolean; idleAfterSeconds?: number};

export function initialState(thresholds: Thresholds, options: InitialOptions = {}): DashboardState {
	return {
		server: null,
		heldServer: null,
		serverError: null,
		disconnectedSinceMs: null,
		pools: options.pools ?? [],
		history: [],
		suspectHistory: [],
		live: emptyPicture,
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
		role: options.role,
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
	return withSelection({...state, server: snapshot, heldServer: null, marked});
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

// Older observations need only the counts the diagnosis looks back at (lock waiters, pool numbers):
// their session lists, per-name counts and fleet members would hold minutes of memory at --interval
// 0.2 with names that come and go. One stripped copy per snapshot, however many observations share it.
const stripped = new WeakMap<ServerSnapshot, ServerSnapshot>();
const strippedPools = new WeakMap<PoolStatus[], PoolStatus[]>();
function withoutDetail(entry: Observation): Observation {
	const {server, pools} = entry;
	let strippedServer = server;
	if (server && (server.sessions.length > 0 || server.applications.length > 0 || server.clientGroups.length > 0)) {
		strippedServer = stripped.get(server) ?? {...server, sessions: [], applications: [], users: [], databases: [], clientGroups: []};
		stripped.set(server, strippedServer);
	}

	let lighterPools = pools;
	if (pools.some(pool => (pool.metrics?.fleet?.members.length ?? 0) > 0)) {
		lighterPools = strippedPools.get(pools) ?? pools.map(pool => (pool.metrics?.fleet
			? {...pool, metrics: {...pool.metrics, fleet: {...pool.metrics.fleet, members: []}}}
			: pool));
		strippedPools.set(pools, lighterPools);
	}

	return strippedServer === server && lighterPools === pools ? entry : {...entry, server: strippedServer, pools: lighterPools};
}

/** A new reading of any source: one derivation of everything, its level changes logged once. */
function observe(state: DashboardState, atMs: number, server: ServerSnapshot | null): Step {
	const observation: Observation = {atMs, server, pools: state.pools};
	const earlier = state.history.filter(entry => entry.atMs >= atMs - HISTORY_WINDOW_MS);
	const last = earlier.length - 1;
	if (last >= 0) {
		earlier[last] = withoutDetail(earlier[last]!);
	}

	const history = [...earlier, observation];
	// A pool whose endpoint is configured speaks for itself: never suspected.
	const measured = new Set(state.pools.flatMap(pool => [pool.name, ...(pool.metrics?.label ? [pool.metrics.label] : [])]));
	const suspects = suspectPools(state.suspectHistory, {excludedApplications: measured});
	const derived = derivePicture(history, state.thresholds, state.live.alarms, {role: state.role, suspects, trend: state.live.trend});
	const {changes} = derived;
	// One trend sample per server poll, so the strip has one time axis.
	const isServerSample = server !== null && server.takenAtMs === atMs;
	const picture = isServerSample ? {...derived.picture, trend: appendTrend(state.live.trend, derived.picture, suspects)} : derived.picture;
	const effects: Effect[] = levelEvents(changes, picture).map(event => ({type: 'log', event}));
	if (changes.some(change => change.to === 'critical')) {
		effects.push({type: 'ring'});
	}

	const shown = state.isPaused ? state.shown : picture;
	return {state: withDrillDown({...state, history, live: picture, shown}, state.shown), effects};
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

/** The newest server snapshot, whether or not the list shows it yet. */
function newestServer(state: DashboardState): ServerSnapshot | null {
	return state.heldServer ?? state.server;
}

function serverPolled(state: DashboardState, reading: ServerReading, atMs: number): Step {
	const wasDisconnected = state.disconnectedSinceMs !== null;
	const log: LogEvent[] = [];
	if (reading.ok) {
		// A connection lost between two polls and reopened at once is still an event.
		if (reading.isReconnected && !wasDisconnected) {
			log.push({at: logTime(atMs), type: 'disconnect', reason: 'connection lost between polls'});
		}

		if (wasDisconnected || reading.isReconnected) {
			log.push({at: logTime(atMs), type: 'reconnect'});
		}

		// One sample a second is evidence enough over a 30 s window, whatever --interval is.
		const lastSample = state.suspectHistory.at(-1);
		const suspectHistory = lastSample && reading.snapshot.takenAtMs - lastSample.atMs < SUSPECT_SAMPLE_MS
			? state.suspectHistory
			: appendSuspectSample(state.suspectHistory, suspectSample(reading.snapshot, freeConnections(reading.snapshot)));
		const connected = {...state, serverError: null, disconnectedSinceMs: null, suspectHistory};
		const next = isFrozen(state) || state.isPaused
			? {...connected, heldServer: reading.snapshot}
			: applySnapshot(connected, reading.snapshot);
		const step = observe(next, reading.snapshot.takenAtMs, reading.snapshot);
		return {state: step.state, effects: [...log.map(event => ({type: 'log', event}) as const), ...step.effects]};
	}

	if (reading.isDisconnected && !wasDisconnected) {
		log.push({at: logTime(atMs), type: 'disconnect', reason: reading.error});
	}

	const failed = {
		...state,
		serverError: reading.error,
		disconnectedSinceMs: reading.isDisconnected ? (state.disconnectedSinceMs ?? atMs) : state.disconnectedSinceMs,
	};
	const step = observe(failed, atMs, reading.isDisconnected ? null : newestServer(state));
	return {state: step.state, effects: [...log.map(event => ({type: 'log', event}) as const), ...step.effects]};
}

function poolPolled(state: DashboardState, endpoint: PoolEndpoint, reading: PoolReading, atMs: number): Step {
	const before = state.pools.find(pool => pool.endpoint === endpoint.maskedUrl);
	const wasDown = before ? before.error !== null : false;
	const log: LogEvent[] = [];
	if (!reading.ok && !wasDown) {
		log.push({at: logTime(atMs), type: 'endpoint-down', subject: endpoint.maskedUrl, reason: reading.error});
	} else if (reading.ok && wasDown) {
		log.push({at: logTime(atMs), type: 'endpoint-up', subject: endpoint.maskedUrl});
	}

	const pools = applyPoolReading(state.pools, endpoint, reading, atMs);
	// Disconnected: the pools still speak, the server's last numbers do not.
	const server = state.disconnectedSinceMs === null ? newestServer(state) : null;
	const step = observe({...state, pools}, atMs, server);
	return {state: step.state, effects: [...log.map(event => ({type: 'log', event}) as const), ...step.effects]};
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
	const next = closed.heldServer && !closed.isPaused ? applySnapshot(closed, closed.heldServer) : closed;
	return {state: next, effects: [{type: 'log', event}, {type: 'refresh'}]};
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
			return same(closed.heldServer && !closed.isPaused ? applySnapshot(closed, closed.heldServer) : closed);
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

	const resumed = withDrillDown({...state, isPaused: false, shown: state.live}, state.shown);
	return state.heldServer && !isFrozen(state) ? applySnapshot(resumed, state.heldServer) : resumed;
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
	const {live} = state;
	const event: LogEvent = {
		at: logTime(atMs),
		type: 'flag',
		note,
		numbers: logNumbers(live),
		findings: live.findings.map(finding => ({code: finding.code, level: finding.level, subject: finding.subject})),
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
