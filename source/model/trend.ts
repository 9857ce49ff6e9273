// The last minutes of the numbers that tell an incident's story at a glance: server slots used, each
// pool's waiting and busy counts, each suspected group's busy count. One sample per server poll, on
// one time axis, bounded (model/series.ts).
import {appendSeries, emptySeries, type Series} from './series.js';
import type {Picture} from './picture.js';
import {suspectSubject, type Suspect} from './suspected-pools.js';

/** Samples kept: five minutes at the default 1 s interval, enough to see when it began and when a fix took. */
export const TREND_CAPACITY = 300;

export const emptyTrend = emptySeries(TREND_CAPACITY);

export const trendKeys = {
	serverUsed: 'server used',
	poolWaiting: (name: string) => `pool ${name} waiting`,
	poolBusy: (name: string) => `pool ${name} busy`,
	suspectBusy: (subject: string) => `suspect ${subject} busy`,
};

export function appendTrend(trend: Series, picture: Picture, suspects: readonly Suspect[]): Series {
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

	return appendSeries(trend, picture.atMs, readings);
}
