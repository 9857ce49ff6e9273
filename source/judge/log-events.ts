// The incident log's one contract: one JSON object per line, each a fact with its time, written by
// the live screen (actions/incident-log.ts) and read back by `lifeguard timeline` through
// parseLogEvent below. Each change is one event: a level line carries its finding, its subject as
// data (judge/subject.ts) and its subject's numbers. What the log may grow by is bounded in log-fold.ts.
import type {AlarmChange} from './alarms.js';
import {usableConnections} from './levels.js';
import type {Picture, PoolView} from './picture.js';
import type {ChangeLogEvent, LoggedSubject, PriorStory} from './change-event.js';

export type {ChangeLogEvent, LoggedSubject} from './change-event.js';
import {poolSubject, type Subject, type SubjectKind, subjectKey} from './subject.js';
import type {Finding, FindingCode, Level, PoolStatus} from './types.js';
import type {PoolMetrics, ServerSnapshot} from '../readings/types.js';

export type PoolNumbers = {
	name: string;
	active: number | null;
	max: number | null;
	waiting: number | null;
	waitsPerSecond: number | null;
	timeoutsPerMinute: number | null;
};

/** The numbers that back a flag: what the operator saw at that moment. */
export type LogNumbers = {
	/** null while disconnected */
	server: {used: number; usable: number} | null;
	pools: PoolNumbers[];
	/** Several servers (on a flag): every one's slots, in `--db` order; null numbers while it is down. */
	servers?: Array<{name: string; used: number | null; usable: number | null}>;
};

/**
 * A level line's numbers: its own subject's only (the server's slots, or its pool's row), so a line
 * stays small however many pools there are. A subject without numbers (a pid, privileges) has none.
 */
export type LevelNumbers = Partial<Pick<LogNumbers, 'server' | 'pools'>>;

/** One key per subject, whichever way its line wrote it (an old log's words are the keys of today). */
export function loggedSubjectKey(subject: LoggedSubject): string {
	return typeof subject === 'string' ? subject : subjectKey(subject);
}

/** A finding still open, as a flag or a quit line lists it; `server` with several `--db`. */
export type OpenFinding = {code: FindingCode; level: Exclude<Level, 'ok'>; subject: LoggedSubject; server?: string};

export type SessionOutcome = {
	pid: number;
	user: string | null;
	application: string;
	state: string | null;
	/** done: signalled; skipped: not signalled (gone, changed identity, ...); failed: the server refused. */
	outcome: 'done' | 'skipped' | 'failed';
	/** Why it was skipped or failed, e.g. "changed", "permission denied". */
	reason?: string;
};

export type StartLimits = {maxConnections: number; superuserReserved: number; reservedForRole: number; usable: number};

/** `server`: the server's name when several are watched (`--db NAME=URL`), absent for one. */
export type LogEvent = {at: string; server?: string} & (
	| {
			type: 'start';
			/** Masked connection target. */
			target: string;
			version: string | null;
			limits: StartLimits | null;
			/** Settings the server had pending a restart at start (absent: not read, or a log before it was written). */
			pendingRestart?: string[];
	  }
	| {
			type: 'level';
			subject: LoggedSubject;
			/** Logs written before subjects were data: the pool's name when the subject was one. */
			pool?: string;
			from: Level;
			to: Level;
			/** The finding behind the new level (none when it cleared). */
			code?: FindingCode;
			message?: string;
			numbers: LevelNumbers;
			/** On a clear: how the subject's number moved while it stood ("waiting rose from 12 to 812"). */
			course?: {what: 'connections' | 'waiting'; from: number; fromAt: string; peak: number; peakAt: string};
	  }
	| {type: 'flag'; note: string; numbers: LogNumbers; findings: OpenFinding[]}
	| {type: 'terminate' | 'cancel'; sessions: SessionOutcome[]}
	| ChangeLogEvent
	/** What a source of history (Prometheus) showed before the start: written once, before the start lines. */
	| ({type: 'history'} & PriorStory)
	| {type: 'disconnect'; reason: string}
	| {type: 'reconnect'}
	| {type: 'endpoint-down'; subject: string; reason: string}
	| {type: 'endpoint-up'; subject: string}
	/** findings: those still open when the screen stopped (q, a signal, the terminal gone). */
	| {type: 'quit'; findings?: OpenFinding[]}
	| FoldEvent
);


