// `lifeguard timeline FILE` over a stream of bytes: the log's lines into the timeline (timeline.ts),
// its Markdown out in pieces, with memory that depends neither on the size of the file nor on the
// length of its lines.
import {createTimeline} from './timeline.js';

/** The longest log line read, in bytes; a longer one is skipped (and counted) without being held. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;
/** Output is written in pieces of about this many characters, not one write per line. */
const WRITE_CHARS = 64 * 1024;

/**
 * The timeline of a log read as a stream of bytes, written as it goes: memory depends neither on the
 * size of the file nor on the length of its lines (a line longer than `maxLineBytes` is skipped
 * while it streams past). Lines end at LF, a CR before it is dropped: as `renderTimeline` reads them.
 */
export async function streamTimeline(input: AsyncIterable<Buffer>, write: (text: string) => Promise<void>, {maxLineBytes = MAX_LINE_BYTES} = {}): Promise<void> {
	const timeline = createTimeline();
	let out: string[] = [];
	let outChars = 0;
	const flush = async () => {
		if (out.length > 0) {
			const text = `${out.join('\n')}\n`;
			out = [];
			outChars = 0;
			await write(text);
		}
	};

	const emit = async (lines: string[]) => {
		for (const line of lines) {
			out.push(line);
			outChars += line.length + 1;
		}

		if (outChars >= WRITE_CHARS) {
			await flush();
		}
	};

	let pieces: Buffer[] = [];
	let size = 0;
	let isTooLong = false;
	const append = (piece: Buffer) => {
		if (isTooLong || piece.length === 0) {
			return;
		}

		if (size + piece.length > maxLineBytes) {
			isTooLong = true;
			pieces = [];
			size = 0;
			return;
		}

		pieces.push(piece);
		size += piece.length;
	};

	const endLine = (): string[] => {
		if (isTooLong) {
			isTooLong = false;
			return timeline.skipLine();
		}

		let line = (pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, size)).toString('utf8');
		pieces = [];
		size = 0;
		if (line.endsWith('\r')) {
			line = line.slice(0, -1);
		}

		return timeline.push(line);
	};

	for await (const chunk of input) {
		let start = 0;
		for (;;) {
			const newline = chunk.indexOf(10, start);
			if (newline === -1) {
				append(chunk.subarray(start));
				break;
			}

			append(chunk.subarray(start, newline));
			await emit(endLine());
			start = newline + 1;
		}
	}

	if (size > 0 || isTooLong) {
		await emit(endLine()); // a last line without its LF
	}

	await emit(timeline.end());
	await flush();
}
