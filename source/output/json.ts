// `lifeguard --json`: one snapshot for scripts. The field names are a contract (see README).
import {evidenceOf} from '../judge/diagnosis.js';
import {freeConnections, usableConnections, usedRatio} from '../judge/levels.js';
import type {Picture, PoolView} from '../judge/picture.js';
import type {PriorStory} from '../judge/change-event.js';
import {subjectLabel} from '../judge/subject.js';
import type {Finding} from '../judge/types.js';
import type {ServerSnapshot} from '../readings/types.js';
import {SUSPECT_WINDOW_MS} from '../judge/suspected-pools.js';
import type {JudgedGroup} from './groups.js';

/**
 * One server read once, or observed for a window (--sample), and judged (`name` null for a lone server;
 * `error`: why its last reading failed): the picture, and the client groups the judge watched.
 */
export type ServerShot = {name: string | null; target: string; picture: Picture; error: string | null; groups?: JudgedGroup[]; sample?: SampleTaken | null; history?: HistoryRead};

/**
 * With `--prometheus`: what its last minutes showed before this answer (the queues and the max changes,
 * judge/before-start.ts; null when neither), or why it could not be read. Absent without it.
 */
export type HistoryRead = {story: PriorStory | null; error?: string};

/** What a --sample window took: how long it observed, in how many polls. */
export type SampleTaken = {seconds: number; polls: number};

/** Why inferred findings (pool-suspected) are or are not in this answer: one window, or none. */
export function inferredNote(sample: SampleTaken | null | undefined): string {
	const needed = SUSPECT_WINDOW_MS / 1000;
	if (!sample) {
		return `needs --sample (e.g. --sample 40s): one reading cannot show a plateau`;
	}

	const seconds = Math.round(sample.seconds);
	return seconds < needed
		? `needs --sample of at least ${needed}s: ${seconds} s cannot show a ${needed} s plateau`
		: `judged over ${seconds} s (${sample.polls} polls), as the live screen would after that long`;
}

const round = (value: number | null, digits = 3) => (value === null ? null : Number(value.toFixed(digits)));

export function snapshotJson(input: {target: string; picture: Picture; groups?: readonly JudgedGroup[]; sample?: SampleTaken | null; history?: HistoryRead}) {
	const {picture} = input;
	const server = picture.server!;
	return {
		takenAt: new Date(server.takenAtMs).toISOString(),
		target: input.target,
		server: serverJson(server),
		// Scripts get the exact strings (the screen shows them made safe): JSON escapes them.
		sessions: server.sessions.map(session => ({
			pid: session.pid,
			user: session.raw?.user ?? session.user,
			database: session.raw?.database ?? session.database,
			application: session.raw?.application ?? session.application,
			client: session.raw?.client ?? session.client,
			state: session.state,
			stateSeconds: round(session.stateSeconds),
			backendStart: session.backendStart,
			xactStart: session.xactStart,
			queryStart: session.queryStart,
			waitEventType: session.raw?.waitEventType ?? session.waitEventType,
			waitEvent: session.raw?.waitEvent ?? session.waitEvent,
			blockedBy: session.blockedBy,
			query: session.raw?.query ?? session.query,
		})),
		sessionsOmitted: server.sessionsOmitted,
		pools: picture.pools.map(pool => poolJson(pool)),
		findings: picture.findings.map(finding => findingJson(finding)),
		// What changed while watching; a one-shot sees none (the server's facts are in `server`).
		changes: (picture.changes ?? []).map(change => ({
			...change.event,
			findingAfterSeconds: change.findingAfterMs === null ? null : round((change.findingAfterMs - change.atMs) / 1000),
		})),
		...sampleJson(input),
		...historyJson(input.history),
	};
}

/** `history` (null when Prometheus showed no queue and no change) and, when it could not be read, `historyError`. */
function historyJson(history: HistoryRead | undefined) {
	return history ? {history: history.story, ...(history.error === undefined ? {} : {historyError: history.error})} : {};
}

/** The window and the groups judged over it, after the findings they explain. */
function sampleJson(input: {groups?: readonly JudgedGroup[]; sample?: SampleTaken | null}) {
	return {
		sample: input.sample ? {seconds: round(input.sample.seconds, 1), polls: input.sample.polls} : null,
		inferred: inferredNote(input.sample),
		groups: input.groups ?? [],
	};
}