/**
 * What the log did not write one by one (log-fold.ts): a subject that flapped, or changes over
 * the log's byte budget (a label set that churns). `from`/`to`: the first and last event folded.
 */
export type FoldEvent =
	| {
		type: 'fold';
		reason: 'flapping';
		/** A level line's subject, or `connection` / `endpoint URL`. */
		subject: LoggedSubject;
		/** Logs written before subjects were data: the pool's name when the subject was one. */
		pool?: string;
		count: number;
		from: string;
		to: string;
		/** Where it was left: a level, or `down` / `up` / `disconnected` / `connected`. */
		last: string;
		/** A level subject's numbers at its last change. */
		numbers?: LevelNumbers;
	}
	| {
		type: 'fold';
		reason: 'budget';
		count: number;
		/** Distinct subjects among them, counted up to FOLD_SUBJECT_COUNT_CAP (then `subjectsCapped`: at least that many). */
		subjects: number;
		subjectsCapped?: true;
		/** The first few subjects folded. */
		examples: string[];
		from: string;
		to: string;
	};

export type LogEventType = LogEvent['type'];

/** ISO 8601 in UTC, as every event's `at`. */
export function logTime(atMs: number): string {
	return new Date(atMs).toISOString();
}

/** A finding as a flag or a quit line lists it: its subject as data, its server beside it. */
export function openFinding(finding: Finding): OpenFinding {
	return {code: finding.code, level: finding.level, subject: finding.subject, ...(finding.server === undefined ? {} : {server: finding.server})};
}

export function logNumbers(picture: Picture): LogNumbers {
	return {server: serverNumbers(picture), pools: picture.pools.map(pool => poolNumbers(pool))};
}

function serverNumbers({server}: Picture): LogNumbers['server'] {
	return server ? {used: server.connections, usable: usableConnections(server)} : null;
}

function poolNumbers(pool: PoolView): PoolNumbers {
	return {
		name: pool.name,
		active: pool.metrics?.active ?? null,
		max: pool.metrics?.max ?? null,
		waiting: pool.metrics?.waiting ?? null,
		waitsPerSecond: round(pool.rates.waitsPerSecond),
		timeoutsPerMinute: round(pool.rates.timeoutsPerMinute),
	};
}

const round = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);

export function startLimits(server: ServerSnapshot): StartLimits {
	return {
		maxConnections: server.maxConnections,
		superuserReserved: server.superuserReservedConnections,
		reservedForRole: server.reservedForRoleConnections,
		usable: usableConnections(server),
	};
}

/**
 * The `level` events of one derivation, each change written once, with its own subject's numbers from
 * its frame: the server's slots, or its pool's row (none when the pool has gone).
 */
export function levelEvents(changes: readonly AlarmChange[], picture: Picture): LogEvent[] {
	const pools = changes.some(change => change.subject.kind === 'pool') ? new Map(picture.pools.map(pool => [pool.name, pool])) : null;
	return changes.map(change => ({
		at: logTime(change.atMs),
		type: 'level',
		subject: change.subject,
		from: change.from,
		to: change.to,
		...(change.finding && change.to !== 'ok' ? {code: change.finding.code, message: change.finding.message} : {}),
		numbers: ownNumbers(picture, change.subject, pools),
		...(change.course ? {course: {what: change.course.what, from: change.course.from, fromAt: logTime(change.course.fromMs), peak: change.course.peak, peakAt: logTime(change.course.peakMs)}} : {}),
	}));
}

/**
 * A pool's max as a setting: its own max, or a fleet's max per instance when every instance agrees
 * (null while they differ, as during a rolling deploy). A fleet's sum moves whenever an instance's
 * series appears or disappears: not a setting.
 */
export function settingMax(metrics: PoolMetrics | null | undefined): number | null {
	if (!metrics || metrics.error !== undefined) {
		return null;
	}

	return metrics.fleet ? metrics.fleet.maxPerInstance : metrics.max;
}

/** The `change` events of one pool reading: each pool whose max (as a setting) differs from its endpoint's reading before. */
export function poolChangeEvents(before: readonly PoolStatus[], after: readonly PoolStatus[], atMs: number): LogEvent[] {
	const key = (pool: PoolStatus) => `${pool.endpointId}\u0000${pool.name}`;
	const earlier = new Map(before.map(pool => [key(pool), pool.metrics]));
	const events: LogEvent[] = [];
	for (const pool of after) {
		const was = settingMax(earlier.get(key(pool)));
		const now = settingMax(pool.metrics);
		if (was !== null && now !== null && was !== now) {
			events.push({at: logTime(atMs), type: 'change', subject: poolSubject(pool.name), what: 'max', from: was, to: now});
		}
	}

	return events;
}

