// Wiring only: the model decides, the components draw, the hooks run time and I/O.
import {Box, Text, useApp, useInput, type Key} from 'ink';
import {useCallback, useEffect, useMemo} from 'react';
import {signalSessions, summarizeResults, type SignalResult} from '../actions/terminate.js';
import {bindingFor, type Command} from '../keys/bindings.js';
import {type DashboardState, type SignalKind, sessionsInView} from '../model/dashboard.js';
import {poolLevel, serverLevel, timeoutsPerMinute, levelRank} from '../model/levels.js';
import {logNumbers, logTime, type SessionOutcome} from '../model/log-events.js';
import type {Session} from '../model/types.js';
import {Breakdown} from './components/breakdown.js';
import {FindingsBanner} from './components/findings-banner.js';
import {Header, headerLines} from './components/header.js';
import {ConfirmDialog, HelpScreen} from './components/overlays.js';
import {PoolsPanel, type PoolRow} from './components/pools-panel.js';
import {ServerGauge} from './components/server-gauge.js';
import {SessionList} from './components/session-list.js';
import {StatusLine} from './components/status-line.js';
import {isTooSmall, layoutFor, MIN_COLUMNS, MIN_ROWS} from './layout.js';
import {type DashboardDeps, useDashboard} from './use-dashboard.js';
import {useViewport} from './use-viewport.js';

export type PoolControl = {raise(): string; lower(): string};

export type AppProps = DashboardDeps & {
	initial: DashboardState;
	target: string;
	idleAfterSeconds: number;
	/** The demo's live pool size control (`+` / `-`). */
	poolControl?: PoolControl;
};

const OUTCOME_FOR_LOG: Record<SignalResult['outcome'], SessionOutcome['outcome']> = {
	terminated: 'done',
	cancelled: 'done',
	skipped: 'skipped',
	'not-permitted': 'failed',
	failed: 'failed',
};

