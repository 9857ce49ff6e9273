// The summary at the top of a timeline, from a first pass over the log: the first sign, the first
// critical, the fix (the first action or change after the first sign, before everything cleared),
// when it recovered and the peak numbers. Memory: one level per subject that is not ok (up to
// OPEN_SUBJECTS) and a few events.
import {loggedSubjectKey, logTimeMs} from '../judge/log-events.js';
import {poolSubject} from '../judge/subject.js';
import {asRecord, describe, duration, type Event, type LevelEvent, levelNumbers, subjectName, text} from './timeline-sentences.js';
import {clockTime} from '../text/words.js';

/** Subjects held while not ok; past it the summary no longer says when everything cleared. */
const OPEN_SUBJECTS = 10_000;

/** A change of level as the summary names it: who, when, to what, with its numbers. */
type Mark = {atMs: number; event: LevelEvent};
/** `source`: seen in a source's history before lifeguard started (Prometheus), not while watching. */
type Peak = {value: number; atMs: number; where: string; server?: string; source?: string};
/** A queue that a source of history (Prometheus) showed before lifeguard started. */
type PriorSign = {atMs: number; at: string; pool: string; source: string};

export class IncidentSummary {
	private firstSign: Mark | null = null;
	private priorSign: PriorSign | null = null;
	private firstCritical: Mark | null = null;
	private clearedMs: number | null = null;
	private relapse: Mark | null = null;
	private fix: Event | null = null;
	private fixes = 0;
	private peakWaiting: Peak | null = null;
	private peakServer: (Peak & {usable: number | null}) | null = null;
	/** The server's usable slots last seen (a course's peak has none of its own). */
	private usable: number | null = null;
	private readonly open = new Map<string, string>();
	private isOverflowed = false;
	private isEmpty = true;

	push(event: Event | null): void {
		if (!event) {
			return;
		}

		this.isEmpty = false;
		this.peaks(event);
		if (event.type === 'level') {
			this.level(event);
		} else if (event.type === 'history') {
			this.prior(event);
		} else if (event.type === 'fold' && event.reason === 'flapping' && event.subject !== undefined && (event.last === 'ok' || event.last === 'warning' || event.last === 'critical')) {
			const atMs = logTimeMs(event.to) ?? event.atMs;
			const about = {subject: event.subject, ...(event.pool === undefined ? {} : {pool: event.pool}), numbers: asRecord(event.numbers) ?? {}};
			this.level({at: event.to, atMs, type: 'level', ...(event.server === undefined ? {} : {server: event.server}), ...about, from: 'ok', to: event.last});
		} else if (this.signMs() !== null && this.clearedMs === null && isFix(event)) {
			this.fix ??= event;
			this.fixes++;
		}
	}

	/** The summary's Markdown lines, a heading first; none for a log without an event. */
	markdown(): string[] {
		const sign = this.firstSign;
		const prior = this.earlierPrior();
		if (this.isEmpty) {
			return [];
		}

		if (!sign && !prior) {
			return ['## Summary', '', 'No sign of trouble: no level left ok while watching.', ''];
		}

		const lines = [
			`- **First sign:** ${prior ? priorWords(prior) : markWords(sign!)}`,
			`- **First critical:** ${this.firstCritical ? markWords(this.firstCritical) : 'none'}`,
			`- **Fix:** ${this.fixWords()}`,
			`- **Recovered:** ${this.recoveredWords()}`,
		];
		if (this.relapse) {
			lines.push(`- **Came back:** ${markWords(this.relapse)}`);
		}

		lines.push(`- **Peak:** ${this.peakWords()}`);
		return ['## Summary', '', ...lines, ''];
	}

	/** The earliest queue standing when lifeguard started, as its history source showed it. */
	private prior(event: Extract<Event, {type: 'history'}>): void {
		for (const pool of event.pools) {
			const peakMs = logTimeMs(pool.peakWaiting.at);
			if (peakMs !== null) {
				this.peakWaiting = higher(this.peakWaiting, {value: pool.peakWaiting.value, atMs: peakMs, where: pool.name, source: event.source});
			}

			const atMs = logTimeMs(pool.queueSince);
			if (pool.queueSince !== null && atMs !== null && (this.priorSign === null || atMs < this.priorSign.atMs)) {
				this.priorSign = {atMs, at: pool.queueSince, pool: pool.name, source: event.source};
			}
		}
	}

