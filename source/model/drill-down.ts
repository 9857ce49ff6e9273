// The pools drill-down, pure: which pool row and which instance the cursor is on (by key, never by
// index), each instance's own level and why, the instances worst first, and the instances that left.
// The view reads the same picture the pools panel does, so a row and the panel above agree.
import {freeConnections, levelForRatio, levelRank} from './levels.js';
import type {PoolView} from './picture.js';
import type {Level, PoolInstance, ServerSnapshot, Thresholds} from './types.js';

/** A pool row's identity: its endpoint and its name (one endpoint may hold many pools). */
export function poolKey(pool: Pick<PoolView, 'endpoint' | 'name'>): string {
	return `${pool.endpoint}\u0000${pool.name}`;
}

/** The pool name a key carries, for when its row is no longer in the picture. */
export function poolNameOfKey(key: string): string {
	return key.slice(key.indexOf('\u0000') + 1);
}

/** A cursor over keyed rows: the key it follows, and where it was, for when that row leaves. */
export type KeyedCursor = {key: string | null; index: number};

/** Keep the key; when its row is gone, take the neighbour at its place. */
export function reconcileKey(cursor: KeyedCursor, keys: readonly string[]): KeyedCursor {
	if (keys.length === 0) {
		return {key: cursor.key, index: 0};
	}

	const index = cursor.key === null ? -1 : keys.indexOf(cursor.key);
	if (index >= 0) {
		return {key: cursor.key, index};
	}

	const neighbour = Math.min(Math.max(cursor.index, 0), keys.length - 1);
	return {key: keys[neighbour]!, index: neighbour};
}

export function moveKey(cursor: KeyedCursor, keys: readonly string[], delta: number): KeyedCursor {
	if (keys.length === 0) {
		return cursor;
	}

	const current = reconcileKey(cursor, keys);
	const index = Math.min(Math.max(current.index + delta, 0), keys.length - 1);
	return {key: keys[index]!, index};
}

/** An instance's level: `unknown` when it exposes neither a busy count nor a queue. */
export type InstanceLevel = Level | 'unknown';

/** One instance as the drill-down shows it: its numbers, its own level and the words for why. */
export type RankedInstance = PoolInstance & {level: InstanceLevel; reason: string};

const rankOf = (level: InstanceLevel) => (level === 'unknown' ? -1 : levelRank(level));

/**
 * An instance judged as its pool row is judged (model/diagnosis.ts poolFindings), on its own numbers:
 * waiters at its max are critical, waiters behind a full server too, waiters below its max a warning;
 * a growing wait counter at its max is critical; timeouts a warning; else how busy it is.
 */
export function judgeInstance(member: PoolInstance, thresholds: Thresholds, server: ServerSnapshot | null): RankedInstance {
	const verdict = (level: InstanceLevel, reason: string): RankedInstance => ({...member, level, reason});
	const {waiting, active, max} = member;
	if ((waiting ?? 0) > 0) {
		if (member.isAtMax) {
			return verdict('critical', 'at max, queueing');
		}

		if (server && freeConnections(server) <= 0) {
			return verdict('critical', 'queueing, server full');
		}

		return verdict('warning', 'queueing below max');
	}

	const waitsPerSecond = member.sourceRates.waitsPerSecond ?? 0;
	if (waiting === null && member.isAtMax && waitsPerSecond > 0) {
		return verdict('critical', `at max, waits ${waitsPerSecond.toFixed(1)}/s`);
	}

	const timeouts = member.sourceRates.timeoutsPerMinute ?? 0;
	if (timeouts > 0) {
		return verdict('warning', `timeouts ${Math.max(1, Math.round(timeouts))}/min`);
	}

	if (max !== null && max > 0 && active !== null) {
		const ratio = active / max;
		return verdict(levelForRatio(ratio, thresholds), `${Math.round(ratio * 100)}% busy`);
	}

	return active === null && waiting === null ? verdict('unknown', 'no numbers') : verdict('ok', max === null ? 'max n/a' : '');
}

/**
 * The instances worst first: by their own level, then in the collector's order (most waiting, the
 * fullest, the most timeouts, then by name), so a WARN row never sits above a CRIT one.
 */
export function rankInstances(members: readonly PoolInstance[], thresholds: Thresholds, server: ServerSnapshot | null): RankedInstance[] {
	return members
		.map((member, order) => ({member: judgeInstance(member, thresholds, server), order}))
		.sort((a, b) => rankOf(b.member.level) - rankOf(a.member.level) || a.order - b.order)
		.map(entry => entry.member);
}

/** An instance that was in the pool earlier in this drill-down and is not in the latest reading. */
export type GoneInstance = {instance: string; lastSeenAtMs: number};

/** The most instances the drill-down remembers as gone (a rolling deploy replaces them all). */
export const MAX_GONE = 100;

/**
 * Fold one new reading of the pool into the instances that left: those in the previous reading and
 * not in this one join, newest first; those back in this one leave the list. When the reading lists
 * only the worst instances (`isCut`), one missing from it may just rank lower now: none joins.
 */
export function updateGone(gone: readonly GoneInstance[], previous: readonly PoolInstance[] | null, current: readonly PoolInstance[] | null, previousAtMs: number, isCut = false): GoneInstance[] {
	const present = new Set((current ?? []).map(member => member.instance));
	const known = new Set(gone.map(entry => entry.instance));
	const left = (isCut ? [] : previous ?? [])
		.filter(member => !present.has(member.instance) && !known.has(member.instance))
		.map(member => ({instance: member.instance, lastSeenAtMs: previousAtMs}));
	return [...left, ...gone.filter(entry => !present.has(entry.instance))].slice(0, MAX_GONE);
}

/** The pool a key names in this picture's rows, or null when it is not there. */
export function poolByKey(pools: readonly PoolView[], key: string): PoolView | null {
	return pools.find(pool => poolKey(pool) === key) ?? null;
}

/** The members rows' keys in the order shown: the ranked instances, then the gone ones. */
export function memberKeys(ranked: readonly RankedInstance[], gone: readonly GoneInstance[]): string[] {
	return [...ranked.map(member => member.instance), ...gone.map(entry => entry.instance)];
}
