// The judge's state and its one step: a reading of any source in; the next state, with one picture of
// every source's latest reading, what to log and whether to ring out. The live screen's boards, the
// one-shot outputs (--json, check, the summary) and whatever records readings later all judge
// through judgeServerReading and judgePoolReading. Pure: time arrives with the readings.
import type {AlarmChange} from './alarms.js';
import {emptyFleetTrack, type FleetTrack, trackFleets} from './fleet-members.js';
import {freeConnections} from './levels.js';
import {levelEvents, logTime, type LogEvent, poolChangeEvents} from './log-events.js';
import {derivePicture, emptyPicture, type Picture} from './picture.js';
import {applyPoolReading} from './pool-status.js';
import {emptyPoolerTrack, type PoolerTrack, trackPoolers} from './pooler-backends.js';
import {watchedGroups} from './suspect-words.js';
import {appendSuspectSample, suspectSample, type SuspectSample} from './suspect-samples.js';
import {suspectPools} from './suspected-pools.js';
import {noteChanges, serverChangeEvents} from './recent-changes.js';
import {type BurstTrack, emptyBurstTrack, trackBursts} from './reconnect-bursts.js';
import type {Series} from './series.js';
import type {RecentChange} from './change-event.js';
import {poolSubject, serverSubject} from './subject.js';
import {appendTrend} from './trend.js';
import type {Observation, PoolStatus, Thresholds} from './types.js';
import type {PoolEndpoint, PoolReading, ServerReading, ServerSnapshot} from '../readings/types.js';

/** What the diagnosis looks back at: lock waits, queues and rates need two minutes at most. */
export const HISTORY_WINDOW_MS = 120_000;
/** The pool-suspected detector takes at most one sample a second. */
const SUSPECT_SAMPLE_MS = 1000;

export type Watch = {
	/** Short history for the diagnosis, oldest first. */
	history: Observation[];
	/** Per-instance connection counts of the last minutes, for capped pools nobody pointed us at. */
	suspectHistory: SuspectSample[];
	/** Which backends are a pooler's server connections (their application_name changed), by pid. */
	poolerTrack: PoolerTrack;
	/** Each application's backends of the last seconds: a burst replacing them is a restart or deploy. */
	bursts: BurstTrack;
	/** Each `--prometheus` pool's instances, and those missing lately: instances that join or leave are changes. */
	fleets: FleetTrack;
	/** The groups (GroupSample.key) suspected at the last judgement: held by lower lines. */
	suspected: ReadonlySet<string>;
	pools: PoolStatus[];
	/** The newest good snapshot; kept while polls fail, so a pool is still judged against it. */
	server: ServerSnapshot | null;
	/** The latest poll's failure, null when it succeeded. */
	serverError: string | null;
	disconnectedSinceMs: number | null;
	/** The newest derivation of every reading: alarms, the log and the bell follow it. */
	live: Picture;
	thresholds: Thresholds;
	/** The monitoring role, for the GRANT that makes hidden sessions visible. */
	role: string | undefined;
};

/** One step of the judge: its next state (`watch.live` is the picture), the log lines and the bell. */
export type Judged = {watch: Watch; changes: AlarmChange[]; log: LogEvent[]; ring: boolean};

/**
 * `trend`: the strip's past from before the start (backfill.ts), continued by the live samples;
 * `changes`: what changed before the start (before-start.ts), kept as the changes seen while watching are.
 */
export function emptyWatch(thresholds: Thresholds, options: {role?: string; pools?: PoolStatus[]; trend?: Series; changes?: readonly RecentChange[]} = {}): Watch {
	const live = {...emptyPicture, ...(options.trend ? {trend: options.trend} : {}), ...(options.changes?.length ? {changes: options.changes} : {})};
	return {history: [], suspectHistory: [], poolerTrack: emptyPoolerTrack, bursts: emptyBurstTrack, fleets: emptyFleetTrack, suspected: new Set(), pools: options.pools ?? [], server: null, serverError: null, disconnectedSinceMs: null, live, thresholds, role: options.role};
}

