// A board: one server's part of the screen. The judge's state (`watch`) plus what the operator does
// with it: the list, its sort and filter, the cursor, the marks, the mode. Its types, its start, and
// the helpers every mode's handler (list, prompt, confirm, help, drill-down) shares. Pure.
import type {Command} from '../keys/bindings.js';
import type {LogEvent} from '../judge/log-events.js';
import {emptyPicture, type Picture} from '../judge/picture.js';
import type {Series} from '../judge/series.js';
import type {RecentChange} from '../judge/change-event.js';
import type {PoolStatus, Thresholds} from '../judge/types.js';
import {emptyWatch, type Watch} from '../judge/watch.js';
import type {SignalKind, SignalResult} from '../readings/signals.js';
import type {PoolEndpoint, PoolReading, ServerReading, ServerSnapshot, Session} from '../readings/types.js';
import type {GoneInstance} from './pool-cursors.js';
import {reconcileSelection} from './selection.js';
import {visibleSessions, type SortKey} from './session-view.js';

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

/**
 * What the operator asked for, resolved from a key at the edge (ui/key-edge.ts) with the bindings
 * table. `text`: what `type` types. `pageRows`: how many rows PgUp / PgDn move at this terminal size.
 */
export type CommandAction = {type: 'command'; command: Command; text?: string; atMs: number; pageRows?: number};

export type DashboardAction =
	| {type: 'server-polled'; reading: ServerReading; atMs: number}
	| {type: 'pool-polled'; endpoint: PoolEndpoint; reading: PoolReading; atMs: number}
	| CommandAction
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

/** A mode's handler: the commands its mode takes (the bindings table says which). */
export type Handler = (state: DashboardState, action: CommandAction) => Step;

export type InitialOptions = {isReadOnly?: boolean; pools?: PoolStatus[]; role?: string; hasPoolControl?: boolean; hasServers?: boolean; idleAfterSeconds?: number; trend?: Series; changes?: readonly RecentChange[]};

export function initialState(thresholds: Thresholds, options: InitialOptions = {}): DashboardState {
	return {
		watch: emptyWatch(thresholds, {role: options.role, pools: options.pools, trend: options.trend, changes: options.changes}),
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

/** A step with no effect. */
export function same(state: DashboardState): Step {
	return {state, effects: []};
}

export function withNotice(state: DashboardState, text: string, atMs: number): DashboardState {
	return {...state, notice: {text, atMs}};
}

/** How far up / down / PgUp / PgDn move, for a page of `rows` rows. */
export function rowsMoved(command: Command, rows: number): number {
	const page = Math.max(1, rows);
	switch (command) {
		case 'up': {
			return -1;
		}

		case 'down': {
			return 1;
		}

		case 'page-up': {
			return -page;
		}

		case 'page-down': {
			return page;
		}

		default: {
			return 0;
		}
	}
}

export function sessionsInView(state: DashboardState): Session[] {
	if (state.mode.kind === 'confirm' || state.mode.kind === 'signalling') {
		return state.mode.targets;
	}

	return state.server ? visibleSessions(state.server.sessions, state.sort, state.filter) : [];
}

/** A dialog is open: the list stands still until it closes. */
export const isFrozen = (state: DashboardState) => state.mode.kind === 'confirm' || state.mode.kind === 'signalling';

/**
 * The whole frame stands at one moment: paused, or a dialog open (its targets were taken from that
 * moment's list, so the gauge and the pools beside them are that moment's too).
 */
export const isHeld = (state: DashboardState) => state.isPaused || isFrozen(state);

export function withSelection(state: DashboardState): DashboardState {
	const visible = state.server ? visibleSessions(state.server.sessions, state.sort, state.filter) : [];
	const selection = reconcileSelection({pid: state.selectedPid, index: state.selectedIndex}, visible);
	return {...state, selectedPid: selection.pid, selectedIndex: selection.index};
}

export function applySnapshot(state: DashboardState, snapshot: ServerSnapshot): DashboardState {
	const alive = new Map(snapshot.sessions.map(session => [session.pid, session.backendStartMicros]));
	const marked = Object.fromEntries(Object.entries(state.marked)
		.filter(([pid, key]) => alive.get(Number(pid)) === key));
	return withSelection({...state, server: snapshot, marked});
}

/** The list again after a freeze or a pause: the newest snapshot, if one arrived meanwhile. */
export function withNewest(state: DashboardState): DashboardState {
	const newest = state.watch.server;
	return newest && newest !== state.server ? applySnapshot(state, newest) : state;
}

/** A dialog closed: the frame moves again (unless paused), the list and the picture the newest. */
export function afterDialog(state: DashboardState): DashboardState {
	return state.isPaused ? state : withNewest({...state, shown: state.watch.live});
}
