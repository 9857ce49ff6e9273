// pool-suspected: a capped application pool inferred from the server side alone, for the pools
// nobody pointed lifeguard at. A pool that has hit its max holds exactly max connections, all of them
// busy (the next queued request takes a released connection at once), and never opens one more, even
// though the server has room: the requests queue inside the application, where the server cannot
// see them. Pure: the history of samples (oldest first, last = now) is the only input.
import type {ClientGroup, ServerSnapshot} from '../readings/types.js';
import type {Level} from './types.js';
import {findingDuration, percent, plural} from '../text/words.js';
import {type Subject, subjectLabel} from './subject.js';

/**
 * How long a group must sit busy at its ceiling before it is suspected. 30 s: a burst fills a pool for
 * a few seconds and lets go, a capped pool under sustained demand stays there; 30 polls at the default
 * 1 s interval are plenty of evidence, and the finding still appears in the first minute of an
 * incident, when it matters.
 */
export const SUSPECT_WINDOW_MS = 30_000;
/** Suspected for this long: critical. Two minutes of requests queueing is an outage, not a blip. */
export const SUSPECT_CRITICAL_MS = 120_000;
/**
 * Busy connections / connections over the window. 0.9, not 1: a poll can catch a connection in the
 * instant between release and the next request, or one being replaced (max lifetime); a pool with real
 * slack idles far more than 10 % of the time. A mostly idle pool is never a bottleneck.
 */
export const SUSPECT_BUSY_SHARE = 0.9;
/** Share of the window's samples at exactly the ceiling: the rest may dip below (a connection replaced), never above. */
export const SUSPECT_AT_CEILING_SHARE = 0.8;
/**
 * Ceilings below this are not suspected: one busy connection is as likely a single worker running a
 * long query or a batch as a pool capped at 1.
 */
export const SUSPECT_MIN_CEILING = 2;
/** Fewer samples than this in the window is not evidence (a slow --interval). */
export const SUSPECT_MIN_SAMPLES = 3;
/**
 * History to keep: enough to see a suspect turn critical and say how long it has lasted. "held for"
 * never reads longer than this.
 */
export const SUSPECT_HISTORY_MS = 5 * 60_000;

/** One application instance's connections at one moment, from `ServerSnapshot.clientGroups`. */
export type GroupSample = ClientGroup & {
	/** application + client address: the instance's identity across samples. */
	key: string;
};

/** What the detector keeps per poll: small and complete (no session rows). */
export type SuspectSample = {
	atMs: number;
	groups: GroupSample[];
	/** Slots an ordinary role could still open (usable minus connections); see levels' freeConnections. */
	serverFree: number;
};

export type Suspect = {
	application: string;
	/** The instance's address; null for the application across its instances (instances > 1), or a Unix socket. */
	client: string | null;
	/** 1 for an instance; the number of suspected instances for an application across addresses. */
	instances: number;
	/** Connections each suspected instance holds at its ceiling (the largest, if they differ). */
	ceiling: number;
	/** Connections the suspected instances hold in all, now. */
	connections: number;
	/** Busy / connections over the window, 0–1. */
	busyShare: number;
	/** Since when it has sat busy at the ceiling (within the history kept). */
	sinceMs: number;
	heldForMs: number;
	/** The server's free slots now. */
	serverFree: number;
	level: Exclude<Level, 'ok'>;
};

export type SuspectOptions = {
	/** Applications whose pool endpoint is configured: the measured pool speaks for them. */
	excludedApplications?: ReadonlySet<string>;
};

export function groupKey(application: string, client: string | null): string {
	return `${application}\u0000${client ?? ''}`;
}

export function groupSamples(snapshot: Pick<ServerSnapshot, 'clientGroups'>): GroupSample[] {
	// A literal, not `{...group, key}`: V8 gave every spread copy a hidden class of its own, and five
	// minutes of history held thousands of them (a heap snapshot at --interval 0.2 with churning names).
	return snapshot.clientGroups.map(group => ({
		application: group.application,
		client: group.client,
		connections: group.connections,
		active: group.active,
		busy: group.busy,
		key: groupKey(group.application, group.client),
	}));
}

/** The sample to append to the detector's history after each successful poll. */
export function suspectSample(snapshot: Pick<ServerSnapshot, 'clientGroups' | 'takenAtMs'>, serverFree: number): SuspectSample {
	return {atMs: snapshot.takenAtMs, groups: groupSamples(snapshot), serverFree};
}

// Each sample's groups by key, built once: the detector looks every group up in every sample of the
// window at every poll (groups × samples lookups), which a linear search made groups² × samples.
// Keyed by the list, which unchanged samples share (see appendSuspectSample).
const indexes = new WeakMap<readonly GroupSample[], ReadonlyMap<string, GroupSample>>();
function groupsByKey(sample: SuspectSample): ReadonlyMap<string, GroupSample> {
	let index = indexes.get(sample.groups);
	if (!index) {
		index = new Map(sample.groups.map(group => [group.key, group]));
		indexes.set(sample.groups, index);
	}

	return index;
}

