// `lifeguard doctor`, checks 3: the timeouts that give slots back (idle in transaction, idle session,
// statement, TCP keepalive, the pools' acquire timeouts), as each application role really gets them.
import type {Check, CheckId, DoctorInput, LoginRole, RoleDatabaseSetting, ServerSettings} from './types.js';
import {applicationRoles, check, couldNotRead, durationMs, type Effective, effectiveSetting, KEEPALIVE_DETECTION_LIMIT_SECONDS, listNames, serverWideMs, SUGGESTED} from './checks.js';
import {sqlIdentifier} from '../text/sql-identifier.js';
import {plural, settingDuration} from '../text/words.js';

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
