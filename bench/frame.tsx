// One frame of the live screen, drawn from dashboard state exactly as App draws its normal mode, but
// without App's hooks (viewport, poller, input), so it can be rendered synchronously with
// renderToString. Keep in step with the return value of source/ui/app.tsx. `{...{width}}` passes a
// prop a component may or may not take (spread attributes escape the excess-property check).
import {Writable} from 'node:stream';
import {Box, type Instance, render, renderToString} from 'ink';
import {type DashboardState, sessionsInView} from '../source/model/dashboard.js';
import {serverLevel} from '../source/model/levels.js';
import {Breakdown} from '../source/ui/components/breakdown.js';
import {FindingsBanner} from '../source/ui/components/findings-banner.js';
import {Header, headerLines} from '../source/ui/components/header.js';
import {PoolsPanel} from '../source/ui/components/pools-panel.js';
import {ServerGauge} from '../source/ui/components/server-gauge.js';
import {SessionList} from '../source/ui/components/session-list.js';
import {StatusLine} from '../source/ui/components/status-line.js';
import {layoutFor} from '../source/ui/layout.js';

type FrameProps = {state: DashboardState; target: string; columns: number; rows: number};

function Frame({state, target, columns, rows}: FrameProps) {
	const width = columns;
	const layout = layoutFor(rows, state.findings.length, 0, headerLines(state.serverError) - 1);
	const {server} = state;
	const isStale = state.serverError !== null;
	const nowMs = state.history.at(-1)?.atMs ?? 0;
	const omitted = server?.sessionsOmitted ? `(+${server.sessionsOmitted} not fetched)` : '';
	return (
		<Box flexDirection="column" width={width} height={layout.height} overflow="hidden">
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
			{server ? <ServerGauge snapshot={server} level={serverLevel(server, state.thresholds)} width={width} isStale={isStale}/> : null}
			<PoolsPanel rows={[]} nowMs={nowMs} maxLines={layout.poolLines} width={width}/>
			{server && layout.breakdownLines > 0 ? <Breakdown snapshot={server} width={width} isStale={isStale}/> : null}
			<Box flexGrow={1} flexDirection="column">
				<SessionList sessions={sessionsInView(state)} selectedPid={state.selectedPid} marked={state.marked} height={layout.listRows} width={width} isStale={isStale} title={omitted}/>
			</Box>
			<StatusLine
				mode={state.mode}
				notice={state.notice}
				lastFlag={state.lastFlag}
				filter={state.filter}
				sort={state.sort}
				markedCount={Object.keys(state.marked).length}
				isReadOnly={state.isReadOnly}
				nowMs={nowMs}
				{...{width}}
			/>
		</Box>
	);
}

/** The frame as the terminal would show it (with colour escapes), `rows - 1` lines tall. */
export function renderFrame(props: FrameProps): string {
	return renderToString(<Frame {...props}/>, {columns: props.columns});
}

/**
 * A persistent Ink instance writing to a fake 120×40 terminal, re-rendered once per refresh like the
 * live screen (same render options as source/watch.tsx). `draw` resolves when Ink has written the frame.
 */
export function liveFrame(columns: number, rows: number) {
	let written = 0;
	let onWrite: (() => void) | undefined;
	const stdout = new Writable({
		write(chunk: Buffer | string, _encoding, callback) {
			written += Buffer.byteLength(chunk);
			onWrite?.();
			callback();
		},
	});
	Object.assign(stdout, {columns, rows, isTTY: true});
	let instance: Instance | undefined;
	return {
		async draw(props: FrameProps): Promise<void> {
			const isWritten = new Promise<void>(resolve => {
				const timer = setTimeout(resolve, 500);
				onWrite = () => {
					clearTimeout(timer);
					onWrite = undefined;
					resolve();
				};
			});
			if (instance) {
				instance.rerender(<Frame {...props}/>);
			} else {
				instance = render(<Frame {...props}/>, {stdout: stdout as unknown as NodeJS.WriteStream, patchConsole: false, maxFps: 10, exitOnCtrlC: false});
			}

			await isWritten;
		},
		bytesWritten: () => written,
		close() {
			instance?.unmount();
			instance = undefined;
		},
	};
}
