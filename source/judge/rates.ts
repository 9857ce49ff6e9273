// Rates from a pool's counters across polls: the wait and timeout counters some sources expose
// instead of a waiting gauge (Go's database/sql has only go_sql_wait_count_total). A drop is a
// restart, counted from zero as Prometheus' rate() does, never a negative rate.
import type {Observation} from './types.js';
import type {PoolMetrics} from '../readings/types.js';

/** Rates look back this far: long enough to smooth a scrape, short enough to show a fix within it. */
export const RATE_WINDOW_MS = 30_000;

export type PoolRates = {
	/** Acquisitions that had to wait, per second; null before two samples or when not exposed. */
	waitsPerSecond: number | null;
	/** Mean wait of those acquisitions, from the two wait counters; null when unknown or no waits. */
	meanWaitSeconds: number | null;
	/**
	 * Seconds of waiting credited per second: by Little's law, how many requests waited on average.
	 * Go credits a wait when it ends and counts it when it starts, so a long queue can show wait time
	 * growing while the count stands still: this is the number that moves.
	 */
	waitingAverage: number | null;
	/** Requests that gave up waiting for a connection, per minute. */
	timeoutsPerMinute: number | null;
	/** Connections given back per second (a usage timer's count); null when not exposed or too early. */
	servedPerSecond: number | null;
	/** Mean time a connection was held, from the usage timer's sum and count; null when unknown or none served. */
	meanHoldSeconds: number | null;
	/** How fast the waiting gauge grew over the window (negative while it drains); null before two samples. */
	queueGrowthPerSecond: number | null;
};

type Sample = {atMs: number; metrics: PoolMetrics};

/** One sample per good reading of the pool (a failed endpoint repeats its last metrics), oldest first. */
function samplesOf(history: readonly Observation[], poolName: string, sinceMs: number): Sample[] {
	const samples: Sample[] = [];
	for (const observation of history) {
		const pool = observation.pools.find(candidate => candidate.name === poolName);
		if (!pool?.metrics) {
			continue;
		}

		const atMs = pool.sampledAtMs ?? observation.atMs;
		if (atMs < sinceMs || (samples.length > 0 && samples.at(-1)!.atMs >= atMs)) {
			continue;
		}

		samples.push({atMs, metrics: pool.metrics});
	}

	return samples;
}

/** How much a counter grew over the samples (restarts counted from zero); null when not exposed. */
function increase(samples: readonly Sample[], pick: (metrics: PoolMetrics) => number | null): number | null {
	let total = 0;
	let previous: number | null = null;
	let seen = 0;
	for (const sample of samples) {
		const value = pick(sample.metrics);
		if (value === null) {
			continue;
		}

		if (previous !== null) {
			total += value >= previous ? value - previous : value;
		}

		previous = value;
		seen++;
	}

	return seen >= 2 ? total : null;
}

export function poolRates(history: readonly Observation[], poolName: string, windowMs = RATE_WINDOW_MS): PoolRates {
	// A source that computed its own rates (Prometheus' rate() for a fleet) is taken at its word.
	const nowMs = history.at(-1)?.atMs ?? 0;
	const samples = samplesOf(history, poolName, nowMs - windowMs);
	const seconds = samples.length >= 2 ? (samples.at(-1)!.atMs - samples[0]!.atMs) / 1000 : 0;
	const queueGrowthPerSecond = seconds > 0 ? growth(samples, seconds) : null;
	// A source that computed its own rates (Prometheus' rate() for a fleet) is taken at its word.
	const own = history.at(-1)?.pools.find(pool => pool.name === poolName)?.metrics?.sourceRates;
	if (own) {
		const {waitsPerSecond, waitingAverage, timeoutsPerMinute} = own;
		const servedPerSecond = own.servedPerSecond ?? null;
		return {
			waitsPerSecond,
			waitingAverage,
			timeoutsPerMinute,
			meanWaitSeconds: waitsPerSecond !== null && waitsPerSecond > 0 && waitingAverage !== null ? waitingAverage / waitsPerSecond : null,
			servedPerSecond,
			meanHoldSeconds: ratio(own.holdSecondsPerSecond ?? null, servedPerSecond),
			queueGrowthPerSecond,
		};
	}

	if (seconds <= 0) {
		return {waitsPerSecond: null, meanWaitSeconds: null, waitingAverage: null, timeoutsPerMinute: null, servedPerSecond: null, meanHoldSeconds: null, queueGrowthPerSecond: null};
	}

	const waits = increase(samples, metrics => metrics.waitsTotal);
	const waitSeconds = increase(samples, metrics => metrics.waitSecondsTotal);
	const timeouts = increase(samples, metrics => metrics.timeoutsTotal);
	const served = increase(samples, metrics => metrics.servedTotal ?? null);
	const holdSeconds = increase(samples, metrics => metrics.holdSecondsTotal ?? null);
	return {
		waitsPerSecond: waits === null ? null : waits / seconds,
		meanWaitSeconds: waits !== null && waits > 0 && waitSeconds !== null ? waitSeconds / waits : null,
		waitingAverage: waitSeconds === null ? null : waitSeconds / seconds,
		timeoutsPerMinute: timeouts === null ? null : (timeouts / seconds) * 60,
		servedPerSecond: served === null ? null : served / seconds,
		meanHoldSeconds: ratio(holdSeconds, served),
		queueGrowthPerSecond,
	};
}

/** part ÷ whole, null when either is unknown or the whole is 0 (no connection came back: no mean). */
const ratio = (part: number | null, whole: number | null): number | null => (part === null || whole === null || whole <= 0 ? null : part / whole);

/** The waiting gauge's change per second from the window's first sample to its last (a gauge, not a counter). */
function growth(samples: readonly Sample[], seconds: number): number | null {
	const first = samples[0]?.metrics.waiting ?? null;
	const last = samples.at(-1)?.metrics.waiting ?? null;
	return first === null || last === null ? null : (last - first) / seconds;
}

/** Rates as the pools panel shows them: "waits 3.1/s, avg 420 ms". */
export function waitRateText(rates: PoolRates): string {
	if (rates.waitsPerSecond === null) {
		return '';
	}

	const average = rates.meanWaitSeconds === null ? '' : `, avg ${Math.round(rates.meanWaitSeconds * 1000)} ms`;
	// New waits may stand still while old ones are still being served: say how many waited.
	const queued = rates.waitsPerSecond === 0 && (rates.waitingAverage ?? 0) > 0 ? `, ~${rates.waitingAverage!.toFixed(1)} waiting (wait time)` : '';
	return `waits ${rates.waitsPerSecond.toFixed(1)}/s${average}${queued}`;
}