// Older observations need only the counts the diagnosis looks back at (lock waiters, pool numbers):
// their session lists, per-name counts and fleet members would hold minutes of memory at --interval
// 0.2 with names that come and go. One stripped copy per snapshot, however many observations share it.
const stripped = new WeakMap<ServerSnapshot, ServerSnapshot>();
const strippedPools = new WeakMap<PoolStatus[], PoolStatus[]>();
function withoutDetail(entry: Observation): Observation {
	const {server, pools} = entry;
	let strippedServer = server;
	if (server && (server.sessions.length > 0 || server.applications.length > 0 || server.clientGroups.length > 0)) {
		strippedServer = stripped.get(server) ?? {...server, sessions: [], applications: [], users: [], databases: [], clientGroups: []};
		stripped.set(server, strippedServer);
	}

	let lighterPools = pools;
	if (pools.some(pool => (pool.metrics?.fleet?.members.length ?? 0) > 0)) {
		lighterPools = strippedPools.get(pools) ?? pools.map(pool => (pool.metrics?.fleet
			? {...pool, metrics: {...pool.metrics, fleet: {...pool.metrics.fleet, members: []}}}
			: pool));
		strippedPools.set(pools, lighterPools);
	}

	return strippedServer === server && lighterPools === pools ? entry : {...entry, server: strippedServer, pools: lighterPools};
}

/** A new reading of any source: one derivation of everything, its level changes logged once. */
function observe(watch: Watch, atMs: number, server: ServerSnapshot | null, log: LogEvent[]): Judged {
	const observation: Observation = {atMs, server, pools: watch.pools};
	const earlier = watch.history.filter(entry => entry.atMs >= atMs - HISTORY_WINDOW_MS);
	const last = earlier.length - 1;
	if (last >= 0) {
		earlier[last] = withoutDetail(earlier[last]!);
	}

	const history = [...earlier, observation];
	// A pool whose endpoint is configured speaks for itself: never suspected.
	const measured = new Set(watch.pools.flatMap(pool => [pool.name, ...(pool.metrics?.label ? [pool.metrics.label] : [])]));
	// A PgBouncer console measures its pools' queue: its server connections are not suspected besides.
	const consoles = watch.pools.filter(pool => pool.format === 'pgbouncer' && pool.error === null);
	const poolerConnections = new Set(consoles.flatMap(pool => (pool.metrics?.open ? [pool.metrics.open] : [])));
	const options = {excludedApplications: measured, isPoolerMeasured: consoles.length > 0, poolerConnections, held: watch.suspected};
	const suspects = suspectPools(watch.suspectHistory, options);
	const watching = watchedGroups(watch.suspectHistory, suspects, options);
	const derived = derivePicture(history, watch.thresholds, watch.live.alarms, {role: watch.role, suspects, watching, trend: watch.live.trend});
	const {changes} = derived;
	// One trend sample per server poll, so the strip has one time axis.
	const isServerSample = server !== null && server.takenAtMs === atMs;
	// The picture holds the recent changes: the next one is the last picture's, with this step's added.
	const recentChanges = noteChanges(watch.live.changes ?? [], log, changes, atMs);
	const sampled = isServerSample ? {...derived.picture, trend: appendTrend(watch.live.trend, derived.picture, suspects)} : derived.picture;
	const live = recentChanges.length > 0 ? {...sampled, changes: recentChanges} : sampled;
	return {
		watch: {...watch, history, live, suspected: new Set(suspects.flatMap(suspect => suspect.keys))},
		changes,
		log: [...log, ...levelEvents(changes, live)],
		ring: changes.some(change => change.to === 'critical'),
	};
}

/**
 * One sample a second is evidence enough over a 30 s window, whatever --interval is; the pooler track
 * follows every poll (each is a chance to see a server connection change hands).
 */
function withSuspectSample(watch: Watch, snapshot: ServerSnapshot): Pick<Watch, 'suspectHistory' | 'poolerTrack'> {
	const poolerTrack = trackPoolers(watch.poolerTrack, snapshot.clientGroups);
	const lastSample = watch.suspectHistory.at(-1);
	const suspectHistory = lastSample && snapshot.takenAtMs - lastSample.atMs < SUSPECT_SAMPLE_MS
		? watch.suspectHistory
		: appendSuspectSample(watch.suspectHistory, suspectSample(snapshot, freeConnections(snapshot), poolerTrack.pooled));
	return {suspectHistory, poolerTrack};
}

