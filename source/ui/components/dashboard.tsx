// The whole frame as a pure function of the dashboard state and the terminal size: lines of text,
// drawn by <Lines>. App commits a frame only when these lines differ from the last ones drawn; the
// benchmark draws them directly.
import {type DashboardState, rankedMembers, sessionsInView} from '../../model/dashboard.js';
import {poolByKey, poolNameOfKey} from '../../model/drill-down.js';
import {isTooSmall, layoutFor, MIN_COLUMNS, MIN_ROWS} from '../layout.js';
import {type Line, Lines, plainLine} from '../lines.js';
import {breakdownView} from './breakdown.js';
import {membersView, poolsDrillView} from './drill-down.js';
import {bannerView, findingRows} from './findings-banner.js';
import {headerLines, headerView} from './header.js';
import {historyView} from './history-strip.js';
import {confirmView, helpView} from './overlays.js';
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

/** Session rows the list shows for this state at this size (PgUp / PgDn move by it). */
export function listRowsFor(state: DashboardState, columns: number, rows: number): number {
	return layoutOf(state, columns, rows).listRows;
}

function layoutOf(state: DashboardState, columns: number, rows: number) {
	const {findings, alarms, pools} = state.shown;
	const firstRows = findings[0] ? findingRows(findings[0], alarms, columns) : 1;
	return layoutFor(rows, findings.length, pools.length, headerLines(state.serverError) - 1, firstRows);
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
	if (isTooSmall(columns, rows)) {
		return [plainLine(`Too small: ${columns}×${rows}, lifeguard needs ${MIN_COLUMNS}×${MIN_ROWS}`)];
	}

	const width = columns;
	const picture = state.shown;
	const layout = layoutOf(state, columns, rows);
	const {mode} = state;
	// The gauge shows the picture's snapshot, or the last one while disconnected (dimmed as stale).
	const server = picture.server ?? state.server;
	const isStale = state.serverError !== null;
	// Time is the picture's: the frame changes at most once per reading.
	const nowMs = picture.atMs;
	let body: Line[];
	if (mode.kind === 'help') {
		body = helpView({isReadOnly: state.isReadOnly, hasPoolControl: state.hasPoolControl, height: layout.listRows + 1});
	} else if (mode.kind === 'confirm' || mode.kind === 'signalling') {
		body = confirmView({action: mode.action, targets: mode.targets, isRunning: mode.kind === 'signalling', height: layout.listRows + 1});
	} else if (mode.kind === 'pools') {
		body = poolsDrillView({pools: picture.pools, selected: mode.selected, nowMs, height: layout.listRows, width});
	} else if (mode.kind === 'members') {
		body = membersView({pool: poolByKey(picture.pools, mode.pool), poolName: poolNameOfKey(mode.pool), ranked: rankedMembers(state), gone: mode.gone, selected: mode.selected, nowMs, height: layout.listRows, width});
	} else {
		const omitted = state.server?.sessionsOmitted ? `(+${state.server.sessionsOmitted} not fetched)` : '';
		body = sessionListView({sessions: sessionsInView(state), selectedPid: state.selectedPid, marked: state.marked, height: layout.listRows, width, isStale, title: omitted});
	}

	const header = headerView({
		target,
		version: server?.version ?? null,
		takenAtMs: server?.takenAtMs ?? null,
		nowMs,
		isPaused: state.isPaused,
		error: state.serverError,
		isDisconnected: state.disconnectedSinceMs !== null,
	});
	const gauge = server
		? gaugeView({snapshot: server, level: picture.serverLevel, sinceMs: picture.serverSinceMs ?? undefined, width, isStale})
		: [plainLine('connecting…'), plainLine(' ')];
	return [
		...header,
		...exactly(bannerView({findings: picture.findings, alarms: picture.alarms, maxLines: layout.findingLines, width}), layout.findingLines),
		...gauge,
		...exactly(poolsView({pools: picture.pools, nowMs, maxLines: layout.poolLines, width}), layout.poolLines),
		...(server && layout.breakdownLines > 0 ? breakdownView(server, isStale) : exactly([], layout.breakdownLines)),
		...(layout.historyLines > 0 ? [historyView(picture, width)] : []),
		...exactly(body, layout.listRows + 1),
		statusView({
			mode,
			notice: state.notice,
			lastFlag: state.lastFlag,
			filter: state.filter,
			sort: state.sort,
			markedCount: Object.keys(state.marked).length,
			isReadOnly: state.isReadOnly,
			hasPools: picture.pools.length > 0,
			nowMs,
		}),
	];
}

export function Dashboard(props: DashboardProps) {
	return <Lines lines={dashboardLines(props)} width={props.columns}/>;
}
