// `lifeguard timeline FILE`: the incident log as a timeline to paste into a postmortem (Markdown), or
// the same events for tools (JSON, timeline-json.ts). It streams (timeline-stream.ts): lines in, lines
// out, with memory that does not grow with the file. Events are read through the log's own parser
// (judge/log-events.ts), which drops a line that breaks the log's contract; what each one says is
// timeline-sentences.ts; the summary at the top comes from a first pass (timeline-summary.ts).
import {loggedSubjectKey, logTimeMs, parseLogEvent} from '../judge/log-events.js';
import {JsonTimeline} from './timeline-json.js';
import {IncidentSummary} from './timeline-summary.js';
import {asRecord, type ChangeEvent, clock, describe, type Event, findingNames, isSameSubject, type LevelEvent, levelNumbers, span, subjectName, text} from './timeline-sentences.js';

/** Level changes of one subject closer together than this (each after the one before) are one flapping run. */
export const FLAP_WINDOW_MS = 10_000;
/** A fold line of the log (its own flap rule) joins a run when it began this soon after the run's last change. */
const FOLD_JOIN_MS = 3 * FLAP_WINDOW_MS;
/** A run of at least this many changes is folded into one line. */
const FLAP_MIN_CHANGES = 3;
/** Subjects whose time of leaving ok is held (for "cleared after"); past it a clear says no "after". */
const TRACKED_SUBJECTS = 1000;

/** Level changes of one subject in quick succession. */
export type Run = {first: LevelEvent; second: LevelEvent | null; last: LevelEvent; count: number; levels: Set<string>};
/** Changes of one setting of one subject in quick succession (+ pressed four times): one step. */
export type Steps = {first: ChangeEvent; last: ChangeEvent; count: number};

/** One line of the timeline: an event of the log, or a run of changes folded into one. */
export type Entry = {kind: 'event'; event: Event} | {kind: 'flapped'; run: Run} | {kind: 'changed'; steps: Steps};

/**
 * The log's events in order, each once, with flapping runs folded: what both forms print. It holds
 * at most one run and one time per subject that is not ok (up to TRACKED_SUBJECTS).
 */
export class TimelineEvents {
	firstMs: number | null = null;
	lastMs: number | null = null;
	skipped = 0;
	/** The findings the last quit line listed; undefined: no quit line; null: one that listed none (an older log). */
	openAtQuit: readonly unknown[] | null | undefined;
	/** The level changes of one subject, held while they may still be a flapping run. */
	private run: Run | null = null;
	/** The setting changes of one subject, held while more may follow within seconds. */
	private steps: Steps | null = null;
	/** When each subject that is not ok left ok, by server and subject. */
	private readonly since = new Map<string, number>();

	/** One parsed line of the log (null: not a valid event), the entries it completes. */
	push(parsed: Event | null): Entry[] {
		if (!parsed) {
			this.skipped++;
			return [];
		}

		const event = parsed.type === 'level' ? this.withSince(parsed) : parsed;
		this.firstMs ??= event.atMs;
		this.lastMs = event.atMs;
		if (event.type === 'quit') {
			this.openAtQuit = Array.isArray(event.findings) ? event.findings : null;
		}

		if (event.type === 'fold' && event.reason === 'flapping' && event.subject !== undefined) {
			this.track(`${event.server ?? ''}\u0000${loggedSubjectKey(event.subject)}`, event.last ?? '', Date.parse(event.from));
		}

		// A clear after a stand longer than a flap is the end of a story: always its own line.
		const isLongClear = event.type === 'level' && event.to === 'ok' && event.atMs - (event.sinceMs ?? logTimeMs(asRecord(event.course)?.['fromAt']) ?? event.atMs) > FLAP_WINDOW_MS;
		if (!isLongClear && this.continuesRun(event)) {
			return [];
		}

		if (event.type === 'change' && this.continuesSteps(event)) {
			return [];
		}

		const out = this.flush();
		if (event.type === 'level' && !isLongClear) {
			this.run = {first: event, second: null, last: event, count: 1, levels: new Set([event.from, event.to])};
			return out;
		}

		if (event.type === 'change') {
			this.steps = {first: event, last: event, count: 1};
			return out;
		}

		out.push({kind: 'event', event});
		return out;
	}

