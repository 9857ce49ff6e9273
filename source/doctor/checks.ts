// The judging of `lifeguard doctor`: pure functions from what was read (DoctorInput) to checks. Each
// check names the numbers it used and the exact fix. No I/O, no clock: tested table-driven.
import type {ApplicationUsage, Check, CheckId, CheckStatus, DoctorInput, LoginRole, Part, PgBouncerConfig, PoolCapacity, RoleDatabaseSetting, ServerSettings} from './types.js';
import {sqlIdentifier} from '../text/sql-identifier.js';
import {plural, settingDuration} from '../text/words.js';

const TIMEOUT_UNITS_MS: Record<string, number> = {us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000};
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
const KEEPALIVE_DETECTION_LIMIT_SECONDS = 600;

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

/** Every check, in report order. */
export function runChecks(input: DoctorInput): Check[] {
	return [
		capacityTotal(input),
		capacityObserved(input),
		reservedSlots(input),
		idleInTransactionTimeout(input),
		idleSessionTimeout(input),
		statementTimeout(input),
		tcpKeepalive(input),
		poolAcquireTimeout(input),
		roleConnectionLimit(input),
		databaseConnectionLimit(input),
		pgbouncerMaxClientConn(input),
		visibility(input),
		signalBackend(input),
	];
}

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

function check(id: CheckId, status: CheckStatus, found: string, fix: string | null, numbers: Check['numbers'] = {}): Check {
	return {id, status, title: CHECK_TITLES[id], found, fix, numbers};
}

function couldNotRead(id: CheckId, ...parts: Array<Part<unknown>>): Check | null {
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
	return Number(match[1]) * TIMEOUT_UNITS_MS[unit]!;
}

