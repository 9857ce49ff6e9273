// `lifeguard --json`: one snapshot for scripts. The field names are a contract (see README).
import {freeConnections, poolLevel, usableConnections, usedRatio} from '../model/levels.js';
import type {Finding, Observation, PoolStatus, ServerSnapshot} from '../model/types.js';

const round = (value: number | null, digits = 3) => (value === null ? null : Number(value.toFixed(digits)));

export function snapshotJson(input: {target: string; observation: Observation; findings: readonly Finding[]; thresholds: Parameters<typeof poolLevel>[2]}) {
	const {observation, thresholds} = input;
	const server = observation.server!;
	return {
		takenAt: new Date(server.takenAtMs).toISOString(),
		target: input.target,
		server: serverJson(server),
		sessions: server.sessions.map(session => ({
			pid: session.pid,
			user: session.user,
			database: session.database,
			application: session.application,
			client: session.client,
			state: session.state,
			stateSeconds: round(session.stateSeconds),
			backendStart: session.backendStart,
			xactStart: session.xactStart,
			queryStart: session.queryStart,
			waitEventType: session.waitEventType,
			waitEvent: session.waitEvent,
			blockedBy: session.blockedBy,
			query: session.query,
		})),
		sessionsOmitted: server.sessionsOmitted,
		pools: observation.pools.map(pool => poolJson(pool, poolLevel([observation], pool.name, thresholds))),
		findings: input.findings,
	};
}

function serverJson(server: ServerSnapshot) {
	return {
		version: server.version,
		maxConnections: server.maxConnections,
		reservedConnections: server.superuserReservedConnections + server.reservedForRoleConnections,
		usableConnections: usableConnections(server),
		connections: server.connections,
		freeConnections: freeConnections(server),
		usedRatio: round(usedRatio(server)),
		states: server.states,
		lockWaiting: server.lockWaiting,
		hidden: server.hidden,
		oldestIdleInTransactionSeconds: round(server.oldestIdleInTransaction?.seconds ?? null, 1),
		longestActiveSeconds: round(server.longestActive?.seconds ?? null, 1),
		selfPid: server.selfPid,
	};
}

function poolJson(pool: PoolStatus, level: string) {
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
		level,
		error: pool.error,
		sampledAt: pool.sampledAtMs === null ? null : new Date(pool.sampledAtMs).toISOString(),
	};
}
