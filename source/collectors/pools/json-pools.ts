// JSON pool endpoints: lifeguard's own payload (`lifeguard/pool-stats`), a pg.Pool-shaped object,
// psycopg_pool `get_stats()`, sequelize-pool getters; alone, in an array, or under `pools`.
import type {PoolMetrics} from '../../model/types.js';

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
	for (const {value, label} of entries) {
		if (!isObject(value)) {
			continue;
		}

		const name = typeof value['name'] === 'string' ? value['name'] : label;
		const metrics = fromLifeguard(value, name) ?? fromPgPool(value, name) ?? fromPsycopg(value, name) ?? fromSequelize(value, name);
		if (metrics) {
			pools.push(metrics);
		}
	}

	return pools.length > 0 ? {ok: true, pools} : {ok: false, error: EXPECTED};
}

type Entry = Record<string, unknown>;

function isObject(value: unknown): value is Entry {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberAt(entry: Entry, key: string): number | null {
	const value = entry[key];
	return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

const difference = (total: number | null, part: number | null): number | null => (total === null || part === null ? null : Math.max(0, total - part));

/** `{"name":"api","max":5,"total":5,"idle":0,"waiting":812, oldestWaitSeconds?, timeoutsTotal?}` */
function fromLifeguard(entry: Entry, label: string | null): PoolMetrics | null {
	if (!('total' in entry && 'idle' in entry)) {
		return null;
	}

	const open = numberAt(entry, 'total');
	const idle = numberAt(entry, 'idle');
	return {
		label,
		max: numberAt(entry, 'max'),
		open,
		active: difference(open, idle),
		idle,
		waiting: numberAt(entry, 'waiting'),
		oldestWaitSeconds: numberAt(entry, 'oldestWaitSeconds'),
		timeoutsTotal: numberAt(entry, 'timeoutsTotal'),
	};
}

/** node-postgres: `{totalCount, idleCount, waitingCount, max?}`; active = total − idle. */
function fromPgPool(entry: Entry, label: string | null): PoolMetrics | null {
	if (!('totalCount' in entry && 'idleCount' in entry)) {
		return null;
	}

	const open = numberAt(entry, 'totalCount');
	const idle = numberAt(entry, 'idleCount');
	return {
		label,
		max: numberAt(entry, 'max'),
		open,
		active: difference(open, idle),
		idle,
		waiting: numberAt(entry, 'waitingCount'),
		oldestWaitSeconds: null,
		timeoutsTotal: null,
	};
}

/** psycopg_pool `get_stats()`: "keys whose value is 0 may not be returned", so a missing gauge is 0. */
function fromPsycopg(entry: Entry, label: string | null): PoolMetrics | null {
	if (!('pool_max' in entry || 'requests_waiting' in entry || ('pool_size' in entry && 'pool_available' in entry))) {
		return null;
	}

	const open = numberAt(entry, 'pool_size') ?? 0;
	const idle = numberAt(entry, 'pool_available') ?? 0;
	return {
		label,
		max: numberAt(entry, 'pool_max'),
		open,
		active: Math.max(0, open - idle),
		idle,
		waiting: numberAt(entry, 'requests_waiting') ?? 0,
		oldestWaitSeconds: null,
		timeoutsTotal: numberAt(entry, 'requests_errors') ?? 0,
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
	};
}
