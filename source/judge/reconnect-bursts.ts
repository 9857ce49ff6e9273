// An application restarted or deployed, seen from the server side: a burst of new backends of one
// application (its application_name; without one, one client address) replacing most of its old ones
// within seconds. Told apart from what looks like it: a pool rotating its connections at their max
// lifetime (one at a time, spread over minutes), a pool growing from idle (new ones, none leaving), a
// single reconnect, a group of one or two connections, an application that connects per request
// (its "old" backends never grew old), a pooler's server connections (recycled by server_lifetime),
// and lifeguard's own connections (never in the client groups). Pure: time arrives with the samples.
import type {ClientGroup} from '../readings/types.js';

/** New backends count when lifeguard first saw them within this window, and old ones when they left within it. */
export const BURST_WINDOW_MS = 10_000;
/** A burst's new backends started (backend_start) within this many seconds of each other: a restart opens its pool at once. */
export const BURST_SPREAD_SECONDS = 5;
/** Fewer replaced backends is a reconnect or two, not a restart (a group of 1–2 connections says nothing). */
export const MIN_REPLACED = 3;
/** "Most" of the backends it held before: a rotation at max lifetime replaces a few at a time, a restart nearly all. */
export const MOST_REPLACED = 0.75;
/**
 * An old backend had lived this long before the burst: an application that connects per request
 * replaces all its backends every second, and that is its habit, not a restart.
 */
export const OLD_SECONDS = 20;
/** Backends that left, kept at most (an application that connects per request must not grow the memory). */
const GONE_CAP = 5000;

type Backend = {unit: string; application: string; client: string | null; startedSeconds: number | null; firstSeenMs: number};

export type BurstTrack = {
	/** The last sample's time; null before the first (whose backends are no burst). */
	atMs: number | null;
	/** The backends of the last sample, by pid and backend_start (a pid is reused). */
	present: ReadonlyMap<string, Backend>;
	/** Backends that left within the window, with when they were first missed. */
	gone: ReadonlyArray<Backend & {goneMs: number}>;
	/** Per unit, the newest backend_start of the burst last told: a burst is told once. */
	told: ReadonlyMap<string, number>;
	/** Client addresses seen holding a pooler's server connections: never judged (server_lifetime recycling). */
	poolerClients: ReadonlySet<string>;
};

export const emptyBurstTrack: BurstTrack = {atMs: null, present: new Map(), gone: [], told: new Map(), poolerClients: new Set()};

/** One burst: `replaced` of `of` old backends within `spreadSeconds` (the new ones' backend_start). */
export type ReconnectBurst = {
	application: string;
	/** The client address when the application sent no name (the unit is then that address), else null. */
	client: string | null;
	replaced: number;
	of: number;
	spreadSeconds: number;
	/** The first new backend's backend_start, ms since the epoch (the server's clock). */
	firstStartedMs: number;
};

const unitOf = (group: ClientGroup) => (group.application === '' ? `client\u0000${group.client ?? ''}` : `app\u0000${group.application}`);

/**
 * The track after one more sample, and the bursts it completes. `pooled`: the backends known as a
 * pooler's (pooler-backends.ts), by pid.
 */
