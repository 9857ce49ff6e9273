// `lifeguard timeline FILE`: the incident log as a timeline to paste into a postmortem (Markdown), or
// the same events for tools (JSON, timeline-json.ts). It streams (timeline-stream.ts): lines in, lines
// out, with memory that does not grow with the file. Events are read through the log's own parser
// (judge/log-events.ts), which drops a line that breaks the log's contract; what each one says is
// timeline-sentences.ts; the summary at the top comes from a first pass (timeline-summary.ts).
import {parseLogEvent} from '../judge/log-events.js';
import {JsonTimeline} from './timeline-json.js';
import {IncidentSummary} from './timeline-summary.js';
import {type Entry, type Run, type Steps, TimelineEvents} from './timeline-events.js';
import {describe, type Event, findingNames, levelNumbers, span, subjectName, text} from './timeline-sentences.js';
import {clockTime} from '../text/words.js';

/** "Pool api flapped 5 times between ok and warning from 11:20:01 to 11:20:09 UTC; ended critical at 11:20:09 (…)". */
export function flappedSentence(run: Run): string {
	const levels = [...run.levels].map(level => text(level, '?')).join(' and ');
	const numbers = levelNumbers(run.last);
	const {first, last} = run;
	return `${subjectName(first)} flapped ${run.count} times between ${levels} from ${clockTime(first.atMs)} to ${clockTime(last.atMs)} UTC; ended ${text(last.to, '?')} at ${clockTime(last.atMs)}${numbers ? ` (${numbers})` : ''}`;
}

/** "Pool checkout max 5 → 25 in 4 steps from 11:20:01 to 11:20:03 UTC". */
export function stepsSentence({first, last, count}: Steps): string {
	return `${describe({...first, to: last.to})} in ${count} steps from ${clockTime(first.atMs)} to ${clockTime(last.atMs)} UTC`;
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
		out.push(`- **${clockTime(event.atMs)} UTC:** ${server}${sentence}`);
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
