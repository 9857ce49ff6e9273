// Plain values that flow from collectors into the pure model. A part a source does not expose is
// `null`, never 0: the screen shows "n/a" for it.

export type StateCounts = {
	active: number;
	idle: number;
	idleInTransaction: number;
	idleInTransactionAborted: number;
	/** fastpath function call, disabled, starting (18+) */
	other: number;
};

export type Session = {
	pid: number;
	user: string | null;
	database: string | null;
	application: string;
	client: string | null;
	/** The server's own string: 'active', 'idle in transaction (aborted)', ... */
	state: string | null;
	stateSeconds: number | null;
	/** ISO timestamp with microseconds, as the server renders it. */
	backendStart: string | null;
	/** backend_start in integer microseconds since the epoch: with pid, the session's identity. */
	backendStartMicros: string | null;
	xactStart: string | null;
	queryStart: string | null;
	waitEventType: string | null;
	waitEvent: string | null;
	blockedBy: number[];
	query: string;
	isSuperuser: boolean;
};

export type LimitedCount = {
	name: string;
	connections: number;
	/** datconnlimit / rolconnlimit; null when unlimited (-1). */
	limit: number | null;
};

export type AppCount = {name: string; connections: number; idle: number};

export type ServerSnapshot = {
	/** Milliseconds since the epoch, from the injected clock, when the poll completed. */
	takenAtMs: number;
	version: string;
	versionNum: number;
	maxConnections: number;
	superuserReservedConnections: number;
	/** reserved_connections (16+), 0 before. */
	reservedForRoleConnections: number;
	/** Client backends, lifeguard's own included. */
	connections: number;
	states: StateCounts;
	lockWaiting: number;
	/** Rows whose details the monitoring role may not see (no pg_read_all_stats). */
	hidden: number;
	oldestIdleInTransaction: {pid: number; seconds: number; blocking: number} | null;
	longestActive: {pid: number; seconds: number} | null;
	selfPid: number;
	databases: LimitedCount[];
	users: LimitedCount[];
	applications: AppCount[];
	sessions: Session[];
	/** Sessions beyond the row cap, left out of `sessions`. */
	sessionsOmitted: number;
	privileges: {isSuperuser: boolean; canReadAllStats: boolean; canSignalBackend: boolean};
};

export type PoolFormat = 'prometheus' | 'json' | 'pgbouncer';

/** One application pool as its endpoint reports it. Every number is null when not exposed. */
export type PoolMetrics = {
	/** The pool's own label (HikariPool-1, db/user for PgBouncer), or null when the source has none. */
	label: string | null;
	max: number | null;
	open: number | null;
	active: number | null;
	idle: number | null;
	waiting: number | null;
	oldestWaitSeconds: number | null;
	timeoutsTotal: number | null;
};

export type PoolReading =
	| {ok: true; format: PoolFormat; pools: PoolMetrics[]}
	| {ok: false; error: string};

export type Level = 'ok' | 'warning' | 'critical';

export type FindingCode =
	| 'pool-saturated'
	| 'server-saturated'
	| 'idle-hoarding'
	| 'idle-in-transaction'
	| 'lock-contention'
	| 'pool-endpoint-down'
	| 'privileges-partial';

export type Finding = {
	code: FindingCode;
	level: Exclude<Level, 'ok'>;
	subject: string;
	message: string;
};
