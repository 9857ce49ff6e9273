// What Prometheus showed before lifeguard started (`--prometheus`), told as the timeline and the
// Changes line tell it: each pool's queue (since when it has been queueing, its peak) and each pool's
// max that changed (a setting: an instance's max, never a fleet's sum, which moves whenever an
// instance's series appears or disappears). From the same past points as the history strip
// (backfill.ts). Pure.
import type {EndpointPast, PastPools} from './backfill.js';
import type {MaxChange, PriorPool, PriorStory, RecentChange} from './change-event.js';
import {logTime, settingMax} from './log-events.js';
import {poolDisplayName} from './pool-status.js';
import {poolSubject} from './subject.js';
import type {PoolMetrics} from '../readings/types.js';

export type {MaxChange, PriorPool, PriorStory} from './change-event.js';

/** Pools told at most (the log's line and the timeline's stay small with hundreds of pools). */
export const PRIOR_POOLS_CAP = 10;
/** Max changes told at most, the newest. */
export const PRIOR_CHANGES_CAP = 8;

/** One pool's readings over the window, in time order. */
type PoolCourse = Array<{atMs: number; metrics: PoolMetrics}>;

/** The story of the points before `startMs`, or null when Prometheus showed no queue and no change. */
export function priorStory(pasts: readonly EndpointPast[], startMs: number, source: string): PriorStory | null {
	const courses = new Map<string, PoolCourse>();
	let firstMs = Number.POSITIVE_INFINITY;
	for (const {endpoint, points} of pasts) {
		for (const {atMs, pools} of [...points].sort((a, b) => a.atMs - b.atMs)) {
			if (atMs >= startMs) {
				continue;
			}

			firstMs = Math.min(firstMs, atMs);
			for (const metrics of pools) {
				const name = poolDisplayName(endpoint, metrics.label, pools.length);
				const course = courses.get(name) ?? [];
				course.push({atMs, metrics});
				courses.set(name, course);
			}
		}
	}

	const pools = [...courses].flatMap(([name, course]) => queueOf(name, course, lastMsOf(pasts, startMs)));
	const changes = [...courses].flatMap(([name, course]) => maxChanges(name, course)).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
	if (pools.length === 0 && changes.length === 0) {
		return null;
	}

	// The worst queues, and the newest changes, when there are too many to tell.
	const told = pools.sort((a, b) => b.peakWaiting.value - a.peakWaiting.value).slice(0, PRIOR_POOLS_CAP);
	return {source, from: logTime(firstMs), pools: told, changes: changes.slice(-PRIOR_CHANGES_CAP)};
}

/** The last point before the start of any endpoint: a queue still standing there is still standing at the start. */
function lastMsOf(pasts: readonly EndpointPast[], startMs: number): number {
	const times = pasts.flatMap(({points}) => points.map((point: PastPools) => point.atMs)).filter(atMs => atMs < startMs);
	return times.length === 0 ? Number.NaN : Math.max(...times);
}

/** The pool's queue: its peak, and since when it stood when the window ended (a point without the pool or without a count ends a run). */
function queueOf(name: string, course: PoolCourse, lastMs: number): PriorPool[] {
	let peak: {value: number; atMs: number} | null = null;
	let runFrom = -1;
	let runTo = -1;
	for (const [index, {atMs, metrics}] of course.entries()) {
		const waiting = metrics.error === undefined ? metrics.waiting : null;
		if (waiting !== null && waiting > 0) {
			peak = peak && peak.value >= waiting ? peak : {value: waiting, atMs};
			runFrom = runTo === index - 1 && runFrom >= 0 ? runFrom : index;
			runTo = index;
		}
	}

	if (!peak) {
		return [];
	}

	const isStanding = runTo >= 0 && course[runTo]!.atMs === lastMs;
	return [{name, queueSince: isStanding ? logTime(course[runFrom]!.atMs) : null, peakWaiting: {value: peak.value, at: logTime(peak.atMs)}}];
}

/**
 * Each change of the pool's max as a setting: from the last value every instance agreed on to the
 * next. Its time: the first point since the old value where an instance showed the new one (a
 * rolling deploy changes instances one by one). A max that is steady, or a fleet whose instances
 * merely come and go, says nothing.
 */
function maxChanges(name: string, course: PoolCourse): MaxChange[] {
	const changes: MaxChange[] = [];
	let agreed: number | null = null;
	let since: Array<{atMs: number; maxes: Set<number | null>}> = [];
	for (const {atMs, metrics} of course) {
		const max = settingMax(metrics);
		if (max === null) {
			since.push({atMs, maxes: new Set(metrics.fleet ? metrics.fleet.members.map(member => member.max) : [metrics.max])});
			continue;
		}

		if (agreed !== null && max !== agreed) {
			const firstMs = since.find(step => step.maxes.has(max))?.atMs ?? atMs;
			changes.push({at: logTime(firstMs), type: 'change', subject: poolSubject(name), what: 'max', from: agreed, to: max});
		}

		agreed = max;
		since = [];
	}

	return changes;
}

/**
 * The story's changes as the Changes line and `changes[]` hold them, marked with their source; each
 * with the queue of its own pool that began after it (the first sign), else the next finding fills it.
 */
export function priorChanges(story: PriorStory | null): RecentChange[] {
	return (story?.changes ?? []).map(change => {
		const atMs = Date.parse(change.at);
		const name = typeof change.subject === 'string' ? null : change.subject.kind === 'pool' ? change.subject.name : null;
		const since = story!.pools.find(pool => pool.name === name)?.queueSince;
		const queueMs = since ? Date.parse(since) : Number.NaN;
		return {atMs, event: {...change, source: story!.source}, findingAfterMs: queueMs >= atMs ? queueMs : null};
	});
}
