// `lifeguard timeline FILE` over a stream of bytes, read twice: a first pass for the summary at the top
// (timeline-summary.ts), then the log's lines into the timeline (timeline.ts), its Markdown or JSON out
// in pieces, with memory that depends neither on the size of the file nor on the length of its lines.
import {TimelineEvents} from './timeline-events.js';
import {eventOf, formOf, type TimelineFormat} from './timeline.js';
import {IncidentSummary} from './timeline-summary.js';

/** The longest log line read, in bytes; a longer one is skipped (and counted) without being held. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;
/** Output is written in pieces of about this many characters, not one write per line. */
const WRITE_CHARS = 64 * 1024;

/**
 * The timeline of a log read twice as a stream of bytes (`open` gives it from its start each time),
 * written as it goes: memory depends neither on the size of the file nor on the length of its lines
 * (a line longer than `maxLineBytes` is skipped while it streams past). Lines end at LF, a CR before
 * it is dropped: as `renderTimeline` reads them. A log that can be read only once (a pipe:
 * `isRereadable` false) is read once, its summary written at the end.
 */
export async function streamTimeline(open: () => AsyncIterable<Buffer>, write: (text: string) => Promise<void>, {maxLineBytes = MAX_LINE_BYTES, format = 'markdown' as TimelineFormat, isRereadable = true} = {}): Promise<void> {
	const summary = new IncidentSummary();
	if (isRereadable) {
		await forEachLine(open(), line => {
			const event = eventOf(line);
			if (event !== undefined) {
				summary.push(event);
			}
		}, {maxLineBytes});
	}

	const form = formOf(format);
	const events = new TimelineEvents();
	const out = new Batches(write);
	await out.emit(form.head(isRereadable ? summary : null));
	await forEachLine(open(), async line => {
		const event = eventOf(line);
		if (event !== undefined) {
			if (!isRereadable) {
				summary.push(event);
			}

			await out.emit(events.push(event).flatMap(entry => form.entry(entry)));
		}
	}, {maxLineBytes});
	await out.emit([...events.end().flatMap(entry => form.entry(entry)), ...form.end(events, isRereadable ? null : summary)]);
	await out.flush();
}

/**
 * Each line of a byte stream, in order, to `onLine` (the timeline, a recording's report): null for a
 * line longer than `maxLineBytes`, let go as it streamed past. Lines end at LF, a CR before it is dropped.
 */
export async function forEachLine(input: AsyncIterable<Buffer>, onLine: (line: string | null) => Promise<void> | void, {maxLineBytes = MAX_LINE_BYTES} = {}): Promise<void> {
	const line = new LineBuffer(maxLineBytes);
	for await (const chunk of input) {
		let start = 0;
		for (;;) {
			const newline = chunk.indexOf(10, start);
			if (newline === -1) {
				line.append(chunk.subarray(start));
				break;
			}

			line.append(chunk.subarray(start, newline));
			await onLine(line.end());
			start = newline + 1;
		}
	}

	if (line.isPending) {
		await onLine(line.end()); // a last line without its LF
	}
}
/** One line's bytes as they stream in, at most `maxLineBytes` of them: a longer line is let go as it passes. */
class LineBuffer {
	private pieces: Buffer[] = [];
	private size = 0;
	private isTooLong = false;

	constructor(private readonly maxLineBytes: number) {}

	/** Some bytes of the line have come (or it was too long). */
	get isPending(): boolean {
		return this.size > 0 || this.isTooLong;
	}

	append(piece: Buffer): void {
		if (this.isTooLong || piece.length === 0) {
			return;
		}

		if (this.size + piece.length > this.maxLineBytes) {
			this.isTooLong = true;
			this.pieces = [];
			this.size = 0;
			return;
		}

		this.pieces.push(piece);
		this.size += piece.length;
	}

	/** The line, without a CR before its LF; null when it was too long to hold. */
	end(): string | null {
		if (this.isTooLong) {
			this.isTooLong = false;
			return null;
		}

		const line = (this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.size)).toString('utf8');
		this.pieces = [];
		this.size = 0;
		return line.endsWith('\r') ? line.slice(0, -1) : line;
	}
}

/** Markdown lines out in pieces of about WRITE_CHARS characters, not one write per line. */
class Batches {
	private lines: string[] = [];
	private chars = 0;

	constructor(private readonly write: (text: string) => Promise<void>) {}

	async emit(lines: readonly string[]): Promise<void> {
		for (const line of lines) {
			this.lines.push(line);
			this.chars += line.length + 1;
		}

		if (this.chars >= WRITE_CHARS) {
			await this.flush();
		}
	}

	async flush(): Promise<void> {
		if (this.lines.length > 0) {
			const text = `${this.lines.join('\n')}\n`;
			this.lines = [];
			this.chars = 0;
			await this.write(text);
		}
	}
}
