// The judging of `lifeguard doctor`: pure functions from what was read (DoctorInput) to checks. Each
// check names the numbers it used and the exact fix. No I/O, no clock: tested table-driven. Here: what
// every check shares (titles, statuses, the arithmetic of durations, settings and pool sizes); the
// checks themselves by family in capacity-checks.ts, timeout-checks.ts and limit-checks.ts.
import type {Check, CheckId, CheckStatus, LoginRole, Part, PgBouncerConfig, PoolCapacity, RoleDatabaseSetting, ServerSettings} from './types.js';
import {plural} from '../text/words.js';

/** PostgreSQL's time units in milliseconds, largest first (settings.ts prints a value in the largest that keeps it whole). */
export const TIME_UNITS_MS: ReadonlyArray<readonly [string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000], ['ms', 1], ['us', 0.001]];
/** The base unit of each duration setting the review reads (as pg_settings.unit says). */
const BASE_UNIT: Record<string, string> = {
	idle_in_transaction_session_timeout: 'ms',
	idle_session_timeout: 'ms',
	statement_timeout: 'ms',
	tcp_keepalives_idle: 's',
	tcp_keepalives_interval: 's',
	tcp_user_timeout: 'ms',
};
/** Sources that are this session's own, or the monitoring role's: they hide the server-wide value. */
const SHADOWING_SOURCES = new Set(['client', 'session', 'user', 'database', 'database user']);
/** A vanished client should give its slot back within this long. */
export const KEEPALIVE_DETECTION_LIMIT_SECONDS = 600;

export const SUGGESTED = {
	idleInTransaction: '60s',
	statement: '30s',
	idleSession: '1h',
	reservedConnections: 3,
	superuserReserved: 3,
	queryWaitTimeoutSeconds: 120,
} as const;

export const CHECK_TITLES: Record<CheckId, string> = {
	'capacity-total': 'Capacity: pools × instances vs usable slots',
	'capacity-observed': 'Capacity: pool size vs observed demand',
	'reserved-slots': 'Room for the operator when full',
	'idle-in-transaction-timeout': 'idle_in_transaction_session_timeout',
	'idle-session-timeout': 'idle_session_timeout',
	'statement-timeout': 'statement_timeout on application roles',
	'tcp-keepalive': 'TCP keepalive',
	'pool-acquire-timeout': 'Pool acquire timeouts',
	'role-connection-limit': 'Role connection limits',
	'database-connection-limit': 'Database connection limits',
	'pgbouncer-max-client-conn': 'PgBouncer max_client_conn',
	visibility: 'Monitoring role sees every session',
	'signal-backend': 'Monitoring role may end sessions',
};

const STATUS_RANK: Record<CheckStatus, number> = {skip: 0, pass: 0, unknown: 1, warn: 2, fail: 3};
export const EXIT_CODES: Record<CheckStatus, 0 | 1 | 2 | 3> = {skip: 0, pass: 0, unknown: 3, warn: 1, fail: 2};

/**
 * The report's status, like `check`: fail 2, warn 1, could not check 3, all pass 0. A check that could
 * not be made only decides when nothing worse was found: a failure stays a failure.
 */
export function overallStatus(checks: readonly Check[]): CheckStatus {
	let worst: CheckStatus = 'pass';
	for (const check of checks) {
		if (STATUS_RANK[check.status] > STATUS_RANK[worst]) {
			worst = check.status;
		}
	}

	return worst;
}

export function exitCodeFor(checks: readonly Check[]): 0 | 1 | 2 | 3 {
	return EXIT_CODES[overallStatus(checks)];
}

// --- helpers --------------------------------------------------------------------------------------

export function check(id: CheckId, status: CheckStatus, found: string, fix: string | null, numbers: Check['numbers'] = {}): Check {
	return {id, status, title: CHECK_TITLES[id], found, fix, numbers};
}

export function couldNotRead(id: CheckId, ...parts: Array<Part<unknown>>): Check | null {
	const failed = parts.find(part => !part.ok);
	return failed && !failed.ok ? check(id, 'unknown', `could not read: ${failed.error}`, null) : null;
}

