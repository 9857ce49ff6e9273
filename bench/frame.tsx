// One frame of the live screen: the same pure Dashboard component App renders, without App's hooks
// (viewport, pollers, input), so it can be drawn synchronously and once per refresh.
import {Writable} from 'node:stream';
import type {WriteStream} from 'node:tty';
import {type Instance, render, renderToString} from 'ink';
import type {DashboardState} from '../source/screen/board.js';
import {Dashboard} from '../source/ui/components/dashboard.js';
import {screenRenderOptions} from '../source/ui/render-options.js';

type FrameProps = {state: DashboardState; target: string; columns: number; rows: number};

/** The frame as the terminal would show it (with colour escapes), `rows - 1` lines tall. */
export function renderFrame(props: FrameProps): string {
	return renderToString(<Dashboard {...props}/>, {columns: props.columns});
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
				instance.rerender(<Dashboard {...props}/>);
			} else {
				instance = render(<Dashboard {...props}/>, screenRenderOptions(stdout as unknown as WriteStream));
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
