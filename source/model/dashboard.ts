// The dashboard's state and its pure reducer: poll events and key commands in, state out.
// No clock, no I/O: times arrive inside the actions.
import {diagnose} from './diagnosis.js';
import {poolLevel, serverLevel} from './levels.js';
import {applyPoolReading} from './pool-status.js';
import {moveSelection, reconcileSelection} from './selection.js';
import {nextSortKey, visibleSessions, type SortKey} from './session-view.js';
import type {Finding, Level, Observation, PoolEndpoint, PoolReading, PoolStatus, ServerSnapshot, Session, Thresholds} from './types.js';

export type SignalKind = 'terminate' | 'cancel';

export type Mode =
	| {kind: 'normal'}
	| {kind: 'filter'; draft: string}
	| {kind: 'help'}
	/** Targets are captured when the dialog opens; the list is frozen until it closes. */
	| {kind: 'confirm'; action: SignalKind; targets: Session[]}
	| {kind: 'signalling'; action: SignalKind; targets: Session[]}
	| {kind: 'flag'; draft: string};

export type DashboardState = {
	/** Last good snapshot; kept (and shown as stale) while disconnected. */
	server: ServerSnapshot | null;
	/** Snapshot that arrived while the list was frozen by a dialog. */
	heldServer: ServerSnapshot | null;
	serverError: string | null;
	disconnectedSinceMs: number | null;
	pools: PoolStatus[];
	/** Short history for the diagnosis, oldest first. */
	history: Observation[];
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
	/** The diagnosis of the latest observation, worst first. */
	findings: Finding[];
	/** Every alarm subject (server, pool:NAME, finding code:subject) with its level and when that began. */
	alarms: Record<string, Alarm>;
	/** The level changes of the latest observation, for the bell and the incident log. */
	changes: AlarmChange[];
	role: string | undefined;
};

export type Alarm = {level: Level; sinceMs: number};
export type AlarmChange = {subject: string; from: Level; to: Level; atMs: number};

export type DashboardAction =
	| {type: 'snapshot-received'; snapshot: ServerSnapshot}
	| {type: 'poll-failed'; error: string; atMs: number; isDisconnected: boolean}
	| {type: 'pool-sampled'; endpoint: PoolEndpoint; reading: PoolReading; atMs: number}
	| {type: 'move'; delta: number}
	| {type: 'toggle-pause'}
	| {type: 'cycle-sort'}
	| {type: 'open-filter'}
	| {type: 'edit-draft'; text: string}
	| {type: 'apply-filter'}
	| {type: 'clear-filter'}
	| {type: 'toggle-help'}
	| {type: 'close'}
	| {type: 'toggle-mark'}
	| {type: 'mark-idle'; idleAfterSeconds: number}
	| {type: 'unmark-all'}
	| {type: 'open-signal'; action: SignalKind; atMs: number}
	| {type: 'confirm'}
	| {type: 'signal-finished'; summary: string; atMs: number}
	| {type: 'open-flag'}
	| {type: 'flag-recorded'; note: string; atMs: number}
	| {type: 'notify'; text: string; atMs: number};

export const HISTORY_WINDOW_MS = 120_000;

