// Several servers on one screen (`--db NAME=URL`, repeated): one board, a whole DashboardState, per
// server, so each keeps its own list, selection, marks, alarms and history. The pools are judged
// against the first server (where the applications' pools connect, by convention the primary).
// Readings and commands are routed to their board here; each board's effects come back tagged with its
// server, and the screen's pause holds for all of them at once.
import {isCommandIn} from '../keys/bindings.js';
import {sortFindings} from '../judge/diagnosis.js';
import {type DashboardAction, type DashboardState, type Effect, update, withPause} from './board.js';
import {usableConnections} from '../judge/levels.js';
import {type LogEvent, logTime, openFinding, type OpenFinding} from '../judge/log-events.js';
import {serverSubject, subjectKey} from '../judge/subject.js';
import type {SignalKind} from '../readings/signals.js';
import type {Finding} from '../judge/types.js';
import type {ServerReading, Session} from '../readings/types.js';

export type Desk = {
	/** One name per server, in `--db` order; a lone server's is null (nothing to tell apart). */
	names: ReadonlyArray<string | null>;
	boards: DashboardState[];
	/** The board whose sessions the list shows and the actions apply to. */
	selected: number;
};

export type DeskAction =
	| {type: 'server-polled'; server: number; reading: ServerReading; atMs: number}
	| {type: 'signal-finished'; server: number; action: SignalKind; results: Extract<DashboardAction, {type: 'signal-finished'}>['results']; atMs: number}
	/** The terminal went away or a signal asked to stop: quit as `q` does. */
	| {type: 'hung-up'; atMs: number}
	| Exclude<DashboardAction, {type: 'server-polled' | 'signal-finished'}>;

export type DeskEffect =
	| {type: 'log'; event: LogEvent}
	| {type: 'ring'}
	| {type: 'signal'; server: number; action: SignalKind; targets: Session[]}
	| {type: 'refresh'; server: number}
	| {type: 'adjust-pool'; direction: 'raise' | 'lower'}
	| {type: 'quit'};

export type DeskStep = {desk: Desk; effects: DeskEffect[]};

export function deskOf(boards: DashboardState[], names: ReadonlyArray<string | null> = boards.map(() => null)): Desk {
	return {names, boards, selected: 0};
}

export const isMultiServer = (desk: Desk) => desk.boards.length > 1;

export const selectedBoard = (desk: Desk): DashboardState => desk.boards[desk.selected]!;

/** The name a line about server `index` carries, or '' for a lone server. */
export function serverName(desk: Desk, index: number): string {
	return isMultiServer(desk) ? desk.names[index] ?? `server ${index + 1}` : '';
}

function withBoard(desk: Desk, index: number, board: DashboardState): Desk {
	if (desk.boards[index] === board) {
		return desk;
	}

	const boards = [...desk.boards];
	boards[index] = board;
	return {...desk, boards};
}

/** A board's effects as the desk's: its log lines name its server, its signals and refreshes go to it. */
function tagged(desk: Desk, index: number, effects: readonly Effect[]): {effects: DeskEffect[]; switches: number} {
	const name = serverName(desk, index);
	const out: DeskEffect[] = [];
	let switches = 0;
	for (const effect of effects) {
		switch (effect.type) {
			case 'log': {
				if (effect.event.type === 'quit') {
					// The whole screen stops: every server's open findings, no one server's name.
					out.push({type: 'log', event: quitEvent(desk, effect.event.at)});
				} else {
					out.push(name ? {type: 'log', event: {...withEveryServer(desk, effect.event), server: name}} : effect);
				}

				break;
			}

			case 'signal': {
				out.push({...effect, server: index});
				break;
			}

			case 'refresh': {
				out.push({type: 'refresh', server: index});
				break;
			}

			case 'switch-server': {
				switches += effect.delta;
				break;
			}

			default: {
				out.push(effect);
			}
		}
	}

	return {effects: out, switches};
}

/** A flag is about the whole screen: every server's slots and every open finding, each naming its server. */
function withEveryServer(desk: Desk, event: LogEvent): LogEvent {
	if (event.type !== 'flag') {
		return event;
	}

	const servers = desk.boards.map((board, index) => {
		const server = board.disconnectedSinceMs === null ? board.watch.live.server : null;
		return {name: serverName(desk, index), used: server?.connections ?? null, usable: server ? usableConnections(server) : null};
	});
	return {...event, numbers: {...event.numbers, servers}, findings: openFindings(desk)};
}

