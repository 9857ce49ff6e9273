// The incident log's one contract: one JSON object per line, each a fact with its time, written by
// the live screen (actions/incident-log.ts) and read back by `lifeguard timeline` through
// parseLogEvent below. Each change is one event: a level line carries its finding and its numbers.
import type {AlarmChange} from './alarms.js';
import {usableConnections} from './levels.js';
import type {Picture} from './picture.js';
import type {FindingCode, Level, ServerSnapshot} from './types.js';

export type PoolNumbers = {
	name: string;
	active: number | null;
	max: number | null;
	waiting: number | null;
	waitsPerSecond: number | null;
	timeoutsPerMinute: number | null;
};

/** The numbers that back a level change or a flag: what the operator saw at that moment. */
export type LogNumbers = {
	/** null while disconnected */
	server: {used: number; usable: number} | null;
	pools: PoolNumbers[];
	/** Several servers (on a flag): every one's slots, in `--db` order; null numbers while it is down. */
	servers?: Array<{name: string; used: number | null; usable: number | null}>;
};

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
	| {type: 'start'; /** Masked connection target. */ target: string; version: string | null; limits: StartLimits | null}
	| {
			type: 'level';
			/** `server`, `pool NAME`, `pid N` or `privileges`. */
			subject: string;
			/** The pool's name when the subject is a pool, to find its numbers. */
			pool?: string;
			from: Level;
			to: Level;
			/** The finding behind the new level (none when it cleared). */
			code?: FindingCode;
			message?: string;
			numbers: LogNumbers;
			/** On a clear: how the subject's number moved while it stood ("waiting rose from 12 to 812"). */
			course?: {what: 'connections' | 'waiting'; from: number; fromAt: string; peak: number; peakAt: string};
	  }
	| {type: 'flag'; note: string; numbers: LogNumbers; findings: Array<{code: FindingCode; level: Exclude<Level, 'ok'>; subject: string}>}
	| {type: 'terminate' | 'cancel'; sessions: SessionOutcome[]}
	| {type: 'disconnect'; reason: string}
	| {type: 'reconnect'}
	| {type: 'endpoint-down'; subject: string; reason: string}
	| {type: 'endpoint-up'; subject: string}
	| {type: 'quit'}
);

export type LogEventType = LogEvent['type'];

/** ISO 8601 in UTC, as every event's `at`. */
export function logTime(atMs: number): string {
	return new Date(atMs).toISOString();
}

export function logNumbers(picture: Picture): LogNumbers {
	const {server} = picture;
	return {
		server: server ? {used: server.connections, usable: usableConnections(server)} : null,
		pools: picture.pools.map(pool => ({
			name: pool.name,
			active: pool.metrics?.active ?? null,
			max: pool.metrics?.max ?? null,
			waiting: pool.metrics?.waiting ?? null,
			waitsPerSecond: round(pool.rates.waitsPerSecond),
			timeoutsPerMinute: round(pool.rates.timeoutsPerMinute),
		})),
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

/** The `level` events of one derivation, each change written once, with the numbers of its frame. */
export function levelEvents(changes: readonly AlarmChange[], picture: Picture): LogEvent[] {
	const numbers = logNumbers(picture);
	return changes.map(change => ({
		at: logTime(change.atMs),
		type: 'level',
		subject: change.subject,
		...(change.subject.startsWith('pool ') ? {pool: change.subject.slice('pool '.length)} : {}),
		from: change.from,
		to: change.to,
		...(change.finding && change.to !== 'ok' ? {code: change.finding.code, message: change.finding.message} : {}),
		numbers,
		...(change.course ? {course: {what: change.course.what, from: change.course.from, fromAt: logTime(change.course.fromMs), peak: change.course.peak, peakAt: logTime(change.course.peakMs)}} : {}),
	}));
}

// --- reading ---

const TYPES: ReadonlySet<string> = new Set<LogEventType>(['start', 'level', 'flag', 'terminate', 'cancel', 'disconnect', 'reconnect', 'endpoint-down', 'endpoint-up', 'quit']);

/**
 * One line of a log back into an event, or null when it is not one. A log may be cut short, hand
 * edited or written by an older version: the shape is checked where the timeline relies on it, and
 * every string is read as untrusted text by the caller.
 */
export function parseLogEvent(line: string): (LogEvent & {atMs: number}) | null {
	let value: unknown;
	try {
		value = JSON.parse(line);
	} catch {
		return null;
	}

	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		return null;
	}

	const record = value as Record<string, unknown>;
	const {type, at} = record;
	if (typeof type !== 'string' || typeof at !== 'string' || !TYPES.has(type)) {
		return null;
	}

	const atMs = Date.parse(at);
	if (Number.isNaN(atMs)) {
		return null;
	}

	if (type === 'level' && (typeof record['subject'] !== 'string' || typeof record['from'] !== 'string' || typeof record['to'] !== 'string')) {
		return null;
	}

	return {...(record as LogEvent), atMs};
}