export function usableSlots(settings: ServerSettings): number {
	return settings.maxConnections - settings.superuserReservedConnections - settings.reservedConnections;
}

/** A duration setting ("30s", "5min", "30000" in its base unit) in milliseconds; null when unreadable. */
export function durationMs(name: string, text: string): number | null {
	const match = /^\s*(-?\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/.exec(text);
	if (!match) {
		return null;
	}

	const unit = match[2] ?? BASE_UNIT[name] ?? 'ms';
	return Number(match[1]) * TIME_UNITS_MS.find(([name]) => name === unit)![1];
}

export function listNames(names: readonly string[], max = 4): string {
	return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** Roles an application logs in as: login roles that are not superusers and not the monitor itself. */
export function applicationRoles(roles: readonly LoginRole[], monitorRole: string | null): LoginRole[] {
	return roles.filter(role => !role.isSuperuser && role.name !== monitorRole && !role.name.startsWith('pg_'));
}

export type Effective = {ms: number | null; origin: 'role in database' | 'role' | 'database' | 'all roles' | 'server'; database: string};

/** PostgreSQL's order: ALTER ROLE r IN DATABASE d, ALTER ROLE r, ALTER DATABASE d, ALTER ROLE ALL, server. */
export function effectiveSetting(name: string, role: string, database: string, rows: readonly RoleDatabaseSetting[], serverMs: number | null): Effective {
	const levels: Array<[Effective['origin'], string | null, string | null]> = [
		['role in database', role, database],
		['role', role, null],
		['database', null, database],
		['all roles', null, null],
	];
	for (const [origin, wantRole, wantDatabase] of levels) {
		const row = rows.find(candidate => candidate.role === wantRole && candidate.database === wantDatabase && name in candidate.settings);
		if (row) {
			return {ms: durationMs(name, row.settings[name]!), origin, database};
		}
	}

	return {ms: serverMs, origin: 'server', database};
}

/** The server-wide value of a duration setting, or null when this session's own settings hide it. */
export function serverWideMs(settings: ServerSettings, name: string): number | null {
	const setting = settings.settings[name];
	if (!setting || SHADOWING_SOURCES.has(setting.source)) {
		return null;
	}

	return durationMs(name, setting.value);
}

export function poolDemand(pool: PoolCapacity): number | null {
	return pool.maxPerInstance === null ? null : pool.maxPerInstance * pool.instances;
}

export function poolArithmetic(pool: PoolCapacity): string {
	return `${pool.name} ${pool.maxPerInstance ?? '?'} × ${plural(pool.instances, 'instance')}`;
}

/** Server connections one PgBouncer may open: per database, pool_size (+ reserve) × users, capped by max_db_connections. */
export function pgbouncerServerConnections(config: PgBouncerConfig): {total: number | null; parts: string[]} {
	let total = 0;
	const parts: string[] = [];
	for (const database of config.databases) {
		const size = database.poolSize ?? config.defaultPoolSize;
		if (size === null) {
			return {total: null, parts: [`${database.name}: pool size not shown`]};
		}

		const reserve = database.reservePool ?? config.reservePoolSize ?? 0;
		const users = database.forceUser === null ? Math.max(1, database.users.length) : 1;
		const uncapped = (size + reserve) * users;
		const cap = database.maxDbConnections && database.maxDbConnections > 0 ? database.maxDbConnections
			: config.maxDbConnections && config.maxDbConnections > 0 ? config.maxDbConnections : null;
		const servers = cap === null ? uncapped : Math.min(uncapped, cap);
		total += servers;
		const reserveText = reserve > 0 ? ` + ${reserve} reserve` : '';
		parts.push(`${database.name} (${size}${reserveText}) × ${plural(users, 'user')}${cap !== null && cap < uncapped ? `, max_db_connections ${cap}` : ''} = ${servers}`);
	}

	return {total, parts};
}