	/** The last entries: a pending run. */
	end(): Entry[] {
		return this.flush();
	}

	/** A level line with when its subject left ok (on a clear), the map kept up to date. */
	private withSince(event: LevelEvent): LevelEvent {
		const key = `${event.server ?? ''}\u0000${loggedSubjectKey(event.subject)}`;
		const sinceMs = this.since.get(key);
		this.track(key, event.to, event.atMs);
		return sinceMs === undefined ? event : {...event, sinceMs};
	}

	private track(key: string, level: string, atMs: number): void {
		if (level === 'ok') {
			this.since.delete(key);
		} else if ((level === 'warning' || level === 'critical') && !this.since.has(key) && this.since.size < TRACKED_SUBJECTS && !Number.isNaN(atMs)) {
			this.since.set(key, atMs);
		}
	}

	/** A level change of the run's subject within seconds of its last, or the log's own fold of it: the run goes on. */
	private continuesRun(event: Event): boolean {
		const {run} = this;
		if (!run || !isSameSubject(run.last, event)) {
			return false;
		}

		if (event.type === 'level' && event.atMs - run.last.atMs <= FLAP_WINDOW_MS) {
			this.run = {...run, second: run.second ?? event, last: event, count: run.count + 1, levels: run.levels.add(event.to)};
			return true;
		}

		if (event.type !== 'fold' || event.reason !== 'flapping' || !(event.last === 'ok' || event.last === 'warning' || event.last === 'critical')) {
			return false;
		}

		// The log's fold goes on the run only when its changes came as quickly.
		const fromMs = Date.parse(event.from);
		const toMs = Date.parse(event.to);
		if (fromMs - run.last.atMs <= FOLD_JOIN_MS && toMs - fromMs <= FOLD_JOIN_MS * event.count) {
			const last: LevelEvent = {...run.last, from: run.last.to, to: event.last, numbers: asRecord(event.numbers) ?? {}, atMs: toMs};
			this.run = {...run, last, count: run.count + event.count, levels: run.levels.add(event.last)};
			return true;
		}

		return false;
	}

	private continuesSteps(event: ChangeEvent): boolean {
		const {steps} = this;
		if (!steps || steps.first.what !== event.what || event.server !== steps.first.server || loggedSubjectKey(event.subject) !== loggedSubjectKey(steps.first.subject)
			|| event.atMs - steps.last.atMs > FLAP_WINDOW_MS) {
			return false;
		}

		this.steps = {...steps, last: event, count: steps.count + 1};
		return true;
	}

	/** What is held as entries (one of the two at a time): steps as one; a run's changes one by one when few, else one folded line. */
	private flush(): Entry[] {
		const {steps, run} = this;
		this.steps = null;
		this.run = null;
		const out: Entry[] = [];
		if (steps) {
			out.push(steps.count === 1 ? {kind: 'event', event: steps.first} : {kind: 'changed', steps});
		}

		if (run && run.count < FLAP_MIN_CHANGES) {
			out.push(...[run.first, ...(run.second ? [run.second] : [])].map(event => ({kind: 'event', event}) as const));
		} else if (run) {
			out.push({kind: 'flapped', run});
		}

		return out;
	}
}

/** "Pool api flapped 5 times between ok and warning from 11:20:01 to 11:20:09 UTC; ended critical at 11:20:09 (…)". */
export function flappedSentence(run: Run): string {
	const levels = [...run.levels].map(level => text(level, '?')).join(' and ');
	const numbers = levelNumbers(run.last);
	const {first, last} = run;
	return `${subjectName(first)} flapped ${run.count} times between ${levels} from ${clock(first.atMs)} to ${clock(last.atMs)} UTC; ended ${text(last.to, '?')} at ${clock(last.atMs)}${numbers ? ` (${numbers})` : ''}`;
}

