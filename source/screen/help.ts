// The help: every key of the mode it was opened from, drawn over the list (which keeps taking the
// list's keys); ? or Esc closes it, back to the drill-down it may have been opened from. Pure.
import {listCommand} from './list.js';
import {type DashboardState, type Handler, same} from './state.js';

export function openHelp(state: DashboardState): DashboardState {
	const {mode} = state;
	return {...state, mode: mode.kind === 'pools' || mode.kind === 'members' ? {kind: 'help', back: mode} : {kind: 'help'}};
}

export const helpCommand: Handler = (state, action) => {
	const {mode} = state;
	if (action.command === 'close-help') {
		return same({...state, mode: mode.kind === 'help' && mode.back ? mode.back : {kind: 'list'}});
	}

	return listCommand(state, action);
};