/** Every server's findings as they stand, each naming its server when there are several. */
function openFindings(desk: Desk): OpenFinding[] {
	return deskFindings(desk, 'live').findings.map(finding => openFinding(finding));
}

/** The last line of a log: when the screen stopped, and what was still open then. */
function quitEvent(desk: Desk, at: string): LogEvent {
	return {at, type: 'quit', findings: openFindings(desk)};
}

function onBoard(desk: Desk, index: number, action: DashboardAction): DeskStep {
	const board = desk.boards[index];
	if (!board) {
		return {desk, effects: []};
	}

	const step = update(board, action);
	const {effects, switches} = tagged(desk, index, step.effects);
	let next = withBoard(desk, index, step.state);
	if (step.state.isPaused !== board.isPaused) {
		// One screen, one pause: every server's part of the frame stands still or moves together.
		next = {...next, boards: next.boards.map(each => withPause(each, step.state.isPaused))};
	}

	if (switches !== 0) {
		next = switchTo(next, next.selected + switches);
	}

	return {desk: next, effects};
}

function switchTo(desk: Desk, index: number): Desk {
	const count = desk.boards.length;
	const selected = ((index % count) + count) % count;
	const leaving = desk.boards[desk.selected]!;
	// The help closes with the switch: it was opened over the list the operator just left.
	const closed = leaving.mode.kind === 'help' ? withBoard(desk, desk.selected, {...leaving, mode: {kind: 'list'}}) : desk;
	return {...closed, selected};
}

export function updateDesk(desk: Desk, action: DeskAction): DeskStep {
	switch (action.type) {
		case 'server-polled': {
			return onBoard(desk, action.server, {type: 'server-polled', reading: action.reading, atMs: action.atMs});
		}

		case 'signal-finished': {
			return onBoard(desk, action.server, {type: 'signal-finished', action: action.action, results: action.results, atMs: action.atMs});
		}

		case 'pool-polled': {
			return onBoard(desk, 0, action);
		}

		case 'command': {
			// The pools belong to the first server: opening them shows them there, whichever server was shown.
			const isPoolsElsewhere = action.command === 'pools' && desk.selected !== 0 && isCommandIn(selectedBoard(desk).mode.kind, 'pools');
			return isPoolsElsewhere ? onBoard(switchTo(desk, 0), 0, action) : onBoard(desk, desk.selected, action);
		}

		case 'notify': {
			return onBoard(desk, desk.selected, action);
		}

		case 'hung-up': {
			return {desk, effects: [{type: 'log', event: quitEvent(desk, logTime(action.atMs))}, {type: 'quit'}]};
		}
	}
}

/**
 * What the banner shows with several servers: every board's findings, each carrying its server, worst
 * first, with the alarms keyed as the banner looks them up (subjectKey with the server). A lone
 * server's picture is its own.
 */
export type DeskFindings = {findings: Finding[]; alarms: Record<string, {sinceMs: number}>};

export function deskFindings(desk: Desk, which: 'shown' | 'live' = 'shown'): DeskFindings {
	const pictureOf = (board: DashboardState) => (which === 'live' ? board.watch.live : board.shown);
	if (!isMultiServer(desk)) {
		const {findings, alarms} = pictureOf(selectedBoard(desk));
		return {findings, alarms};
	}

	const findings: Finding[] = [];
	const alarms: DeskFindings['alarms'] = {};
	for (const [index, board] of desk.boards.entries()) {
		const name = serverName(desk, index);
		if (board.disconnectedSinceMs !== null) {
			// A lone server's header says so; among several, the banner must, or the war room misses it.
			findings.push({code: 'server-unreachable', level: 'warning', subject: serverSubject, server: name, message: `cannot be read (${board.serverError ?? 'disconnected'}); retrying, the other servers go on.`});
			alarms[subjectKey(serverSubject, name)] = {sinceMs: board.disconnectedSinceMs};
		}

		for (const finding of pictureOf(board).findings) {
			const alarm = pictureOf(board).alarms[subjectKey(finding.subject)];
			if (alarm) {
				alarms[subjectKey(finding.subject, name)] = alarm;
			}

			findings.push({...finding, server: name});
		}
	}

	return {findings: sortFindings(findings), alarms};
}
