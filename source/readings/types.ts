// Plain values that flow from collectors into the judge. A part a source does not expose is
// `null`, never 0: the screen shows "n/a" for it. Types only: this floor imports nothing of ours.

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
	/**
	 * The server's exact strings, only for the fields that sanitising changed (absent on an ordinary
	 * session). Every field above is display-safe; `--json` prints `raw?.field ?? field`.
	 */
	raw?: RawSessionText;
};

/** The exact text of the session fields others control, where it differs from the display text. */
export type RawSessionText = Partial<Record<'user' | 'database' | 'application' | 'client' | 'waitEventType' | 'waitEvent' | 'query', string>>;

export type LimitedCount = {
	name: string;
	connections: number;
	/** datconnlimit / rolconnlimit; null when unlimited (-1). */
	limit: number | null;
};

export type AppCount = {name: string; connections: number; idle: number};

/** Connections of one application instance: one application name from one client address. */
export type ClientGroup = {
	application: string;
	/** Client address; null for Unix-socket connections. */
	client: string | null;
	connections: number;
	active: number;
	/** In a statement or a transaction now (not idle): in use by its pool. */
	busy: number;
	/**
	 * Each backend as [pid, state, backend_start]: state 0 idle, 1 busy doing new work, 2 busy but stale;
	 * backend_start in seconds since the epoch to 0.1 s (the server's clock). By pid.
	 */
	backends: Array<[pid: number, state: BackendState, startedSeconds?: number]>;
};

/** A backend's state in `ClientGroup.backends`. */
export type BackendState = 0 | 1 | 2;

export type ServerSnapshot = {
	/** Milliseconds since the epoch, from the injected clock, when the poll completed. */
	takenAtMs: number;
	version: string;
	versionNum: number;
	maxConnections: number;
	superuserReservedConnections: number;
	/** reserved_connections (16+), 0 before. */
	reservedForRoleConnections: number;
	/** Client backends, lifeguard's own left out (they are `ownConnections`), hidden ones included. */
	connections: number;
	/**
	 * lifeguard's own client backends (this process's, other lifeguard screens'): they take slots, so
	 * the free count takes them, but they are no one's usage (collectors/postgres-queries.ts).
	 */
	ownConnections: number;
	states: StateCounts;
	lockWaiting: number;
	/** Rows whose details the monitoring role may not see (no pg_read_all_stats). */
	hidden: number;
	oldestIdleInTransaction: {pid: number; seconds: number; blocking: number} | null;
	longestActive: {pid: number; seconds: number} | null;
	selfPid: number;
	/** pg_conf_load_time() in ms since the epoch, as this backend last loaded the configuration. */
	confLoadedMs?: number;
	/** pg_postmaster_start_time() in ms since the epoch: moves on a restart. */
	startedMs?: number;
	/** Settings with pending_restart, by name; null when not read (the query failed). */
	pendingRestart?: readonly string[] | null;
	databases: LimitedCount[];
	users: LimitedCount[];
	applications: AppCount[];
	/** Every application instance, complete (not capped like `sessions`). */
	clientGroups: ClientGroup[];
	sessions: Session[];
	/** Sessions beyond the row cap, left out of `sessions`. */
	sessionsOmitted: number;
	privileges: {isSuperuser: boolean; canReadAllStats: boolean; canSignalBackend: boolean};
};

/** One poll of the server. isReconnected: it ran on a new connection, the previous one having been lost. */
export type ServerReading =
	| {ok: true; snapshot: ServerSnapshot; isReconnected: boolean}
	| {ok: false; error: string; isDisconnected: boolean};

export type PoolFormat = 'prometheus' | 'json' | 'pgbouncer';

/** A pool's gauges, each null when its source does not expose it (never an invented zero). */
export type PoolGauges = {
	max: number | null;
	open: number | null;
	active: number | null;
	idle: number | null;
	waiting: number | null;
	oldestWaitSeconds: number | null;
};

/** One application pool as its endpoint reports it. Every number is null when not exposed. */
export type PoolMetrics = PoolGauges & {
	/** The pool's own label (HikariPool-1, db/user for PgBouncer), or null when the source has none. */
	label: string | null;
	timeoutsTotal: number | null;
	/** Cumulative acquisitions that had to wait (a counter: go_sql_wait_count_total and the like). */
	waitsTotal: number | null;
	/** Cumulative seconds spent waiting for a connection (a counter). */
	waitSecondsTotal: number | null;
	/**
	 * Cumulative connections handed out and given back (a counter: a usage timer's count), and the
	 * seconds they were held (its sum). With both, demand is arrival rate × mean hold time (Little's
	 * law). Absent or null when the source has no usage timer.
	 */
	servedTotal?: number | null;
	holdSecondsTotal?: number | null;
	/**
	 * Set when the endpoint reported something impossible for this pool (a negative count, a max of 0,
	 * an infinite value, a duplicate series): one line such as "invalid value -5 for waiting", built by
	 * lifeguard from its own words and numbers (no outside text). Every number above is then null.
	 */
	error?: string;
	/**
	 * Counter rates the source computed itself (Prometheus' `rate(...[1m])`), for sources that give no
	 * totals to difference across polls: `--prometheus`. Absent for every other source.
	 */
	sourceRates?: SourceRates;
	/** Present when the pool is a fleet's pool read through Prometheus: the numbers above are sums. */
	fleet?: PoolFleet;
	/** Who waits, from the pooler's own client list (PgBouncer's SHOW CLIENTS); absent when not read. */
	waitingClients?: WaitingClients;
};

