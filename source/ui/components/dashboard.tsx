// The whole frame as a pure function of the dashboard state and the terminal size: lines of text,
// drawn by <Lines>. App commits a frame only when these lines differ from the last ones drawn; the
// benchmark draws them directly.
import {type DashboardState, isHeld, rankedMembers, sessionsInView} from '../../screen/board.js';
import {type Desk, deskFindings, type DeskFindings, isMultiServer, selectedBoard, serverName} from '../../screen/desk.js';
import {poolByKey, poolNameOfKey} from '../../screen/pool-cursors.js';
import type {Picture} from '../../judge/picture.js';
import {cellWidth} from '../../text/width.js';
import {fit} from '../format.js';
import {isTooSmall, layoutFor, MIN_COLUMNS, MIN_ROWS} from '../layout.js';
import {type Line, Lines, plainLine, span} from '../lines.js';
import {breakdownView} from './breakdown.js';
import {changesRows, changesView} from './changes-line.js';
import {membersView, poolsDrillView} from './drill-down.js';
import {bannerRows, bannerView} from './findings-banner.js';
import {headerLines, headerView} from './header.js';
import {historyView} from './history-strip.js';
import {confirmView, helpRows, helpView} from './overlays.js';
import {poolsView} from './pools-panel.js';
import {gaugeView} from './server-gauge.js';
import {sessionListView} from './session-list.js';
import {statusView} from './status-line.js';

export type DashboardProps = {
	state: DashboardState;
	/** Masked target. */
	target: string;
	columns: number;
	rows: number;
};

/** Several servers: the desk, and one masked target per server. */
export type DeskProps = {
	desk: Desk;
	targets: readonly string[];
	columns: number;
	rows: number;
};

/** What the layout of a frame of several servers depends on (cheap: no lines drawn). */
type DeskShape = {
	/** Every server's findings, each naming its server. */
	findings: DeskFindings;
	/** The pools, as judged against the first server. */
	pools: Picture['pools'];
	/** The servers panel takes the gauge's two lines and one more per server beyond the first. */
	extraGaugeLines: number;
};

/** What a frame of several servers adds to one board's frame. */
type DeskParts = DeskShape & {
	/** One line per server, then the selected server's legend: in place of the gauge. */
	servers: Line[];
	/** Beside the list's title: whose sessions these are. */
	listName: string;
};

/** Session rows the list of the selected server shows at this size (PgUp / PgDn move by it). */
export function deskListRows(desk: Desk, columns: number, rows: number): number {
	return layoutOf(selectedBoard(desk), columns, rows, isMultiServer(desk) ? deskShape(desk) : undefined).listRows;
}

function layoutOf(state: DashboardState, columns: number, rows: number, shape?: DeskShape) {
	const {findings, alarms} = shape?.findings ?? state.shown;
	const pools = shape?.pools ?? state.shown.pools;
	// The Changes line takes a row from the session list, and only while it has something to say.
	return layoutFor(rows, findings.length, pools.length, headerLines(state.serverError) - 1 + (shape?.extraGaugeLines ?? 0) + changesRows(state.shown), bannerRows(findings, alarms, columns));
}

/** Rows a set of lines takes on screen. */
const rowsOf = (lines: readonly Line[]) => lines.reduce((sum, line) => sum + (line.height ?? 1), 0);

/** `lines`, cut or padded with empty lines to exactly `rows` rows. */
function exactly(lines: readonly Line[], rows: number): Line[] {
	const out: Line[] = [];
	for (const line of lines) {
		if (rowsOf(out) + (line.height ?? 1) > rows) {
			break;
		}

		out.push(line);
	}

	while (rowsOf(out) < rows) {
		// A space, not '': Ink gives an empty text no height.
		out.push(plainLine(' '));
	}

	return out;
}

/**
 * The frame's lines. Everything above the list comes from one Picture (`state.shown`), so the
 * banner, the gauge and the pool rows always tell one story; while paused that picture, and so the
 * whole frame, stands still.
 */
export function dashboardLines({state, target, columns, rows}: DashboardProps): Line[] {
	return frameLines(state, target, columns, rows);
}

/**
 * Several servers: the frame of the selected server's board, with every server's findings, a servers
 * panel in place of the gauge, and the first server's pools. One server: exactly its own frame.
 */
export function deskLines({desk, targets, columns, rows}: DeskProps): Line[] {
	const board = selectedBoard(desk);
	if (!isMultiServer(desk)) {
		return frameLines(board, targets[0] ?? '', columns, rows);
	}

	const name = serverName(desk, desk.selected);
	return frameLines(board, `${name}: ${targets[desk.selected] ?? ''}`, columns, rows, deskParts(desk, columns));
}

function deskShape(desk: Desk): DeskShape {
	return {findings: deskFindings(desk), pools: desk.boards[0]!.shown.pools, extraGaugeLines: desk.boards.length - 1};
}

function deskParts(desk: Desk, width: number): DeskParts {
	const names = desk.boards.map((_board, index) => serverName(desk, index));
	const nameWidth = Math.max(...names.map(name => cellWidth(name)));
	const servers = desk.boards.map((board, index) => {
		const label = `${index === desk.selected ? '▸' : ' '}${names[index]!.padEnd(nameWidth)} `;
		return serverLine(board, label, width);
	});
	const selected = selectedBoard(desk);
	const snapshot = selected.shown.server ?? selected.server;
	const legend = snapshot
		? gaugeView({snapshot, level: selected.shown.serverLevel, width, isStale: selected.serverError !== null, label: ' '.repeat(nameWidth + 2)})[1]!
		: plainLine(' ');
	return {...deskShape(desk), servers: [...servers, legend], listName: `▸ ${names[desk.selected]!}`};
}

