// JSON pool endpoints: lifeguard's own payload (`lifeguard/pool-stats`), a pg.Pool-shaped object,
// psycopg_pool `get_stats()`, sequelize-pool getters; alone, in an array, or under `pools`.
import type {PoolMetrics} from '../../readings/types.js';
import {invalidPool, validatePool} from './validate-pools.js';

export type JsonPoolsResult = {ok: true; pools: PoolMetrics[]} | {ok: false; error: string};

const EXPECTED = 'unrecognised JSON: expected {"pools":[…]}, a pg.Pool {totalCount, idleCount, waitingCount} or psycopg get_stats()';

export function poolsFromJson(body: unknown): JsonPoolsResult {
	const entries: Array<{value: unknown; label: string | null}> = [];
	if (Array.isArray(body)) {
		entries.push(...body.map(value => ({value, label: null})));
	} else if (isObject(body) && 'pools' in body) {
		const {pools} = body;
		if (Array.isArray(pools)) {
			entries.push(...pools.map(value => ({value, label: null})));
		} else if (isObject(pools)) {
			entries.push(...Object.entries(pools).map(([label, value]) => ({value, label})));
		}
	} else {
		entries.push({value: body, label: null});
	}

	const pools: PoolMetrics[] = [];
	// A name given twice: one row, an error (its numbers would otherwise be two pools under one name).
	const byName = new Map<string, {at: number; count: number}>();
	for (const {value, label} of entries) {
		if (!isObject(value)) {
			continue;
		}

		const name = typeof value['name'] === 'string' ? value['name'] : label;
		const metrics = fromCounts(value, name, LIFEGUARD_KEYS) ?? fromCounts(value, name, PG_POOL_KEYS) ?? fromPsycopg(value, name) ?? fromSequelize(value, name);
		if (!metrics) {
			continue;
		}

		const first = name === null ? undefined : byName.get(name);
		if (first) {
			first.count++;
			pools[first.at] = invalidPool(name, `duplicate pool name (${first.count} entries)`);
			continue;
		}

		if (name !== null) {
			byName.set(name, {at: pools.length, count: 1});
		}

		pools.push(validatePool(metrics));
	}

	return pools.length > 0 ? {ok: true, pools} : {ok: false, error: EXPECTED};
}

type Entry = Record<string, unknown>;

function isObject(value: unknown): value is Entry {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A number as sent (JSON's 1e999 is Infinity): `validatePool` judges it. A non-number is not exposed. */
function numberAt(entry: Entry, key: string): number | null {
	const value = entry[key];
	return typeof value === 'number' ? value : null;
}

const difference = (total: number | null, part: number | null): number | null => (total === null || part === null ? null : Math.max(0, total - part));

type CountKeys = {total: string; idle: string; waiting: string; oldestWait?: string; timeouts?: string; waits?: string; waitSeconds?: string; served?: string; holdSeconds?: string};

/**
 * lifeguard's payload: `{"name":"api","max":5,"total":5,"idle":0,"waiting":812, oldestWaitSeconds?,
 * timeoutsTotal?, waitsTotal?, waitSecondsTotal?, servedTotal?, holdSecondsTotal?}`
 */
const LIFEGUARD_KEYS: CountKeys = {
	total: 'total',
	idle: 'idle',
	waiting: 'waiting',
	oldestWait: 'oldestWaitSeconds',
	timeouts: 'timeoutsTotal',
	waits: 'waitsTotal',
	waitSeconds: 'waitSecondsTotal',
	served: 'servedTotal',
	holdSeconds: 'holdSecondsTotal',
};
/** node-postgres: `{totalCount, idleCount, waitingCount, max?}` */
const PG_POOL_KEYS: CountKeys = {total: 'totalCount', idle: 'idleCount', waiting: 'waitingCount'};

/** A pool that reports open and idle counts: active = total − idle. */
function fromCounts(entry: Entry, label: string | null, keys: CountKeys): PoolMetrics | null {
	if (!(keys.total in entry && keys.idle in entry)) {
		return null;
	}

	const open = numberAt(entry, keys.total);
	const idle = numberAt(entry, keys.idle);
	return {
		label,
		max: numberAt(entry, 'max'),
		open,
		active: difference(open, idle),
		idle,
		waiting: numberAt(entry, keys.waiting),
		oldestWaitSeconds: keys.oldestWait ? numberAt(entry, keys.oldestWait) : null,
		timeoutsTotal: keys.timeouts ? numberAt(entry, keys.timeouts) : null,
		waitsTotal: keys.waits ? numberAt(entry, keys.waits) : null,
		waitSecondsTotal: keys.waitSeconds ? numberAt(entry, keys.waitSeconds) : null,
		...usage(keys.served ? numberAt(entry, keys.served) : null, keys.holdSeconds ? numberAt(entry, keys.holdSeconds) : null),
	};
}

/** The usage counters, only when the source has them (most payloads do not: no keys, not nulls). */
function usage(servedTotal: number | null, holdSecondsTotal: number | null): Pick<PoolMetrics, 'servedTotal' | 'holdSecondsTotal'> {
	return servedTotal === null && holdSecondsTotal === null ? {} : {servedTotal, holdSecondsTotal};
}

/** psycopg_pool `get_stats()`: "keys whose value is 0 may not be returned", so a missing gauge is 0. */
function fromPsycopg(entry: Entry, label: string | null): PoolMetrics | null {
	if (!('pool_max' in entry || 'requests_waiting' in entry || ('pool_size' in entry && 'pool_available' in entry))) {
		return null;
	}

	const open = numberAt(entry, 'pool_size') ?? 0;
	const idle = numberAt(entry, 'pool_available') ?? 0;
	const waiting = numberAt(entry, 'requests_waiting') ?? 0;
	const errors = numberAt(entry, 'requests_errors') ?? 0;
	// usage_ms is credited when a connection comes back; requests_num counts every request when it
	// asks. Those given back so far: asked, less failed, less still queued, less still out.
	const served = 'requests_num' in entry ? Math.max(0, (numberAt(entry, 'requests_num') ?? 0) - errors - waiting - Math.max(0, open - idle)) : null;
	return {
		label,
		max: numberAt(entry, 'pool_max'),
		open,
		active: Math.max(0, open - idle),
		idle,
		waiting,
		oldestWaitSeconds: null,
		timeoutsTotal: errors,
		// Counters since the pool started (pop_stats() would reset them: lifeguard only calls get_stats)
		waitsTotal: numberAt(entry, 'requests_queued') ?? 0,
		waitSecondsTotal: (numberAt(entry, 'requests_wait_ms') ?? 0) / 1000,
		...usage(served, served === null ? null : (numberAt(entry, 'usage_ms') ?? 0) / 1000),
	};
}

/** sequelize-pool getters `{size, available, using, waiting, maxSize}`. */
function fromSequelize(entry: Entry, label: string | null): PoolMetrics | null {
	if (!('using' in entry && 'available' in entry)) {
		return null;
	}

	return {
		label,
		max: numberAt(entry, 'maxSize'),
		open: numberAt(entry, 'size'),
		active: numberAt(entry, 'using'),
		idle: numberAt(entry, 'available'),
		waiting: numberAt(entry, 'waiting'),
		oldestWaitSeconds: null,
		timeoutsTotal: null,
		waitsTotal: null,
		waitSecondsTotal: null,
	};
}
