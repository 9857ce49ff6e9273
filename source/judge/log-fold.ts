// The incident log's ceiling: whatever the sources do, it grows by at most about 1 MiB a minute.
// Two things are folded, counted instead of written one by one, and written as one `fold` line with
// the count and the span at most FOLD_SPAN_MS after the first:
// - a subject that flaps: past FLAP_WRITTEN changes within FLAP_WINDOW_MS, its changes are counted;
// - changes over the byte budget (a token bucket: BURST_BYTES at once, BYTES_PER_MINUTE after), as a
//   label set that churns makes them (every scrape new pool names, each one a level change): once
//   over, every foldable change is counted until the fold line is due, so the log shows one line,
//   not a trickle of arbitrary survivors.
// A pool's max that changed is a change like a level's (the flap rule and the budget hold it).
// Start, quit, flags, terminations and cancels are the operator's and are always written; so is the
// server's own level and its connection (bounded by the flap rule). Pure: time comes from the
// events; the writer (actions/incident-log.ts) asks for due fold lines on a timer.
import {type FoldEvent, type LevelNumbers, type LoggedSubject, loggedSubjectKey, type LogEvent, logTime} from './log-events.js';
import {subjectText} from './subject.js';

export type FoldLimits = {
	burstBytes: number;
	bytesPerMinute: number;
	flapWindowMs: number;
	flapWritten: number;
	foldSpanMs: number;
};

export const FOLD_LIMITS: FoldLimits = {
	// Any 60 s: at most burst + a minute of refill = 976 KiB, plus one budget fold line.
	burstBytes: 256 * 1024,
	bytesPerMinute: 720 * 1024,
	flapWindowMs: 120_000,
	flapWritten: 4,
	foldSpanMs: 60_000,
};

/** Distinct subjects counted in one budget fold; past it the count says "at least". */
export const FOLD_SUBJECT_COUNT_CAP = 10_000;
const EXAMPLES = 3;

type Foldable = Extract<LogEvent, {type: 'level' | 'change' | 'disconnect' | 'reconnect' | 'endpoint-down' | 'endpoint-up'}>;

type Run = {subject: LoggedSubject; server?: string; count: number; firstMs: number; lastMs: number; last: string; numbers?: LevelNumbers};
type Overflow = {count: number; firstMs: number; lastMs: number; subjects: Set<string>; examples: string[]};
type Tracked = {written: number[]; run: Run | null};

export type LogFolder = {
	/**
	 * One event about to be written (`bytes`: its line's size): the fold lines due by its time, and
	 * whether the event itself is written (false: it was counted in a fold).
	 */
	admit(event: LogEvent, atMs: number, bytes: number): {before: LogEvent[]; isWritten: boolean};
	/** The fold lines due by `atMs` (for a timer: nothing else may arrive for a while). */
	due(atMs: number): LogEvent[];
	/** Every pending fold line, due or not (the log closes). */
	flush(atMs: number): LogEvent[];
	/** When the next fold line is due, or null when nothing is folded. */
	nextDueMs(): number | null;
};

const isFoldable = (event: LogEvent): event is Foldable =>
	event.type === 'level' || event.type === 'change' || event.type === 'disconnect' || event.type === 'reconnect' || event.type === 'endpoint-down' || event.type === 'endpoint-up';

/** The server's own level and its connection are never over budget: the flap rule bounds them. */
const isOverBudgetFoldable = (event: Foldable) =>
	(event.type === 'level' && loggedSubjectKey(event.subject) !== 'server') || event.type === 'change' || event.type === 'endpoint-down' || event.type === 'endpoint-up';

/** The subject as a fold line names it, and where the event leaves it. */
function subjectOf(event: Foldable): {subject: LoggedSubject; last: string} {
	switch (event.type) {
		case 'level': {
			return {subject: event.subject, last: event.to};
		}

		case 'change': {
			// Words, not the subject: a pool's max flaps apart from the pool's level.
			return {subject: `${typeof event.subject === 'string' ? event.subject : subjectText(event.subject)} ${event.what}`, last: changeLast(event)};
		}

		case 'disconnect':
		case 'reconnect': {
			return {subject: 'connection', last: event.type === 'disconnect' ? 'disconnected' : 'connected'};
		}

		case 'endpoint-down':
		case 'endpoint-up': {
			return {subject: `endpoint ${event.subject}`, last: event.type === 'endpoint-down' ? 'down' : 'up'};
		}
	}
}

