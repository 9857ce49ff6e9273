// pool-suspected's samples: what the detector keeps per poll (per group, counts only), and the history
// it keeps of them, sharing what did not change. Pure.
import type {ServerSnapshot} from '../readings/types.js';

/** History to keep: enough to see a suspect turn critical and say how long it has lasted (the most "held for" reads). */
export const SUSPECT_HISTORY_MS = 5 * 60_000;

/**
 * A group's connections at one moment: one application instance (application + client address), or a
 * pooler's server connections from one address (pooler set, application '').
 */
export type GroupSample = {
	/** The group's identity across samples (groupKey / poolerKey). */
	key: string;
	application: string;
	/** Client address; null for Unix-socket connections. */
	client: string | null;
	/** The pooler it probably is ('PgBouncer'), for a pooler's server connections; else null. */
	pooler: string | null;
	connections: number;
	/** Connections busy doing new work: in a statement or transaction that began lately (not stale). */
	busy: number;
};

/** What the detector keeps per poll: small and complete (no session rows). */
export type SuspectSample = {
	atMs: number;
	groups: GroupSample[];
	/** Slots an ordinary role could still open (usable minus connections); see levels' freeConnections. */
	serverFree: number;
};

export function groupKey(application: string, client: string | null): string {
	return `${application}\u0000${client ?? ''}`;
}

/** A pooler's group: its server connections from one address, whatever application names they carry. */
export function poolerKey(client: string | null): string {
	return `\u0001pooler\u0000${client ?? ''}`;
}

/**
 * The groups of one snapshot: each application instance without the backends known as a pooler's
 * (`pooled`, by pid, from pooler-backends.ts), and each pooler's backends by client address.
 */
export function groupSamples(snapshot: Pick<ServerSnapshot, 'clientGroups'>, pooled: ReadonlyMap<number, string> = new Map()): GroupSample[] {
	const samples: GroupSample[] = [];
	const poolers = new Map<string, GroupSample>();
	for (const group of snapshot.clientGroups) {
		let connections = 0;
		let busy = 0;
		for (const [pid, state] of group.backends) {
			const pooler = pooled.get(pid);
			if (pooler === undefined) {
				connections++;
				busy += state === 1 ? 1 : 0;
				continue;
			}

			const key = poolerKey(group.client);
			const entry = poolers.get(key) ?? {key, application: '', client: group.client, pooler, connections: 0, busy: 0};
			entry.connections++;
			entry.busy += state === 1 ? 1 : 0;
			poolers.set(key, entry);
		}

		if (connections > 0) {
			// A literal, not a spread copy: V8 gave every spread copy a hidden class of its own, and five
			// minutes of history held thousands of them (a heap snapshot at --interval 0.2).
			samples.push({key: groupKey(group.application, group.client), application: group.application, client: group.client, pooler: null, connections, busy});
		}
	}

	return [...samples, ...poolers.values()];
}

/** The sample to append to the detector's history after each successful poll (`pooled`: trackPoolers'). */
export function suspectSample(snapshot: Pick<ServerSnapshot, 'clientGroups' | 'takenAtMs'>, serverFree: number, pooled?: ReadonlyMap<number, string>): SuspectSample {
	return {atMs: snapshot.takenAtMs, groups: groupSamples(snapshot, pooled), serverFree};
}

// Each sample's groups by key, built once: the detector looks every group up in every sample of the
// window at every poll (groups × samples lookups), which a linear search made groups² × samples.
// Keyed by the list, which unchanged samples share (see appendSuspectSample).
const indexes = new WeakMap<readonly GroupSample[], ReadonlyMap<string, GroupSample>>();
export function groupsByKey(sample: SuspectSample): ReadonlyMap<string, GroupSample> {
	let index = indexes.get(sample.groups);
	if (!index) {
		index = new Map(sample.groups.map(group => [group.key, group]));
		indexes.set(sample.groups, index);
	}

	return index;
}

const isSameGroup = (a: GroupSample, b: GroupSample) => a.key === b.key && a.connections === b.connections && a.busy === b.busy && a.pooler === b.pooler;

/**
 * The history with `sample` appended and samples older than `keepMs` before it dropped (a new array).
 * A group that did not change since the previous sample is that sample's very object (strings
 * included), and an unchanged sample shares its whole list: five minutes of a steady server hold
 * one copy of each group, not one per second.
 */
export function appendSuspectSample(history: readonly SuspectSample[], sample: SuspectSample, keepMs = SUSPECT_HISTORY_MS): SuspectSample[] {
	const oldestMs = sample.atMs - keepMs;
	const first = history.findIndex(entry => entry.atMs >= oldestMs);
	const previous = history.at(-1);
	let kept = sample;
	if (previous) {
		const before = groupsByKey(previous);
		const groups = sample.groups.map(group => {
			const old = before.get(group.key);
			if (!old || isSameGroup(old, group)) {
				return old ?? group;
			}

			// The same group with new counts keeps the previous sample's strings, not this poll's copies:
			// at --interval 0.2 with 50 busy instances that was 1.5 MB over the five minutes.
			return {key: old.key, application: old.application, client: old.client, pooler: group.pooler, connections: group.connections, busy: group.busy};
		});
		const isUnchanged = groups.length === previous.groups.length && groups.every((group, index) => group === previous.groups[index]);
		kept = {atMs: sample.atMs, groups: isUnchanged ? previous.groups : groups, serverFree: sample.serverFree};
	}

	return [...(first === -1 ? [] : history.slice(first)), kept];
}

/** The lines a group is judged by: CLEAR_MARGIN lower while it is held (suspected at the last judgement). */