	/** The history's sign when it came before the first level that left ok (it does unless history was read late). */
	private earlierPrior(): PriorSign | null {
		const prior = this.priorSign;
		return prior && (this.firstSign === null || prior.atMs < this.firstSign.atMs) ? prior : null;
	}

	private signMs(): number | null {
		return this.earlierPrior()?.atMs ?? this.firstSign?.atMs ?? null;
	}

	/** The same summary for tools (timeline --json); strings are the log's, masked by the caller. */
	json(): Record<string, unknown> {
		const mark = (value: Mark | null) => (value ? {at: value.event.at, ...(value.event.server === undefined ? {} : {server: value.event.server}), subject: value.event.subject, level: value.event.to, ...(value.event.code === undefined ? {} : {code: value.event.code}), numbers: value.event.numbers} : null);
		const {fix} = this;
		const prior = this.earlierPrior();
		const signMs = this.signMs();
		return {
			firstSign: prior ? {at: prior.at, subject: poolSubject(prior.pool), what: 'queueing', source: prior.source, beforeStart: true} : mark(this.firstSign),
			firstCritical: mark(this.firstCritical),
			fix: fix ? {...withoutTime(fix), actionsBeforeClear: this.fixes} : null,
			clearedAt: this.clearedMs === null ? null : new Date(this.clearedMs).toISOString(),
			recoveredAfterSeconds: this.clearedMs === null || signMs === null ? null : Math.round((this.clearedMs - signMs) / 1000),
			cameBack: mark(this.relapse),
			peak: {
				waiting: this.peakWaiting ? {value: this.peakWaiting.value, pool: this.peakWaiting.where, at: new Date(this.peakWaiting.atMs).toISOString(), ...(this.peakWaiting.server === undefined ? {} : {server: this.peakWaiting.server}), ...(this.peakWaiting.source === undefined ? {} : {source: this.peakWaiting.source})} : null,
				serverConnections: this.peakServer ? {used: this.peakServer.value, usable: this.peakServer.usable, at: new Date(this.peakServer.atMs).toISOString(), ...(this.peakServer.server === undefined ? {} : {server: this.peakServer.server})} : null,
			},
		};
	}

	private level(event: LevelEvent): void {
		const key = `${event.server ?? ''}\u0000${loggedSubjectKey(event.subject)}`;
		if (event.to === 'ok') {
			this.open.delete(key);
		} else if (this.open.size < OPEN_SUBJECTS || this.open.has(key)) {
			this.open.set(key, event.to);
		} else {
			this.isOverflowed = true;
		}

		if (event.to === 'ok') {
			if (this.signMs() !== null && this.clearedMs === null && this.open.size === 0 && !this.isOverflowed) {
				this.clearedMs = event.atMs;
			}

			return;
		}

		const mark = {atMs: event.atMs, event};
		this.firstSign ??= mark;
		if (event.to === 'critical') {
			this.firstCritical ??= mark;
		}

		if (this.clearedMs !== null) {
			this.relapse ??= mark;
		}
	}

	private peaks(event: Event): void {
		const numbers = asRecord((event as {numbers?: unknown}).numbers);
		const server = event.server;
		for (const pool of Array.isArray(numbers?.['pools']) ? numbers['pools'] as unknown[] : []) {
			const row = asRecord(pool);
			if (row && typeof row['waiting'] === 'number' && typeof row['name'] === 'string') {
				this.peakWaiting = higher(this.peakWaiting, {value: row['waiting'], atMs: event.atMs, where: row['name'], ...(server === undefined ? {} : {server})});
			}
		}

		const slots = asRecord(numbers?.['server']);
		if (slots && typeof slots['used'] === 'number') {
			this.usable = typeof slots['usable'] === 'number' ? slots['usable'] : this.usable;
			this.peakServer = higher(this.peakServer, {value: slots['used'], atMs: event.atMs, where: 'server', usable: this.usable, ...(server === undefined ? {} : {server})});
		}

		// A clear's course saw every poll: its peak is the real one.
		const course = event.type === 'level' ? asRecord(event.course) : null;
		const peakMs = logTimeMs(course?.['peakAt']);
		if (event.type === 'level' && course && typeof course['peak'] === 'number' && peakMs !== null) {
			const at = {value: course['peak'], atMs: peakMs, ...(server === undefined ? {} : {server})};
			const pool = asRecord(event.numbers)?.['pools'];
			const name = Array.isArray(pool) ? asRecord(pool[0])?.['name'] : undefined;
			if (course['what'] === 'waiting' && typeof name === 'string') {
				this.peakWaiting = higher(this.peakWaiting, {...at, where: name});
			} else if (course['what'] === 'connections') {
				this.peakServer = higher(this.peakServer, {...at, where: 'server', usable: this.usable});
			}
		}
	}

