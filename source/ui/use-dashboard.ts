// Wires the pure model to time and I/O: the server poller, one poller per pool endpoint, and the
// effects of level changes (bell, incident log). The store is a ref so that keys typed faster than
// React renders still see the latest state.
import {useCallback, useEffect, useRef, useState} from 'react';
import type {IncidentLog} from '../actions/incident-log.js';
import type {PoolCollector} from '../collectors/pools/create-collector.js';
import type {PostgresSource} from '../collectors/postgres-activity.js';
import {type DashboardAction, type DashboardState, reduce} from '../model/dashboard.js';
import {levelEvents, logTime, newFindings} from '../model/log-events.js';
import {startPoller, type Poller, type Timer} from '../polling/poller.js';

export type DashboardDeps = {
	postgres: PostgresSource;
	poolCollectors: readonly PoolCollector[];
	intervalMs: number;
	poolTimeoutMs: number;
	now: () => number;
	timer?: Timer;
	log?: IncidentLog;
	/** Ring the terminal bell (once) when something becomes critical. */
	ring?: () => void;
};

export function useDashboard(initial: DashboardState, deps: DashboardDeps) {
	const store = useRef(initial);
	const [state, setState] = useState(initial);
	const serverPoller = useRef<Poller | null>(null);
	const depsRef = useRef(deps);
	/** Fold an action into the store, without effects. */
	const apply = useCallback((action: DashboardAction) => {
		const before = store.current;
		store.current = reduce(before, action);
		setState(store.current);
		return {before, after: store.current};
	}, []);

	// A failed write is shown, never fatal.
	const write = useCallback((event: Parameters<IncidentLog['write']>[0]) => {
		const result = depsRef.current.log?.write(event);
		if (result && !result.ok) {
			apply({type: 'notify', text: result.error, atMs: depsRef.current.now()});
		}
	}, [apply]);

	const dispatch = useCallback((action: DashboardAction) => {
		const {before, after} = apply(action);
		if (after.findings !== before.findings) {
			for (const finding of newFindings(before.findings, after.findings)) {
				write({at: logTime(after.history.at(-1)?.atMs ?? depsRef.current.now()), type: 'finding', ...finding});
			}
		}

		const latest = after.history.at(-1);
		if (after.changes !== before.changes && after.changes.length > 0 && latest) {
			for (const event of levelEvents(after.changes, latest)) {
				write(event);
			}

			if (after.changes.some(change => change.to === 'critical')) {
				depsRef.current.ring?.();
			}
		}
	}, [apply, write]);

	useEffect(() => {
		const {postgres, poolCollectors, intervalMs, poolTimeoutMs, now, timer} = depsRef.current;
		let wasDisconnected = false;
		serverPoller.current = startPoller({
			task: async () => postgres.poll(),
			intervalMs,
			// The caller's first snapshot is already in the initial state: no second query at start.
			firstDelayMs: store.current.server ? intervalMs : 0,
			timer,
			isFailure: reading => !reading.ok,
			onResult(reading) {
				if (reading.ok) {
					// A connection lost between two polls and reopened at once is still an event.
					if (reading.isReconnected && !wasDisconnected) {
						write({at: logTime(now()), type: 'disconnect', reason: 'connection lost between polls'});
					}

					if (wasDisconnected || reading.isReconnected) {
						write({at: logTime(now()), type: 'reconnect'});
					}

					wasDisconnected = false;
					dispatch({type: 'snapshot-received', snapshot: reading.snapshot});
				} else {
					if (reading.isDisconnected && !wasDisconnected) {
						write({at: logTime(now()), type: 'disconnect', reason: reading.error});
					}

					wasDisconnected ||= reading.isDisconnected;
					dispatch({type: 'poll-failed', error: reading.error, atMs: now(), isDisconnected: reading.isDisconnected});
				}
			},
		});
		const poolPollers = poolCollectors.map(collector => {
			let lastError: string | null = null;
			return startPoller({
				task: async () => collector.collect(poolTimeoutMs),
				intervalMs,
				timer,
				maxBackoffMs: 30_000,
				isFailure: reading => !reading.ok,
				onResult(reading) {
					const error = reading.ok ? null : reading.error;
					if (error && lastError === null) {
						write({at: logTime(now()), type: 'endpoint-down', subject: collector.endpoint.maskedUrl, reason: error});
					} else if (!error && lastError !== null) {
						write({at: logTime(now()), type: 'endpoint-up', subject: collector.endpoint.maskedUrl});
					}

					lastError = error;
					dispatch({type: 'pool-sampled', endpoint: collector.endpoint, reading, atMs: now()});
				},
			});
		});
		return () => {
			serverPoller.current?.stop();
			for (const poller of poolPollers) {
				poller.stop();
			}
		};
	}, [dispatch, write]);

	const refreshNow = useCallback(() => {
		serverPoller.current?.pollNow();
	}, []);

	return {state, store, dispatch, refreshNow, write};
}
