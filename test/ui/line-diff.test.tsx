// Issue 24, draw only what changed: what reaches the terminal when the live screen's lines change,
// through the real Ink and the render options watch.tsx uses, into a stream that records every write
// (as a terminal's columns, rows and resize events); and, replayed on a real terminal (tmux), that the
// changed lines land where they belong.
// First: Ink must load interactive (see the helper).
import '../helpers/interactive-ink.js';
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {EventEmitter} from 'node:events';
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import type {WriteStream} from 'node:tty';
import {describe, test} from 'node:test';
import {type Instance, render} from 'ink';
import {changedLines} from '../../source/ui/line-diff.js';
import {type Line, Lines, plainLine, span} from '../../source/ui/lines.js';
import {screenRenderOptions} from '../../source/ui/render-options.js';
import {ThemeContext} from '../../source/ui/theme.js';
import {pollUntil} from '../helpers/postgres.js';
import {hasTmux, TmuxRun} from '../helpers/terminal.js';
import {RUN_DIR} from '../helpers/test-tmp.js';

const ERASE_LINE = '\u001B[2K';

/** A terminal as Ink sees one: a size, resize events, and every write kept. */
class RecordingTerminal extends EventEmitter {
	readonly isTTY = true;
	readonly writes: string[] = [];
	constructor(public columns: number, public rows: number) {
		super();
	}

	write(chunk: string, callback?: () => void): boolean {
		this.writes.push(chunk);
		this.emit('written');
		callback?.();
		return true;
	}

	text(from = 0): string {
		return this.writes.slice(from).join('');
	}

	/** Resolves when what was written since `from` contains `text`. */
	async written(text: string, from: number): Promise<string> {
		return pollUntil(() => this.text(from).includes(text) && this.text(from), {what: `a write with ${JSON.stringify(text)}`, timeoutMs: 5000, everyMs: 5});
	}

	resize(columns: number, rows: number): void {
		this.columns = columns;
		this.rows = rows;
		this.emit('resize');
	}
}

/** A frame of rows - 1 lines, as the screen draws them: a styled header, then numbered lines. */
function frame(rows: number, changes: Record<number, string> = {}): Line[] {
	return Array.from({length: rows - 1}, (_, index) => changes[index] === undefined
		? (index === 0 ? {spans: [span('lifeguard', {isBold: true}), span('  PG 18', {tone: 'ok'})]} : plainLine(`line ${index} of the frame`))
		: plainLine(changes[index]!));
}

function draw(terminal: RecordingTerminal, lines: Line[], instance?: Instance): Instance {
	const node = (
		<ThemeContext.Provider value={{isColor: true}}>
			<Lines lines={lines} width={terminal.columns}/>
		</ThemeContext.Provider>
	);
	if (instance) {
		instance.rerender(node);
		return instance;
	}

	return render(node, screenRenderOptions(terminal as unknown as WriteStream));
}

describe('changedLines', () => {
	test('lines that did not change cost nothing', () => {
		assert.equal(changedLines(['a', 'b', 'c'], ['a', 'b', 'c']), '');
	});

	test('one changed line: a move up to it, the line, and back below the frame', () => {
		assert.equal(changedLines(['a', 'b', 'c'], ['a', 'B', 'c']), `\u001B[2A${ERASE_LINE}B\r\u001B[2B`);
	});

	test('changed lines far apart: each one written, the others skipped by moving down', () => {
		assert.equal(changedLines(['a', 'b', 'c', 'd'], ['A', 'b', 'c', 'D']), `\u001B[4A${ERASE_LINE}A\r\u001B[3B${ERASE_LINE}D\r\u001B[1B`);
	});
});

describe('the live screen writes only its changed lines', () => {
	// A frame whose lines did not change writes nothing: changedLines gives '' (above), and Ink itself
	// skips output equal to its last, so through Ink that case cannot be told apart; this one can.
	test('the same lines drawn again, then one line changed: only that line is written', async () => {
		const terminal = new RecordingTerminal(80, 24);
		let instance = draw(terminal, frame(24));
		try {
			const first = await terminal.written('line 22 of the frame', 0);
			assert.match(first, /lifeguard/);
			const afterFirst = terminal.writes.length;
			// The same lines as new objects (as the screen makes them each poll), then one line changed.
			instance = draw(terminal, frame(24), instance);
			instance = draw(terminal, frame(24, {7: 'line 7 changed'}), instance);
			const update = await terminal.written('line 7 changed', afterFirst);
			assert.equal(update.split(ERASE_LINE).length - 1, 1, `one line erased and written: ${JSON.stringify(update)}`);
			assert.doesNotMatch(update, /of the frame|lifeguard/, 'no unchanged line is written again');
			assert.ok(Buffer.byteLength(update) < 80, `${Buffer.byteLength(update)} bytes for one short line`);
		} finally {
			instance.unmount();
		}
	});

	test('after a resize the next frame is written whole: the terminal may have moved what it showed', async () => {
		const terminal = new RecordingTerminal(80, 24);
		let instance = draw(terminal, frame(24));
		try {
			await terminal.written('line 22 of the frame', 0);
			const before = terminal.writes.length;
			terminal.resize(100, 24);
			instance = draw(terminal, frame(24, {3: 'line 3 after the resize'}), instance);
			const whole = await terminal.written('line 3 after the resize', before);
			for (const index of [1, 2, 4, 22]) {
				assert.ok(whole.includes(`line ${index} of the frame`), `line ${index} written again`);
			}
		} finally {
			instance.unmount();
		}
	});
});

describe('on a real terminal, the changed lines land where they belong', {skip: hasTmux() ? false : 'tmux is not installed'}, () => {
	test('a sequence of updates replayed on tmux shows exactly the last frame', async () => {
		const columns = 60;
		const rows = 12;
		const terminal = new RecordingTerminal(columns, rows);
		const wide = 'w'.repeat(columns);
		// Each frame's changes against the first, and a line it writes that the one before did not show.
		const steps: Array<[Record<number, string>, string]> = [
			[{}, 'line 10 of the frame'],
			[{4: 'four changed'}, 'four changed'],
			[{4: 'four', 1: wide}, wide],
			[{1: 'one short again', 10: 'last line changed', 5: 'five'}, 'last line changed'],
			[{0: 'header changed', 10: 'last line again'}, 'last line again'],
		];
		let instance: Instance | undefined;
		try {
			for (const [changes, shows] of steps) {
				const from = terminal.writes.length;
				instance = draw(terminal, frame(rows, changes), instance);
				await terminal.written(shows, from);
			}
		} finally {
			instance?.unmount();
		}

		const file = path.join(RUN_DIR, `line-diff-${randomBytes(4).toString('hex')}.bin`);
		writeFileSync(file, terminal.text());
		const run = new TmuxRun(['sh', '-c', `cat '${file}'; sleep 60`], {columns, rows});
		try {
			const expected = frame(rows, steps.at(-1)![0])
				.map(line => line.spans.map(part => part.text).join(''));
			const screen = await pollUntil(() => {
				const lines = run.screen();
				return lines[10] === 'last line again' && lines;
			}, {what: 'the replayed frames', timeoutMs: 10_000, everyMs: 50});
			assert.deepEqual(screen.slice(0, rows - 1), expected);
			assert.equal(screen[rows - 1], '', 'the cursor line below the frame stays empty');
		} finally {
			run.close();
		}
	});
});
