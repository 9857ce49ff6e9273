// pool-suspected: a capped pool inferred from the server side alone, for the pools nobody pointed
// lifeguard at. A pool that has hit its max holds exactly max connections, all of them busy doing new
// work (the next queued request takes a released connection at once, and starts a new transaction on
// it), and never opens one more, even though the server has room: the requests queue inside the
// application or a pooler, where the server cannot see them. A plateau alone is not that: a batch's
// long statements and sessions idle in a transaction hold their connections without new work, and a
// roomy pool's connections sit idle on most samples. Pure: the history of samples is the only input.
import {CLEAR_MARGIN} from './levels.js';
import {groupsByKey, poolerKey, type GroupSample, type SuspectSample} from './suspect-samples.js';
import type {Level} from './types.js';

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
 * Working (busy and doing new work) connections / connections, over every sample of the window: the
 * states the server showed, with no grace for a connection caught idle. 0.9, not 1: a poll can catch a
 * connection in the instant between release and the next request, or one being replaced (max
 * lifetime); a pool with real slack idles far more than 10 % of the time (a roomy pool's 0.2 s gaps
 * between 50 ms requests read as 20 % busy). A mostly idle pool is never a bottleneck.
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

export type Suspect = {
	application: string;
	/** A pooler's server connections (see GroupSample.pooler); null for an application. */
	pooler: string | null;
	/** The groups (GroupSample.key) suspected: one, or an application's instances. */
	keys: string[];
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
	/** A PgBouncer console is configured: it measures the pooler groups' queue (SHOW POOLS). */
	isPoolerMeasured?: boolean;
	/**
	 * Server connections each configured PgBouncer pool holds now: one service through PgBouncer gives
	 * them its own name, so a group holding exactly that many is taken for that pool's (no second finding).
	 */
	poolerConnections?: ReadonlySet<number>;
	/**
	 * Group keys suspected at the previous judgement: judged by lines CLEAR_MARGIN lower, as every held
	 * level is (levels.ts), so a share hovering at the line does not make the finding come and go.
	 */
	held?: ReadonlySet<string>;
};

const linesFor = (isHeld: boolean) => ({busyShare: SUSPECT_BUSY_SHARE - (isHeld ? CLEAR_MARGIN : 0), atCeilingShare: SUSPECT_AT_CEILING_SHARE - (isHeld ? CLEAR_MARGIN : 0)});

/**
 * A group whose queue a configured source measures, so it is neither suspected nor watched: an
 * application with its own pool endpoint, a pooler's server connections while its console is given,
 * or one service behind PgBouncer holding exactly that console pool's connections.
 */
export function isMeasuredGroup(group: GroupSample, options: SuspectOptions): boolean {
	if (group.pooler !== null) {
		return options.isPoolerMeasured ?? false;
	}

	return (options.excludedApplications?.has(group.application) ?? false) || (options.poolerConnections?.has(group.connections) ?? false);
}

/**
 * Suspected groups at the latest sample, worst first. Per instance (application + address) or pooler
 * (address); an application with several suspected instances is reported once, across its addresses.
 */
export function suspectPools(history: readonly SuspectSample[], options: SuspectOptions = {}): Suspect[] {
	const latest = history.at(-1);
	if (!latest || latest.serverFree <= 0) {
		return [];
	}

	const held = options.held ?? new Set<string>();
	const candidates = latest.groups.filter(group => !isMeasuredGroup(group, options));
	const instances: Suspect[] = [];
	for (const group of mayBeHeld(history, candidates, held)) {
		const suspect = heldSuspect(history, group, held.has(group.key));
		if (suspect) {
			instances.push(suspect);
		}
	}

	const byApplication = new Map<string, Suspect[]>();
	for (const suspect of instances) {
		const key = suspect.pooler === null ? suspect.application : poolerKey(suspect.client);
		byApplication.set(key, [...(byApplication.get(key) ?? []), suspect]);
	}

	const suspects = [...byApplication.values()].map(group => (group.length === 1 ? group[0]! : acrossInstances(group)));
	return suspects.sort((a, b) => Number(b.level === 'critical') - Number(a.level === 'critical') || b.connections - a.connections || a.application.localeCompare(b.application));
}

type RunSample = {atMs: number; connections: number; busy: number; isExcursion: boolean};

/**
 * The ceiling: the most the group held on at least two samples of the window. One sample above it is
 * a connection being replaced (pgpool-II opens a child's next backend before the last one has gone),
 * not a bigger pool; it counts as a sample off the ceiling and its numbers are left out.
 */
function ceilingOf(counts: ReadonlyMap<number, number>): number {
	let ceiling = 0;
	let most = 0;
	for (const [connections, samples] of counts) {
		most = Math.max(most, connections);
		ceiling = samples >= 2 ? Math.max(ceiling, connections) : ceiling;
	}

	return ceiling === 0 ? most : ceiling;
}

/**
 * The samples the group is judged on: back from now while it is there and the server has room, never
 * above its ceiling before the window (a sample dipping below it, a connection replaced, does not lower
 * it). Oldest first, from where it first reached the ceiling (the ramp up to it is not "held").
 */
