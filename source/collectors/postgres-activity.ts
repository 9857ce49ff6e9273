// I/O only: run the snapshot statement over the monitor connection and map its one row to a
// ServerSnapshot. Reconnects lazily: a failed poll drops the client, the next poll opens a new one.
import type pg from 'pg';
import {describeConnectionError, describeQueryError} from '../connection/describe-error.js';
import {openMonitorClient} from '../connection/monitor-client.js';
import type {Target} from '../connection/target.js';
import type {AppCount, ClientGroup, LimitedCount, RawSessionText, ServerReading, ServerSnapshot, Session, StateCounts} from '../readings/types.js';
import {safeQueryText, safeText} from '../text/sanitize.js';
import {PENDING_RESTART_SETTINGS, SESSION_ROW_CAP, SNAPSHOT_OF_CLIENT_CONNECTIONS, SNAPSHOT_STATEMENT_NAME} from './postgres-queries.js';

export type {ServerReading} from '../readings/types.js';

type SnapshotRow = {
	version: string;
	version_num: number;
	max_connections: number;
	superuser_reserved: number;
	reserved: number;
	self_pid: number;
	conf_loaded_ms: number;
	started_ms: number;
	connections: number;
	own_connections: number;
	hidden: number;
	states: StateCounts;
	lock_waiting: number;
	oldest_idle_in_transaction: ServerSnapshot['oldestIdleInTransaction'];
	longest_active: ServerSnapshot['longestActive'];
	databases: LimitedCount[];
	users: LimitedCount[];
	applications: AppCount[];
	client_groups: ClientGroup[];
	/** Timestamps as the server renders them (see isoUtc). */
	sessions: Session[];
	sessions_omitted: number;
	is_superuser: boolean;
	can_read_all_stats: boolean;
	can_signal_backend: boolean;
};

/**
 * json_build_object renders timestamptz in the session zone (UTC) and drops trailing zeros of the
 * fraction (…:00.59406+00:00): always six digits, so backendStart reads as the µs identity it is.
 */
export function isoUtc(value: string | null): string | null {
	if (value === null) {
		return null;
	}

	// String steps, not a regular expression: three timestamps per session row per poll.
	const zone = value.endsWith('+00:00') ? 6 : (value.endsWith('+00') ? 3 : 0);
	if (zone === 0) {
		return value;
	}

	const local = value.slice(0, -zone);
	const dot = local.lastIndexOf('.');
	const fraction = dot === -1 ? '' : local.slice(dot + 1);
	return `${dot === -1 ? local : local.slice(0, dot)}.${fraction.padEnd(6, '0')}Z`;
}

// Server data is made safe here, once, as it enters: every string another party controls (query text,
// role, database, application and client names, wait events, the names in the counts) leaves this
// module display-safe, so no renderer has to remember. `--json` alone needs the exact strings: a
// session keeps them in `raw`, only for the fields sanitising changed, so an ordinary session carries
// nothing extra and the screen cannot print a raw string by mistake (it would have to ask for `raw`).
// The counts carry no raw names: no output prints them as data.
type SessionText = keyof RawSessionText;
const SESSION_TEXT: ReadonlyArray<Exclude<SessionText, 'query'>> = ['user', 'database', 'application', 'client', 'waitEventType', 'waitEvent'];

export function safeSession(session: Session): Session {
	// One object literal with every field: a spread copy of the row object gets a hidden class of its
	// own in V8, and 7,900 of them (2 MB) were counted in a heap snapshot after five minutes at 0.2 s.
	const safe: Session = {
		pid: session.pid,
		user: session.user,
		database: session.database,
		application: session.application,
		client: session.client,
		state: session.state,
		stateSeconds: session.stateSeconds,
		backendStart: session.backendStart,
		backendStartMicros: session.backendStartMicros,
		xactStart: session.xactStart,
		queryStart: session.queryStart,
		waitEventType: session.waitEventType,
		waitEvent: session.waitEvent,
		blockedBy: session.blockedBy,
		query: safeQueryText(session.query),
		isSuperuser: session.isSuperuser,
	};
	let raw: RawSessionText | undefined;
	if (safe.query !== session.query) {
		raw = {query: session.query};
	}

	for (const field of SESSION_TEXT) {
		const value = session[field];
		if (value === null) {
			continue;
		}

		const shown = safeText(value);
		if (shown !== value) {
			safe[field] = shown;
			raw = {...raw, [field]: value};
		}
	}

	if (raw) {
		safe.raw = raw;
	}

	return safe;
}

const safeCount = <T extends {name: string}>(count: T): T => {
	const name = safeText(count.name);
	return name === count.name ? count : {...count, name};
};

