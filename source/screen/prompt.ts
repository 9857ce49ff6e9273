// The two prompts on the status line: the filter (Enter applies it, Esc clears it) and the flag's
// note (Enter records it in the incident log, Esc drops it). Pure.
import {logNumbers, logTime, type LogEvent, openFinding} from '../judge/log-events.js';
import {type DashboardState, type Handler, same, type Step, withSelection} from './state.js';

export function openFilter(state: DashboardState): DashboardState {
	return {...state, mode: {kind: 'filter', draft: state.filter}};
}

export function openNote(state: DashboardState): DashboardState {
	return {...state, mode: {kind: 'note', draft: ''}};
}

export const promptCommand: Handler = (state, {command, text = '', atMs}) => {
	const {mode} = state;
	if (mode.kind !== 'filter' && mode.kind !== 'note') {
		return same(state);
	}

	switch (command) {
		case 'type': {
			// The edge sends text up to a line break as one command: all of it is typed.
			return same({...state, mode: {...mode, draft: mode.draft + text}});
		}

		case 'erase': {
			return same({...state, mode: {...mode, draft: mode.draft.slice(0, -1)}});
		}

		case 'submit': {
			return mode.kind === 'filter' ? same(withSelection({...state, filter: mode.draft.trim(), mode: {kind: 'list'}})) : flagged(state, mode.draft.trim(), atMs);
		}

		case 'discard': {
			return same(mode.kind === 'filter' ? withSelection({...state, filter: '', mode: {kind: 'list'}}) : {...state, mode: {kind: 'list'}});
		}

		default: {
			return same(state);
		}
	}
};

/** The note recorded: one `flag` line with every number and open finding of the newest picture. */
function flagged(state: DashboardState, note: string, atMs: number): Step {
	const {live} = state.watch;
	const event: LogEvent = {
		at: logTime(atMs),
		type: 'flag',
		note,
		numbers: logNumbers(live),
		findings: live.findings.map(finding => openFinding(finding)),
	};
	return {state: {...state, mode: {kind: 'list'}, lastFlag: {note, atMs}}, effects: [{type: 'log', event}]};
}
