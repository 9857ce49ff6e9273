// Wiring only: the model decides, the components draw, the hooks run time and I/O.
import {useApp, useInput, type Key} from 'ink';
import {useCallback} from 'react';
import {signalSessions, summarizeResults, type SignalResult} from '../actions/terminate.js';
import {bindingFor, type Command} from '../keys/bindings.js';
import type {DashboardState, SignalKind} from '../model/dashboard.js';
import {logNumbers, logTime, type SessionOutcome} from '../model/log-events.js';
import type {Session} from '../model/types.js';
import {Dashboard, listRowsFor} from './components/dashboard.js';
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
	const {state, store, dispatch, refreshNow, write} = useDashboard(props.initial, props);
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
		const listRows = listRowsFor(store.current, rows);
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

	return <Dashboard state={state} target={props.target} columns={columns} rows={rows} hasPoolControl={Boolean(poolControl)}/>;
}