/** "Pool checkout max 5 → 25 in 4 steps from 11:20:01 to 11:20:03 UTC". */
export function stepsSentence({first, last, count}: Steps): string {
	return `${describe({...first, to: last.to})} in ${count} steps from ${clock(first.atMs)} to ${clock(last.atMs)} UTC`;
}

/** The Markdown form: day headings, one bullet per entry, the span and what was open at the end. */
export class MarkdownTimeline {
	private day = '';

	entry(entry: Entry): string[] {
		switch (entry.kind) {
			case 'event': {
				return this.bullet(entry.event, describe(entry.event));
			}

			case 'flapped': {
				return this.bullet(entry.run.first, flappedSentence(entry.run));
			}

			case 'changed': {
				return this.bullet(entry.steps.first, stepsSentence(entry.steps));
			}
		}
	}

	end(events: TimelineEvents, summary: IncidentSummary | null): string[] {
		const out = events.firstMs === null ? ['No events.'] : [];
		const late = summary?.markdown() ?? [];
		if (late.length > 0) {
			out.push('', ...late.slice(0, -1), '', '_The summary comes last: the log was read once (a pipe), as it streamed._');
		}

		if (events.firstMs !== null && events.lastMs !== null) {
			out.push('', `Span: ${span(events.firstMs, events.lastMs)}`);
		}

		if (events.skipped > 0) {
			const what = events.skipped === 1 ? 'line that was not a valid log event' : 'lines that were not valid log events';
			out.push('', `_Skipped ${events.skipped} ${what}._`);
		}

		if (events.firstMs !== null) {
			out.push('', `**Open when watching stopped:** ${openAtEnd(events.openAtQuit)}`);
		}

		out.push('');
		return out;
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

function openAtEnd(findings: readonly unknown[] | null | undefined): string {
	if (findings === undefined) {
		return 'not known: the log has no quit line (lifeguard was killed, or the log was cut short)';
	}

	if (findings === null) {
		return 'not recorded in the log';
	}

	return findings.length === 0 ? 'nothing' : findingNames(findings);
}

export type TimelineFormat = 'markdown' | 'json';

/** One form of the timeline; the summary comes at the head, or at the end when the log could be read only once. */
type Form = {head(summary: IncidentSummary | null): string[]; entry(entry: Entry): string[]; end(events: TimelineEvents, summary: IncidentSummary | null): string[]};

export function formOf(format: TimelineFormat): Form {
	if (format === 'json') {
		return new JsonTimeline();
	}

	const markdown = new MarkdownTimeline();
	return {
		head: summary => ['# Incident timeline', '', ...(summary?.markdown() ?? [])],
		entry: entry => markdown.entry(entry),
		end: (events, summary) => markdown.end(events, summary),
	};
}

/** One line of the log as an event, or null (not valid, blank, or too long to hold: null in). */
export function eventOf(line: string | null): Event | null | undefined {
	if (line === null) {
		return null;
	}

	return line.trim() === '' ? undefined : parseLogEvent(line);
}

/** The whole timeline of a log held in memory (tests, small logs), in both forms. */
export function renderTimeline(jsonl: string): {markdown: string; json: string} {
	const lines = jsonl.split(/\r?\n/);
	const summary = new IncidentSummary();
	for (const line of lines) {
		const event = eventOf(line);
		if (event !== undefined) {
			summary.push(event);
		}
	}

	const render = (format: TimelineFormat) => {
		const form = formOf(format);
		const events = new TimelineEvents();
		const out = form.head(summary);
		for (const line of lines) {
			const event = eventOf(line);
			if (event !== undefined) {
				out.push(...events.push(event).flatMap(entry => form.entry(entry)));
			}
		}

		out.push(...events.end().flatMap(entry => form.entry(entry)), ...form.end(events, null));
		return out.join('\n');
	};

	return {markdown: render('markdown'), json: render('json')};
}