/** Where a change leaves its subject, as a fold line's `last` says it. */
function changeLast(event: Extract<Foldable, {type: 'change'}>): string {
	switch (event.what) {
		case 'reload': {
			return event.loadedAt;
		}

		case 'reconnected': {
			return `${event.replaced} of ${event.of} replaced`;
		}

		default: {
			return String(event.to);
		}
	}
}

export function createLogFolder(limits: FoldLimits = FOLD_LIMITS): LogFolder {
	return new Folder(limits);
}

const bytesOf = (event: LogEvent) => Buffer.byteLength(JSON.stringify(event)) + 1;

function runLine(run: Run, atMs: number): FoldEvent & LogEvent {
	return {
		at: logTime(atMs),
		...(run.server === undefined ? {} : {server: run.server}),
		type: 'fold',
		reason: 'flapping',
		subject: run.subject,
		count: run.count,
		from: logTime(run.firstMs),
		to: logTime(run.lastMs),
		last: run.last,
		...(run.numbers === undefined ? {} : {numbers: run.numbers}),
	};
}

function overflowLine(overflow: Overflow, atMs: number): FoldEvent & LogEvent {
	const isCapped = overflow.subjects.size >= FOLD_SUBJECT_COUNT_CAP;
	return {
		at: logTime(atMs),
		type: 'fold',
		reason: 'budget',
		count: overflow.count,
		subjects: overflow.subjects.size,
		...(isCapped ? {subjectsCapped: true} : {}),
		examples: overflow.examples,
		from: logTime(overflow.firstMs),
		to: logTime(overflow.lastMs),
	};
}

class Folder implements LogFolder {
	private tokens: number;
	private refilledMs: number | null = null;
	private readonly tracked = new Map<string, Tracked>();
	private overflow: Overflow | null = null;
	private prunedMs = Number.NEGATIVE_INFINITY;
	// The earliest time a fold line is due: events before it skip the walk over every subject.
	private nextDue = Number.POSITIVE_INFINITY;

	constructor(private readonly limits: FoldLimits) {
		this.tokens = limits.burstBytes;
	}

	admit(event: LogEvent, atMs: number, bytes: number): {before: LogEvent[]; isWritten: boolean} {
		const before = this.collect(atMs, event.type === 'quit');
		this.prune(atMs);
		this.refill(atMs);
		if (!isFoldable(event)) {
			this.tokens -= bytes;
			return {before, isWritten: true};
		}

		const {subject, last} = subjectOf(event);
		const key = `${event.server ?? ''}\u0000${loggedSubjectKey(subject)}`;
		const entry = this.tracked.get(key) ?? {written: [], run: null};
		entry.written = entry.written.filter(ms => ms > atMs - this.limits.flapWindowMs);
		let isWritten = false;
		if (entry.run || entry.written.length >= this.limits.flapWritten) {
			this.foldIntoRun(entry, event, {subject, last}, atMs);
		} else if (isOverBudgetFoldable(event) && (this.overflow !== null || this.tokens < bytes)) {
			this.addToOverflow(atMs, subject, 1);
		} else {
			this.tokens -= bytes;
			entry.written.push(atMs);
			isWritten = true;
		}

		if (entry.run || entry.written.length > 0) {
			this.tracked.set(key, entry);
		}

		return {before, isWritten};
	}

	due(atMs: number): LogEvent[] {
		return this.collect(atMs, false);
	}

	flush(atMs: number): LogEvent[] {
		return this.collect(atMs, true);
	}

	nextDueMs(): number | null {
		return Number.isFinite(this.nextDue) ? this.nextDue : null;
	}

