// Draw only what changed (issue 24). Ink rewrites the whole frame whenever anything in it changed:
// it erases the lines it wrote last and writes every line again, 7 KB at 160×45 for one new age.
// Ink 6.8's own `incrementalRendering` rewrites only changed lines, but with a frame that ends in a
// newline (ours: rows - 1 lines, so Ink never clears the whole terminal) it starts one row too low
// and every update lands a line below where it belongs. So Ink draws as it always did, into this
// stream, which passes everything through except a frame that replaces a frame of as many lines:
// that one becomes the changed lines only, each written where it is.
import type {WriteStream} from 'node:tty';

const ESC = '\u001B[';
const ERASE_LINE = `${ESC}2K`;
/** Ink's `eraseLines(n)`: n × erase line, moving up between them, then column 1. */
const ERASE_LINES = /^(?:\u001B\[2K\u001B\[1A)*\u001B\[2K\u001B\[G/;
/** Writes that leave the cursor where it was: private modes (cursor shown or hidden, synchronized output), the bell. */
const NEUTRAL = /^(?:\u001B\[\?[\d;]*[hl]|\u0007)+$/;

/**
 * What to write instead of Ink's full redraw, for a terminal that shows `shown` (the cursor at the
 * start of the line below them) and should show `next` (as many lines): for each run of changed
 * lines, a move to it and the lines; then back below the frame. Empty when no line changed.
 */
export function changedLines(shown: readonly string[], next: readonly string[]): string {
	let out = '';
	/** The line the cursor is on, at column 1. */
	let at = shown.length;
	for (const [index, line] of next.entries()) {
		if (line === shown[index]) {
			continue;
		}

		if (index !== at) {
			out += index < at ? `${ESC}${at - index}A` : `${ESC}${index - at}B`;
		}

		// Erase first: the new line may be shorter; erasing after a line as wide as the terminal would
		// take its last cell (the cursor waits on it to wrap).
		out += `${ERASE_LINE}${line}\r`;
		at = index;
	}

	if (out === '') {
		return '';
	}

	return `${out}${ESC}${shown.length - at}B`;
}

/** Ink's frame write split into the erase it starts with (how many lines) and the frame. */
function splitFrameWrite(chunk: string): {erased: number; frame: string} {
	const erase = ERASE_LINES.exec(chunk)?.[0] ?? '';
	const erased = erase === '' ? 0 : erase.split(ERASE_LINE).length - 1;
	return {erased, frame: chunk.slice(erase.length)};
}

/**
 * `stdout` for Ink, as `stdout` but with each frame cut to its changed lines. Anything it does not
 * recognise (a resize, Ink clearing the terminal, a line written by someone else) makes the next frame
 * go out whole, as Ink wrote it.
 */
export function lineDiffStdout(stdout: WriteStream): WriteStream {
	/** The frame's lines the terminal shows above the cursor, or null when that is not known. */
	let shown: string[] | null = null;
	stdout.on('resize', () => {
		// The terminal may have scrolled or reflowed what it showed.
		shown = null;
	});
	const write = (chunk: unknown, ...rest: unknown[]): boolean => {
		const pass = () => (stdout.write as (...args: unknown[]) => boolean)(chunk, ...rest);
		if (typeof chunk !== 'string') {
			shown = null;
			return pass();
		}

		if (NEUTRAL.test(chunk)) {
			return pass();
		}

		const {erased, frame} = splitFrameWrite(chunk);
		const lines = frame.endsWith('\n') ? frame.slice(0, -1).split('\n') : null;
		// Ink erases the lines it wrote and the cursor's line below them.
		if (shown && lines && erased === shown.length + 1 && lines.length === shown.length) {
			const update = changedLines(shown, lines);
			shown = lines;
			return (stdout.write as (...args: unknown[]) => boolean)(update, ...rest);
		}

		shown = lines;
		return pass();
	};

	return new Proxy(stdout, {
		get(target, property) {
			if (property === 'write') {
				return write;
			}

			const value: unknown = Reflect.get(target, property, target);
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
		},
	});
}
