// The whole frame as a pure function of the dashboard state and the terminal size: App wires it to
// keys and pollers, the benchmark draws it directly.
import {Box, Text} from 'ink';
import {type DashboardState, sessionsInView} from '../../model/dashboard.js';
import {isTooSmall, layoutFor, MIN_COLUMNS, MIN_ROWS} from '../layout.js';
import {Breakdown} from './breakdown.js';
import {FindingsBanner} from './findings-banner.js';
import {Header, headerLines} from './header.js';
import {ConfirmDialog, HelpScreen} from './overlays.js';
import {PoolsPanel} from './pools-panel.js';
import {ServerGauge} from './server-gauge.js';
import {SessionList} from './session-list.js';
import {StatusLine} from './status-line.js';

export type DashboardProps = {
	state: DashboardState;
	/** Masked target. */
	target: string;
	columns: number;
	rows: number;
};

/** Session rows the list shows for this state at this size (PgUp / PgDn move by it). */
export function listRowsFor(state: DashboardState, rows: number): number {
	return layoutFor(rows, state.shown.findings.length, state.shown.pools.length, headerLines(state.serverError) - 1).listRows;
}

/**
 * Everything above the list comes from one Picture (`state.shown`), so the banner, the gauge and the
 * pool rows always tell one story; while paused that picture, and so the whole frame, stands still.
 */
export function Dashboard({state, target, columns, rows}: DashboardProps) {
	if (isTooSmall(columns, rows)) {
		return <Text wrap="truncate-end">{`Too small: ${columns}×${rows}, lifeguard needs ${MIN_COLUMNS}×${MIN_ROWS}`}</Text>;
	}

	const width = columns;
	const picture = state.shown;
	const layout = layoutFor(rows, picture.findings.length, picture.pools.length, headerLines(state.serverError) - 1);
	const {mode} = state;
	// The gauge shows the newest snapshot, or the last one while disconnected (dimmed as stale).
	const server = picture.server ?? state.server;
	const isStale = state.serverError !== null;
	// Time is the picture's: the frame changes at most once per reading.
	const nowMs = picture.atMs;
	let body;
	if (mode.kind === 'help') {
		body = <HelpScreen isReadOnly={state.isReadOnly} hasPoolControl={state.hasPoolControl} height={layout.listRows + 1} width={width}/>;
	} else if (mode.kind === 'confirm' || mode.kind === 'signalling') {
		body = <ConfirmDialog action={mode.action} targets={mode.targets} isRunning={mode.kind === 'signalling'} height={layout.listRows + 1} width={width}/>;
	} else {
		const omitted = state.server?.sessionsOmitted ? `(+${state.server.sessionsOmitted} not fetched)` : '';
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
			<FindingsBanner findings={picture.findings} alarms={picture.alarms} maxLines={layout.findingLines} width={width}/>
			{server ? <ServerGauge snapshot={server} level={picture.serverLevel} sinceMs={picture.serverSinceMs ?? undefined} width={width} isStale={isStale}/> : <Box height={2}><Text>connecting…</Text></Box>}
			<PoolsPanel pools={picture.pools} nowMs={nowMs} maxLines={layout.poolLines} width={width}/>
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