export function initialState(thresholds: Thresholds, options: {isReadOnly?: boolean; pools?: PoolStatus[]; role?: string} = {}): DashboardState {
	return {
		server: null,
		heldServer: null,
		serverError: null,
		disconnectedSinceMs: null,
		pools: options.pools ?? [],
		history: [],
		isPaused: false,
		sort: 'time',
		filter: '',
		selectedPid: null,
		selectedIndex: 0,
		marked: {},
		idleMarkStage: 0,
		mode: {kind: 'normal'},
		notice: null,
		lastFlag: null,
		thresholds,
		isReadOnly: options.isReadOnly ?? false,
		findings: [],
		alarms: {},
		changes: [],
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

function withoutSessions(entry: Observation): Observation {
	return entry.server && entry.server.sessions.length > 0 ? {...entry, server: {...entry.server, sessions: []}} : entry;
}

/** Record what the diagnosis sees now; `server` is the newest snapshot even while the view is frozen. */
function observe(state: DashboardState, atMs: number, server: ServerSnapshot | null): DashboardState {
	const observation: Observation = {atMs, server, pools: state.pools};
	// Older observations need only the counts: their session lists would hold minutes of memory.
	const earlier = state.history.filter(entry => entry.atMs >= atMs - HISTORY_WINDOW_MS).map(withoutSessions);
	const history = [...earlier, observation];
	const findings = diagnose(history, state.thresholds, {role: state.role});
	const levels: Record<string, Level> = {};
	if (server) {
		levels['server'] = serverLevel(server, state.thresholds);
	}

	for (const pool of state.pools) {
		levels[`pool ${pool.name}`] = poolLevel(history, pool.name, state.thresholds);
	}

	for (const finding of findings) {
		levels[`${finding.code} ${finding.subject}`] = finding.level;
	}

	const alarms: Record<string, Alarm> = {};
	const changes: AlarmChange[] = [];
	for (const subject of new Set([...Object.keys(state.alarms), ...Object.keys(levels)])) {
		const before = state.alarms[subject]?.level ?? 'ok';
		// A finding that disappears is resolved; a disconnected server keeps its last level.
		const now = levels[subject] ?? (subject === 'server' && !server ? before : 'ok');
		if (now !== before) {
			changes.push({subject, from: before, to: now, atMs});
		}

		if (now !== 'ok' || subject === 'server' || subject.startsWith('pool ')) {
			alarms[subject] = now === before && state.alarms[subject] ? state.alarms[subject] : {level: now, sinceMs: atMs};
		}
	}

	return {...state, history, findings, alarms, changes};
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

export function reduce(state: DashboardState, action: DashboardAction): DashboardState {
	switch (action.type) {
		case 'snapshot-received': {
			const connected = {...state, serverError: null, disconnectedSinceMs: null};
			const next = isFrozen(state) || state.isPaused
				? {...connected, heldServer: action.snapshot}
				: applySnapshot(connected, action.snapshot);
			return observe(next, action.snapshot.takenAtMs, action.snapshot);
		}

		case 'poll-failed': {
			const failed = {
				...state,
				serverError: action.error,
				disconnectedSinceMs: action.isDisconnected ? (state.disconnectedSinceMs ?? action.atMs) : state.disconnectedSinceMs,
			};
			return observe(failed, action.atMs, action.isDisconnected ? null : (state.heldServer ?? state.server));
		}

		case 'pool-sampled': {
			// The next server observation carries the pools into the history.
			return {...state, pools: applyPoolReading(state.pools, action.endpoint, action.reading, action.atMs)};
		}

		case 'move': {
			const visible = sessionsInView(state);
			const selection = moveSelection({pid: state.selectedPid, index: state.selectedIndex}, visible, action.delta);
			return {...state, selectedPid: selection.pid, selectedIndex: selection.index};
		}

		case 'toggle-pause': {
			if (state.isPaused && state.heldServer) {
				return applySnapshot({...state, isPaused: false}, state.heldServer);
			}

			return {...state, isPaused: !state.isPaused};
		}

		case 'cycle-sort': {
			return withSelection({...state, sort: nextSortKey(state.sort)});
		}

		case 'open-filter': {
			return {...state, mode: {kind: 'filter', draft: state.filter}};
		}

		case 'edit-draft': {
			if (state.mode.kind === 'filter' || state.mode.kind === 'flag') {
				return {...state, mode: {...state.mode, draft: action.text}};
			}

			return state;
		}

		case 'apply-filter': {
			if (state.mode.kind !== 'filter') {
				return state;
			}

			return withSelection({...state, filter: state.mode.draft.trim(), mode: {kind: 'normal'}});
		}

		case 'clear-filter': {
			return withSelection({...state, filter: '', mode: {kind: 'normal'}});
		}

		case 'toggle-help': {
			return {...state, mode: state.mode.kind === 'help' ? {kind: 'normal'} : {kind: 'help'}};
		}

		case 'close': {
			if (state.mode.kind === 'signalling') {
				return state;
			}

			const closed = {...state, mode: {kind: 'normal'} as Mode};
			return state.mode.kind === 'confirm' && state.heldServer && !state.isPaused
				? applySnapshot(closed, state.heldServer)
				: closed;
		}

		case 'toggle-mark': {
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

		case 'mark-idle': {
			return markIdle(state, action.idleAfterSeconds);
		}

		case 'unmark-all': {
			return {...state, marked: {}, idleMarkStage: 0};
		}

		case 'open-signal': {
			if (state.isReadOnly) {
				return {...state, notice: {text: `read-only: ${action.action} is disabled`, atMs: action.atMs}};
			}

			const targets = targetsFor(state, action.action);
			if (targets.length === 0) {
				const text = action.action === 'cancel' ? 'no active session to cancel (cancel stops a running query)' : 'no session selected';
				return {...state, notice: {text, atMs: action.atMs}};
			}

			return {...state, mode: {kind: 'confirm', action: action.action, targets}};
		}

		case 'confirm': {
			if (state.mode.kind !== 'confirm') {
				return state;
			}

			return {...state, mode: {kind: 'signalling', action: state.mode.action, targets: state.mode.targets}};
		}

		case 'signal-finished': {
			const closed: DashboardState = {
				...state,
				mode: {kind: 'normal'},
				marked: {},
				idleMarkStage: 0,
				notice: {text: action.summary, atMs: action.atMs},
			};
			return closed.heldServer && !closed.isPaused ? applySnapshot(closed, closed.heldServer) : closed;
		}

		case 'open-flag': {
			return {...state, mode: {kind: 'flag', draft: ''}};
		}

		case 'flag-recorded': {
			return {...state, mode: {kind: 'normal'}, lastFlag: {note: action.note, atMs: action.atMs}};
		}

		case 'notify': {
			return {...state, notice: {text: action.text, atMs: action.atMs}};
		}
	}
}