export function mapSnapshotRow(row: SnapshotRow, takenAtMs: number): ServerSnapshot {
	// "15.20 (Debian 15.20-0+deb12u1)" -> "15.20"
	const version = safeText(row.version.split(' ')[0] ?? row.version);
	return {
		takenAtMs,
		version,
		versionNum: row.version_num,
		maxConnections: row.max_connections,
		superuserReservedConnections: row.superuser_reserved,
		reservedForRoleConnections: row.reserved,
		connections: row.connections,
		ownConnections: row.own_connections,
		states: row.states,
		lockWaiting: row.lock_waiting,
		hidden: row.hidden,
		oldestIdleInTransaction: row.oldest_idle_in_transaction,
		longestActive: row.longest_active,
		selfPid: row.self_pid,
		confLoadedMs: row.conf_loaded_ms,
		startedMs: row.started_ms,
		databases: row.databases.map(safeCount),
		users: row.users.map(safeCount),
		applications: row.applications.map(safeCount),
		clientGroups: row.client_groups.map(group => ({
			application: safeText(group.application),
			client: group.client === null ? null : safeText(group.client),
			connections: group.connections,
			active: group.active,
			busy: group.busy,
			backends: group.backends,
		})),
		sessions: row.sessions.map(session => {
			// The row object is the parser's and goes with this poll: its timestamps are fixed in place.
			session.backendStart = isoUtc(session.backendStart);
			session.xactStart = isoUtc(session.xactStart);
			session.queryStart = isoUtc(session.queryStart);
			return safeSession(session);
		}),
		sessionsOmitted: row.sessions_omitted,
		privileges: {
			isSuperuser: row.is_superuser,
			canReadAllStats: row.can_read_all_stats,
			canSignalBackend: row.can_signal_backend,
		},
	};
}

export type PostgresSource = {
	/** One poll; never throws. */
	poll(): Promise<ServerReading>;
	/** The open monitor connection, for actions; null while disconnected. */
	client(): pg.Client | null;
	close(): Promise<void>;
};

/**
 * A named statement the server does not have (26000), or has already under that name (42P05): what a
 * transaction-pooling PgBouncer (before 1.21's prepared-statement support) does to named statements,
 * since each transaction may run on another server connection.
 */
const LOST_STATEMENT_CODES = new Set(['26000', '42P05']);

/** The snapshot query: named until the connection proves it cannot keep a prepared statement, then unnamed for good. */
function snapshotQuery(sessionRowCap: number): (client: pg.Client) => Promise<pg.QueryResult<{snapshot: SnapshotRow}>> {
	let isNamed = true;
	const statement = {text: SNAPSHOT_OF_CLIENT_CONNECTIONS, values: [sessionRowCap]};
	return async client => {
		if (isNamed) {
			try {
				return await client.query<{snapshot: SnapshotRow}>({...statement, name: SNAPSHOT_STATEMENT_NAME});
			} catch (error) {
				if (!LOST_STATEMENT_CODES.has((error as {code?: string}).code ?? '')) {
					throw error;
				}

				isNamed = false;
			}
		}

		return client.query<{snapshot: SnapshotRow}>(statement);
	};
}

/** `initialClient` null: the server was down at start (one of several); the first poll connects. */
export function createPostgresSource(target: Target, initialClient: pg.Client | null, now: () => number, options: {sessionRowCap?: number} = {}): PostgresSource {
	const query = snapshotQuery(options.sessionRowCap ?? SESSION_ROW_CAP);
	let current: pg.Client | null = initialClient;
	let isClosed = false;
	// The pending-restart names, read again only when the configuration's load time moves.
	let pending: {confLoadedMs: number; names: readonly string[] | null} | null = null;
	const pendingRestart = async (client: pg.Client, confLoadedMs: number) => {
		if (pending?.confLoadedMs !== confLoadedMs) {
			const names = await client.query<{names: string[]}>(PENDING_RESTART_SETTINGS)
				.then(result => result.rows[0]!.names.map(name => safeText(name)), () => null);
			pending = {confLoadedMs, names};
		}

		return pending.names;
	};
	const drop = () => {
		const broken = current;
		current = null;
		broken?.end().catch(() => undefined);
	};

	const watch = (client: pg.Client) => {
		// The server went away between polls (restart, network cut): reconnect on the next poll.
		client.on('end', () => {
			if (current === client) {
				current = null;
			}
		});
	};

	if (initialClient) {
		watch(initialClient);
	}

	return {
		async poll() {
			const isReconnected = !current;
			if (!current) {
				try {
					const client = await openMonitorClient(target);
					if (isClosed) {
						await client.end();
						return {ok: false, error: 'closed', isDisconnected: true};
					}

					watch(client);
					current = client;
				} catch (error) {
					return {ok: false, error: describeConnectionError(error, target), isDisconnected: true};
				}
			}

			const client = current;
			try {
				const result = await query(client);
				const snapshot = mapSnapshotRow(result.rows[0]!.snapshot, now());
				snapshot.pendingRestart = await pendingRestart(client, result.rows[0]!.snapshot.conf_loaded_ms);
				return {ok: true, snapshot, isReconnected};
			} catch (error) {
				const code = (error as {code?: string}).code;
				// A statement or lock timeout leaves the connection usable; anything else may not.
				const isConnectionKept = code === '57014' || code === '55P03';
				if (!isConnectionKept && current === client) {
					drop();
				}

				return {ok: false, error: describeQueryError(error, target.password), isDisconnected: !isConnectionKept};
			}
		},
		client: () => current,
		async close() {
			isClosed = true;
			const client = current;
			current = null;
			await client?.end().catch(() => undefined);
		},
	};
}
