// Recognise pool families in a parsed exposition and group them by the pool-key label
// (the table in prometheus-families.ts, one entry per family). A field no family exposes stays null:
// "n/a", never 0.
import type {PoolMetrics} from '../../readings/types.js';
import {type Field, type FieldSpec, type Labels, type Recognizer, RECOGNIZERS, type SampleIndex} from './prometheus-families.js';
import type {PromExposition} from './prometheus-text.js';
import {invalidPool, invalidValue, noMetrics, validatePool} from './validate-pools.js';

/** The counters among the fields: read through PromQL `rate()` when the source is a Prometheus. */
const COUNTER_FIELDS = new Set<Field>(['timeoutsTotal', 'waitsTotal', 'waitSecondsTotal', 'servedTotal', 'holdSecondsTotal']);

/** The sample names one family is read from: gauges (as they are) and counters (rates of). */
export type FamilyNames = {id: string; gauges: string[]; counters: string[]};

/** Every family's sample names, from the recognizer table (the one list of names lifeguard reads). */
export function familyNames(): FamilyNames[] {
	return RECOGNIZERS.map(recognizer => {
		const gauges = new Set<string>(recognizer.reads ?? []);
		const counters = new Set<string>();
		for (const [field, spec] of Object.entries(recognizer.fields) as Array<[Field, FieldSpec]>) {
			for (const series of spec.flat()) {
				(COUNTER_FIELDS.has(field) ? counters : gauges).add(series.name);
			}
		}

		return {id: recognizer.id, gauges: [...gauges], counters: [...counters]};
	});
}

/** The sample names of every family's timeout counter (read as counts, not rates, to count timeouts in a window). */
export function timeoutCounterNames(): string[] {
	return [...new Set(RECOGNIZERS.flatMap(recognizer => (recognizer.fields.timeoutsTotal ?? []).flat().map(series => series.name)))];
}

/** Every pool the exposition describes, sorted by label within each recognizer. */
export function poolsFromExposition(exposition: PromExposition, options: {countersAreRates?: boolean} = {}): PoolMetrics[] {
	const index: SampleIndex = new Map();
	for (const sample of exposition.samples) {
		const list = index.get(sample.name);
		if (list) {
			list.push(sample);
		} else {
			index.set(sample.name, [sample]);
		}
	}

	const pools: PoolMetrics[] = [];
	for (const recognizer of RECOGNIZERS.filter(each => !each.isFallback)) {
		pools.push(...applyRecognizer(recognizer, index, options));
	}

	if (pools.length === 0) {
		for (const recognizer of RECOGNIZERS.filter(each => each.isFallback)) {
			pools.push(...applyRecognizer(recognizer, index, options));
		}
	}

	return pools;
}

/** One pool while its series are read: every (field, alternative) has a slot in one flat array. */
type Sums = {labels: Labels; sums: Array<number | null>; lastSeries: number; error: string | null};
type Layout = {specs: Array<[Field, FieldSpec]>; offsets: number[]; slots: number};

function applyRecognizer(recognizer: Recognizer, index: SampleIndex, options: {countersAreRates?: boolean}): PoolMetrics[] {
	// Every (field, alternative) has a slot in one flat array per pool: few allocations per pool, as an
	// endpoint may describe 15,000 of them.
	const specs = Object.entries(recognizer.fields) as Array<[Field, FieldSpec]>;
	const offsets: number[] = [];
	let slots = 0;
	for (const [, spec] of specs) {
		offsets.push(slots);
		slots += spec.length;
	}

	const layout: Layout = {specs, offsets, slots};
	const pools = sumSeries(recognizer, index, layout, options);
	// Sorted by key: some exporters iterate hash maps, and rows must not jump between scrapes.
	// (The default sort compares UTF-16 code units, as `<` does, and is the cheaper one.)
	return [...pools.keys()].sort().map(key => poolOf(recognizer, key, pools.get(key)!, layout, index, options));
}

/**
 * One pass over the recognizer's series: key → per-(field, alternative) sums (null = not exposed).
 * Keys keep the first labels seen, so `finish` can join other families. Each sample is checked as it
 * is read: an impossible value, or a second sample of one series for one pool (which would otherwise
 * be summed), makes that pool an error; the other pools are not affected.
 */
function sumSeries(recognizer: Recognizer, index: SampleIndex, {specs, offsets, slots}: Layout, options: {countersAreRates?: boolean}): Map<string, Sums> {
	// `lastSeries`: the series that last gave this pool a sample; the same one again is a duplicate.
	const pools = new Map<string, Sums>();
	let seriesId = 0;
	for (const [fieldIndex, [field, spec]] of specs.entries()) {
		for (const [alternativeIndex, alternative] of spec.entries()) {
			const slot = offsets[fieldIndex]! + alternativeIndex;
			for (const series of alternative) {
				seriesId++;
				for (const sample of index.get(series.name) ?? []) {
					const key = recognizer.key(sample.labels);
					if (key === null) {
						continue;
					}

					let pool = pools.get(key);
					if (!pool) {
						pool = {labels: sample.labels, sums: new Array<number | null>(slots).fill(null), lastSeries: 0, error: null};
						pools.set(key, pool);
					}

					// NaN is "no value" in Prometheus (a Micrometer gauge whose pool is gone): not exposed.
					if ((series.where && !series.where(sample.labels)) || Number.isNaN(sample.value)) {
						continue;
					}

					if (pool.lastSeries === seriesId) {
						pool.error ??= `duplicate series ${series.name}`;
						continue;
					}

					pool.lastSeries = seriesId;
					// A max of 0 is judged after `finish` (go_sql: 0 = unlimited).
					const problem = invalidValue(field, sample.value, {isZeroMaxAllowed: true, countersAreRates: options.countersAreRates});
					if (problem !== null) {
						pool.error ??= `${problem} (${series.name})`;
						continue;
					}

					pool.sums[slot] = (pool.sums[slot] ?? 0) + sample.value * (series.scale ?? 1);
				}
			}
		}
	}

	return pools;
}

/** A pool's metrics from its sums: the first alternative exposed wins per field, then the family's joins. */
function poolOf(recognizer: Recognizer, key: string, {labels, sums, error}: Sums, {specs, offsets}: Layout, index: SampleIndex, options: {countersAreRates?: boolean}): PoolMetrics {
	const label = key === '' ? null : key;
	if (error !== null) {
		return invalidPool(label, error);
	}

	const metrics = noMetrics(label);
	for (let fieldIndex = 0; fieldIndex < specs.length; fieldIndex++) {
		const [field, spec] = specs[fieldIndex]!;
		for (let alternativeIndex = 0; alternativeIndex < spec.length; alternativeIndex++) {
			const value = sums[offsets[fieldIndex]! + alternativeIndex];
			if (value !== null && value !== undefined) {
				metrics[field] = value;
				break;
			}
		}
	}

	if (metrics.open === null && metrics.active !== null && metrics.idle !== null) {
		metrics.open = metrics.active + metrics.idle; // OTel used+idle, jdbc/agroal active+idle
	}

	recognizer.finish?.(metrics, labels, index);
	return validatePool(metrics, {countersAreRates: options.countersAreRates});
}
