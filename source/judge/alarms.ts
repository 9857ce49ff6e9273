// Alarms: the level each subject (the server, a pool, a pid, …: judge/subject.ts) holds, since when,
// and the changes to log. They are keyed by subjectKey, from the finding's subject alone. A level rises at once; the server and pools, whose numbers hover, clear only after
// CLEAR_SAMPLES fresh samples below their line (which sits CLEAR_MARGIN lower while they hold it,
// see heldThresholds). A value oscillating across 80 % then rises once and clears once.
import {quietMessage} from './diagnosis.js';
import {levelRank, worstLevel} from './levels.js';
import {type Subject, subjectKey} from './subject.js';
import type {Finding, FindingCode, Level, Observation} from './types.js';

/** Fresh samples below the line before a held level clears: a few polls, not a blip. */
export const CLEAR_SAMPLES = 3;

export type Alarm = {
	subject: Subject;
	level: Exclude<Level, 'ok'>;
	/**
	 * When the subject left ok: its first level line in the log. It stays while the level moves between
	 * warning and critical, so the frame's "since" and the log's start of the incident are one time.
	 */
	sinceMs: number;
	/** The finding that set the level. */
	code: FindingCode;
	/** Fresh samples seen below the held level so far. */
	quietSamples: number;
	/** The sample last counted, so a pool reading does not count as a server sample. */
	lastSampleMs: number | null;
	/** How the subject's telling number moved while the alarm stood: where it began and its peak. */
	course: Course | null;
};

/** Connections for the server, waiting requests for a pool: from what, at its start, to what peak. */
export type Course = {what: 'connections' | 'waiting'; from: number; fromMs: number; peak: number; peakMs: number};

export type AlarmChange = {subject: Subject; from: Level; to: Level; atMs: number; finding: Finding | null; /** On a clear: how the number moved meanwhile. */ course?: Course | null};

export type Settled = {alarms: Record<string, Alarm>; findings: Finding[]; changes: AlarmChange[]};

/** The pool a subject names in this observation, if it is a pool. */
function poolOf(subject: Subject, latest: Observation) {
	return subject.kind === 'pool' ? latest.pools.find(candidate => candidate.name === subject.name) : undefined;
}

/** The sample time behind a subject's numbers; null for subjects that clear at once. */
function sampleOf(subject: Subject, latest: Observation): number | null {
	// A suspected group is judged on server samples: it holds its level as the server does.
	if (subject.kind === 'server' || subject.kind === 'group') {
		return latest.server?.takenAtMs ?? null;
	}

	const pool = poolOf(subject, latest);
	// A failing endpoint has no fresh numbers to hold a level on: its endpoint finding speaks now.
	return pool && pool.error === null ? pool.sampledAtMs : null;
}

/** The number that tells a subject's story now, or null when it has none. */
function measureOf(subject: Subject, latest: Observation): {what: Course['what']; value: number} | null {
	if (subject.kind === 'server') {
		return latest.server ? {what: 'connections', value: latest.server.connections} : null;
	}

	const pool = poolOf(subject, latest);
	const waiting = pool && pool.error === null ? pool.metrics?.waiting ?? null : null;
	return waiting === null ? null : {what: 'waiting', value: waiting};
}

/** The course so far, with the number of now folded in; a new one when the alarm begins. */
function follow(course: Course | null | undefined, subject: Subject, latest: Observation): Course | null {
	const measure = measureOf(subject, latest);
	if (!measure) {
		return course ?? null;
	}

	if (!course) {
		return {what: measure.what, from: measure.value, fromMs: latest.atMs, peak: measure.value, peakMs: latest.atMs};
	}

	return measure.value > course.peak ? {...course, peak: measure.value, peakMs: latest.atMs} : course;
}

export function settleAlarms(previous: Readonly<Record<string, Alarm>>, raw: readonly Finding[], latest: Observation): Settled {
	const bySubject = new Map<string, Finding[]>();
	const subjects = new Map<string, Subject>(Object.entries(previous).map(([key, alarm]) => [key, alarm.subject]));
	for (const finding of raw) {
		const key = subjectKey(finding.subject);
		bySubject.set(key, [...(bySubject.get(key) ?? []), finding]);
		subjects.set(key, finding.subject);
	}

	const alarms: Record<string, Alarm> = {};
	const findings: Finding[] = [];
	const changes: AlarmChange[] = [];
	const atMs = latest.atMs;
	for (const [key, subject] of subjects) {
		const own = bySubject.get(key) ?? [];
		const worst = own.reduce<Finding | null>((best, finding) => (!best || levelRank(finding.level) > levelRank(best.level) ? finding : best), null);
		const level = worstLevel(own.map(finding => finding.level));
		const before = previous[key];
		// Disconnected: the server's last level stands until it can be judged again.
		if (subject.kind === 'server' && !latest.server && before) {
			alarms[key] = before;
			continue;
		}

		if (!before || levelRank(level) >= levelRank(before.level)) {
			findings.push(...own);
			if (worst && level !== 'ok') {
				alarms[key] = {subject, level: worst.level, sinceMs: before?.sinceMs ?? atMs, code: worst.code, quietSamples: 0, lastSampleMs: sampleOf(subject, latest), course: follow(before?.course, subject, latest)};
			}

			if ((before?.level ?? 'ok') !== level) {
				changes.push({subject, from: before?.level ?? 'ok', to: level, atMs, finding: worst});
			}

			continue;
		}

		const sampleMs = sampleOf(subject, latest);
		const message = sampleMs === null ? null : quietMessage(subject, latest);
		const quietSamples = before.quietSamples + (sampleMs !== before.lastSampleMs ? 1 : 0);
		if (message === null || quietSamples >= CLEAR_SAMPLES) {
			findings.push(...own);
			if (worst && level !== 'ok') {
				alarms[key] = {subject, level: worst.level, sinceMs: before.sinceMs, code: worst.code, quietSamples: 0, lastSampleMs: sampleMs, course: follow(before.course, subject, latest)};
			}

			changes.push({subject, from: before.level, to: level, atMs, finding: worst, ...(level === 'ok' ? {course: before.course} : {})});
			continue;
		}

		// Holding: the level stays, and a finding says why, with the numbers of now.
		alarms[key] = {...before, quietSamples, lastSampleMs: sampleMs, course: follow(before.course, subject, latest)};
		const holding: Finding = {
			code: before.code,
			level: before.level,
			subject,
			message: `${message}: holding ${before.level} until it stays below the line for ${CLEAR_SAMPLES} polls (${quietSamples} so far).`,
		};
		findings.push(holding, ...own.filter(finding => finding.code !== holding.code));
	}

	return {alarms, findings, changes};
}

/** The held level of each subject by subjectKey, for the diagnosis' lowered lines. */
export function heldLevels(alarms: Readonly<Record<string, Alarm>>): Record<string, Level> {
	return Object.fromEntries(Object.entries(alarms).map(([key, alarm]) => [key, alarm.level]));
}