export function trackBursts(track: BurstTrack, groups: readonly ClientGroup[], pooled: ReadonlyMap<number, string>, atMs: number): {track: BurstTrack; bursts: ReconnectBurst[]} {
	const poolerClients = new Set(track.poolerClients);
	for (const group of groups) {
		if (group.client !== null && group.backends.some(([pid]) => pooled.has(pid))) {
			poolerClients.add(group.client);
		}
	}

	const present = new Map<string, Backend>();
	const moved = new Set<string>();
	for (const group of groups) {
		if (group.client !== null && poolerClients.has(group.client)) {
			continue;
		}

		const unit = unitOf(group);
		for (const [pid, , startedSeconds] of group.backends) {
			const key = `${pid}:${startedSeconds ?? ''}`;
			const known = track.present.get(key);
			if (known?.unit === unit) {
				present.set(key, known);
				continue;
			}

			// New, or named since (a backend still logging in shows no application_name yet).
			const client = group.application === '' ? group.client : null;
			present.set(key, {unit, application: group.application, client, startedSeconds: startedSeconds ?? null, firstSeenMs: known?.firstSeenMs ?? (track.atMs === null ? Number.NEGATIVE_INFINITY : atMs)});
			if (track.atMs !== null) {
				moved.add(unit);
			}
		}
	}

	const left = [...track.present].filter(([key]) => !present.has(key)).map(([, backend]) => ({...backend, goneMs: atMs}));
	// A restart may close the old backends before or after it opens the new ones: judged on either.
	for (const backend of left) {
		moved.add(backend.unit);
	}

	const gone = [...track.gone.filter(backend => backend.goneMs >= atMs - BURST_WINDOW_MS), ...left].slice(-GONE_CAP);
	const told = new Map(track.told);
	const bursts: ReconnectBurst[] = [];
	for (const unit of moved) {
		const burst = burstOf(unit, present, gone, told.get(unit) ?? Number.NEGATIVE_INFINITY, atMs);
		if (burst) {
			told.set(unit, burst.lastStartedSeconds);
			bursts.push(burst.burst);
		}
	}

	return {track: {atMs, present, gone, told, poolerClients: poolerClients.size > 100 ? track.poolerClients : poolerClients}, bursts};
}

/** The largest set of start times within BURST_SPREAD_SECONDS of each other (sorted input). */
function tightest(starts: readonly number[]): {from: number; to: number; count: number} | null {
	let best: {from: number; to: number; count: number} | null = null;
	let first = 0;
	for (let last = 0; last < starts.length; last++) {
		while (starts[last]! - starts[first]! > BURST_SPREAD_SECONDS) {
			first++;
		}

		if (!best || last - first + 1 > best.count) {
			best = {from: starts[first]!, to: starts[last]!, count: last - first + 1};
		}
	}

	return best;
}

/** A unit's burst, when its new backends replaced most of its old ones; null otherwise. */
function burstOf(unit: string, present: ReadonlyMap<string, Backend>, gone: ReadonlyArray<Backend & {goneMs: number}>, toldSeconds: number, atMs: number): {burst: ReconnectBurst; lastStartedSeconds: number} | null {
	const mine = [...present.values()].filter(backend => backend.unit === unit);
	const starts = mine.filter(backend => backend.firstSeenMs >= atMs - BURST_WINDOW_MS && backend.startedSeconds !== null && backend.startedSeconds > toldSeconds)
		.map(backend => backend.startedSeconds!).sort((a, b) => a - b);
	const fresh = tightest(starts);
	if (!fresh || fresh.count < MIN_REPLACED) {
		return null;
	}

	// Old: started OLD_SECONDS before the burst or earlier (unknown start: old enough, it was there before).
	const isOld = (backend: Backend) => backend.startedSeconds === null || backend.startedSeconds <= fresh.from - OLD_SECONDS;
	// "Most" is of every backend it held before the burst, young ones too: a rotation at max lifetime
	// has made some young already, and out of the old ones alone its last few would look like "most".
	const isBefore = (backend: Backend) => backend.startedSeconds === null || backend.startedSeconds < fresh.from;
	const left = gone.filter(backend => backend.unit === unit);
	const leftOld = left.filter(backend => isOld(backend)).length;
	const of = left.filter(backend => isBefore(backend)).length + mine.filter(backend => isBefore(backend)).length;
	const replaced = Math.min(leftOld, fresh.count);
	if (replaced < MIN_REPLACED || replaced < MOST_REPLACED * of) {
		return null;
	}

	const sample = mine[0]!;
	return {
		burst: {application: sample.application, client: sample.client, replaced, of, spreadSeconds: Math.round((fresh.to - fresh.from) * 10) / 10, firstStartedMs: Math.round(fresh.from * 1000)},
		lastStartedSeconds: fresh.to,
	};
}
