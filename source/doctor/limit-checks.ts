// `lifeguard doctor`, checks 4 and 5: the limits that bite before max_connections (roles, databases,
// PgBouncer's max_client_conn), and what the monitoring role may see and do.
import type {ApplicationUsage, Check, CheckId, CheckStatus, DoctorInput, PoolCapacity} from './types.js';
import {check, couldNotRead, poolArithmetic, poolDemand} from './checks.js';
import {sqlIdentifier} from '../text/sql-identifier.js';
import {plural} from '../text/words.js';

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
