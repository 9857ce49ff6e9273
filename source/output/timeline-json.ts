// `lifeguard timeline --json`: the timeline's entries for tools, one JSON object a line inside one
// document ({summary, events, span, openAtEnd, skipped}), written as it streams. Every string is the
// log's, which anyone may have edited: masked, and written with safeJson (no control character).
import {maskStrings} from '../actions/incident-log.js';
import {safeJson} from '../text/sanitize.js';
import type {Entry, TimelineEvents} from './timeline-events.js';
import type {Event} from './timeline-sentences.js';
import type {IncidentSummary} from './timeline-summary.js';

const json = (value: unknown) => safeJson(maskStrings(value));

export class JsonTimeline {
	/** The entry before, held until the next shows whether it needs a comma. */
	private pending: string | null = null;

	head(summary: IncidentSummary | null): string[] {
		return summary ? [`{"summary":${json(summary.json())},`, '"events":['] : ['{"events":['];
	}

	entry(entry: Entry): string[] {
		const line = json(entryJson(entry));
		const out = this.pending === null ? [] : [`${this.pending},`];
		this.pending = line;
		return out;
	}

	end(events: TimelineEvents, summary: IncidentSummary | null): string[] {
		const out = this.pending === null ? [] : [this.pending];
		this.pending = null;
		const span = events.firstMs === null || events.lastMs === null ? null : {from: new Date(events.firstMs).toISOString(), to: new Date(events.lastMs).toISOString()};
		const open = events.openAtQuit ?? null;
		out.push(`]${summary ? `,"summary":${json(summary.json())}` : ''},"span":${json(span)},"openAtEnd":${json(open)},"hasQuit":${events.openAtQuit !== undefined},"skipped":${events.skipped}}`);
		return out;
	}
}

/** An event as the log wrote it (its time as `at`), a clear with how long it stood, a run folded into one, steps as one change. */
function entryJson(entry: Entry): Record<string, unknown> {
	if (entry.kind === 'event') {
		return eventJson(entry.event);
	}

	if (entry.kind === 'changed') {
		const {first, last, count} = entry.steps;
		return {...eventJson({...first, to: last.to}), steps: count, lastAt: last.at};
	}

	const {first, last, count, levels} = entry.run;
	return {
		at: first.at,
		...(first.server === undefined ? {} : {server: first.server}),
		type: 'flapped',
		subject: first.subject,
		count,
		from: first.at,
		to: last.at,
		levels: [...levels],
		last: last.to,
		numbers: last.numbers,
	};
}

function eventJson(event: Event): Record<string, unknown> {
	const {atMs, ...rest} = event;
	if (rest.type !== 'level') {
		return rest;
	}

	const {sinceMs, ...level} = rest as typeof rest & {sinceMs?: number};
	return rest.to === 'ok' && sinceMs !== undefined ? {...level, clearedAfterSeconds: Math.round((atMs - sinceMs) / 1000)} : level;
}
