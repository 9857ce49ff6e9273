// The session list's commands: the cursor (by pid), the sort, the filter's opening and clearing, the
// marks, and the openings of the dialogs and the drill-down. The help takes these too (it is drawn
// over the list). Pure.
import {openSignal} from './confirm.js';
import {openPools} from './drill-down.js';
import {openFilter, openNote} from './prompt.js';
import {moveSelection} from './selection.js';
import {nextSortKey, visibleSessions} from './session-view.js';
import {plural, settingDuration} from '../text/words.js';
import {type DashboardState, type Handler, rowsMoved, same, sessionsInView, withNotice, withSelection} from './state.js';

export const listCommand: Handler = (state, {command, atMs, pageRows = 10}) => {
	switch (command) {
		case 'up':
		case 'down':
		case 'page-up':
		case 'page-down': {
			return same(moveSessions(state, rowsMoved(command, pageRows)));
		}

		case 'sort': {
			return same(withSelection({...state, sort: nextSortKey(state.sort)}));
		}

		case 'filter': {
			return same(openFilter(state));
		}

		case 'clear-filter': {
			return same(state.filter ? withSelection({...state, filter: ''}) : state);
		}

		case 'mark': {
			return same(moveSessions(toggleMark(state), 1));
		}

		case 'mark-idle': {
			return same(markIdle(state, atMs));
		}

		case 'unmark': {
			return same({...state, marked: {}, idleMarkStage: 0});
		}

		case 'terminate':
		case 'cancel': {
			return same(openSignal(state, command, atMs));
		}

		case 'flag': {
			return same(openNote(state));
		}

		case 'pools': {
			return same(openPools(state, atMs));
		}

		default: {
			return same(state);
		}
	}
};

/** The cursor `delta` rows down the sessions in view, following its pid. */
function moveSessions(state: DashboardState, delta: number): DashboardState {
	const selection = moveSelection({pid: state.selectedPid, index: state.selectedIndex}, sessionsInView(state), delta);
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

/** `i`: the idle sessions past --idle-after in the filter; again: the idle in transaction too. */
function markIdle(state: DashboardState, atMs: number): DashboardState {
	const stage = state.idleMarkStage === 1 ? 2 : 1;
	const states = stage === 1 ? ['idle'] : ['idle', 'idle in transaction', 'idle in transaction (aborted)'];
	const candidates = (state.server ? visibleSessions(state.server.sessions, state.sort, state.filter) : [])
		.filter(session => states.includes(session.state ?? '') && (session.stateSeconds ?? 0) >= state.idleAfterSeconds);
	const marked = {...state.marked};
	for (const session of candidates) {
		if (session.backendStartMicros) {
			marked[session.pid] = session.backendStartMicros;
		}
	}

	const added = Object.keys(marked).length - Object.keys(state.marked).length;
	return withNotice({...state, marked, idleMarkStage: stage}, idleMarkText(state, stage, added), atMs);
}

/** What `i` did, in words: a key that marks nothing must still answer. */
function idleMarkText(state: DashboardState, stage: 1 | 2, added: number): string {
	const what = stage === 1 ? 'idle' : 'idle or idle in transaction';
	const where = state.filter ? 'in this filter' : 'in the list';
	const long = state.idleAfterSeconds > 0 ? `${what} for ${settingDuration(state.idleAfterSeconds)} or more` : what;
	const more = Object.keys(state.marked).length > 0 ? 'more ' : '';
	return added === 0 ? `no ${more}session ${long} ${where}: nothing marked` : `marked ${plural(added, `${more}session`, `${more}sessions`)} ${long} ${where}`;
}
