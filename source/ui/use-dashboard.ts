// Wires the pure model to time and I/O: the server poller, one poller per pool endpoint, and one
// small runner that performs the effects the model returns. The store is a ref so that keys typed
// faster than React renders still see the latest state.
import {useCallback, useEffect, useRef, useState} from 'react';
import type {KeyPress} from '../keys/bindings.js';
import {deskLines} from './components/dashboard.js';
import {sameLines} from './lines.js';
import {type Desk, type DeskAction, type DeskEffect, updateDesk} from '../model/desk.js';
import type {LogEvent} from '../model/log-events.js';
import type {SignalKind, SignalResult} from '../model/signal-results.js';
import type {PoolEndpoint, PoolReading, ServerReading, Session} from '../model/types.js';
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
	exit: () => void;
};

/** What the frame is drawn from besides the state: the terminal's size and the masked targets. */
export type FrameContext = {columns: number; rows: number; targets: readonly string[]};

export function useDashboard(initial: Desk, deps: DashboardDeps, frame: FrameContext) {
	const store = useRef(initial);
	const serverPollers = useRef<Poller[]>([]);
	const depsRef = useRef(deps);
	const frameRef = useRef(frame);
	frameRef.current = frame;
	const [lines, setLines] = useState(() => deskLines({desk: initial, ...frameRef.current}));
	const drawn = useRef(lines);

	/** Commit a frame only when what it shows changed: an identical frame still costs Ink a full layout. */
	const draw = useCallback(() => {
		const next = deskLines({desk: store.current, ...frameRef.current});
		if (!sameLines(next, drawn.current)) {
			drawn.current = next;
			setLines(next);
		}
	}, []);

	const dispatch = useCallback((action: DeskAction) => {
		const step = updateDesk(store.current, action);
		store.current = step.desk;
		draw();
		run(step.effects);
	}, [draw]); // eslint-disable-line react-hooks/exhaustive-deps -- run is hoisted and reads refs only

	// A resize changes the frame without any reading.
	useEffect(draw, [draw, frame.columns, frame.rows, frame.targets]);

	/** The only code that performs what the model decided. */
	function run(effects: readonly DeskEffect[]) {
		const {log, ring, servers, poolControl, now, exit} = depsRef.current;
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
					serverPollers.current[effect.server]?.pollNow();
					break;
				}

				case 'adjust-pool': {
					if (poolControl) {
						dispatch({type: 'notify', text: effect.direction === 'raise' ? poolControl.raise() : poolControl.lower(), atMs: now()});
					}

					break;
				}

				case 'quit': {
					exit();
					break;
				}
			}
		}
	}

	useEffect(() => {
		const {servers, pools, intervalMs, poolTimeoutMs, now, timer, initialEffects} = depsRef.current;
		run(initialEffects ?? []);
		// One poller per server: a server that hangs or drops delays no other.
		serverPollers.current = servers.map((feed, server) => startPoller({
			task: feed.poll,
			intervalMs,
			// The caller's first snapshot is already in the initial state: no second query at start.
			firstDelayMs: store.current.boards[server]?.server ? intervalMs : 0,
			timer,
			isFailure: reading => !reading.ok,
			onResult(reading) {
				dispatch({type: 'server-polled', server, reading, atMs: now()});
			},
		}));
		const poolPollers = pools.map(source => startPoller({
			task: async () => source.collect(poolTimeoutMs),
			intervalMs,
			timer,
			maxBackoffMs: 30_000,
			isFailure: reading => !reading.ok,
			onResult(reading) {
				dispatch({type: 'pool-polled', endpoint: source.endpoint, reading, atMs: now()});
			},
		}));
		return () => {
			for (const poller of serverPollers.current) {
				poller.stop();
			}

			for (const poller of poolPollers) {
				poller.stop();
			}
		};
	}, [dispatch]); // eslint-disable-line react-hooks/exhaustive-deps -- run once; run reads refs only

	const press = useCallback((input: string, key: KeyPress, pageRows: number) => {
		dispatch({type: 'key', input, key, atMs: depsRef.current.now(), pageRows});
	}, [dispatch]);

	return {lines, store, press};
}
