// One derivation per frame: everything a frame shows (banner, gauge, pool rows, summary line, JSON,
// `check`, the plain summary) comes from one Picture of the latest readings of every source,
// whichever source just spoke. The same quantity never shows two numbers, and a level never shows
// without the finding that says why.
import {adviceForPool, type PoolAdvice} from './advice.js';
import {type Alarm, type AlarmChange, heldLevels, settleAlarms} from './alarms.js';
import {diagnose, sortFindings} from './diagnosis.js';
import {levelRank, worstLevel} from './levels.js';
import {poolRates, type PoolRates} from './rates.js';
import type {RecentChange} from './change-event.js';
import type {Series} from './series.js';
import type {Watched} from './suspect-words.js';
import type {Suspect} from './suspected-pools.js';
import {poolSubject, serverSubject, subjectKey} from './subject.js';
import {emptyTrend} from './trend.js';
import type {Finding, Level, Observation, PoolStatus, Thresholds} from './types.js';
import type {ServerSnapshot} from '../readings/types.js';

/** A pool endpoint that fails has no level to show: `unknown`, never `ok`. */
export type PoolLevel = Level | 'unknown';

/** advice: how big the pool should be (Little's law), null when it has no good numbers. */
export type PoolView = PoolStatus & {level: PoolLevel; rates: PoolRates; sinceMs: number | null; advice: PoolAdvice | null};

export type Picture = {
	atMs: number;
	/** The newest snapshot, null before the first or while disconnected. */
	server: ServerSnapshot | null;
	serverLevel: Level;
	serverSinceMs: number | null;
	/** Worst first; a failing endpoint before a quiet one; then the longest queue. */
	pools: PoolView[];
	/** Worst first. */
	findings: Finding[];
	/** The worst level on the frame. */
	level: Level;
	/** By subjectKey. */
	alarms: Record<string, Alarm>;
	/** What changed in the last minutes (judge/recent-changes.ts); absent when nothing did. */
	changes?: readonly RecentChange[];
	/** The last minutes of server slots, queues and suspected groups, for the history strip. */
	trend: Series;
	/** Groups all busy at a steady count, not (yet) suspected: "watching checkout: 5/5 busy for 12 s". */
	watching: Watched[];
};

export type Derivation = {picture: Picture; changes: AlarmChange[]};

export const emptyPicture: Picture = {atMs: 0, server: null, serverLevel: 'ok', serverSinceMs: null, pools: [], findings: [], level: 'ok', alarms: {}, trend: emptyTrend, watching: []};

const poolRank = (level: PoolLevel) => (level === 'unknown' ? 0.5 : levelRank(level));

export function derivePicture(history: readonly Observation[], thresholds: Thresholds, previous: Readonly<Record<string, Alarm>>, context: {role?: string; suspects?: readonly Suspect[]; watching?: Watched[]; trend?: Series} = {}): Derivation {
	const latest = history.at(-1);
	if (!latest) {
		return {picture: emptyPicture, changes: []};
	}

	const raw = diagnose(history, thresholds, {role: context.role, held: heldLevels(previous), suspects: context.suspects});
	const {alarms, findings, changes} = settleAlarms(previous, raw, latest);
	const pools = latest.pools
		.map((pool): PoolView => {
			const alarm = alarms[subjectKey(poolSubject(pool.name))];
			const rates = poolRates(history, pool.name);
			return {...pool, level: pool.error === null ? (alarm?.level ?? 'ok') : 'unknown', rates, sinceMs: alarm?.sinceMs ?? null, advice: adviceForPool(pool, rates, latest.server)};
		})
		.sort((a, b) => poolRank(b.level) - poolRank(a.level) || Number(b.error !== null) - Number(a.error !== null)
			|| (b.metrics?.waiting ?? 0) - (a.metrics?.waiting ?? 0) || a.name.localeCompare(b.name));
	const serverAlarm = alarms[subjectKey(serverSubject)];
	const sorted = sortFindings(findings);
	return {
		picture: {
			atMs: latest.atMs,
			server: latest.server,
			serverLevel: serverAlarm?.level ?? 'ok',
			serverSinceMs: serverAlarm?.sinceMs ?? null,
			pools,
			findings: sorted,
			level: worstLevel(sorted.map(finding => finding.level)),
			alarms,
			trend: context.trend ?? emptyTrend,
			watching: context.watching ?? [],
		},
		changes,
	};
}

/** One observation judged on its own, with no history: a hand-made moment (tests, tools). */
export function pictureOf(observation: Observation, thresholds: Thresholds, context: {role?: string} = {}): Picture {
	return derivePicture([observation], thresholds, {}, context).picture;
}