/** An application's backends replaced at once since the last snapshot: a `reconnected` change each. */
function reconnectEvents(track: BurstTrack, snapshot: ServerSnapshot, poolers: PoolerTrack): {track: BurstTrack; events: LogEvent[]} {
	const {track: next, bursts} = trackBursts(track, snapshot.clientGroups, poolers.pooled, snapshot.takenAtMs);
	const at = logTime(snapshot.takenAtMs);
	return {track: next, events: bursts.map(burst => ({
		at, type: 'change', subject: serverSubject, what: 'reconnected', application: burst.application, client: burst.client,
		replaced: burst.replaced, of: burst.of, withinSeconds: burst.spreadSeconds, firstStartedAt: logTime(burst.firstStartedMs),
	}))};
}

export function judgeServerReading(watch: Watch, reading: ServerReading, atMs: number): Judged {
	const wasDisconnected = watch.disconnectedSinceMs !== null;
	const log: LogEvent[] = [];
	if (reading.ok) {
		// A connection lost between two polls and reopened at once is still an event.
		if (reading.isReconnected && !wasDisconnected) {
			log.push({at: logTime(atMs), type: 'disconnect', reason: 'connection lost between polls'});
		}

		if (wasDisconnected || reading.isReconnected) {
			log.push({at: logTime(atMs), type: 'reconnect'});
		}

		const {snapshot} = reading;
		const serverChanges = serverChangeEvents(watch.server, snapshot, atMs);
		log.push(...serverChanges);
		const sampled = withSuspectSample(watch, snapshot);
		// After a server restart (told as such) or a gap in the polls, every application reconnected: a new baseline.
		const isFresh = reading.isReconnected || wasDisconnected || serverChanges.some(change => change.what === 'restart');
		const {track: bursts, events} = reconnectEvents(isFresh ? emptyBurstTrack : watch.bursts, snapshot, sampled.poolerTrack);
		log.push(...events);
		const connected = {...watch, server: snapshot, serverError: null, disconnectedSinceMs: null, ...sampled, bursts};
		return observe(connected, snapshot.takenAtMs, snapshot, log);
	}

	if (reading.isDisconnected && !wasDisconnected) {
		log.push({at: logTime(atMs), type: 'disconnect', reason: reading.error});
	}

	const failed = {
		...watch,
		serverError: reading.error,
		disconnectedSinceMs: reading.isDisconnected ? (watch.disconnectedSinceMs ?? atMs) : watch.disconnectedSinceMs,
	};
	// Disconnected, the last numbers are stale; a poll that merely failed leaves them standing.
	return observe(failed, atMs, reading.isDisconnected ? null : watch.server, log);
}

export function judgePoolReading(watch: Watch, endpoint: PoolEndpoint, reading: PoolReading, atMs: number): Judged {
	const before = watch.pools.find(pool => pool.endpointId === endpoint.id);
	const wasDown = before ? before.error !== null : false;
	const log: LogEvent[] = [];
	if (!reading.ok && !wasDown) {
		log.push({at: logTime(atMs), type: 'endpoint-down', subject: endpoint.maskedUrl, reason: reading.error});
	} else if (reading.ok && wasDown) {
		log.push({at: logTime(atMs), type: 'endpoint-up', subject: endpoint.maskedUrl});
	}

	const pools = applyPoolReading(watch.pools, endpoint, reading, atMs);
	log.push(...poolChangeEvents(watch.pools, pools, atMs));
	let fleets = watch.fleets;
	if (reading.ok && reading.format === 'prometheus') {
		const stepped = trackFleets(fleets, endpoint.id, pools.filter(pool => pool.endpointId === endpoint.id), reading.failedScrapes);
		fleets = stepped.track;
		log.push(...stepped.changes.map(change => ({at: logTime(atMs), type: 'change' as const, subject: poolSubject(change.pool), what: 'instances' as const, from: change.from, to: change.to, joined: change.joined, left: change.left})));
	}

	// Disconnected: the pools still speak, the server's last numbers do not.
	const server = watch.disconnectedSinceMs === null ? watch.server : null;
	return observe({...watch, pools, fleets}, atMs, server, log);
}