export function App(props: AppProps) {
	const {exit} = useApp();
	const {columns, rows} = useViewport();
	const {state, store, dispatch, refreshNow, write, logError} = useDashboard(props.initial, props);
	const {now, idleAfterSeconds, poolControl, postgres} = props;

	const quit = useCallback(() => {
		write({at: logTime(now()), type: 'quit'});
		exit();
	}, [exit, now, write]);

	const runSignal = useCallback(async (action: SignalKind, targets: Session[]) => {
		const client = postgres.client();
		const results: SignalResult[] = client
			? await signalSessions(client, action, targets.map(session => ({...session, backendStartMicros: session.backendStartMicros ?? ''})))
			: targets.map(session => ({pid: session.pid, user: session.user, application: session.application, state: session.state, outcome: 'failed', detail: 'disconnected from the server'}));
		write({
			at: logTime(now()),
			type: action,
			sessions: results.map(result => ({
				pid: result.pid, user: result.user, application: result.application, state: result.state,
				outcome: OUTCOME_FOR_LOG[result.outcome], ...(result.outcome === 'terminated' || result.outcome === 'cancelled' ? {} : {reason: result.detail}),
			})),
		});
		dispatch({type: 'signal-finished', summary: summarizeResults(results, action), atMs: now()});
		refreshNow();
	}, [dispatch, now, postgres, refreshNow, write]);

	const runCommand = useCallback((command: Command) => {
		const listRows = layoutFor(rows, store.current.findings.length, store.current.pools.length, headerLines(store.current.serverError) - 1).listRows;
		switch (command) {
			case 'quit': {
				quit();
				break;
			}

			case 'help': {
				dispatch({type: 'toggle-help'});
				break;
			}

			case 'up':
			case 'down': {
				dispatch({type: 'move', delta: command === 'up' ? -1 : 1});
				break;
			}

			case 'page-up':
			case 'page-down': {
				dispatch({type: 'move', delta: command === 'page-up' ? -listRows : listRows});
				break;
			}

			case 'pause': {
				dispatch({type: 'toggle-pause'});
				break;
			}

			case 'sort': {
				dispatch({type: 'cycle-sort'});
				break;
			}

			case 'filter': {
				dispatch({type: 'open-filter'});
				break;
			}

			case 'mark': {
				dispatch({type: 'toggle-mark'});
				dispatch({type: 'move', delta: 1});
				break;
			}

			case 'mark-idle': {
				dispatch({type: 'mark-idle', idleAfterSeconds});
				break;
			}

			case 'unmark': {
				dispatch({type: 'unmark-all'});
				break;
			}

			case 'terminate':
			case 'cancel': {
				dispatch({type: 'open-signal', action: command, atMs: now()});
				break;
			}

			case 'flag': {
				dispatch({type: 'open-flag'});
				break;
			}

			case 'raise-pool':
			case 'lower-pool': {
				if (poolControl) {
					dispatch({type: 'notify', text: command === 'raise-pool' ? poolControl.raise() : poolControl.lower(), atMs: now()});
				}

				break;
			}
		}
	}, [dispatch, idleAfterSeconds, now, poolControl, quit, rows, store]);

	const submitDraft = useCallback(() => {
		const {mode} = store.current;
		if (mode.kind === 'filter') {
			dispatch({type: 'apply-filter'});
		} else if (mode.kind === 'flag') {
			const note = mode.draft.trim();
			const latest = store.current.history.at(-1);
			write({
				at: logTime(now()),
				type: 'flag',
				note,
				numbers: logNumbers(latest?.server ?? null, store.current.pools),
				findings: store.current.findings.map(finding => ({code: finding.code, level: finding.level, subject: finding.subject})),
			});
			dispatch({type: 'flag-recorded', note, atMs: now()});
		}
	}, [dispatch, now, store, write]);

	const onText = useCallback((input: string, key: Key) => {
		const {mode} = store.current;
		if (mode.kind !== 'filter' && mode.kind !== 'flag') {
			return;
		}

		if (key.return) {
			submitDraft();
		} else if (key.escape) {
			dispatch(mode.kind === 'filter' ? {type: 'clear-filter'} : {type: 'close'});
		} else if (key.backspace || key.delete) {
			dispatch({type: 'edit-draft', text: mode.draft.slice(0, -1)});
		} else if (input && !key.ctrl && !key.meta) {
			// Pasted or fast typing arrives as one chunk: "note\r" is the text, then Enter.
			const [text = '', ...rest] = input.split(/\r\n|\r|\n/);
			dispatch({type: 'edit-draft', text: mode.draft + text});
			if (rest.length > 0) {
				submitDraft();
			}
		}
	}, [dispatch, store, submitDraft]);

	useInput((input, key) => {
		const {mode} = store.current;
		switch (mode.kind) {
			case 'filter':
			case 'flag': {
				onText(input, key);
				return;
			}

			case 'confirm': {
				// No is the default: only y confirms.
				if (input === 'y') {
					dispatch({type: 'confirm'});
					void runSignal(mode.action, mode.targets);
				} else {
					dispatch({type: 'close'});
				}

				return;
			}

			case 'signalling': {
				return;
			}

			case 'help': {
				if (input === '?' || key.escape) {
					dispatch({type: 'toggle-help'});
					return;
				}

				break;
			}

			case 'normal': {
				if (key.escape && store.current.filter) {
					dispatch({type: 'clear-filter'});
					return;
				}
			}
		}

		const binding = bindingFor(input, key);
		if (binding && (!binding.isOptional || poolControl)) {
			runCommand(binding.command);
		}
	});

	const poolRows = useMemo<PoolRow[]>(() => state.pools
		.map(pool => ({pool, level: poolLevel(state.history, pool.name, state.thresholds), timeoutsPerMinute: timeoutsPerMinute(state.history, pool.name)}))
		.sort((a, b) => levelRank(b.level) - levelRank(a.level) || Number(b.pool.error !== null) - Number(a.pool.error !== null)
			|| (b.pool.metrics?.waiting ?? 0) - (a.pool.metrics?.waiting ?? 0) || a.pool.name.localeCompare(b.pool.name)),
	[state.pools, state.history, state.thresholds]);
	const sessions = useMemo(() => sessionsInView(state), [state]);

	useEffect(() => {
		if (logError) {
			dispatch({type: 'notify', text: `incident log write failed: ${logError}`, atMs: now()});
		}
	}, [dispatch, logError, now]);

	if (isTooSmall(columns, rows)) {
		return <Text wrap="truncate-end">{`Too small: ${columns}×${rows}, lifeguard needs ${MIN_COLUMNS}×${MIN_ROWS}`}</Text>;
	}

	const width = columns;
	const layout = layoutFor(rows, state.findings.length, poolRows.length, headerLines(state.serverError) - 1);
	const {server} = state;
	const isStale = state.serverError !== null;
	const {mode} = state;
	let body;
	if (mode.kind === 'help') {
		body = <HelpScreen isReadOnly={state.isReadOnly} hasPoolControl={Boolean(poolControl)} height={layout.listRows + 1} width={width}/>;
	} else if (mode.kind === 'confirm' || mode.kind === 'signalling') {
		body = <ConfirmDialog action={mode.action} targets={mode.targets} isRunning={mode.kind === 'signalling'} height={layout.listRows + 1} width={width}/>;
	} else {
		const omitted = server?.sessionsOmitted ? `(+${server.sessionsOmitted} not fetched)` : '';
		body = <SessionList sessions={sessions} selectedPid={state.selectedPid} marked={state.marked} height={layout.listRows} width={width} isStale={isStale} title={omitted}/>;
	}

	return (
		<Box flexDirection="column" width={width} height={layout.height}>
			<Header
				target={props.target}
				version={server?.version ?? null}
				takenAtMs={server?.takenAtMs ?? null}
				nowMs={state.history.at(-1)?.atMs ?? now()}
				isPaused={state.isPaused}
				error={state.serverError}
				isDisconnected={state.disconnectedSinceMs !== null}
				width={width}
			/>
			<FindingsBanner findings={state.findings} alarms={state.alarms} maxLines={layout.findingLines} width={width}/>
			{server ? <ServerGauge snapshot={server} level={serverLevel(server, state.thresholds)} sinceMs={state.alarms['server']?.sinceMs} width={width} isStale={isStale}/> : <Box height={2}><Text>connecting…</Text></Box>}
			<PoolsPanel rows={poolRows} nowMs={state.history.at(-1)?.atMs ?? now()} maxLines={layout.poolLines} width={width}/>
			{server && layout.breakdownLines > 0 ? <Breakdown snapshot={server} width={width} isStale={isStale}/> : null}
			<Box flexGrow={1} flexDirection="column">{body}</Box>
			<StatusLine
				mode={mode}
				notice={state.notice}
				lastFlag={state.lastFlag}
				filter={state.filter}
				sort={state.sort}
				markedCount={Object.keys(state.marked).length}
				isReadOnly={state.isReadOnly}
				nowMs={state.history.at(-1)?.atMs ?? now()}
			/>
		</Box>
	);
}
