// `lifeguard doctor`, checks 1 and 2: do the pools fit the server (configured and observed), and is
// there room left for the operator when it is full.
import {ADVICE_SAMPLE_MS, type PoolAdvice, poolAdvice} from '../judge/advice.js';
import type {Check, DoctorInput, PoolCapacity} from './types.js';
import {check, couldNotRead, listNames, pgbouncerServerConnections, poolArithmetic, poolDemand, SUGGESTED, usableSlots} from './checks.js';
import {sqlIdentifier} from '../text/sql-identifier.js';
import {plural} from '../text/words.js';

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

	const advice = sizingAdvice(pool, {usable, free});
	const fix = `${advice.text}; keep Σ max × instances ≤ ${usable}`;
	return check(id, 'fail', `${poolText}; ${serverText}: the pool is the bottleneck${others}`, fix, {...numbers, neededMax: advice.needed, suggestedMax: advice.suggested});
}

/** Little's law on the pool's two readings (judge/advice.ts), or what is missing to apply it: never a number from the queue. */
function sizingAdvice(pool: PoolCapacity, server: {usable: number; free: number}): PoolAdvice {
	const demand = pool.demand;
	const noRates = {servedPerSecond: null, meanHoldSeconds: null, timeoutsPerMinute: null, queueGrowthPerSecond: null};
	return poolAdvice({
		pool: pool.name,
		max: pool.maxPerInstance,
		instances: pool.instances,
		open: pool.observed?.open ?? pool.observed?.active ?? null,
		rates: demand?.rates ?? noRates,
		hasHoldTimes: demand?.hasHoldTimes ?? false,
		format: demand?.format ?? null,
		server,
		windowSeconds: ADVICE_SAMPLE_MS / 1000,
	});
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
