// Wires the pure screen (screen/, judge/) to time and I/O: the server poller, one poller per pool
// endpoint, and one small runner that performs the effects the screen returns. The store is a ref so
// that keys typed faster than React renders still see the latest state.
import {useCallback, useEffect, useRef, useState} from 'react';
import type {KeyPress} from '../keys/bindings.js';
import {deskLines} from './components/dashboard.js';
import {type Line, sameLines} from './lines.js';
import type {DashboardState} from '../screen/board.js';
import {type Desk, type DeskAction, type DeskEffect, type DeskStep, updateDesk} from '../screen/desk.js';
import {pressed} from './key-edge.js';
import type {LogEvent} from '../judge/log-events.js';
import type {SignalKind, SignalResult} from '../readings/signals.js';
import type {PoolEndpoint, PoolReading, ServerReading, Session} from '../readings/types.js';
import {startPoller, type Poller, type Timer} from '../polling/poller.js';

export type PoolSource = {endpoint: PoolEndpoint; collect(timeoutMs: number): Promise<PoolReading>};

export type PoolControl = {raise(): string; lower(): string};

/** One watched server: its poll over its one connection, and its terminate / cancel. */
export type ServerFeed = {
	poll: () => Promise<ServerReading>;
	/** Terminate or cancel: the result of each target, never a throw. */
	signal: (action: SignalKind, targets: Session[]) => Promise<SignalResult[]>;
};

export type DashboardDeps = {
	/** In the desk's board order; the pools belong to the first. */
	servers: readonly ServerFeed[];
	pools: readonly PoolSource[];
	intervalMs: number;
	poolTimeoutMs: number;
	now: () => number;
	timer?: Timer;
	/** Append one event to the incident log; an error string when the write failed. */
	log?: (event: LogEvent) => string | null;
	/** Ring the terminal bell (once) when something becomes critical. */
	ring?: () => void;
	/** The demo's live pool size control (`+` / `-`). */
	poolControl?: PoolControl;
	/** Effects of the step that made the initial state (findings already present at start). */
	initialEffects?: readonly DeskEffect[];
	/**
	 * Calls back once when the screen must stop without a key (the terminal went away, a signal):
	 * at once if that already happened. Returns the unsubscribe.
	 */
	subscribeHangUp?: (listener: () => void) => () => void;
	exit: () => void;
};

/** What the frame is drawn from besides the state: the terminal's size and the masked targets. */
export type FrameContext = {columns: number; rows: number; targets: readonly string[]};

/**
 * State the frame never reads (dashboardLines draws `shown` and `server`, not the judge's `watch`).
 * A poll while paused changes only these, so it needs no frame: computing one costs more CPU than the
 * poll itself. A field not listed here counts as drawn, so a new one can only cost a frame, never
 * leave a stale one. test/ui/frame-memo.test.ts checks that dashboardLines reads none of them.
 */
export const FIELDS_NOT_DRAWN: ReadonlySet<keyof DashboardState> = new Set(['watch']);

function isSameBoard(a: DashboardState, b: DashboardState): boolean {
	const keys = Object.keys(b) as Array<keyof DashboardState>;
	return keys.length === Object.keys(a).length
		&& keys.every(key => FIELDS_NOT_DRAWN.has(key) || a[key] === b[key]);
}

function isSameFrame(a: {desk: Desk; frame: FrameContext}, b: {desk: Desk; frame: FrameContext}): boolean {
	if (a.frame.columns !== b.frame.columns || a.frame.rows !== b.frame.rows || a.frame.targets !== b.frame.targets) {
		return false;
	}

	return a.desk.selected === b.desk.selected && a.desk.names === b.desk.names && a.desk.boards.length === b.desk.boards.length
		&& a.desk.boards.every((board, index) => isSameBoard(board, b.desk.boards[index]!));
}

/**
 * The frame's lines for a state and a size, recomputed only when something the frame reads changed
 * (by identity: the screen makes new objects for what it changes). isChanged: the lines differ from the
 * previous call's.
 */
export function frameMemo(linesOf: (desk: Desk, frame: FrameContext) => Line[]) {
	let last: {desk: Desk; frame: FrameContext; lines: Line[]} | undefined;
	return (desk: Desk, frame: FrameContext): {lines: Line[]; isChanged: boolean} => {
		const next = {desk, frame};
		if (last && isSameFrame(last, next)) {
			last = {...next, lines: last.lines};
			return {lines: last.lines, isChanged: false};
		}

		const computed = linesOf(desk, frame);
		const isChanged = !last || !sameLines(computed, last.lines);
		const lines = isChanged || !last ? computed : last.lines;
		last = {...next, lines};
		return {lines, isChanged};
	};
}

/** One poller per server and one per pool endpoint. */
type Pollers = {servers: Poller[]; pools: Poller[]};

