// The last minutes of the numbers that tell an incident's story at a glance: server slots used, each
// pool's waiting and busy counts, each suspected group's busy count. Kept per time bucket of
// TREND_BUCKET_MS (the largest value seen in it), on one absolute time axis, bounded (series.ts).
import {appendSeries, emptySeries, mergeLastSeries, type Series} from './series.js';
import type {Observation} from './types.js';
import {type Subject, subjectKey} from './subject.js';
import {suspectSubject} from './suspect-words.js';
import type {Suspect} from './suspected-pools.js';

/**
 * One cell of the history strip. 10 s: an 80-column strip still spans about three minutes, enough to
 * see when a queue began and when a fix took, and a steady screen is redrawn at most once per bucket,
 * whatever --interval is.
 */
export const TREND_BUCKET_MS = 10_000;
/** Buckets kept: 40 minutes, more than the widest strip shows. */
export const TREND_CAPACITY = 240;

export const emptyTrend = emptySeries(TREND_CAPACITY);

export const trendKeys = {
	serverUsed: 'server used',
	poolWaiting: (name: string) => `pool ${name} waiting`,
	poolBusy: (name: string) => `pool ${name} busy`,
	suspectBusy: (subject: Subject) => `${subjectKey(subject)} busy`,
};

/** The start of the bucket a moment falls in. */
export function bucketOf(atMs: number): number {
	return Math.floor(atMs / TREND_BUCKET_MS) * TREND_BUCKET_MS;
}

/** One more moment of the picture (its time, its server, its pools) in the trend. */
export function appendTrend(trend: Series, picture: Readonly<Observation>, suspects: readonly Suspect[]): Series {
	if (!picture.server) {
		return trend;
	}

	const readings: Record<string, number | null> = {[trendKeys.serverUsed]: picture.server.connections};
	for (const pool of picture.pools) {
		// A failing endpoint's numbers are stale: a gap, not a flat line.
		readings[trendKeys.poolWaiting(pool.name)] = pool.error === null ? pool.metrics?.waiting ?? null : null;
		readings[trendKeys.poolBusy(pool.name)] = pool.error === null ? pool.metrics?.active ?? null : null;
	}

	for (const suspect of suspects) {
		readings[trendKeys.suspectBusy(suspectSubject(suspect))] = suspect.connections;
	}

	const bucket = bucketOf(picture.atMs);
	return trend.times.at(-1) === bucket ? mergeLastSeries(trend, readings) : appendSeries(trend, bucket, readings);
}
