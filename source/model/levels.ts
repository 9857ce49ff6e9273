// Levels: how close the server and each pool are to their limits. Pure; the history carries time.
import type {Level, Observation, PoolMetrics, PoolStatus, ServerSnapshot, Thresholds} from './types.js';

/** Waiters present this long make a pool critical even below its max. */
export const persistentWaitingMs = 10_000;

const rank: Record<Level, number> = {ok: 0, warning: 1, critical: 2};

export function levelRank(level: Level): number {
	return rank[level];
}

/** The worst of the given levels; ok for none. */
export function worstLevel(levels: Iterable<Level>): Level {
	let worst: Level = 'ok';
	for (const level of levels) {
		if (rank[level] > rank[worst]) {
			worst = level;
		}
	}

	return worst;
}

export function levelForRatio(ratio: number, thresholds: Thresholds): Level {
	if (ratio >= thresholds.criticalRatio) {
		return 'critical';
	}

	return ratio >= thresholds.warnRatio ? 'warning' : 'ok';
}

/** Slots an ordinary client can take: superuser and role reservations are not ours to use. */
export function usableConnections(s: ServerSnapshot): number {
	return Math.max(0, s.maxConnections - s.superuserReservedConnections - s.reservedForRoleConnections);
}

export function freeConnections(s: ServerSnapshot): number {
	return Math.max(0, usableConnections(s) - s.connections);
}

/** 0–1 (above 1 when superusers dip into their reserve); a server with no usable slot counts as full. */
export function usedRatio(s: ServerSnapshot): number {
	const usable = usableConnections(s);
	return usable > 0 ? s.connections / usable : 1;
}

export function serverLevel(s: ServerSnapshot, thresholds: Thresholds): Level {
	return levelForRatio(usedRatio(s), thresholds);
}

/** The pool as the latest observation holds it, or null when it is not configured there. */
export function latestPool(history: readonly Observation[], poolName: string): PoolStatus | null {
	const latest = history.at(-1);
	return latest?.pools.find(pool => pool.name === poolName) ?? null;
}

/** True when the pool is at its limit; null when max or active is not exposed. */
export function isPoolAtMax(metrics: PoolMetrics): boolean | null {
	if (metrics.max === null || metrics.active === null) {
		return null;
	}

	return metrics.active >= metrics.max;
}

/**
 * How long (ms) requests have been waiting without a break, counted over fresh samples ending now;
 * null when nobody waits now. An endpoint error breaks the run: stale numbers prove nothing.
 */
export function waitingForMs(history: readonly Observation[], poolName: string): number | null {
	const latest = history.at(-1);
	if (!latest) {
		return null;
	}

	let startMs: number | null = null;
	for (let index = history.length - 1; index >= 0; index--) {
		const observation = history[index]!;
		const pool = observation.pools.find(candidate => candidate.name === poolName);
		const waiting = pool?.metrics?.waiting ?? null;
		if (!pool || pool.error !== null || waiting === null || waiting <= 0) {
			break;
		}

		startMs = observation.atMs;
	}

	return startMs === null ? null : latest.atMs - startMs;
}

export function poolLevel(history: readonly Observation[], poolName: string, thresholds: Thresholds): Level {
	// A failed endpoint keeps its last metrics; with none, the endpoint-down finding speaks for it.
	const metrics = latestPool(history, poolName)?.metrics;
	if (!metrics) {
		return 'ok';
	}

	const ratioLevel =
		metrics.max !== null && metrics.active !== null && metrics.max > 0
			? levelForRatio(metrics.active / metrics.max, thresholds)
			: 'ok';
	// Requests failing to get a connection right now are a warning even when the pool looks idle
	// (its connections may be refused by a full server).
	const byRatio = (timeoutsPerMinute(history, poolName) ?? 0) > 0 ? worstLevel([ratioLevel, 'warning']) : ratioLevel;
	if (metrics.waiting === null || metrics.waiting <= 0) {
		return byRatio;
	}

	const persistedMs = waitingForMs(history, poolName) ?? 0;
	if (isPoolAtMax(metrics) === true || persistedMs >= persistentWaitingMs) {
		return 'critical';
	}

	return worstLevel([byRatio, 'warning']);
}

/**
 * Pool timeouts per minute over the history, from the growth of the `timeoutsTotal` counter; a drop
 * is a restart, counted from zero as Prometheus' rate() does. Null when unknown or under 2 samples.
 */
export function timeoutsPerMinute(history: readonly Observation[], poolName: string): number | null {
	const samples: Array<{atMs: number; total: number}> = [];
	for (const observation of history) {
		const pool = observation.pools.find(candidate => candidate.name === poolName);
		const total = pool?.metrics?.timeoutsTotal ?? null;
		if (!pool || total === null) {
			continue;
		}

		// A failed endpoint repeats its last metrics: take each sample once, at its own time.
		const atMs = pool.sampledAtMs ?? observation.atMs;
		if (samples.length > 0 && samples.at(-1)!.atMs >= atMs) {
			continue;
		}

		samples.push({atMs, total});
	}

	if (samples.length < 2) {
		return null;
	}

	let increase = 0;
	for (let index = 1; index < samples.length; index++) {
		const previous = samples[index - 1]!.total;
		const current = samples[index]!.total;
		increase += current >= previous ? current - previous : current;
	}

	const minutes = (samples.at(-1)!.atMs - samples[0]!.atMs) / 60_000;
	return increase / minutes;
}