const isSameGroup = (a: GroupSample, b: GroupSample) => a.key === b.key && a.connections === b.connections && a.active === b.active && a.busy === b.busy;

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

			// The same instance with new counts keeps the previous sample's strings, not this poll's
			// copies: at --interval 0.2 with 50 busy instances that was 1.5 MB over the five minutes.
			return {application: old.application, client: old.client, connections: group.connections, active: group.active, busy: group.busy, key: old.key};
		});
		const isUnchanged = groups.length === previous.groups.length && groups.every((group, index) => group === previous.groups[index]);
		kept = {atMs: sample.atMs, groups: isUnchanged ? previous.groups : groups, serverFree: sample.serverFree};
	}

	return [...(first === -1 ? [] : history.slice(first)), kept];
}

/**
 * Suspected groups at the latest sample, worst first. Per instance (application + address); an
 * application with several suspected instances is reported once, across its addresses.
 */
export function suspectPools(history: readonly SuspectSample[], options: SuspectOptions = {}): Suspect[] {
	const latest = history.at(-1);
	if (!latest || latest.serverFree <= 0) {
		return [];
	}

	const excluded = options.excludedApplications ?? new Set<string>();
	const candidates = latest.groups.filter(group => !excluded.has(group.application) && group.connections >= SUSPECT_MIN_CEILING);
	const instances: Suspect[] = [];
	for (const group of mayBeHeld(history, candidates)) {
		const suspect = heldSuspect(history, group);
		if (suspect) {
			instances.push(suspect);
		}
	}

	const byApplication = new Map<string, Suspect[]>();
	for (const suspect of instances) {
		byApplication.set(suspect.application, [...(byApplication.get(suspect.application) ?? []), suspect]);
	}

	const suspects = [...byApplication.values()].map(group => (group.length === 1 ? group[0]! : acrossInstances(group)));
	return suspects.sort((a, b) => Number(b.level === 'critical') - Number(a.level === 'critical') || b.connections - a.connections || a.application.localeCompare(b.application));
}

/** The whole judgement of one group, over all the history kept (exported for the test that mayBeHeld never disagrees). */
export function heldSuspect(history: readonly SuspectSample[], group: GroupSample): Suspect | null {
	const latest = history.at(-1)!;
	const ceiling = group.connections;
	if (ceiling < SUSPECT_MIN_CEILING) {
		return null;
	}

	// The run: back from now while the group is there, never above the ceiling, and the server has room.
	const run: Array<{atMs: number; connections: number; busy: number}> = [];
	for (let index = history.length - 1; index >= 0; index--) {
		const sample = history[index]!;
		const seen = groupsByKey(sample).get(group.key);
		if (!seen || seen.connections === 0 || seen.connections > ceiling || sample.serverFree <= 0) {
			break;
		}

		run.push({atMs: sample.atMs, connections: seen.connections, busy: Math.min(seen.busy, seen.connections)});
	}

	// Oldest first, starting where it first reached the ceiling (the ramp up to it is not "held").
	run.reverse();
	const firstAtCeiling = run.findIndex(sample => sample.connections === ceiling);
	const held = run.slice(firstAtCeiling);

	const windowStartMs = latest.atMs - SUSPECT_WINDOW_MS;
	const window = held.filter(sample => sample.atMs >= windowStartMs);
	if (held.length === 0 || held[0]!.atMs > windowStartMs || window.length < SUSPECT_MIN_SAMPLES) {
		return null;
	}

	const atCeiling = window.filter(sample => sample.connections === ceiling).length / window.length;
	const busyShare = shareBusy(window);
	if (atCeiling < SUSPECT_AT_CEILING_SHARE || busyShare < SUSPECT_BUSY_SHARE) {
		return null;
	}

	// Held busy since: the longest stretch back from now whose busy share stays at the threshold, so a
	// pool that sat idle at its ceiling for an hour before getting busy is not "busy for an hour".
	let sinceMs = latest.atMs;
	let busy = 0;
	let connections = 0;
	for (let index = held.length - 1; index >= 0; index--) {
		busy += held[index]!.busy;
		connections += held[index]!.connections;
		// Starting at a busy sample: an idle stretch before the busy one is not part of it.
		if (busy >= SUSPECT_BUSY_SHARE * connections && held[index]!.busy >= SUSPECT_BUSY_SHARE * held[index]!.connections) {
			sinceMs = held[index]!.atMs;
		}
	}

	const heldForMs = latest.atMs - sinceMs;
	if (heldForMs < SUSPECT_WINDOW_MS) {
		return null;
	}

	return {
		application: group.application,
		client: group.client,
		instances: 1,
		ceiling,
		connections: ceiling,
		busyShare,
		sinceMs,
		heldForMs,
		serverFree: latest.serverFree,
		level: heldForMs >= SUSPECT_CRITICAL_MS ? 'critical' : 'warning',
	};
}