/** The subject's own numbers: the server's slots, its pool's row (none for a pool that has gone), or none. */
function ownNumbers(picture: Picture, subject: Subject, pools: ReadonlyMap<string, PoolView> | null): LevelNumbers {
	if (subject.kind === 'server') {
		return {server: serverNumbers(picture)};
	}

	if (subject.kind !== 'pool') {
		return {};
	}

	const pool = pools?.get(subject.name);
	return {pools: pool ? [poolNumbers(pool)] : []};
}

// --- reading ---

// A log may be cut short, hand edited, written by an older version or by someone who means harm: each
// line is checked against the contract above before the timeline relies on it. A value that is there
// must have its type (levels are ok|warning|critical, pids integers, numbers finite); what the writer
// always writes and the timeline needs must be there. A line that breaks it is no event. Strings are
// still untrusted text: the caller makes them safe.

type Valid = (value: unknown) => boolean;
type Shape = Record<string, Valid>;

const isString: Valid = value => typeof value === 'string';
const isNumber: Valid = value => typeof value === 'number' && Number.isFinite(value);
const isPid: Valid = value => Number.isSafeInteger(value) && (value as number) > 0;
const isLevel: Valid = value => value === 'ok' || value === 'warning' || value === 'critical';
const isAlarmLevel: Valid = value => value === 'warning' || value === 'critical';
const optional = (valid: Valid): Valid => value => value === undefined || valid(value);
const nullable = (valid: Valid): Valid => value => value === null || valid(value);
const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
function shaped(shape: Shape): Valid {
	const fields = Object.entries(shape);
	return value => {
		if (!isRecord(value)) {
			return false;
		}

		for (const [key, valid] of fields) {
			if (!valid(value[key])) {
				return false;
			}
		}

		return true;
	};
}

const listOf = (valid: Valid): Valid => value => Array.isArray(value) && value.every(item => valid(item));

const count = optional(nullable(isNumber));
const NUMBERS = shaped({
	server: optional(nullable(shaped({used: isNumber, usable: isNumber}))),
	pools: optional(listOf(shaped({name: isString, active: count, max: count, waiting: count, waitsPerSecond: count, timeoutsPerMinute: count}))),
	servers: optional(listOf(shaped({name: isString, used: count, usable: count}))),
});
const SESSIONS = listOf(shaped({
	pid: isPid,
	user: optional(nullable(isString)),
	application: optional(isString),
	state: optional(nullable(isString)),
	outcome: value => value === 'done' || value === 'skipped' || value === 'failed',
	reason: optional(isString),
}));

const SUBJECTS: Record<SubjectKind, Valid> = {
	server: shaped({}),
	pool: shaped({name: isString}),
	group: shaped({application: isString, client: nullable(isString), pooler: optional(isString)}),
	pid: shaped({pid: isPid}),
	privileges: shaped({}),
	fleet: shaped({}),
};
const isSubject: Valid = value => isRecord(value) && typeof value['kind'] === 'string' && Object.hasOwn(SUBJECTS, value['kind']) && SUBJECTS[value['kind'] as SubjectKind](value);
/** Data, or (an older log, a connection, an endpoint) words. */
const isLoggedSubject: Valid = value => isString(value) || isSubject(value);

const OPEN_FINDINGS = listOf(shaped({code: isString, level: isAlarmLevel, subject: isLoggedSubject, server: optional(isString)}));