function heldRun(history: readonly SuspectSample[], key: string): {ceiling: number; held: RunSample[]} {
	const windowStartMs = history.at(-1)!.atMs - SUSPECT_WINDOW_MS;
	const counts = new Map<number, number>();
	for (let index = history.length - 1; index >= 0 && history[index]!.atMs >= windowStartMs; index--) {
		const seen = groupsByKey(history[index]!).get(key);
		if (!seen || seen.connections === 0 || history[index]!.serverFree <= 0) {
			break;
		}

		counts.set(seen.connections, (counts.get(seen.connections) ?? 0) + 1);
	}

	const ceiling = ceilingOf(counts);
	const run: RunSample[] = [];
	for (let index = history.length - 1; index >= 0; index--) {
		const sample = history[index]!;
		const seen = groupsByKey(sample).get(key);
		const isExcursion = (seen?.connections ?? 0) > ceiling;
		if (!seen || seen.connections === 0 || sample.serverFree <= 0 || (isExcursion && sample.atMs < windowStartMs)) {
			break;
		}

		run.push({atMs: sample.atMs, connections: seen.connections, busy: Math.min(seen.busy, seen.connections), isExcursion});
	}

	run.reverse();
	return {ceiling, held: run.slice(run.findIndex(sample => sample.connections === ceiling))};
}

/** The whole judgement of one group, over all the history kept (exported for the test that mayBeHeld never disagrees). */
export function heldSuspect(history: readonly SuspectSample[], group: GroupSample, isHeld = false): Suspect | null {
	const latest = history.at(-1)!;
	const {ceiling, held} = heldRun(history, group.key);
	if (ceiling < SUSPECT_MIN_CEILING) {
		return null;
	}

	const windowStartMs = latest.atMs - SUSPECT_WINDOW_MS;
	const window = held.filter(sample => sample.atMs >= windowStartMs);
	if (held.length === 0 || held[0]!.atMs > windowStartMs || window.length < SUSPECT_MIN_SAMPLES) {
		return null;
	}

	const lines = linesFor(isHeld);
	const atCeiling = window.filter(sample => sample.connections === ceiling).length / window.length;
	const counted = window.filter(sample => !sample.isExcursion);
	const busyShare = counted.reduce((sum, sample) => sum + sample.busy, 0) / counted.reduce((sum, sample) => sum + sample.connections, 0);
	if (atCeiling < lines.atCeilingShare || busyShare < lines.busyShare) {
		return null;
	}

	// Held busy since: the longest stretch back from now whose busy share stays at the line, so a pool
	// that sat idle at its ceiling for an hour before getting busy is not "busy for an hour".
	let sinceMs = latest.atMs;
	let busy = 0;
	let connections = 0;
	for (let index = held.length - 1; index >= 0; index--) {
		if (held[index]!.isExcursion) {
			continue;
		}

		busy += held[index]!.busy;
		connections += held[index]!.connections;
		// Starting at a busy sample: an idle stretch before the busy one is not part of it.
		if (busy >= lines.busyShare * connections && held[index]!.busy >= lines.busyShare * held[index]!.connections) {
			sinceMs = held[index]!.atMs;
		}
	}

	const heldForMs = latest.atMs - sinceMs;
	if (heldForMs < SUSPECT_WINDOW_MS) {
		return null;
	}

	return {
		application: group.application,
		pooler: group.pooler,
		keys: [group.key],
		client: group.client,
		instances: 1,
		ceiling,
		connections: groupsByKey(latest).get(group.key)?.connections ?? ceiling,
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
export function mayBeHeld(history: readonly SuspectSample[], groups: readonly GroupSample[], held: ReadonlySet<string> = new Set()): GroupSample[] {
	const windowStartMs = (history.at(-1)?.atMs ?? 0) - SUSPECT_WINDOW_MS;
	// Per count seen: how many samples, and their busy and connection sums (the ceiling is known at the end).
	const tallies = groups.map(group => ({group, byCount: new Map<number, {samples: number; busy: number}>(), isOut: false}));
	let open = tallies.length;
	for (let index = history.length - 1; open > 0 && index >= 0 && history[index]!.atMs >= windowStartMs; index--) {
		const sample = history[index]!;
		const byKey = groupsByKey(sample);
		for (const tally of tallies) {
			if (tally.isOut) {
				continue;
			}

			const seen = byKey.get(tally.group.key);
			if (!seen || seen.connections === 0 || sample.serverFree <= 0) {
				tally.isOut = true;
				open--;
				continue;
			}

			const entry = tally.byCount.get(seen.connections) ?? {samples: 0, busy: 0};
			tally.byCount.set(seen.connections, {samples: entry.samples + 1, busy: entry.busy + Math.min(seen.busy, seen.connections)});
		}
	}

	// The same divisions as heldSuspect, so a share exactly at a line is judged alike.
	return tallies
		.filter(tally => {
			const ceiling = ceilingOf(new Map([...tally.byCount].map(([connections, entry]) => [connections, entry.samples])));
			let samples = 0;
			let busy = 0;
			let connections = 0;
			for (const [count, entry] of tally.byCount) {
				samples += entry.samples;
				busy += count > ceiling ? 0 : entry.busy;
				connections += count > ceiling ? 0 : count * entry.samples;
			}

			const lines = linesFor(held.has(tally.group.key));
			return !tally.isOut && ceiling >= SUSPECT_MIN_CEILING && samples >= SUSPECT_MIN_SAMPLES
				&& (tally.byCount.get(ceiling)?.samples ?? 0) / samples >= lines.atCeilingShare && busy / connections >= lines.busyShare;
		})
		.map(tally => tally.group);
}

function acrossInstances(group: readonly Suspect[]): Suspect {
	const connections = group.reduce((sum, suspect) => sum + suspect.connections, 0);
	// The share weighted by connections; "since" is the latest instance's start: all of them held that long.
	const busyShare = group.reduce((sum, suspect) => sum + (suspect.busyShare * suspect.connections), 0) / connections;
	const sinceMs = Math.max(...group.map(suspect => suspect.sinceMs));
	const heldForMs = Math.min(...group.map(suspect => suspect.heldForMs));
	return {
		application: group[0]!.application,
		pooler: null,
		keys: group.flatMap(suspect => suspect.keys),
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