function stopPollers(pollers: Pollers): void {
	for (const poller of [...pollers.servers, ...pollers.pools]) {
		poller.stop();
	}
}

/** The only code that performs what the screen decided. */
function runEffects(effects: readonly DeskEffect[], {deps, dispatch, pollers}: {deps: DashboardDeps; dispatch: (action: DeskAction) => void; pollers: Pollers}): void {
	const {log, ring, servers, poolControl, now, exit} = deps;
	for (const effect of effects) {
		switch (effect.type) {
			case 'log': {
				// A failed write is shown, never fatal.
				const error = log?.(effect.event) ?? null;
				if (error) {
					dispatch({type: 'notify', text: error, atMs: now()});
				}

				break;
			}

			case 'ring': {
				ring?.();
				break;
			}

			case 'signal': {
				const feed = servers[effect.server];
				if (feed) {
					void feed.signal(effect.action, effect.targets).then(results => {
						dispatch({type: 'signal-finished', server: effect.server, action: effect.action, results, atMs: now()});
					});
				}

				break;
			}

			case 'refresh': {
				pollers.servers[effect.server]?.pollNow();
				break;
			}

			case 'adjust-pool': {
				if (poolControl) {
					dispatch({type: 'notify', text: effect.direction === 'raise' ? poolControl.raise() : poolControl.lower(), atMs: now()});
				}

				break;
			}

			case 'quit': {
				// No reading may arrive after the quit line: stop polling before the tree unmounts.
				stopPollers(pollers);
				exit();
				break;
			}
		}
	}
}

/** The pollers, each reading dispatched as it comes: a server that hangs or drops delays no other. */
function startPollers(deps: DashboardDeps, desk: Desk, dispatch: (action: DeskAction) => void): Pollers {
	const {servers, pools, intervalMs, poolTimeoutMs, now, timer} = deps;
	return {
		servers: servers.map((feed, server) => startPoller({
			task: feed.poll,
			intervalMs,
			// The caller's first snapshot is already in the initial state: no second query at start.
			firstDelayMs: desk.boards[server]?.server ? intervalMs : 0,
			timer,
			isFailure: reading => !reading.ok,
			onResult(reading) {
				dispatch({type: 'server-polled', server, reading, atMs: now()});
			},
		})),
		pools: pools.map(source => startPoller({
			task: async () => source.collect(poolTimeoutMs),
			intervalMs,
			timer,
			maxBackoffMs: 30_000,
			isFailure: reading => !reading.ok,
			onResult(reading) {
				dispatch({type: 'pool-polled', endpoint: source.endpoint, reading, atMs: now()});
			},
		})),
	};
}

export function useDashboard(initial: Desk, deps: DashboardDeps, frame: FrameContext) {
	const store = useRef(initial);
	const pollers = useRef<Pollers>({servers: [], pools: []});
	const depsRef = useRef(deps);
	const frameRef = useRef(frame);
	frameRef.current = frame;
	const dispatchRef = useRef<(action: DeskAction) => void>(() => undefined);
	const memo = useRef<ReturnType<typeof frameMemo> | null>(null);
	memo.current ??= frameMemo((desk, context) => deskLines({desk, ...context}));
	const [lines, setLines] = useState(() => memo.current!(initial, frame).lines);

	/** Commit a frame only when what it shows changed: an identical frame still costs Ink a full layout. */
	const draw = useCallback(() => {
		const next = memo.current!(store.current, frameRef.current);
		if (next.isChanged) {
			setLines(next.lines);
		}
	}, []);

	/** Take a step of the screen: the new desk, a frame if it shows something new, then its effects. */
	const commit = useCallback((step: DeskStep) => {
		store.current = step.desk;
		draw();
		runEffects(step.effects, {deps: depsRef.current, dispatch: dispatchRef.current, pollers: pollers.current});
	}, [draw]);

	const dispatch = useCallback((action: DeskAction) => {
		commit(updateDesk(store.current, action));
	}, [commit]);
	dispatchRef.current = dispatch;

	// A resize changes the frame without any reading.
	useEffect(draw, [draw, frame.columns, frame.rows, frame.targets]);

	useEffect(() => {
		runEffects(depsRef.current.initialEffects ?? [], {deps: depsRef.current, dispatch, pollers: pollers.current});
		pollers.current = startPollers(depsRef.current, store.current, dispatch);
		const unsubscribe = depsRef.current.subscribeHangUp?.(() => {
			dispatch({type: 'hung-up', atMs: depsRef.current.now()});
		});
		return () => {
			unsubscribe?.();
			stopPollers(pollers.current);
		};
	}, [dispatch]);

	// Keys become commands at the edge (key-edge.ts); the screen never sees a key.
	const press = useCallback((input: string, key: KeyPress, pageRows: number) => {
		commit(pressed(store.current, input, key, {atMs: depsRef.current.now(), pageRows}));
	}, [commit]);

	return {lines, store, press};
}