/**
 * The groups the window alone does not rule out, which is nearly none at nearly every poll: the history
 * before the window is walked for those only, and each sample is looked up once for all of them. It
 * never rules out a group that heldSuspect would report: a run broken inside the window starts after
 * the window does, and a run that spans it has exactly the window's samples in its window.
 */
export function mayBeHeld(history: readonly SuspectSample[], groups: readonly GroupSample[]): GroupSample[] {
	const windowStartMs = (history.at(-1)?.atMs ?? 0) - SUSPECT_WINDOW_MS;
	const tallies = groups.map(group => ({group, samples: 0, atCeiling: 0, busy: 0, connections: 0, isOut: false}));
	let open = tallies.length;
	for (let index = history.length - 1; open > 0 && index >= 0 && history[index]!.atMs >= windowStartMs; index--) {
		const sample = history[index]!;
		const byKey = groupsByKey(sample);
		for (const tally of tallies) {
			if (tally.isOut) {
				continue;
			}

			const seen = byKey.get(tally.group.key);
			if (!seen || seen.connections === 0 || seen.connections > tally.group.connections || sample.serverFree <= 0) {
				tally.isOut = true;
				open--;
				continue;
			}

			tally.samples++;
			tally.atCeiling += seen.connections === tally.group.connections ? 1 : 0;
			tally.busy += Math.min(seen.busy, seen.connections);
			tally.connections += seen.connections;
		}
	}

	// The same divisions as heldSuspect, so a share exactly at a threshold is judged alike.
	return tallies
		.filter(tally => !tally.isOut && tally.samples >= SUSPECT_MIN_SAMPLES && tally.atCeiling / tally.samples >= SUSPECT_AT_CEILING_SHARE && tally.busy / tally.connections >= SUSPECT_BUSY_SHARE)
		.map(tally => tally.group);
}

function shareBusy(samples: ReadonlyArray<{connections: number; busy: number}>): number {
	const connections = samples.reduce((sum, sample) => sum + sample.connections, 0);
	return connections === 0 ? 0 : samples.reduce((sum, sample) => sum + sample.busy, 0) / connections;
}

function acrossInstances(group: readonly Suspect[]): Suspect {
	const connections = group.reduce((sum, suspect) => sum + suspect.connections, 0);
	// The share weighted by connections; "since" is the latest instance's start: all of them held that long.
	const busyShare = group.reduce((sum, suspect) => sum + (suspect.busyShare * suspect.connections), 0) / connections;
	const sinceMs = Math.max(...group.map(suspect => suspect.sinceMs));
	const heldForMs = Math.min(...group.map(suspect => suspect.heldForMs));
	return {
		application: group[0]!.application,
		client: null,
		instances: group.length,
		ceiling: Math.max(...group.map(suspect => suspect.ceiling)),
		connections,
		busyShare,
		sinceMs,
		heldForMs,
		serverFree: group[0]!.serverFree,
		level: heldForMs >= SUSPECT_CRITICAL_MS ? 'critical' : 'warning',
	};
}

/** The finding's subject: one instance (`checkout (10.0.0.5)`), or the application across its instances. */
export function suspectSubject(suspect: Suspect): Subject {
	return {kind: 'group', application: suspect.application, client: suspect.instances === 1 ? suspect.client : null};
}

/** The finding's text: what was seen, the likely cause ("probably": batch workers look alike), the next step. */
export function suspectMessage(suspect: Suspect): string {
	const all = suspect.busyShare >= 0.995 ? 'all busy' : `${percent(suspect.busyShare)} busy`;
	const held = `for ${findingDuration(suspect.heldForMs / 1000)} and never more, while the server has ${plural(suspect.serverFree, 'free slot')}`;
	const next = 'Check its pool max, or add --pool to see the queue.';
	if (suspect.instances === 1) {
		return `${subjectLabel(suspectSubject(suspect))} has held exactly ${plural(suspect.ceiling, 'connection')}, ${all}, ${held}: its pool is probably capped at ${suspect.ceiling} and requests are likely queueing in the application. ${next}`;
	}

	const isUniform = suspect.connections === suspect.instances * suspect.ceiling;
	const shape = isUniform
		? `${suspect.instances} instances × ${plural(suspect.ceiling, 'connection')}`
		: `${suspect.instances} instances, ${plural(suspect.connections, 'connection')} in all (up to ${suspect.ceiling} each)`;
	const cap = isUniform ? `capped at ${suspect.ceiling} each` : 'capped';
	return `${subjectLabel(suspectSubject(suspect))}: ${shape}, ${all}, ${held}: its pools are probably ${cap} and requests are likely queueing in the application. ${next}`;
}
