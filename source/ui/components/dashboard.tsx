// The whole frame as a pure function of the dashboard state and the terminal size: App wires it to
// keys and pollers, the benchmark draws it directly.
import {Box, Text} from 'ink';
import {type DashboardState, sessionsInView} from '../../model/dashboard.js';
import {levelRank, poolLevel, serverLevel, timeoutsPerMinute} from '../../model/levels.js';
import {isTooSmall, layoutFor, MIN_COLUMNS, MIN_ROWS} from '../layout.js';
import {Breakdown} from './breakdown.js';
import {FindingsBanner} from './findings-banner.js';
import {Header, headerLines} from './header.js';
import {ConfirmDialog, HelpScreen} from './overlays.js';
import {PoolsPanel, type PoolRow} from './pools-panel.js';
import {ServerGauge} from './server-gauge.js';
import {SessionList} from './session-list.js';
import {StatusLine} from './status-line.js';

export type DashboardProps = {
	state: DashboardState;
	/** Masked target. */
	target: string;
	columns: number;
	rows: number;
	/** The demo's `+` / `-` keys exist: the help lists them. */
	hasPoolControl?: boolean;
};

/** Worst first; a failing endpoint before a quiet one; then the longest queue. */
export function poolRows(state: DashboardState): PoolRow[] {
	return state.pools
		.map(pool => ({pool, level: poolLevel(state.history, pool.name, state.thresholds), timeoutsPerMinute: timeoutsPerMinute(state.history, pool.name)}))
		.sort((a, b) => levelRank(b.level) - levelRank(a.level) || Number(b.pool.error !== null) - Number(a.pool.error !== null)
			|| (b.pool.metrics?.waiting ?? 0) - (a.pool.metrics?.waiting ?? 0) || a.pool.name.localeCompare(b.pool.name));
}

/** Session rows the list shows for this state at this size (PgUp / PgDn move by it). */
export function listRowsFor(state: DashboardState, rows: number): number {
	return layoutFor(rows, state.findings.length, state.pools.length, headerLines(state.serverError) - 1).listRows;
}

export function Dashboard({state, target, columns, rows, hasPoolControl = false}: DashboardProps) {
	if (isTooSmall(columns, rows)) {
		return <Text wrap="truncate-end">{`Too small: ${columns}×${rows}, lifeguard needs ${MIN_COLUMNS}×${MIN_ROWS}`}</Text>;
	}

	const width = columns;
	const layout = layoutFor(rows, state.findings.length, state.pools.length, headerLines(state.serverError) - 1);
	const {server, mode} = state;
	const isStale = state.serverError !== null;
	// Time is the latest observation's: the frame changes at most once per poll.
	const nowMs = state.history.at(-1)?.atMs ?? 0;
	let body;
	if (mode.kind === 'help') {
		body = <HelpScreen isReadOnly={state.isReadOnly} hasPoolControl={hasPoolControl} height={layout.listRows + 1} width={width}/>;
	} else if (mode.kind === 'confirm' || mode.kind === 'signalling') {
		body = <ConfirmDialog action={mode.action} targets={mode.targets} isRunning={mode.kind === 'signalling'} height={layout.listRows + 1} width={width}/>;
	} else {
		const omitted = server?.sessionsOmitted ? `(+${server.sessionsOmitted} not fetched)` : '';
		body = <SessionList sessions={sessionsInView(state)} selectedPid={state.selectedPid} marked={state.marked} height={layout.listRows} width={width} isStale={isStale} title={omitted}/>;
	}

	return (
		<Box flexDirection="column" width={width} height={layout.height}>
			<Header
				target={target}
				version={server?.version ?? null}
				takenAtMs={server?.takenAtMs ?? null}
				nowMs={nowMs}
				isPaused={state.isPaused}
				error={state.serverError}
				isDisconnected={state.disconnectedSinceMs !== null}
				width={width}
			/>
			<FindingsBanner findings={state.findings} alarms={state.alarms} maxLines={layout.findingLines} width={width}/>
			{server ? <ServerGauge snapshot={server} level={serverLevel(server, state.thresholds)} sinceMs={state.alarms['server']?.sinceMs} width={width} isStale={isStale}/> : <Box height={2}><Text>connecting…</Text></Box>}
			<PoolsPanel rows={poolRows(state)} nowMs={nowMs} maxLines={layout.poolLines} width={width}/>
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
				nowMs={nowMs}
			/>
		</Box>
	);
}
