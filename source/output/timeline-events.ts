// The log's events in order, each once, with quick runs folded: what both forms of the timeline print
// (timeline.ts the Markdown, timeline-json.ts the JSON).
import {loggedSubjectKey, logTimeMs} from '../judge/log-events.js';
import {asRecord, type ChangeEvent, type Event, isSameSubject, type LevelEvent} from './timeline-sentences.js';

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
/** A setting's change from one number to another (a pool's max): steps within seconds fold into one line. */
export type MaxChangeEvent = Extract<ChangeEvent, {what: 'max'}>;
/** Changes told on a line of their own, never folded into steps. */
const OWN_LINE_CHANGES: ReadonlySet<string> = new Set(['reload', 'restart', 'reconnected', 'instances']);
const isStep = (event: Event): event is MaxChangeEvent => event.type === 'change' && !OWN_LINE_CHANGES.has(event.what);
export type Steps = {first: MaxChangeEvent; last: MaxChangeEvent; count: number};

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

		if (isStep(event) && this.continuesSteps(event)) {
			return [];
		}

		const out = this.flush();
		if (event.type === 'level' && !isLongClear) {
			this.run = {first: event, second: null, last: event, count: 1, levels: new Set([event.from, event.to])};
			return out;
		}

		if (isStep(event)) {
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

	private continuesSteps(event: MaxChangeEvent): boolean {
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