/** A pool's waiting clients grouped by application (else client address), most first. */
export type WaitingClients = {
	/** At most MAX_WAITING_GROUPS groups; names are display-safe. */
	groups: WaitingGroup[];
	/** Waiting clients in groups beyond those listed; 0 when none. */
	omittedClients: number;
};

export type WaitingGroup = {
	/** The clients' application_name, or their address when they sent none. */
	name: string;
	by: 'application' | 'address';
	clients: number;
};

/** Per-second (or per-minute) rates of a pool's counters; null when the source exposes no such counter. */
export type SourceRates = {
	/** Acquisitions that had to wait, per second. */
	waitsPerSecond: number | null;
	/** Seconds of waiting credited per second: by Little's law, how many requests waited on average. */
	waitingAverage: number | null;
	/** Requests that gave up waiting for a connection, per minute. */
	timeoutsPerMinute: number | null;
	/** Connections given back per second (a usage timer's count); absent when not exposed. */
	servedPerSecond?: number | null;
	/** Seconds of holding credited per second (a usage timer's sum). */
	holdSecondsPerSecond?: number | null;
};

/** One instance of a service's pool, as Prometheus last scraped it. */
export type PoolInstance = PoolGauges & {
	/** The `instance` label (else `pod`), made display-safe. */
	instance: string;
	sourceRates: SourceRates;
	/** active >= max (max known and above 0). */
	isAtMax: boolean;
};

/** What a service's pool is across its instances. The pool's own fields hold the sums. */
export type PoolFleet = {
	/** The service (the `service` or `app` label, else `job`) and the pool label (null when none). */
	service: string;
	pool: string | null;
	instances: number;
	/** Instances whose active reached their max; null when no instance exposes a max. */
	atMax: number | null;
	/** The max every instance has; null when unknown or when instances differ (see `members`). */
	maxPerInstance: number | null;
	/** The first of `members`. */
	worst: PoolInstance;
	/**
	 * The instances, worst first: most waiting, then the fullest, then the most timeouts, then by name;
	 * at most MAX_MEMBERS (200) of them. The sums and counts above are over every instance.
	 */
	members: PoolInstance[];
	/** Instances beyond the MAX_MEMBERS worst, left out of `members`; absent when none. */
	omittedMembers?: number;
};

export type PoolReading =
	| {
		ok: true;
		format: PoolFormat;
		pools: PoolMetrics[];
		/** Pools the endpoint reported beyond the cap (200), left out of `pools`; absent when none. */
		omittedPools?: number;
		/** `--prometheus`: the targets whose last scrape failed (`up` 0); absent when not read. */
		failedScrapes?: FailedScrape[];
	}
	/** isNotAConsole: a `pgbouncer://` endpoint answered, but as something else (error says what). */
	| {ok: false; error: string; isNotAConsole?: boolean};

/** A target Prometheus failed to scrape: its `instance` label (display-safe) and that scrape's time. */
export type FailedScrape = {instance: string; scrapedAtMs: number};

/** A configured pool endpoint, as parsed from `--pool [NAME=]URL` or `--prometheus [NAME=]URL`. */
export type PoolEndpoint = {
	/** Given when it is parsed, unique in the process: what its pools are known by (two endpoints may share a masked URL). */
	id: string;
	/** NAME from `NAME=URL`, or null. */
	name: string | null;
	/** The real URL, credentials included: never display it, use maskedUrl. */
	url: string;
	maskedUrl: string;
	/** Decided once, from the scheme: what collects it. `actuator`: Spring Boot Actuator's meters, at `url` (plain http(s)). */
	kind: 'http' | 'actuator' | 'pgbouncer' | 'prometheus';
	/** From a `prom+http://` / `json+http://` scheme; null means detect. */
	forcedFormat: 'prometheus' | 'json' | null;
	/** kind 'prometheus': the matchers added to every query (`{namespace="shop"}`), null for none. */
	selector?: string | null;
	/** kind 'prometheus': the bearer token (LIFEGUARD_PROMETHEUS_TOKEN); never display it. */
	bearerToken?: string | null;
};
