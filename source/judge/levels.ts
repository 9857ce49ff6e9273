// Levels: how close the server and each pool are to their limits. Pure; the history carries time.
import type {Level, Observation, Thresholds} from './types.js';
import type {PoolMetrics, ServerSnapshot} from '../readings/types.js';

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

/** A level, once reached, holds until the value is this far below the line it crossed (hysteresis). */
export const CLEAR_MARGIN = 0.05;

/** The lines a subject is judged by while it holds `held`: each line it has crossed sits 5 points lower. */
export function heldThresholds(thresholds: Thresholds, held: Level | undefined): Thresholds {
	if (held === undefined || held === 'ok') {
		return thresholds;
	}

	return {
		...thresholds,
		warnRatio: thresholds.warnRatio - CLEAR_MARGIN,
		criticalRatio: held === 'critical' ? thresholds.criticalRatio - CLEAR_MARGIN : thresholds.criticalRatio,
	};
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

/** Slots an ordinary role can still open: lifeguard's own connections hold slots too. */
export function freeConnections(s: ServerSnapshot): number {
	return Math.max(0, usableConnections(s) - s.connections - s.ownConnections);
}

/**
 * The usage: others' connections (never lifeguard's own) over usable slots. 0–1, above 1 when
 * superusers dip into their reserve; a server with no usable slot counts as full.
 */
export function usedRatio(s: ServerSnapshot): number {
	const usable = usableConnections(s);
	return usable > 0 ? s.connections / usable : 1;
}

export function serverLevel(s: ServerSnapshot, thresholds: Thresholds): Level {
	return levelForRatio(usedRatio(s), thresholds);
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