	private foldIntoRun(entry: Tracked, event: Foldable, {subject, last}: {subject: LoggedSubject; last: string}, atMs: number) {
		if (!entry.run) {
			this.nextDue = Math.min(this.nextDue, atMs + this.limits.foldSpanMs);
			entry.run = {
				subject,
				...(event.server === undefined ? {} : {server: event.server}),
				count: 0,
				firstMs: atMs,
				lastMs: atMs,
				last,
			};
		}

		entry.run.count++;
		entry.run.lastMs = atMs;
		entry.run.last = last;
		if (event.type === 'level') {
			entry.run.numbers = event.numbers;
		}
	}

	private refill(atMs: number) {
		if (this.refilledMs !== null && atMs > this.refilledMs) {
			this.tokens = Math.min(this.limits.burstBytes, this.tokens + ((atMs - this.refilledMs) * this.limits.bytesPerMinute / 60_000));
		}

		this.refilledMs = Math.max(this.refilledMs ?? atMs, atMs);
	}

	/** Counted over the budget: distinct subjects by key, the examples in words (`pool api`, `endpoint URL`). */
	private addToOverflow(atMs: number, subject: LoggedSubject, count: number, firstMs = atMs) {
		if (!this.overflow) {
			this.overflow = {count: 0, firstMs, lastMs: atMs, subjects: new Set(), examples: []};
			this.nextDue = Math.min(this.nextDue, firstMs + this.limits.foldSpanMs);
		}

		const overflow = this.overflow;
		overflow.count += count;
		overflow.firstMs = Math.min(overflow.firstMs, firstMs);
		overflow.lastMs = Math.max(overflow.lastMs, atMs);
		if (overflow.subjects.size < FOLD_SUBJECT_COUNT_CAP) {
			overflow.subjects.add(loggedSubjectKey(subject));
		}

		const example = typeof subject === 'string' ? subject : subjectText(subject);
		if (overflow.examples.length < EXAMPLES && !overflow.examples.includes(example)) {
			overflow.examples.push(example);
		}
	}

	/** Fold lines whose span is over (all of them when `isAll`), oldest first. */
	private collect(atMs: number, isAll: boolean): LogEvent[] {
		if (!isAll && atMs < this.nextDue) {
			return [];
		}

		this.nextDue = Number.POSITIVE_INFINITY;
		const out = this.collectRuns(atMs, isAll);
		const {overflow} = this;
		if (overflow && (isAll || atMs >= overflow.firstMs + this.limits.foldSpanMs)) {
			this.overflow = null;
			const line = overflowLine(overflow, atMs);
			// The one line written over the budget: without it the folded changes would be lost.
			this.tokens -= bytesOf(line);
			out.push(line);
		} else if (overflow) {
			this.nextDue = Math.min(this.nextDue, overflow.firstMs + this.limits.foldSpanMs);
		}

		return out;
	}

	private collectRuns(atMs: number, isAll: boolean): LogEvent[] {
		const out: LogEvent[] = [];
		for (const entry of this.tracked.values()) {
			const {run} = entry;
			if (!run) {
				continue;
			}

			if (!isAll && atMs < run.firstMs + this.limits.foldSpanMs) {
				this.nextDue = Math.min(this.nextDue, run.firstMs + this.limits.foldSpanMs);
				continue;
			}

			entry.run = null;
			const line = runLine(run, atMs);
			const bytes = bytesOf(line);
			this.refill(atMs);
			// A flap line is budgeted like any change: over the budget it joins the budget's fold.
			if (this.tokens >= bytes) {
				this.tokens -= bytes;
				out.push(line);
			} else {
				this.addToOverflow(run.lastMs, run.subject, run.count, run.firstMs);
			}
		}

		return out;
	}

	/** Forget subjects with no run and no written change in the flap window (at most once a span). */
	private prune(atMs: number) {
		if (atMs - this.prunedMs < this.limits.foldSpanMs) {
			return;
		}

		this.prunedMs = atMs;
		for (const [key, entry] of this.tracked) {
			entry.written = entry.written.filter(ms => ms > atMs - this.limits.flapWindowMs);
			if (!entry.run && entry.written.length === 0) {
				this.tracked.delete(key);
			}
		}
	}
}
