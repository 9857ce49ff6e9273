// How the live screen is handed to Ink (source/watch.tsx; the bench's frame and the draw tests use
// the same, so what they measure is what an operator's terminal receives).
import type {WriteStream} from 'node:tty';
import type {RenderOptions} from 'ink';
import {lineDiffStdout} from './line-diff.js';

export function screenRenderOptions(stdout: WriteStream) {
	return {
		// Each frame writes only its changed lines (line-diff.ts; not Ink's incrementalRendering, which
		// puts them a row too low on a frame that ends in a newline).
		stdout: lineDiffStdout(stdout),
		// Keys and signals are the screen's (key-edge.ts, hang-up.ts); console output would tear the frame.
		patchConsole: false,
		exitOnCtrlC: false,
		// A poll a second, a key now and then: ten frames a second is more than either needs.
		maxFps: 10,
	} as const satisfies RenderOptions;
}
