// Short histories of a few numbers for the history strip: keyed series on one shared time axis, the
// last `capacity` samples only. Immutable (the judge is pure): each append returns a new
// value of bounded size, capacity × keys at most, and a key with no value left in the window is dropped.

export type Series = {
	readonly capacity: number;
	/** Sample times, oldest first; at most `capacity`. */
	readonly times: readonly number[];
	/** Per key, one value per entry of `times` (null: no value at that moment). */
	readonly values: ReadonlyMap<string, ReadonlyArray<number | null>>;
	/** Samples before `untilMs` came from `source` (e.g. Prometheus), not from lifeguard watching. */
	readonly prior?: {readonly source: string; readonly untilMs: number};
};

export function emptySeries(capacity: number): Series {
	return {capacity: Math.max(1, Math.floor(capacity)), times: [], values: new Map()};
}

/**
 * One more sample: `readings` has the keys seen at `atMs`; known keys missing from it get null, new
 * keys get nulls for the past. The oldest sample falls off once the series is full.
 */
export function appendSeries(series: Series, atMs: number, readings: Readonly<Record<string, number | null>>): Series {
	const isFull = series.times.length >= series.capacity;
	const drop = isFull ? 1 : 0;
	const times = [...series.times.slice(drop), atMs];
	const values = new Map<string, ReadonlyArray<number | null>>();
	for (const [key, past] of series.values) {
		const next = [...past.slice(drop), readings[key] ?? null];
		if (next.some(value => value !== null)) {
			values.set(key, next);
		}
	}

	for (const [key, value] of Object.entries(readings)) {
		if (!values.has(key) && !series.values.has(key) && value !== null) {
			values.set(key, [...Array.from({length: times.length - 1}, () => null), value]);
		}
	}

	return {...series, times, values};
}

/** The key's values, oldest first, padded with null for samples before it appeared; [] for an unknown key. */
export function seriesValues(series: Series, key: string): ReadonlyArray<number | null> {
	return series.values.get(key) ?? [];
}

/**
 * Fold a sample into the newest entry instead of adding one (a sample of the same time bucket): each
 * key keeps the largest value seen, so a spike inside a bucket is never lost.
 */
export function mergeLastSeries(series: Series, readings: Readonly<Record<string, number | null>>): Series {
	if (series.times.length === 0) {
		return series;
	}

	const last = series.times.length - 1;
	const values = new Map(series.values);
	for (const [key, value] of Object.entries(readings)) {
		if (value === null) {
			continue;
		}

		const past = values.get(key) ?? Array.from({length: series.times.length}, () => null);
		const current = past[last] ?? null;
		values.set(key, [...past.slice(0, last), current === null ? value : Math.max(current, value)]);
	}

	return {...series, values};
}