	private fixWords(): string {
		const {fix} = this;
		const more = this.fixes > 1 ? `; then ${this.fixes - 1} more ${this.fixes === 2 ? 'action or change' : 'actions or changes'} before the clear` : '';
		if (this.clearedMs === null) {
			return fix ? `none that cleared it; first tried at ${clockTime(fix.atMs)} UTC: ${describe(fix)}${more}` : 'none: it had not cleared when the log ends';
		}

		return fix ? `${clockTime(fix.atMs)} UTC: ${describe(fix)}${more}` : 'no action or change in the log before it cleared';
	}

	private recoveredWords(): string {
		if (this.clearedMs === null) {
			return this.isOverflowed ? 'not known (too many subjects to follow)' : 'no: still open when the log ends';
		}

		const afterFix = this.fix ? ` (${duration(this.clearedMs - this.fix.atMs)} after the fix)` : '';
		return `${clockTime(this.clearedMs)} UTC, ${duration(this.clearedMs - (this.signMs() ?? this.clearedMs))} after the first sign${afterFix}; everything ok`;
	}

	private peakWords(): string {
		const parts: string[] = [];
		const waiting = this.peakWaiting;
		if (waiting) {
			const source = waiting.source === undefined ? '' : ` (from ${text(waiting.source, '?')}, before lifeguard started)`;
			parts.push(`${waiting.value} waiting in pool ${serverPrefix(waiting.server)}${text(waiting.where, '?')} at ${clockTime(waiting.atMs)} UTC${source}`);
		}

		const server = this.peakServer;
		if (server) {
			parts.push(`${serverPrefix(server.server)}server ${server.value}${server.usable === null ? '' : `/${server.usable}`} connections at ${clockTime(server.atMs)} UTC`);
		}

		return parts.length > 0 ? parts.join('; ') : 'no numbers in the log';
	}
}

/** What may have fixed it: a setting changed, a session terminated or a query cancelled (not one merely skipped). */
function isFix(event: Event): boolean {
	return event.type === 'change' || ((event.type === 'terminate' || event.type === 'cancel') && event.sessions.some(session => session.outcome === 'done'));
}

/** The higher of two peaks; of two equal ones, the earlier (a flag repeats a number the poll saw first). */
const higher = <T extends Peak>(current: T | null, candidate: T): T =>
	(current && (current.value > candidate.value || (current.value === candidate.value && current.atMs <= candidate.atMs)) ? current : candidate);

const serverPrefix = (server: string | undefined) => (server === undefined ? '' : `${text(server, '?')}: `);

/** "13:58:40 UTC: pool checkout queueing (from Prometheus, before lifeguard started)". */
function priorWords(prior: PriorSign): string {
	return `${clockTime(prior.atMs)} UTC: pool ${text(prior.pool, '?')} queueing (from ${text(prior.source, '?')}, before lifeguard started)`;
}

/** "11:15:42 UTC: Pool checkout critical (5/5 busy, 12 waiting), pool-saturated". */
function markWords({atMs, event}: Mark): string {
	const numbers = levelNumbers(event);
	const code = typeof event.code === 'string' ? `, ${text(event.code, '')}` : '';
	return `${clockTime(atMs)} UTC: ${serverPrefix(event.server)}${subjectName(event)} ${text(event.to, '?')}${numbers ? ` (${numbers})` : ''}${code}`;
}

function withoutTime(event: Event): Record<string, unknown> {
	const {atMs: _atMs, ...rest} = event;
	return rest;
}
