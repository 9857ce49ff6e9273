// A fleet's pools out of Prometheus instant-query results: series → (service, instance) expositions →
// the recognizer table (the same one `--pool` uses) → one PoolMetrics per service pool, whose numbers
// are the sums over its instances, with the instances themselves in `fleet`. Pure: no I/O here.
import {safeText} from '../../text/sanitize.js';
import type {PoolFleet, PoolInstance, PoolMetrics, SourceRates} from '../../readings/types.js';
import {poolsFromExposition} from './prometheus-pools.js';
import {parsePromNumber, type PromSample} from './prometheus-text.js';

/** One series of an instant vector, as `/api/v1/query` answers it (`value: [time, "1.5"]`). */
export type VectorSample = {metric: Record<string, string>; value: [number, string]};

/** The label a rate series carries instead of the counter's name (rate() drops `__name__`). */
export const RATE_LABEL = 'lifeguard_rate';

/** The service of a series: its `service` or `app` label, else its `job`. */
export function serviceOf(labels: Readonly<Record<string, string>>): string {
	return labels['service'] ?? labels['app'] ?? labels['job'] ?? 'unknown';
}

/** The instance of a series: Prometheus' `instance` label, else `pod`; '' when neither. */
export function instanceOf(labels: Readonly<Record<string, string>>): string {
	return labels['instance'] ?? labels['pod'] ?? '';
}

/**
 * The instances one service pool keeps, the worst: a screen lists a few dozen, and a fleet of 100,000
 * series must not cost 100,000 objects in every frame's picture and in `--json` (it held 24.5 MB for
 * one pool). 200 is the pools-per-endpoint cap too; sums and counts still cover every instance.
 */
export const MAX_MEMBERS = 200;

/** Prometheus writes numbers as Go does (non-finite ones as "NaN", "+Inf", "-Inf"); anything else is no value. */
function valueOf(text: unknown): number {
	return typeof text === 'string' ? parsePromNumber(text) ?? Number.NaN : Number.NaN;
}

/** A counter field of PoolMetrics holds a per-second rate when it was read through rate(). */
function ratesOf(metrics: PoolMetrics): SourceRates {
	return {
		waitsPerSecond: metrics.waitsTotal,
		waitingAverage: metrics.waitSecondsTotal,
		timeoutsPerMinute: metrics.timeoutsTotal === null ? null : metrics.timeoutsTotal * 60,
		...usageRates(metrics.servedTotal ?? null, metrics.holdSecondsTotal ?? null),
	};
}

/** A usage timer's rates, only when the family has one (most have none: no keys, not nulls). */
function usageRates(servedPerSecond: number | null, holdSecondsPerSecond: number | null): Pick<SourceRates, 'servedPerSecond' | 'holdSecondsPerSecond'> {
	return servedPerSecond === null && holdSecondsPerSecond === null ? {} : {servedPerSecond, holdSecondsPerSecond};
}

const sumOf = (values: Array<number | null>): number | null => {
	const known = values.filter((value): value is number => value !== null);
	return known.length === 0 ? null : known.reduce((total, value) => total + value, 0);
};

const maxOf = (values: Array<number | null>): number | null => {
	const known = values.filter((value): value is number => value !== null);
	return known.length === 0 ? null : Math.max(...known);
};

const fullness = (member: PoolInstance) => (member.max !== null && member.max > 0 && member.active !== null ? member.active / member.max : -1);

/** Worst first: the most waiting, then the fullest, then the most timeouts, then by name. */
function byWorst(a: PoolInstance, b: PoolInstance): number {
	return (b.waiting ?? -1) - (a.waiting ?? -1)
		|| fullness(b) - fullness(a)
		|| (b.sourceRates.timeoutsPerMinute ?? -1) - (a.sourceRates.timeoutsPerMinute ?? -1)
		|| (b.active ?? -1) - (a.active ?? -1)
		|| (a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : 0);
}

/**
 * Every service pool the samples describe, sorted by label. Samples carrying RATE_LABEL are counter
 * rates (per second) and stand in for the counter they name, so `waitsTotal`-style fields come out as
 * rates and are moved into `sourceRates` (the totals stay null: a fleet's summed counters drop
 * whenever one instance restarts, so they are not differenced across polls).
 */
