// Incident log events: one JSON object per line, each a fact with its time, so the log alone can
// tell the story afterwards (see output/timeline.ts). Pure builders; the caller supplies `at`.
import {usableConnections} from './levels.js';
import type {Finding, FindingCode, Level, Observation, PoolStatus, ServerSnapshot} from './types.js';

export type PoolNumbers = {name: string; active: number | null; max: number | null; waiting: number | null};

/** The numbers that back a level change or a flag: what the operator saw at that moment. */
export type LogNumbers = {
	/** null while disconnected */
	server: {used: number; usable: number} | null;
	pools: PoolNumbers[];
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

export type LogEvent = {at: string} & (
	| {
			type: 'start';
			/** Masked connection target. */
			target: string;
			version: string | null;
			limits: {maxConnections: number; superuserReserved: number; reservedForRole: number; usable: number} | null;
	  }
	| {type: 'level'; subject: string; from: Level; to: Level; numbers: LogNumbers}
	| {
			type: 'flag';
			note: string;
			numbers: LogNumbers;
			findings: Array<{code: FindingCode; level: Exclude<Level, 'ok'>; subject: string}>;
	  }
	| {type: 'terminate' | 'cancel'; sessions: SessionOutcome[]}
	| {type: 'disconnect'; reason: string}
	| {type: 'reconnect'}
	| {type: 'endpoint-down'; subject: string; reason: string}
	| {type: 'endpoint-up'; subject: string}
	| {type: 'finding'; code: FindingCode; level: Exclude<Level, 'ok'>; subject: string; message: string}
	| {type: 'quit'}
);

export type LogEventType = LogEvent['type'];

/** ISO 8601 in UTC, as every event's `at`. */
export function logTime(atMs: number): string {
	return new Date(atMs).toISOString();
}

export function poolNumbers(pool: PoolStatus): PoolNumbers {
	const m = pool.metrics;
	return {name: pool.name, active: m?.active ?? null, max: m?.max ?? null, waiting: m?.waiting ?? null};
}

export function logNumbers(server: ServerSnapshot | null, pools: readonly PoolStatus[]): LogNumbers {
	return {
		server: server ? {used: server.connections, usable: usableConnections(server)} : null,
		pools: pools.map(pool => poolNumbers(pool)),
	};
}

export function startLimits(server: ServerSnapshot): NonNullable<Extract<LogEvent, {type: 'start'}>['limits']> {
	return {
		maxConnections: server.maxConnections,
		superuserReserved: server.superuserReservedConnections,
		reservedForRole: server.reservedForRoleConnections,
		usable: usableConnections(server),
	};
}

export type LevelChange = {subject: string; from: Level; to: Level};

/** Findings in `next` whose code and subject were not in `previous`: the ones to log as they appear. */
export function newFindings(previous: readonly Finding[], next: readonly Finding[]): Finding[] {
	const seen = new Set(previous.map(finding => `${finding.code}\u0000${finding.subject}`));
	return next.filter(finding => !seen.has(`${finding.code}\u0000${finding.subject}`));
}

/** The `level` events of one step from one observation to the next, for the caller to write. */
export function levelEvents(changes: readonly LevelChange[], latest: Observation): LogEvent[] {
	const numbers = logNumbers(latest.server, latest.pools);
	const at = logTime(latest.atMs);
	return changes.map(change => ({at, type: 'level', ...change, numbers}));
}
