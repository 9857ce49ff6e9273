// Numbers from an endpoint are outside input too (issue 10). Where they enter lifeguard:
// - a pool with an impossible number (a negative count, a max of 0, a count that is not a whole number,
//   an infinite value) becomes an error naming the field and the value, and shows no numbers at all:
//   the other numbers of that pool cannot be trusted either, and no finding is drawn from them;
// - one bad pool never fails the whole reading: the other pools of the endpoint stay as they are;
// - an endpoint with more than MAX_POOLS pools keeps the worst MAX_POOLS and says how many it cut.
// NaN is Prometheus' "no value" (a Micrometer gauge whose pool is gone): it is "not exposed", not an error.
import type {PoolMetrics, PoolReading} from '../../readings/types.js';

/** The most pools one endpoint shows; the rest are counted in `omittedPools`. */
export const MAX_POOLS = 200;

type NumberField = Exclude<keyof PoolMetrics, 'label' | 'error' | 'sourceRates' | 'fleet' | 'waitingClients'>;

/** Connection counts: whole numbers. The rest are counters or seconds: any finite value ≥ 0. */
const COUNT_FIELDS: ReadonlySet<NumberField> = new Set(['max', 'open', 'active', 'idle', 'waiting', 'timeoutsTotal', 'waitsTotal', 'servedTotal']);

const NUMBER_FIELDS: readonly NumberField[] = ['max', 'open', 'idle', 'waiting', 'active', 'oldestWaitSeconds', 'timeoutsTotal', 'waitsTotal', 'waitSecondsTotal', 'servedTotal', 'holdSecondsTotal'];

/** How a number reads in an error: as an exporter would write it (+Inf, 1e+308, -5). */
function formatValue(value: number): string {
	if (Number.isNaN(value)) {
		return 'NaN';
	}

	if (!Number.isFinite(value)) {
		return value > 0 ? '+Inf' : '-Inf';
	}

	return String(value);
}

/** Why `value` cannot be `field`, or null when it can. */
/** countersAreRates: the counters were read as rates (`--prometheus`): fractions are fine there. */
export type ValidationOptions = {isZeroMaxAllowed?: boolean; countersAreRates?: boolean};

const COUNTERS: ReadonlySet<NumberField> = new Set(['timeoutsTotal', 'waitsTotal', 'servedTotal']);

export function invalidValue(field: NumberField, value: number, {isZeroMaxAllowed = false, countersAreRates = false}: ValidationOptions = {}): string | null {
	const isCount = COUNT_FIELDS.has(field) && !(countersAreRates && COUNTERS.has(field));
	const isValid = Number.isFinite(value)
		&& value >= 0
		&& (!isCount || (Number.isInteger(value) && value <= Number.MAX_SAFE_INTEGER))
		&& (field !== 'max' || value > 0 || isZeroMaxAllowed);
	return isValid ? null : `invalid value ${formatValue(value)} for ${field}`;
}

/** A pool with no number exposed yet: every field null ("n/a", never 0). */
export function noMetrics(label: string | null): PoolMetrics {
	return {label, max: null, open: null, active: null, idle: null, waiting: null, oldestWaitSeconds: null, timeoutsTotal: null, waitsTotal: null, waitSecondsTotal: null};
}

/** The pool as an error: its label kept, every number null (shown as no number, never as 0). */
export function invalidPool(label: string | null, error: string): PoolMetrics {
	return {...noMetrics(label), error};
}

/** The pool as it is when every number is possible; otherwise the error of its first impossible one. */
export function validatePool(pool: PoolMetrics, options: ValidationOptions = {}): PoolMetrics {
	if (pool.error !== undefined) {
		return invalidPool(pool.label, pool.error);
	}

	for (const field of NUMBER_FIELDS) {
		const value = pool[field];
		if (value !== null && value !== undefined) {
			const error = invalidValue(field, value, options);
			if (error !== null) {
				return invalidPool(pool.label, error);
			}
		}
	}

	return pool;
}

/**
 * At most MAX_POOLS pools, the worst kept: most waiting, then fullest (active / max), then busiest,
 * then the invalid ones (something is wrong there too). The kept pools stay in the endpoint's order,
 * so rows do not jump between polls. Linear except for one sort of the pools.
 */
export function capPools(reading: PoolReading, limit = MAX_POOLS): PoolReading {
	if (!reading.ok || reading.pools.length <= limit) {
		return reading;
	}

	const {pools} = reading;
	const ranked = pools.map((pool, index) => ({
		index,
		waiting: pool.waiting ?? 0,
		usedRatio: pool.active !== null && pool.max !== null ? pool.active / pool.max : 0,
		active: pool.active ?? 0,
		isInvalid: pool.error === undefined ? 0 : 1,
	}));
	ranked.sort((a, b) => b.waiting - a.waiting || b.usedRatio - a.usedRatio || b.active - a.active || b.isInvalid - a.isInvalid || a.index - b.index);
	const kept = ranked.slice(0, limit).map(entry => entry.index).sort((a, b) => a - b);
	return {...reading, pools: kept.map(index => pools[index]!), omittedPools: (reading.omittedPools ?? 0) + pools.length - limit};
}