export function fleetPools(samples: readonly VectorSample[]): PoolMetrics[] {
	// (service, pool) → its instances
	const byPool = new Map<string, {service: string; pool: string | null; members: PoolInstance[]}>();
	for (const {service, instance, pools} of instancePools(samples, true)) {
		for (const metrics of pools) {
			// Only counter rates and no gauge: the instance stopped reporting (its gauges went stale at
			// once, while rate()'s 1 m window still holds its old counter samples). Counting it would say
			// "14 inst" over the sums of 13, and list an instance of no numbers instead of a gone one.
			const hasGauge = [metrics.max, metrics.open, metrics.active, metrics.idle, metrics.waiting, metrics.oldestWaitSeconds].some(value => value !== null);
			if (!hasGauge && metrics.error === undefined) {
				continue;
			}

			const key = `${service}\u0000${metrics.label ?? ''}`;
			let pool = byPool.get(key);
			if (!pool) {
				pool = {service, pool: metrics.label, members: []};
				byPool.set(key, pool);
			}

			pool.members.push({
				instance: safeText(instance),
				max: metrics.max,
				open: metrics.open,
				active: metrics.active,
				idle: metrics.idle,
				waiting: metrics.waiting,
				oldestWaitSeconds: metrics.oldestWaitSeconds,
				sourceRates: ratesOf(metrics),
				isAtMax: metrics.max !== null && metrics.max > 0 && metrics.active !== null && metrics.active >= metrics.max,
			});
		}
	}

	const keys = [...byPool.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
	return keys.map(key => {
		const {service, pool, members} = byPool.get(key)!;
		return servicePool(service, pool, members);
	});
}

/**
 * The samples grouped by (service, instance), each group read as if that instance had been scraped on
 * its own: its pools by the recognizer table. `countersAreRates`: counter samples hold rate() values
 * (fractions per second), not counts.
 */
export function instancePools(samples: readonly VectorSample[], countersAreRates: boolean): Array<{service: string; instance: string; pools: PoolMetrics[]}> {
	const byInstance = new Map<string, {service: string; instance: string; samples: PromSample[]}>();
	for (const sample of samples) {
		// Used as they are: the recognizers read only their own labels, and deleting `__name__` would
		// turn thousands of objects into slow dictionaries (measured: a third of a 500-instance refresh).
		const labels = sample.metric;
		const name = labels[RATE_LABEL] ?? labels['__name__'];
		if (name === undefined) {
			continue;
		}

		const service = serviceOf(labels);
		const instance = instanceOf(labels);
		const key = `${service}\u0000${instance}`;
		let group = byInstance.get(key);
		if (!group) {
			group = {service, instance, samples: []};
			byInstance.set(key, group);
		}

		group.samples.push({name, labels, value: valueOf(sample.value?.[1]), timestamp: null});
	}

	return [...byInstance.values()].map(({service, instance, samples: own}) => ({
		service,
		instance,
		pools: poolsFromExposition({samples: own, types: new Map(), units: new Map(), malformedLines: 0, hasEof: false}, {countersAreRates}),
	}));
}

/** A service pool's label, as its row names it: `orders/HikariPool-1`, or the service alone. */
export function servicePoolLabel(service: string, pool: string | null): string {
	return pool === null ? service : `${service}/${pool}`;
}

/** One service pool from its instances: sums, the worst MAX_MEMBERS instances first, and how many are at their max. */
export function servicePool(service: string, pool: string | null, instances: readonly PoolInstance[]): PoolMetrics {
	const members = [...instances].sort(byWorst);
	const kept = members.length > MAX_MEMBERS ? members.slice(0, MAX_MEMBERS) : members;
	const maxes = new Set(members.map(member => member.max));
	const hasMax = members.some(member => member.max !== null);
	const fleet: PoolFleet = {
		service: safeText(service),
		pool: pool === null ? null : safeText(pool),
		instances: members.length,
		atMax: hasMax ? members.filter(member => member.isAtMax).length : null,
		maxPerInstance: maxes.size === 1 && hasMax ? members[0]!.max : null,
		worst: members[0]!,
		members: kept,
		...(kept.length < members.length ? {omittedMembers: members.length - kept.length} : {}),
	};
	const pick = (field: 'max' | 'open' | 'active' | 'idle' | 'waiting') => sumOf(members.map(member => member[field]));
	const rate = (field: keyof SourceRates) => sumOf(members.map(member => member.sourceRates[field] ?? null));
	return {
		label: servicePoolLabel(service, pool),
		max: pick('max'),
		open: pick('open'),
		active: pick('active'),
		idle: pick('idle'),
		waiting: pick('waiting'),
		oldestWaitSeconds: maxOf(members.map(member => member.oldestWaitSeconds)),
		timeoutsTotal: null,
		waitsTotal: null,
		waitSecondsTotal: null,
		sourceRates: {
			waitsPerSecond: rate('waitsPerSecond'),
			waitingAverage: rate('waitingAverage'),
			timeoutsPerMinute: rate('timeoutsPerMinute'),
			...usageRates(rate('servedPerSecond'), rate('holdSecondsPerSecond')),
		},
		fleet,
	};
}