/** One server's line of the servers panel: its bar and numbers, or why there are none. */
function serverLine(board: DashboardState, label: string, width: number): Line {
	const snapshot = board.shown.server ?? board.server;
	if (board.disconnectedSinceMs !== null || !snapshot) {
		const why = board.serverError ? `: ${board.serverError}` : '';
		const state = board.disconnectedSinceMs === null ? 'connecting…' : 'DISCONNECTED, retrying';
		return {spans: [span(label, {isBold: true}), span(state, {isBold: true, tone: board.serverError ? 'error' : undefined}), span(fit(why, Math.max(0, width - cellWidth(label) - state.length)))]};
	}

	return gaugeView({snapshot, level: board.shown.serverLevel, sinceMs: board.shown.serverSinceMs ?? undefined, width, isStale: board.serverError !== null, label})[0]!;
}

function frameLines(state: DashboardState, target: string, columns: number, rows: number, parts?: DeskParts): Line[] {
	if (isTooSmall(columns, rows)) {
		return [plainLine(`Too small: ${columns}×${rows}, lifeguard needs ${MIN_COLUMNS}×${MIN_ROWS}`)];
	}

	const width = columns;
	const picture = state.shown;
	const layout = layoutOf(state, columns, rows, parts);
	const {findings, alarms} = parts?.findings ?? picture;
	const {mode} = state;
	// The gauge shows the picture's snapshot, or the last one while disconnected (dimmed as stale).
	const server = picture.server ?? state.server;
	const isStale = state.serverError !== null;
	// Time is the picture's: the frame changes at most once per reading.
	const nowMs = picture.atMs;
	const header = headerView({
		target,
		version: server?.version ?? null,
		takenAtMs: server?.takenAtMs ?? null,
		nowMs,
		isPaused: state.isPaused,
		isHeld: isHeld(state),
		error: state.serverError,
		isDisconnected: state.disconnectedSinceMs !== null,
	});
	const gauge = parts?.servers ?? (server
		? gaugeView({snapshot: server, level: picture.serverLevel, sinceMs: picture.serverSinceMs ?? undefined, width, isStale})
		: [plainLine('connecting…'), plainLine(' ')]);
	// Between the header and the body, top to bottom: the help may take their rows, the lowest first.
	const panes: Line[][] = [
		exactly(bannerView({findings, alarms, maxLines: layout.findingLines, width}), layout.findingLines),
		gauge,
		changesView(picture, width),
		exactly(poolsView({pools: parts?.pools ?? picture.pools, nowMs, maxLines: layout.poolLines, width}), layout.poolLines),
		server && layout.breakdownLines > 0 ? breakdownView(server, isStale, picture.watching) : exactly([], layout.breakdownLines),
		layout.historyLines > 0 ? [historyView(picture, width)] : [],
	];
	let bodyRows = layout.listRows + 1;
	let body: Line[];
	if (mode.kind === 'help') {
		const help = {isReadOnly: state.isReadOnly, hasPoolControl: state.hasPoolControl, hasServers: state.hasServers, width};
		// Every key must show at 80×24: the help takes the rows of the panes above it, the lowest
		// first, until it fits. The header and the status line always stay.
		while (bodyRows < helpRows(help) && panes.length > 0) {
			bodyRows += rowsOf(panes.pop()!);
		}

		body = helpView({...help, height: bodyRows});
	} else if (mode.kind === 'confirm' || mode.kind === 'signalling') {
		body = confirmView({action: mode.action, targets: mode.targets, isRunning: mode.kind === 'signalling', height: layout.listRows + 1});
	} else if (mode.kind === 'pools') {
		body = poolsDrillView({pools: picture.pools, selected: mode.selected, nowMs, height: layout.listRows, width});
	} else if (mode.kind === 'members') {
		body = membersView({pool: poolByKey(picture.pools, mode.pool), poolName: poolNameOfKey(mode.pool), ranked: rankedMembers(state), gone: mode.gone, selected: mode.selected, nowMs, height: layout.listRows, width});
	} else {
		const omitted = state.server?.sessionsOmitted ? `(+${state.server.sessionsOmitted} not fetched)` : '';
		const title = [omitted, parts?.listName ?? ''].filter(Boolean).join(' ');
		body = sessionListView({sessions: sessionsInView(state), selectedPid: state.selectedPid, marked: state.marked, height: layout.listRows, width, isStale, title});
	}

	return [
		...header,
		...panes.flat(),
		...exactly(body, bodyRows),
		statusView({
			mode,
			notice: state.notice,
			lastFlag: state.lastFlag,
			filter: state.filter,
			sort: state.sort,
			markedCount: Object.keys(state.marked).length,
			isReadOnly: state.isReadOnly,
			hasPools: (parts?.pools ?? picture.pools).length > 0,
			nowMs,
		}),
	];
}

export function Dashboard(props: DashboardProps) {
	return <Lines lines={dashboardLines(props)} width={props.columns}/>;
}