const isLogTime: Valid = value => logTimeMs(value) !== null;
/** A change line's fields by what changed (a log before reloads were logged holds `max` only). */
const CHANGES: Record<ChangeLogEvent['what'], Valid> = {
	max: shaped({from: isNumber, to: isNumber}),
	reload: shaped({loadedAt: isLogTime, pendingRestart: optional(listOf(isString))}),
	restart: shaped({from: isLogTime, to: isLogTime}),
	reconnected: shaped({application: isString, client: nullable(isString), replaced: isNumber, of: isNumber, withinSeconds: isNumber, firstStartedAt: isLogTime}),
	instances: shaped({from: isNumber, to: isNumber, joined: listOf(isString), left: listOf(isString)}),
};
/** Each type's fields; `at`, `type` and `server` are checked for every line. */
const SHAPES: Record<LogEventType, Shape> = {
	start: {
		target: isString,
		version: optional(nullable(isString)),
		limits: optional(nullable(shaped({maxConnections: isNumber, superuserReserved: optional(isNumber), reservedForRole: optional(isNumber), usable: isNumber}))),
		pendingRestart: optional(listOf(isString)),
	},
	level: {
		subject: isLoggedSubject,
		pool: optional(isString),
		from: isLevel,
		to: isLevel,
		code: optional(isString),
		message: optional(isString),
		numbers: optional(NUMBERS),
		course: optional(shaped({what: isString, from: isNumber, fromAt: value => logTimeMs(value) !== null, peak: isNumber, peakAt: value => logTimeMs(value) !== null})),
	},
	flag: {note: isString, numbers: optional(NUMBERS), findings: optional(OPEN_FINDINGS)},
	terminate: {sessions: SESSIONS},
	change: {subject: isLoggedSubject, what: isString},
	history: {
		source: isString,
		from: isLogTime,
		pools: listOf(shaped({name: isString, queueSince: nullable(isLogTime), peakWaiting: shaped({value: isNumber, at: isLogTime})})),
		changes: listOf(value => isRecord(value) && value['type'] === 'change' && isLogTime(value['at']) && isLoggedSubject(value['subject']) && value['what'] === 'max' && CHANGES.max(value)),
	},
	cancel: {sessions: SESSIONS},
	disconnect: {reason: optional(isString)},
	reconnect: {},
	'endpoint-down': {subject: isString, reason: optional(isString)},
	'endpoint-up': {subject: isString},
	quit: {findings: optional(OPEN_FINDINGS)},
	fold: {
		reason: value => value === 'flapping' || value === 'budget',
		subject: optional(isLoggedSubject),
		pool: optional(isString),
		count: isNumber,
		from: value => logTimeMs(value) !== null,
		to: value => logTimeMs(value) !== null,
		last: optional(isString),
		numbers: optional(NUMBERS),
		subjects: optional(isNumber),
		subjectsCapped: optional(value => value === true),
		examples: optional(listOf(isString)),
	},
};

// Another `what` (hand edited, a later version) keeps the first contract: a setting from one number to another.
const isChange: Valid = value => isRecord(value) && typeof value['what'] === 'string'
	&& CHANGES[Object.hasOwn(CHANGES, value['what']) ? value['what'] as ChangeLogEvent['what'] : 'max'](value);

const VALID = Object.fromEntries(Object.entries(SHAPES).map(([type, shape]) => [type, shaped(shape)])) as Record<LogEventType, Valid>;
const validChange = VALID.change;
VALID.change = value => validChange(value) && isChange(value);
const isServer = optional(isString);

// What logTime writes, and what a hand edit may add: an offset instead of Z, no seconds or fraction.
const LOG_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const FIRST_MS = Date.parse('0000-01-01T00:00:00Z');
const LAST_MS = Date.parse('9999-12-31T23:59:59.999Z');

/** The time of a line in ms, or null: in the format the writer uses, from year 0 to 9999 in UTC. */
export function logTimeMs(at: unknown): number | null {
	if (typeof at !== 'string' || !LOG_TIME.test(at)) {
		return null;
	}

	const atMs = Date.parse(at);
	// A heading is the date of an ISO string: a year past 9999 (+275760) has no such date.
	return Number.isNaN(atMs) || atMs < FIRST_MS || atMs > LAST_MS ? null : atMs;
}

/** One line of a log back into an event, or null when it is not one that keeps the contract. */
export function parseLogEvent(line: string): (LogEvent & {atMs: number}) | null {
	let value: unknown;
	try {
		value = JSON.parse(line);
	} catch {
		return null;
	}

	if (!isRecord(value) || typeof value['type'] !== 'string' || !Object.hasOwn(VALID, value['type'])) {
		return null;
	}

	const atMs = logTimeMs(value['at']);
	if (atMs === null || !isServer(value['server']) || !VALID[value['type'] as LogEventType](value)) {
		return null;
	}

	return {...(value as LogEvent), atMs};
}
