// A fleet's instances that joined or left between polls (`--prometheus`): what Prometheus shows of them.
// When a scrape fails, Prometheus writes `up` 0 and marks every series of that target stale at once,
// so one failed scrape (a hiccup) makes an instance vanish from the pool's series until the next good
// scrape. An instance gone from the series has therefore left only when Prometheus failed to scrape it
// twice in a row (two `up` 0 samples of different scrape times, none good between: its series would be
// back), or when it has no failing `up` at all on two polls in a row (it is no target any more: taken
// out of service discovery, scaled down). A new instance joins at once: a returning one never left.
// Fleets larger than the members listed (MAX_MEMBERS) are not told instance by instance. Pure.
import type {FailedScrape, PoolMetrics} from '../readings/types.js';

/** Polls an instance must be missing without a failed scrape before it counts as no target any more. */
export const LEFT_AFTER_POLLS = 2;
/** Failed scrapes in a row (different scrape times) before a missing instance counts as gone. */
export const LEFT_AFTER_FAILED_SCRAPES = 2;

type Missing = {polls: number; failedAtMs: readonly number[]};
type FleetState = {members: ReadonlySet<string>; missing: ReadonlyMap<string, Missing>};
/** Per pool (endpoint id and pool name): its instances, and those missing from the latest polls. */
export type FleetTrack = ReadonlyMap<string, FleetState>;

export const emptyFleetTrack: FleetTrack = new Map();

export type FleetChange = {pool: string; from: number; to: number; joined: string[]; left: string[]};

/**
 * The track after one good reading of an endpoint, and the pools whose instances changed. `pools`: the
 * endpoint's pools by name; `failedScrapes` undefined when Prometheus did not say (then nothing leaves).
 */
export function trackFleets(track: FleetTrack, endpointId: string, pools: ReadonlyArray<{name: string; metrics: PoolMetrics | null}>, failedScrapes: readonly FailedScrape[] | undefined): {track: FleetTrack; changes: FleetChange[]} {
	const next = new Map(track);
	const changes: FleetChange[] = [];
	const failed = new Map<string, number>();
	for (const scrape of failedScrapes ?? []) {
		failed.set(scrape.instance, scrape.scrapedAtMs);
	}

	for (const {name, metrics} of pools) {
		const fleet = metrics?.fleet;
		if (!fleet) {
			continue;
		}

		const key = `${endpointId}\u0000${name}`;
		const before = track.get(key);
		if (fleet.omittedMembers !== undefined) {
			next.delete(key);
			continue;
		}

		const now = new Set(fleet.members.map(member => member.instance));
		if (!before) {
			next.set(key, {members: now, missing: new Map()});
			continue;
		}

		const {state, change} = stepFleet(before, now, failedScrapes === undefined ? null : failed);
		next.set(key, state);
		if (change) {
			changes.push({pool: name, ...change});
		}
	}

	return {track: next, changes};
}

/** One pool's instances after a poll: who joined, who has now surely left. `failed` null: unknown. */
function stepFleet(before: FleetState, now: ReadonlySet<string>, failed: ReadonlyMap<string, number> | null): {state: FleetState; change: Omit<FleetChange, 'pool'> | null} {
	const joined = [...now].filter(instance => !before.members.has(instance)).sort();
	const left: string[] = [];
	const missing = new Map<string, Missing>();
	for (const instance of before.members) {
		if (now.has(instance)) {
			continue;
		}

		const was = before.missing.get(instance) ?? {polls: 0, failedAtMs: []};
		const failedAtMs = failed?.get(instance);
		const times = failedAtMs === undefined || was.failedAtMs.includes(failedAtMs) ? was.failedAtMs : [...was.failedAtMs, failedAtMs];
		const polls = was.polls + 1;
		const isGone = failed !== null && (times.length >= LEFT_AFTER_FAILED_SCRAPES || (failedAtMs === undefined && polls >= LEFT_AFTER_POLLS));
		if (isGone) {
			left.push(instance);
		} else {
			missing.set(instance, {polls, failedAtMs: times.slice(-LEFT_AFTER_FAILED_SCRAPES)});
		}
	}

	left.sort();
	const members = joined.length === 0 && left.length === 0 ? before.members : new Set([...before.members, ...joined].filter(instance => !left.includes(instance)));
	const change = joined.length === 0 && left.length === 0 ? null : {from: before.members.size, to: members.size, joined, left};
	return {state: {members, missing}, change};
}