/**
 * Several servers: the first one's fields as `--json` prints them for one (its sessions, the pools
 * judged against it), every server's findings naming it, `targets` (the names, in `--db` order) and
 * `servers[]`, each with the fields `server` has, its name, masked target, level and error.
 */
export function serversJson(shots: readonly ServerShot[]) {
	const first = shots[0]!;
	const base = first.picture.server
		? snapshotJson(first)
		: {takenAt: new Date(first.picture.atMs).toISOString(), target: first.target, server: null, sessions: [], sessionsOmitted: 0, pools: first.picture.pools.map(pool => poolJson(pool)), ...sampleJson(first), ...historyJson(first.history)};
	return {
		...base,
		findings: shots.flatMap(shot => shot.picture.findings.map(finding => ({...findingJson(finding), server: shot.name}))),
		targets: shots.map(shot => shot.name),
		servers: shots.map(shot => ({
			name: shot.name,
			target: shot.target,
			level: shot.picture.server ? shot.picture.serverLevel : 'unknown',
			error: shot.error,
			...(shot.picture.server ? serverJson(shot.picture.server) : {}),
		})),
	};
}

/** A finding as the contract has it: its subject's own name (a pool's name alone, `pid 42`, `server`). */
function findingJson(finding: Finding) {
	return {code: finding.code, level: finding.level, evidence: evidenceOf(finding), subject: subjectLabel(finding.subject), message: finding.message};
}

function serverJson(server: ServerSnapshot) {
	return {
		version: server.version,
		maxConnections: server.maxConnections,
		reservedConnections: server.superuserReservedConnections + server.reservedForRoleConnections,
		usableConnections: usableConnections(server),
		connections: server.connections,
		ownConnections: server.ownConnections,
		freeConnections: freeConnections(server),
		usedRatio: round(usedRatio(server)),
		states: server.states,
		lockWaiting: server.lockWaiting,
		hidden: server.hidden,
		oldestIdleInTransactionSeconds: round(server.oldestIdleInTransaction?.seconds ?? null, 1),
		longestActiveSeconds: round(server.longestActive?.seconds ?? null, 1),
		selfPid: server.selfPid,
		// When the configuration was last loaded and the server started; settings waiting for a restart.
		confLoadedAt: server.confLoadedMs === undefined ? null : new Date(server.confLoadedMs).toISOString(),
		startedAt: server.startedMs === undefined ? null : new Date(server.startedMs).toISOString(),
		pendingRestart: server.pendingRestart ?? null,
	};
}

function poolJson(pool: PoolView) {
	const metrics = pool.metrics;
	return {
		name: pool.name,
		endpoint: pool.endpoint,
		format: pool.format,
		max: metrics?.max ?? null,
		open: metrics?.open ?? null,
		active: metrics?.active ?? null,
		idle: metrics?.idle ?? null,
		waiting: metrics?.waiting ?? null,
		oldestWaitSeconds: metrics?.oldestWaitSeconds ?? null,
		timeoutsTotal: metrics?.timeoutsTotal ?? null,
		waitsTotal: metrics?.waitsTotal ?? null,
		waitsPerSecond: round(pool.rates.waitsPerSecond),
		meanWaitSeconds: round(pool.rates.meanWaitSeconds),
		timeoutsPerMinute: round(pool.rates.timeoutsPerMinute, 1),
		servedPerSecond: round(pool.rates.servedPerSecond),
		meanHoldSeconds: round(pool.rates.meanHoldSeconds),
		// How big the pool should be (Little's law), or what is missing to say: README, Sizing advice.
		advice: pool.advice ? {needed: pool.advice.needed, suggested: pool.advice.suggested, arithmetic: pool.advice.arithmetic, limitedBy: pool.advice.limitedBy, text: pool.advice.text} : null,
		// --prometheus: the numbers above are sums over the service's instances, listed worst first.
		fleet: metrics?.fleet ?? null,
		// Who waits, by application (else address), from a pooler's client list (PgBouncer's SHOW CLIENTS); null when not read.
		waitingClients: metrics?.waitingClients ?? null,
		level: pool.level,
		error: pool.error,
		sampledAt: pool.sampledAtMs === null ? null : new Date(pool.sampledAtMs).toISOString(),
	};
}
