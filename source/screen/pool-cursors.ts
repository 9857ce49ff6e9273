// The pools drill-down's cursors, pure: which pool row and which instance the cursor is on (by key,
// never by index), and the instances that left (each instance's own level is the judge's:
// judge/instances.ts). The view reads the same picture the pools panel does, so they agree.
import type {RankedInstance} from '../judge/instances.js';
import type {PoolView} from '../judge/picture.js';
import type {PoolInstance} from '../readings/types.js';

/** A pool row's identity: its endpoint's id and its name (one endpoint may hold many pools). */
export function poolKey(pool: Pick<PoolView, 'endpointId' | 'name'>): string {
	return `${pool.endpointId}\u0000${pool.name}`;
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
