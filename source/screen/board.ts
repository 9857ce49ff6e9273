// One board's pure update: readings, commands and signal results in; the next state and the effects
// to run out (log lines, bell, signal sessions, refresh, quit). Readings go to the judge
// (judge/watch.ts); a command goes to the handler of the mode the board is in (list, prompt,
// confirm, help, drill-down), after the few every mode shares. No clock, no I/O, no keys: times
// arrive inside the actions, keys are resolved at the edge (ui/key-edge.ts), and one small runner
// in ui/use-dashboard.ts performs the effects.
import {type Command, isCommandIn, isDangerousCommand, type ModeKind} from '../keys/bindings.js';
import {logTime} from '../judge/log-events.js';
import {judgePoolReading, judgeServerReading, type Judged} from '../judge/watch.js';
import type {PoolEndpoint, PoolReading, ServerReading} from '../readings/types.js';
import {confirmCommand, signalFinished} from './confirm.js';
import {drillCommand, withDrillDown} from './drill-down.js';
import {helpCommand, openHelp} from './help.js';
import {listCommand} from './list.js';
import {promptCommand} from './prompt.js';
import {applySnapshot, type CommandAction, type DashboardAction, type DashboardState, type Effect, type Handler, isFrozen, isHeld, same, type Step, withNewest, withNotice} from './state.js';

export type {SignalKind} from '../readings/signals.js';
export {initialState, isHeld, sessionsInView} from './state.js';
export type {DashboardAction, DashboardState, Effect, InitialOptions, Mode, Step} from './state.js';
export {rankedMembers} from './drill-down.js';

/** The board after the judge took a reading: the frame's picture (unless paused), the drill-down, the effects. */
function judged(state: DashboardState, step: Judged): Step {
	const {watch} = step;
	const next = {...state, watch, serverError: watch.serverError, disconnectedSinceMs: watch.disconnectedSinceMs, shown: isHeld(state) ? state.shown : watch.live};
	const effects: Effect[] = step.log.map(event => ({type: 'log', event}));
	if (step.ring) {
		effects.push({type: 'ring'});
	}

	return {state: withDrillDown(next, state.shown), effects};
}

function serverPolled(state: DashboardState, reading: ServerReading, atMs: number): Step {
	const step = judged(state, judgeServerReading(state.watch, reading, atMs));
	// A dialog or a pause holds the list still; the newest snapshot waits in the judge.
	return reading.ok && !isHeld(state) ? {...step, state: applySnapshot(step.state, reading.snapshot)} : step;
}

function poolPolled(state: DashboardState, endpoint: PoolEndpoint, reading: PoolReading, atMs: number): Step {
	return judged(state, judgePoolReading(state.watch, endpoint, reading, atMs));
}

/** Pause or resume the display; with several servers, the screen pauses all of them at once. */
export function withPause(state: DashboardState, isPaused: boolean): DashboardState {
	if (isPaused === state.isPaused) {
		return state;
	}

	if (isPaused) {
		return {...state, isPaused: true};
	}

	const resumed = withDrillDown({...state, isPaused: false, shown: isFrozen(state) ? state.shown : state.watch.live}, state.shown);
	return isFrozen(state) ? resumed : withNewest(resumed);
}

const HANDLERS: Record<ModeKind, Handler> = {
	list: listCommand,
	help: helpCommand,
	filter: promptCommand,
	note: promptCommand,
	confirm: confirmCommand,
	signalling: same,
	pools: drillCommand,
	members: drillCommand,
};

/** The commands every mode that has their key takes alike; null for the mode's own. */
function shared(state: DashboardState, command: Command, atMs: number): Step | null {
	switch (command) {
		case 'quit': {
			return {state, effects: [{type: 'log', event: {at: logTime(atMs), type: 'quit'}}, {type: 'quit'}]};
		}

		case 'help': {
			return same(openHelp(state));
		}

		case 'pause': {
			return same(withPause(state, !state.isPaused));
		}

		case 'next-server':
		case 'previous-server': {
			return {state, effects: [{type: 'switch-server', delta: command === 'next-server' ? 1 : -1}]};
		}

		case 'raise-pool':
		case 'lower-pool': {
			return {state, effects: [{type: 'adjust-pool', direction: command === 'raise-pool' ? 'raise' : 'lower'}]};
		}

		default: {
			return null;
		}
	}
}

/**
 * A command, in the mode the board is in: one the mode has no key for is ignored (the bindings table
 * decides), one that signals sessions is refused in --read-only wherever it comes from.
 */
function commanded(given: DashboardState, action: CommandAction): Step {
	const {command, atMs} = action;
	if (!isCommandIn(given.mode.kind, command)) {
		return same(given);
	}

	// Every key taken answers anew: the previous action's words (a signal's result, a drill-down's why) go.
	const state = given.notice === null ? given : {...given, notice: null};

	if (isDangerousCommand(command) && state.isReadOnly) {
		return same(withNotice(state, `read-only: ${command} is disabled`, atMs));
	}

	return shared(state, command, atMs) ?? HANDLERS[state.mode.kind](state, action);
}

export function update(state: DashboardState, action: DashboardAction): Step {
	switch (action.type) {
		case 'server-polled': {
			return serverPolled(state, action.reading, action.atMs);
		}

		case 'pool-polled': {
			return poolPolled(state, action.endpoint, action.reading, action.atMs);
		}

		case 'command': {
			return commanded(state, action);
		}

		case 'signal-finished': {
			return signalFinished(state, action.action, action.results, action.atMs);
		}

		case 'notify': {
			return same(withNotice(state, action.text, action.atMs));
		}
	}
}

/** The next state alone, for callers (and tests) that do not run effects. */
export function reduce(state: DashboardState, action: DashboardAction): DashboardState {
	return update(state, action).state;
}