function listNames(names: readonly string[], max = 4): string {
	return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** Roles an application logs in as: login roles that are not superusers and not the monitor itself. */
export function applicationRoles(roles: readonly LoginRole[], monitorRole: string | null): LoginRole[] {
	return roles.filter(role => !role.isSuperuser && role.name !== monitorRole && !role.name.startsWith('pg_'));
}

type Effective = {ms: number | null; origin: 'role in database' | 'role' | 'database' | 'all roles' | 'server'; database: string};

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
function serverWideMs(settings: ServerSettings, name: string): number | null {
	const setting = settings.settings[name];
	if (!setting || SHADOWING_SOURCES.has(setting.source)) {
		return null;
	}

	return durationMs(name, setting.value);
}

function poolDemand(pool: PoolCapacity): number | null {
	return pool.maxPerInstance === null ? null : pool.maxPerInstance * pool.instances;
}

function poolArithmetic(pool: PoolCapacity): string {
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

// --- 1. capacity ---------------------------------------------------------------------------------

export function capacityTotal(input: DoctorInput): Check {
	const id = 'capacity-total';
	const unreadable = couldNotRead(id, input.settings);
	if (unreadable || !input.settings.ok) {
		return unreadable!;
	}

	const appPools = input.pools.filter(pool => !pool.isPgBouncer);
	const bouncers = input.pgbouncers;
	if (appPools.length === 0 && bouncers.length === 0) {
		return check(id, 'skip', 'no pool given: nothing to add up (name each application pool with --pool)', null);
	}

	const settings = input.settings.value;
	const usable = usableSlots(settings);
	const counted = appPools.filter(pool => pool.maxPerInstance !== null);
	const notExposed = appPools.filter(pool => pool.maxPerInstance === null);
	const poolConnections = counted.reduce((sum, pool) => sum + poolDemand(pool)!, 0);
	const terms = counted.map(pool => poolArithmetic(pool));
	let bouncerConnections = 0;
	const unreadBouncers: string[] = [];
	for (const bouncer of bouncers) {
		const total = bouncer.config.ok ? pgbouncerServerConnections(bouncer.config.value) : null;
		if (!total || total.total === null) {
			unreadBouncers.push(bouncer.endpoint);
			continue;
		}

		bouncerConnections += total.total;
		terms.push(`pgbouncer ${total.parts.join(' + ')}`);
	}

	const total = poolConnections + bouncerConnections;
	const numbers = {
		usable,
		maxConnections: settings.maxConnections,
		superuserReserved: settings.superuserReservedConnections,
		reserved: settings.reservedConnections,
		poolConnections,
		pgbouncerConnections: bouncerConnections,
		total,
	};
	const usableText = `usable ${usable} (max_connections ${settings.maxConnections} − superuser_reserved ${settings.superuserReservedConnections}${settings.versionNum >= 160_000 ? ` − reserved ${settings.reservedConnections}` : ''})`;
	const missing = [
		...notExposed.map(pool => `${pool.name} max not exposed${pool.error ? ` (${pool.error})` : ''}`),
		...unreadBouncers.map(endpoint => `${endpoint} limits not read`),
	];
	const missingText = missing.length > 0 ? `; not counted: ${missing.join(', ')}` : '';
	// An application behind PgBouncer is counted twice here: its pool and PgBouncer's server side.
	const assumption = counted.length > 0 && bouncerConnections > 0 ? ' (application pools counted as direct connections)' : '';
	if (terms.length === 0) {
		return check(id, 'unknown', `no pool exposes its size${missingText}`, null, numbers);
	}

	const found = `${terms.join(' + ')} = ${total} vs ${usableText}${assumption}${missingText}`;
	if (total > usable) {
		const scale = usable / total;
		const lower = counted.slice().sort((a, b) => poolDemand(b)! - poolDemand(a)!).slice(0, 3)
			.map(pool => `${pool.name} max ${pool.maxPerInstance} → ${Math.max(1, Math.floor(pool.maxPerInstance! * scale))}`);
		const fix = [
			lower.length > 0 ? `lower ${lower.join(', ')}` : null,
			bouncerConnections > 0 ? 'lower PgBouncer default_pool_size / pool_size or set max_db_connections' : null,
			`so the sum stays ≤ ${usable}; or raise max_connections (restart, memory per backend)`,
		].filter(Boolean).join('; ');
		return check(id, 'fail', `${found}: when everything scales out the server refuses logins`, fix, numbers);
	}

	if (total >= input.warnRatio * usable) {
		return check(id, 'warn', `${found}: ${Math.round((total / usable) * 100)}% of usable, little room for anything else`, `keep the sum below ${Math.floor(input.warnRatio * usable)} (--warn ${Math.round(input.warnRatio * 100)}%) or raise max_connections (restart)`, numbers);
	}

	return check(id, missing.length > 0 ? 'unknown' : 'pass', found, null, numbers);
}

export function capacityObserved(input: DoctorInput): Check {
	const id = 'capacity-observed';
	if (input.pools.length === 0) {
		return check(id, 'skip', 'no pool given: no demand to compare (name each pool with --pool)', null);
	}

	const unreadable = couldNotRead(id, input.settings, input.activity);
	if (unreadable || !input.settings.ok || !input.activity.ok) {
		return unreadable!;
	}

	const usable = usableSlots(input.settings.value);
	const {connections, hidden} = input.activity.value;
	const free = Math.max(0, usable - connections);
	const serverText = `server ${connections} of ${usable} usable slots used, ${free} free${hidden > 0 ? ` (${hidden} counted without details)` : ''}`;
	const answered = input.pools.filter(pool => pool.observed !== null && pool.error === null);
	if (answered.length === 0) {
		const errors = input.pools.map(pool => `${pool.name}: ${pool.error ?? 'no data'}`);
		return check(id, 'unknown', `no pool answered: ${errors.join('; ')}`, null, {usable, connections, free});
	}

	const waitingPools = answered.filter(pool => (pool.observed!.waiting ?? 0) > 0);
	if (waitingPools.length === 0) {
		const notExposed = answered.filter(pool => pool.observed!.waiting === null).map(pool => pool.name);
		const found = `no waiters at the review (${answered.map(pool => `${pool.name} ${pool.observed!.active ?? '?'}/${poolDemand(pool) ?? '?'}`).join(', ')}); ${serverText}`;
		return notExposed.length === answered.length
			? check(id, 'unknown', `waiting not exposed by ${listNames(notExposed)}; ${serverText}`, null, {usable, connections, free})
			: check(id, 'pass', found, null, {usable, connections, free});
	}

	// The worst pool: most waiters.
	const pool = waitingPools.slice().sort((a, b) => (b.observed!.waiting ?? 0) - (a.observed!.waiting ?? 0))[0]!;
	const observed = pool.observed!;
	const waiting = observed.waiting!;
	const inUse = observed.active ?? observed.open;
	const demand = poolDemand(pool);
	const numbers = {usable, connections, free, poolMax: pool.maxPerInstance, instances: pool.instances, inUse, waiting};
	const poolText = `${pool.name}: ${inUse ?? '?'} of max ${pool.maxPerInstance ?? '?'} × ${plural(pool.instances, 'instance')} in use, ${waiting} waiting`;
	const others = waitingPools.length > 1 ? ` (+${waitingPools.length - 1} more pool${waitingPools.length === 2 ? '' : 's'} with waiters)` : '';
	const isAtMax = demand === null || inUse === null ? null : inUse >= demand;
	if (free === 0) {
		return check(id, 'warn', `${poolText}; ${serverText}: the server is full, a larger pool would not get in${others}`, 'find what holds the server\'s slots (idle sessions, other applications) before raising any pool', numbers);
	}

	if (isAtMax === false) {
		return check(id, 'warn', `${poolText}, below its max; ${serverText}: connections are slow to open${others}`, 'check the connect latency and the pool\'s connection-creation limits', numbers);
	}

	const perInstance = Math.floor(free / pool.instances);
	const suggested = pool.maxPerInstance === null ? null : pool.maxPerInstance + Math.min(waiting, perInstance);
	const fix = suggested === null
		? `raise ${pool.name}'s max (its source does not expose it); the server has ${free} free slots`
		: `raise ${pool.name} max ${pool.maxPerInstance} → ${suggested} (${pool.maxPerInstance} + min(${waiting} waiting, ${free} free ÷ ${plural(pool.instances, 'instance')})); keep Σ max × instances ≤ ${usable}`;
	return check(id, 'fail', `${poolText}; ${serverText}: the pool is the bottleneck${others}`, fix, {...numbers, suggestedMax: suggested});
}

// --- 2. room for the operator --------------------------------------------------------------------

export function reservedSlots(input: DoctorInput): Check {
	const id = 'reserved-slots';
	const unreadable = couldNotRead(id, input.settings, input.privileges);
	if (unreadable || !input.settings.ok || !input.privileges.ok) {
		return unreadable!;
	}

	const settings = input.settings.value;
	const privileges = input.privileges.value;
	const role = sqlIdentifier(privileges.role);
	const numbers = {superuserReserved: settings.superuserReservedConnections, reserved: settings.reservedConnections};
	if (privileges.isSuperuser) {
		return settings.superuserReservedConnections > 0
			? check(id, 'pass', `${privileges.role} is a superuser: ${settings.superuserReservedConnections} superuser_reserved_connections`, null, numbers)
			: check(id, 'fail', `${privileges.role} is a superuser but superuser_reserved_connections is 0: when the server is full nobody gets in`, `ALTER SYSTEM SET superuser_reserved_connections = ${SUGGESTED.superuserReserved}; then restart`, numbers);
	}

	if (settings.versionNum < 160_000) {
		return check(id, 'warn', `PostgreSQL ${settings.version}: the ${settings.superuserReservedConnections} reserved slots are for superusers only; ${privileges.role} is not one`, 'keep lifeguard\'s connection open from before an incident (it never reconnects while it can poll); PostgreSQL 16+ adds reserved_connections with pg_use_reserved_connections', numbers);
	}

	if (settings.reservedConnections === 0) {
		return check(id, 'fail', `reserved_connections is 0: when the server is full ${privileges.role} is locked out with everyone else`, `ALTER SYSTEM SET reserved_connections = ${SUGGESTED.reservedConnections}; then restart;${privileges.canUseReserved ? '' : ` GRANT pg_use_reserved_connections TO ${role};`}`, numbers);
	}

	return privileges.canUseReserved
		? check(id, 'pass', `${settings.reservedConnections} reserved_connections, and ${privileges.role} has pg_use_reserved_connections`, null, numbers)
		: check(id, 'fail', `${settings.reservedConnections} reserved_connections, but ${privileges.role} may not use them (no pg_use_reserved_connections)`, `GRANT pg_use_reserved_connections TO ${role};`, numbers);
}

// --- 3. timeouts ---------------------------------------------------------------------------------

type ZeroFinding = {role: string; database: string; origin: Effective['origin']};

/** Application role × database pairs where a duration setting is 0 (off); null server value = unknown. */
function offForApplicationRoles(input: DoctorInput, name: string, settings: ServerSettings): {off: ZeroFinding[]; roles: LoginRole[]; unknown: string[]} {
	const roles = input.roles.ok ? applicationRoles(input.roles.value, input.privileges.ok ? input.privileges.value.role : null) : [];
	const databases = input.databases.ok ? input.databases.value.map(database => database.name) : [];
	const rows = input.roleSettings.ok ? input.roleSettings.value : [];
	const serverMs = serverWideMs(settings, name);
	const off: ZeroFinding[] = [];
	const unknown: string[] = [];
	for (const role of roles) {
		for (const database of databases) {
			const effective = effectiveSetting(name, role.name, database, rows, serverMs);
			if (effective.ms === null) {
				unknown.push(role.name);
			} else if (effective.ms <= 0) {
				off.push({role: role.name, database, origin: effective.origin});
			}
		}
	}

	return {off, roles, unknown: [...new Set(unknown)]};
}

/** "shop (every database), reports in app" */
function describeOff(off: readonly ZeroFinding[], databaseCount: number): string {
	const byRole = new Map<string, ZeroFinding[]>();
	for (const finding of off) {
		byRole.set(finding.role, [...(byRole.get(finding.role) ?? []), finding]);
	}

	return listNames([...byRole].map(([role, findings]) => `${role} (${findings.length === databaseCount ? 'every database' : findings.map(finding => finding.database).join(', ')}${findings.some(finding => finding.origin !== 'server') ? `, set by ${[...new Set(findings.filter(finding => finding.origin !== 'server').map(finding => finding.origin))].join('/')}` : ''})`));
}

function overridesText(rows: readonly RoleDatabaseSetting[], name: string): string {
	const overrides = rows.filter(row => name in row.settings).map(row => {
		const scope = row.role && row.database ? `${row.role} in ${row.database}` : row.role ?? (row.database ? `database ${row.database}` : 'all roles');
		return `${scope} ${settingDuration((durationMs(name, row.settings[name]!) ?? Number.NaN) / 1000)}`;
	});
	return overrides.length > 0 ? `; overrides: ${listNames(overrides)}` : '';
}

/** SQL that turns a setting on for the pairs where it is off, given the suggested value. */
function fixForOff(name: string, off: readonly ZeroFinding[], serverMs: number | null, value: string, preferSystem: boolean): string {
	const statements = new Set<string>();
	for (const finding of off) {
		const role = sqlIdentifier(finding.role);
		const database = sqlIdentifier(finding.database);
		switch (finding.origin) {
			case 'role in database': {
				statements.add(`ALTER ROLE ${role} IN DATABASE ${database} SET ${name} = '${value}';`);
				break;
			}

			case 'role': {
				statements.add(`ALTER ROLE ${role} SET ${name} = '${value}';`);
				break;
			}

			case 'database': {
				statements.add(preferSystem ? `ALTER DATABASE ${database} RESET ${name};` : `ALTER ROLE ${role} SET ${name} = '${value}';`);
				break;
			}

			case 'all roles': {
				statements.add(preferSystem ? `ALTER ROLE ALL RESET ${name};` : `ALTER ROLE ${role} SET ${name} = '${value}';`);
				break;
			}

			case 'server': {
				statements.add(preferSystem && serverMs === 0 ? `ALTER SYSTEM SET ${name} = '${value}'; SELECT pg_reload_conf();` : `ALTER ROLE ${role} SET ${name} = '${value}';`);
				break;
			}
		}
	}

	return [...statements].join(' ');
}

function timeoutCheck(input: DoctorInput, id: CheckId, name: string, value: string, preferSystem: boolean, consequence: string): Check {
	const unreadable = couldNotRead(id, input.settings, input.roles, input.databases);
	if (unreadable || !input.settings.ok) {
		return unreadable!;
	}

	const settings = input.settings.value;
	const serverMs = serverWideMs(settings, name);
	const rows = input.roleSettings.ok ? input.roleSettings.value : [];
	const {off, roles, unknown} = offForApplicationRoles(input, name, settings);
	const databaseCount = input.databases.ok ? input.databases.value.length : 0;
	const serverText = `server-wide ${serverMs === null ? 'hidden by this session\'s own settings' : settingDuration(serverMs / 1000)}${overridesText(rows, name)}`;
	const numbers = {serverMs, rolesOff: new Set(off.map(finding => finding.role)).size, applicationRoles: roles.length};
	const notRead = input.roleSettings.ok ? '' : `; per-role settings not read: ${input.roleSettings.error}`;
	if (off.length > 0) {
		return check(id, 'warn', `${serverText}; off for ${describeOff(off, databaseCount)}: ${consequence}${notRead}`, fixForOff(name, off, serverMs, value, preferSystem), numbers);
	}

	if (roles.length === 0) {
		if (serverMs === 0 && preferSystem) {
			return check(id, 'warn', `${serverText} (no application role found): ${consequence}`, `ALTER SYSTEM SET ${name} = '${value}'; SELECT pg_reload_conf();`, numbers);
		}

		return check(id, serverMs === null ? 'unknown' : 'pass', `${serverText}; no application login role found`, null, numbers);
	}

	if (unknown.length > 0 || !input.roleSettings.ok) {
		return check(id, 'unknown', `${serverText}${unknown.length > 0 ? `; not known for ${listNames(unknown)}` : ''}${notRead}`, null, numbers);
	}

	return check(id, 'pass', `${serverText}; on for ${plural(roles.length, 'application role')} (${listNames(roles.map(role => role.name))})`, null, numbers);
}

export function idleInTransactionTimeout(input: DoctorInput): Check {
	return timeoutCheck(input, 'idle-in-transaction-timeout', 'idle_in_transaction_session_timeout', SUGGESTED.idleInTransaction, true,
		'a forgotten transaction holds its locks and its slot for ever');
}

export function statementTimeout(input: DoctorInput): Check {
	return timeoutCheck(input, 'statement-timeout', 'statement_timeout', SUGGESTED.statement, false,
		'a runaway query holds its connection until someone cancels it');
}

export function idleSessionTimeout(input: DoctorInput): Check {
	const id = 'idle-session-timeout';
	const unreadable = couldNotRead(id, input.settings);
	if (unreadable || !input.settings.ok) {
		return unreadable!;
	}

	const settings = input.settings.value;
	if (settings.versionNum < 140_000) {
		return check(id, 'skip', `PostgreSQL ${settings.version} has no idle_session_timeout (14+)`, null);
	}

	const name = 'idle_session_timeout';
	const serverMs = serverWideMs(settings, name);
	const rows = input.roleSettings.ok ? input.roleSettings.value : [];
	const serverText = `server-wide ${serverMs === null ? 'hidden by this session\'s own settings' : settingDuration(serverMs / 1000)}${overridesText(rows, name)}`;
	if (serverMs !== null && serverMs > 0 && input.pools.length > 0) {
		return check(id, 'warn', `${serverText}: it also closes the idle connections pools keep on purpose, and they reconnect in bursts`,
			`ALTER SYSTEM RESET ${name}; SELECT pg_reload_conf(); then only for people's roles: ALTER ROLE <person> SET ${name} = '${SUGGESTED.idleSession}';`, {serverMs});
	}

	return check(id, serverMs === null ? 'unknown' : 'pass', `${serverText}${serverMs === 0 ? ': right for pooled roles; for people\'s roles set it per role' : ''}`, null, {serverMs});
}

export function tcpKeepalive(input: DoctorInput): Check {
	const id = 'tcp-keepalive';
	const unreadable = couldNotRead(id, input.settings, input.privileges);
	if (unreadable || !input.settings.ok || !input.privileges.ok) {
		return unreadable!;
	}

	if (input.privileges.value.isUnixSocket) {
		return check(id, 'skip', 'connected over a Unix socket, where the keepalive settings read 0: run doctor over TCP to read them', null);
	}

	const read = (name: string) => {
		const setting = input.settings.ok ? input.settings.value.settings[name] : undefined;
		return setting ? Number(setting.value) : null;
	};

	const idle = read('tcp_keepalives_idle');
	const interval = read('tcp_keepalives_interval');
	const count = read('tcp_keepalives_count');
	const userTimeoutMs = read('tcp_user_timeout');
	if (idle === null || interval === null || count === null) {
		return check(id, 'unknown', 'tcp_keepalives_* not shown by this server', null);
	}

	const detectSeconds = idle + (interval * count);
	const numbers = {idleSeconds: idle, intervalSeconds: interval, count, detectSeconds, userTimeoutMs};
	const found = `tcp_keepalives_idle ${idle} s + ${count} × interval ${interval} s: a vanished client holds its slot ~${settingDuration(detectSeconds)}${userTimeoutMs ? `; tcp_user_timeout ${settingDuration(userTimeoutMs / 1000)}` : ''}`;
	if (detectSeconds > KEEPALIVE_DETECTION_LIMIT_SECONDS) {
		return check(id, 'warn', found, 'ALTER SYSTEM SET tcp_keepalives_idle = 60; ALTER SYSTEM SET tcp_keepalives_interval = 10; ALTER SYSTEM SET tcp_keepalives_count = 6; SELECT pg_reload_conf();', numbers);
	}

	return check(id, 'pass', found, null, numbers);
}

export function poolAcquireTimeout(input: DoctorInput): Check {
	const id = 'pool-acquire-timeout';
	const appPools = input.pools.filter(pool => !pool.isPgBouncer);
	const appText = appPools.length > 0
		? `${listNames(appPools.map(pool => pool.name))}: acquire timeout not exposed by the endpoint (HikariCP connectionTimeout, pg.Pool connectionTimeoutMillis; 0 waits for ever): check the application's configuration`
		: '';
	const bouncers = input.pgbouncers;
	if (bouncers.length === 0) {
		return check(id, 'skip', appText || 'no pool given', null);
	}

	const forever: string[] = [];
	const parts: string[] = [];
	const unread: string[] = [];
	for (const bouncer of bouncers) {
		if (!bouncer.config.ok || bouncer.config.value.queryWaitTimeoutSeconds === null) {
			unread.push(`${bouncer.endpoint}: ${bouncer.config.ok ? 'query_wait_timeout not shown' : bouncer.config.error}`);
			continue;
		}

		const seconds = bouncer.config.value.queryWaitTimeoutSeconds;
		parts.push(`PgBouncer ${bouncer.endpoint} query_wait_timeout ${settingDuration(seconds)}`);
		if (seconds === 0) {
			forever.push(bouncer.endpoint);
		}
	}

	const found = [...parts, ...unread, appText].filter(Boolean).join('; ');
	if (forever.length > 0) {
		return check(id, 'warn', `${found}: clients queue for ever, a wedged pool looks idle instead of failing`, `query_wait_timeout = ${SUGGESTED.queryWaitTimeoutSeconds} in pgbouncer.ini, then RELOAD; on the console`, {queryWaitTimeoutSeconds: 0});
	}

	return check(id, unread.length > 0 ? 'unknown' : 'pass', found, null);
}

// --- 4. limits that bite first -------------------------------------------------------------------

type LimitSubject = {name: string; limit: number; connections: number};

/** The pools whose sessions run as `subject` (pool name = application_name), with their demand. */
function poolsUsing(applications: readonly ApplicationUsage[], pools: readonly PoolCapacity[], key: 'role' | 'database', subject: string): PoolCapacity[] {
	const names = new Set(applications.filter(usage => usage[key] === subject).map(usage => usage.application));
	return pools.filter(pool => !pool.isPgBouncer && names.has(pool.name));
}

function limitCheck(input: DoctorInput, id: CheckId, subjects: LimitSubject[], key: 'role' | 'database', unlimitedText: string, fixFor: (name: string, limit: number) => string): Check {
	const applications = input.applications.ok ? input.applications.value : [];
	if (subjects.length === 0) {
		return check(id, 'pass', unlimitedText, null);
	}

	const results = subjects.map(subject => {
		const pools = poolsUsing(applications, input.pools, key, subject.name);
		const demand = pools.reduce<number | null>((sum, pool) => (sum === null || poolDemand(pool) === null ? null : sum + poolDemand(pool)!), 0);
		const poolText = pools.length > 0 ? `; pools ${pools.map(pool => poolArithmetic(pool)).join(' + ')} = ${demand ?? '?'}` : '';
		const text = `${subject.name} limit ${subject.limit}, ${subject.connections} connected${poolText}`;
		let status: CheckStatus = 'pass';
		let needed = subject.limit;
		if ((demand !== null && pools.length > 0 && demand > subject.limit) || subject.connections >= subject.limit) {
			status = 'fail';
			needed = Math.max(demand ?? 0, subject.connections) + 1;
		} else if (subject.connections >= input.warnRatio * subject.limit) {
			status = 'warn';
			needed = Math.ceil(subject.connections / input.warnRatio) + 1;
		}

		return {subject, status, text, needed};
	});
	const worst = results.filter(result => result.status === 'fail').length > 0 ? 'fail' : results.some(result => result.status === 'warn') ? 'warn' : 'pass';
	const shown = worst === 'pass' ? results : results.filter(result => result.status !== 'pass');
	const fix = worst === 'pass' ? null : shown.map(result => fixFor(result.subject.name, result.needed)).join(' ');
	const consequence = worst === 'fail' ? `: logins as ${key === 'role' ? 'this role' : 'this database'} fail before the server is full` : worst === 'warn' ? ': close to the limit' : '';
	return check(id, worst, `${shown.map(result => result.text).join('; ')}${consequence}`, fix, {
		limited: subjects.length,
		atOrOverLimit: results.filter(result => result.status === 'fail').length,
	});
}

export function roleConnectionLimit(input: DoctorInput): Check {
	const id = 'role-connection-limit';
	const unreadable = couldNotRead(id, input.roles);
	if (unreadable || !input.roles.ok) {
		return unreadable!;
	}

	// Superusers are exempt from rolconnlimit.
	const subjects = input.roles.value
		.filter(role => role.connectionLimit !== null && role.connectionLimit >= 0 && !role.isSuperuser)
		.map(role => ({name: role.name, limit: role.connectionLimit!, connections: role.connections}));
	return limitCheck(input, id, subjects, 'role', 'no login role has a CONNECTION LIMIT', (name, limit) => `ALTER ROLE ${sqlIdentifier(name)} CONNECTION LIMIT ${limit};`);
}

export function databaseConnectionLimit(input: DoctorInput): Check {
	const id = 'database-connection-limit';
	const unreadable = couldNotRead(id, input.databases);
	if (unreadable || !input.databases.ok) {
		return unreadable!;
	}

	const subjects = input.databases.value
		.filter(database => database.connectionLimit !== null && database.connectionLimit >= 0)
		.map(database => ({name: database.name, limit: database.connectionLimit!, connections: database.connections}));
	return limitCheck(input, id, subjects, 'database', 'no database has a CONNECTION LIMIT', (name, limit) => `ALTER DATABASE ${sqlIdentifier(name)} CONNECTION LIMIT ${limit};`);
}

export function pgbouncerMaxClientConn(input: DoctorInput): Check {
	const id = 'pgbouncer-max-client-conn';
	if (input.pgbouncers.length === 0) {
		return check(id, 'skip', 'no PgBouncer given (--pool pgbouncer://…)', null);
	}

	const appDemand = input.pools.filter(pool => !pool.isPgBouncer).reduce<number | null>((sum, pool) => (sum === null || poolDemand(pool) === null ? null : sum + poolDemand(pool)!), 0);
	const parts: string[] = [];
	let status: CheckStatus = 'pass';
	const fixes: string[] = [];
	for (const bouncer of input.pgbouncers) {
		if (!bouncer.config.ok) {
			parts.push(`${bouncer.endpoint}: could not read: ${bouncer.config.error}`);
			status = status === 'pass' ? 'unknown' : status;
			continue;
		}

		const {maxClientConn, clients} = bouncer.config.value;
		if (maxClientConn === null || clients === null) {
			parts.push(`${bouncer.endpoint}: max_client_conn or client count not shown`);
			status = status === 'pass' ? 'unknown' : status;
			continue;
		}

		parts.push(`${bouncer.endpoint}: ${plural(clients, 'client')} of max_client_conn ${maxClientConn}`);
		if (clients >= maxClientConn) {
			status = 'fail';
			fixes.push(`max_client_conn = ${Math.max(clients * 2, maxClientConn * 2)} in pgbouncer.ini (and an open-file limit above it)`);
		} else if (clients >= input.warnRatio * maxClientConn) {
			status = status === 'fail' ? status : 'warn';
			fixes.push(`max_client_conn = ${Math.ceil(clients / input.warnRatio) * 2} in pgbouncer.ini (and an open-file limit above it)`);
		}
	}

	return check(id, status, `${parts.join('; ')}${appDemand ? `; application pools add up to ${appDemand} if they all connect through PgBouncer` : ''}`, fixes.length > 0 ? fixes.join(' ') : null);
}

// --- 5. visibility -------------------------------------------------------------------------------

export function visibility(input: DoctorInput): Check {
	const id = 'visibility';
	const unreadable = couldNotRead(id, input.privileges);
	if (unreadable || !input.privileges.ok) {
		return unreadable!;
	}

	const privileges = input.privileges.value;
	const hidden = input.activity.ok ? input.activity.value.hidden : null;
	if (privileges.isSuperuser || privileges.canReadAllStats) {
		return check(id, 'pass', `${privileges.role} ${privileges.isSuperuser ? 'is a superuser' : 'has pg_read_all_stats'}: every session's state, query and waits are visible`, null, {hidden});
	}

	return check(id, 'fail', `${privileges.role} has no pg_read_all_stats: ${hidden ?? '?'} other sessions show no state, query or wait (counted, not understood)`, `GRANT pg_monitor TO ${sqlIdentifier(privileges.role)};`, {hidden});
}

export function signalBackend(input: DoctorInput): Check {
	const id = 'signal-backend';
	const unreadable = couldNotRead(id, input.privileges);
	if (unreadable || !input.privileges.ok) {
		return unreadable!;
	}

	const privileges = input.privileges.value;
	if (privileges.isSuperuser || privileges.canSignalBackend) {
		return check(id, 'pass', `${privileges.role} ${privileges.isSuperuser ? 'is a superuser' : 'has pg_signal_backend'}: it may cancel and terminate other roles' sessions (not superusers')`, null);
	}

	return check(id, 'warn', `${privileges.role} has no pg_signal_backend: terminate and cancel work on its own sessions only`, `GRANT pg_signal_backend TO ${sqlIdentifier(privileges.role)}; -- if the operator means to terminate`, {});
}
