// Fixture builders shared by model, output and UI tests: a valid value with quiet defaults, so a
// test spells out only the fields it is about.
import type {Observation, PoolStatus, Thresholds} from '../../source/judge/types.js';
import type {BackendState, ClientGroup, PoolMetrics, ServerSnapshot, Session, StateCounts} from '../../source/readings/types.js';
import type {Command, KeyPress} from '../../source/keys/bindings.js';
import type {CommandAction} from '../../source/screen/state.js';

/** 12:00:00 UTC on 2025-03-14: a fixed "now" for tests. */
export const baseTimeMs = Date.UTC(2025, 2, 14, 12, 0, 0);

export const defaultThresholds: Thresholds = {warnRatio: 0.8, criticalRatio: 0.95, idleInTransactionSeconds: 60};

type ServerOverrides = Omit<Partial<ServerSnapshot>, 'states' | 'privileges'> & {
	states?: Partial<StateCounts>;
	privileges?: Partial<ServerSnapshot['privileges']>;
};

/**
 * A healthy PostgreSQL 16 server: max_connections 100, 3 superuser-reserved (usable 97), 13 client
 * connections (1 active, 12 idle) and none of lifeguard's own, nothing blocked, full privileges.
 */
export function serverSnapshot(overrides: ServerOverrides = {}): ServerSnapshot {
	const {states, privileges, ...rest} = overrides;
	return {
		takenAtMs: baseTimeMs,
		version: '16.4',
		versionNum: 160_004,
		maxConnections: 100,
		superuserReservedConnections: 3,
		reservedForRoleConnections: 0,
		connections: 13,
		ownConnections: 0,
		states: {active: 1, idle: 12, idleInTransaction: 0, idleInTransactionAborted: 0, other: 0, ...states},
		lockWaiting: 0,
		hidden: 0,
		oldestIdleInTransaction: null,
		longestActive: null,
		selfPid: 4242,
		databases: [{name: 'app', connections: 13, limit: null}],
		users: [{name: 'app', connections: 13, limit: null}],
		applications: [{name: 'api', connections: 13, idle: 12}],
		clientGroups: [clientGroup('api', '10.0.0.7', 13, 1)],
		sessions: [],
		sessionsOmitted: 0,
		...rest,
		privileges: {isSuperuser: false, canReadAllStats: true, canSignalBackend: true, ...privileges},
	};
}

/** An idle client session of user app / application api. */
export function session(overrides: Partial<Session> = {}): Session {
	return {
		pid: 101,
		user: 'app',
		database: 'app',
		application: 'api',
		client: '10.0.0.7',
		state: 'idle',
		stateSeconds: 1,
		backendStart: '2025-03-14 11:00:00.000001+00',
		backendStartMicros: '1741950000000001',
		xactStart: null,
		queryStart: null,
		waitEventType: null,
		waitEvent: null,
		blockedBy: [],
		query: 'SELECT 1',
		isSuperuser: false,
		...overrides,
	};
}

/** A quiet pool: 2 of 10 active, nobody waiting. */
export function poolMetrics(overrides: Partial<PoolMetrics> = {}): PoolMetrics {
	return {
		label: null,
		max: 10,
		open: 5,
		active: 2,
		idle: 3,
		waiting: 0,
		oldestWaitSeconds: 0,
		timeoutsTotal: 0,
		waitsTotal: null,
		waitSecondsTotal: null,
		...overrides,
	};
}

/** What a source exposes, nothing else: every field not given is null (not exposed). */
export function exposedPool(fields: Partial<PoolMetrics> & {label: string | null}): PoolMetrics {
	return {max: null, open: null, active: null, idle: null, waiting: null, oldestWaitSeconds: null, timeoutsTotal: null, waitsTotal: null, waitSecondsTotal: null, ...fields};
}

type PoolOverrides = Omit<Partial<PoolStatus>, 'metrics'> & {metrics?: Partial<PoolMetrics> | null};

/** Pool "api" on a Prometheus endpoint, last sampled at baseTimeMs. `metrics: null` = no good sample yet. */
export function poolStatus(overrides: PoolOverrides = {}): PoolStatus {
	const {metrics, ...rest} = overrides;
	return {
		name: 'api',
		endpointId: 'endpoint-api',
		endpoint: 'http://10.0.0.7:9090/metrics',
		format: 'prometheus',
		metrics: metrics === null ? null : poolMetrics(metrics),
		sampledAtMs: metrics === null ? null : baseTimeMs,
		error: null,
		...rest,
	};
}

/** One observation; `server` defaults to a healthy snapshot taken at the same moment. */
export function observation(overrides: Partial<Observation> = {}): Observation {
	const atMs = overrides.atMs ?? baseTimeMs;
	return {
		atMs,
		server: overrides.server === undefined ? serverSnapshot({takenAtMs: atMs}) : overrides.server,
		pools: overrides.pools ?? [],
	};
}

/** A key press with nothing held: what `useInput` passes for a plain letter. */
export function keyPress(overrides: Partial<KeyPress> = {}): KeyPress {
	return {upArrow: false, downArrow: false, pageUp: false, pageDown: false, return: false, escape: false, backspace: false, delete: false, ctrl: false, meta: false, ...overrides};
}

/** A command as the key edge sends it to the screen (at baseTimeMs, a page of 10 rows unless given). */
export function command(name: Command, overrides: Partial<Omit<CommandAction, 'type' | 'command'>> = {}): CommandAction {
	return {type: 'command', command: name, atMs: baseTimeMs, pageRows: 10, ...overrides};
}

/** `type` with its text: what the edge sends for text typed in a prompt. */
export function typed(text: string, overrides: Partial<Omit<CommandAction, 'type' | 'command' | 'text'>> = {}): CommandAction {
	return command('type', {text, ...overrides});
}

/** A client group of `connections` backends (pids from `firstPid`), the first `busy` of them working. */
export function clientGroup(application: string, client: string | null, connections: number, busy: number, firstPid = 1000): ClientGroup {
	const backends = Array.from({length: connections}, (_, index): [number, BackendState] => [firstPid + index, index < busy ? 1 : 0]);
	return {application, client, connections, active: busy, busy, backends};
}
