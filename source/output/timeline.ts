// `lifeguard timeline FILE`: the incident log as a Markdown timeline to paste into a postmortem.
// It streams (timeline-stream.ts): lines in, Markdown lines out, with memory that does not grow with
// the file. Events are read through the log's own parser (judge/log-events.ts), which drops a line
// that breaks the log's contract; what each one says is timeline-sentences.ts.
import {parseLogEvent} from '../judge/log-events.js';
import {asRecord, clock, describe, type Event, isSameSubject, type LevelEvent, levelNumbers, span, subjectName, text} from './timeline-sentences.js';

/** Level changes of one subject closer together than this are one flapping run. */
export const FLAP_WINDOW_MS = 120_000;
/** A run of at least this many changes is folded into one line. */
const FLAP_MIN_CHANGES = 3;

type Run = {first: LevelEvent; second: LevelEvent | null; last: LevelEvent; count: number; levels: Set<string>};

export type TimelineWriter = {
	/** One line of the log in, the Markdown lines it completes out. */
	push(line: string): string[];
	/** A line that was not read (longer than the reader holds): counted as skipped. */
	skipLine(): string[];
	/** The last lines: a pending run, the span, what was skipped. */
	end(): string[];
};

export function createTimeline(): TimelineWriter {
	return new Timeline();
}

class Timeline implements TimelineWriter {
	private day = '';
	private firstMs: number | null = null;
	private lastMs: number | null = null;
	private skipped = 0;
	/** The level changes of one subject, held while they may still be a flapping run. */
	private run: Run | null = null;
	private isStarted = false;

	push(line: string): string[] {
		if (line.trim() === '') {
			return [];
		}

		const event = parseLogEvent(line);
		if (!event) {
			this.skipped++;
			return [];
		}

		const out = this.isStarted ? [] : ['# Incident timeline', ''];
		this.isStarted = true;
		this.firstMs ??= event.atMs;
		this.lastMs = event.atMs;
		if (this.continuesRun(event)) {
			return out;
		}

		out.push(...this.flush());
		if (event.type === 'level') {
			this.run = {first: event, second: null, last: event, count: 1, levels: new Set([event.from, event.to])};
			return out;
		}

		out.push(...this.bullet(event, describe(event)));
		return out;
	}

	skipLine(): string[] {
		this.skipped++;
		return [];
	}

	end(): string[] {
		const out = this.isStarted ? this.flush() : ['# Incident timeline', '', 'No events.'];
		if (this.firstMs !== null && this.lastMs !== null) {
			out.push('', `Span: ${span(this.firstMs, this.lastMs)}`);
		}

		if (this.skipped > 0) {
			const what = this.skipped === 1 ? 'line that was not a valid log event' : 'lines that were not valid log events';
			out.push('', `_Skipped ${this.skipped} ${what}._`);
		}

		out.push('');
		return out;
	}

	/** A level change of the run's subject soon after its last, or the log's own fold of it: the run goes on. */
	private continuesRun(event: Event): boolean {
		const {run} = this;
		if (!run || !isSameSubject(run.last, event)) {
			return false;
		}

		if (event.type === 'level' && event.atMs - run.last.atMs <= FLAP_WINDOW_MS) {
			this.run = {...run, second: run.second ?? event, last: event, count: run.count + 1, levels: run.levels.add(event.to)};
			return true;
		}

		if (event.type === 'fold' && event.reason === 'flapping' && typeof event.count === 'number'
			&& (event.last === 'ok' || event.last === 'warning' || event.last === 'critical')) {
			const last: LevelEvent = {...run.last, to: event.last, numbers: asRecord(event.numbers) ?? {}, atMs: Date.parse(String(event.to)) || event.atMs};
			this.run = {...run, last, count: run.count + event.count, levels: run.levels.add(event.last)};
			return true;
		}

		return false;
	}

	/** The run written out: its lines one by one when short, else one line of how it flapped. */
	private flush(): string[] {
		const done = this.run;
		if (!done) {
			return [];
		}

		this.run = null;
		if (done.count < FLAP_MIN_CHANGES) {
			return [done.first, ...(done.second ? [done.second] : [])].flatMap(event => this.bullet(event, describe(event)));
		}

		const levels = [...done.levels].map(level => text(level, '?')).join(' and ');
		const numbers = levelNumbers(done.last);
		return this.bullet(done.first, `${subjectName(done.first)} flapped ${done.count} times between ${levels} from ${clock(done.first.atMs)} to ${clock(done.last.atMs)} UTC; last ${text(done.last.to, '?')}${numbers ? ` (${numbers})` : ''}`);
	}

	/** One bullet, under its day's heading when the day changed. */
	private bullet(event: Event, sentence: string): string[] {
		const out: string[] = [];
		const eventDay = new Date(event.atMs).toISOString().slice(0, 10);
		if (eventDay !== this.day) {
			out.push(...(this.day === '' ? [] : ['']), `## ${eventDay}`, '');
			this.day = eventDay;
		}

		// Several servers: every line names the one it is about.
		const server = typeof event.server === 'string' ? `${text(event.server, '')}: ` : '';
		out.push(`- **${clock(event.atMs)} UTC:** ${server}${sentence}`);
		return out;
	}
}

/** The whole timeline of a log held in memory (tests, small logs). */
export function renderTimeline(jsonl: string): {markdown: string} {
	const timeline = createTimeline();
	const lines = jsonl.split(/\r?\n/).flatMap(line => timeline.push(line));
	return {markdown: [...lines, ...timeline.end()].join('\n')};
}
