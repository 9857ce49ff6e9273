// Terminate / cancel: a small state machine that captures its targets when it opens, defaults to
// No, freezes the list while the operator decides, and signals only on y. Pure: the signal itself
// is an effect, and its results come back as `signal-finished`.
import {logTime, type LogEvent, type SessionOutcome} from '../judge/log-events.js';
import type {SignalKind, SignalResult} from '../readings/signals.js';
import type {Session} from '../readings/types.js';
import {summarizeResults} from './signal-results.js';
import {afterDialog, type DashboardState, type Handler, same, type Step, withNotice} from './state.js';

/** The marked sessions (or the selected one); `cancel` only those running a query. */
function targetsFor(state: DashboardState, action: SignalKind): Session[] {
	const sessions = state.server?.sessions ?? [];
	const marked = sessions.filter(session => state.marked[session.pid] === session.backendStartMicros);
	const chosen = marked.length > 0 ? marked : sessions.filter(session => session.pid === state.selectedPid);
	return action === 'cancel' ? chosen.filter(session => session.state === 'active') : chosen;
}

export function openSignal(state: DashboardState, action: SignalKind, atMs: number): DashboardState {
	const targets = targetsFor(state, action);
	if (targets.length === 0) {
		const text = action === 'cancel' ? 'no active session to cancel (cancel stops a running query)' : 'no session selected';
		return withNotice(state, text, atMs);
	}

	return {...state, mode: {kind: 'confirm', action, targets}};
}

export const confirmCommand: Handler = (state, {command}) => {
	const {mode} = state;
	if (mode.kind !== 'confirm') {
		return same(state);
	}

	if (command === 'confirm') {
		return {state: {...state, mode: {kind: 'signalling', action: mode.action, targets: mode.targets}}, effects: [{type: 'signal', action: mode.action, targets: mode.targets}]};
	}

	if (command !== 'decline') {
		return same(state);
	}

	return same(afterDialog({...state, mode: {kind: 'list'}}));
};

const OUTCOME_FOR_LOG: Record<SignalResult['outcome'], SessionOutcome['outcome']> = {
	terminated: 'done',
	cancelled: 'done',
	skipped: 'skipped',
	'not-permitted': 'failed',
	failed: 'failed',
};

/** The signal ran: one line of what it did, the log's record of each session, a fresh poll. */
export function signalFinished(state: DashboardState, action: SignalKind, results: SignalResult[], atMs: number): Step {
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
	return {state: afterDialog(closed), effects: [{type: 'log', event}, {type: 'refresh'}]};
}
