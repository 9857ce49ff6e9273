// Plain values of `lifeguard doctor`: what the reader found (each part may have failed on its own)
// and what the judging made of it. The checks are pure functions of DoctorInput (checks.ts).
import type {AdviceInput} from '../judge/advice.js';
import type {PoolFormat} from '../readings/types.js';

/** One part of the reading: its value, or why it could not be read (one masked line). */
export type Part<T> = {ok: true; value: T} | {ok: false; error: string};

/** A setting as this session sees it, and where the value came from (pg_settings.source). */
export type Setting = {value: string; unit: string | null; source: string};

export type ServerSettings = {
	version: string;
	versionNum: number;
	maxConnections: number;
	superuserReservedConnections: number;
	/** reserved_connections (16+); 0 before. */
	reservedConnections: number;
	/** By name: idle_in_transaction_session_timeout, statement_timeout, tcp_keepalives_idle, … */
	settings: Record<string, Setting>;
};

export type MonitorPrivileges = {
	role: string;
	isSuperuser: boolean;
	canReadAllStats: boolean;
	canSignalBackend: boolean;
	/** null before 16 (no such role). */
	canUseReserved: boolean | null;
	/** Connected over a Unix socket: the TCP keepalive settings do not apply to this session. */
	isUnixSocket: boolean;
};

/** A pg_settings row of a value that did not come from the default (raw, in the setting's unit). */
export type SettingRow = {
	name: string;
	setting: string;
	unit: string | null;
	bootValue: string | null;
	resetValue: string | null;
	source: string;
	/** null when the value came from no file, or this role may not see it. */
	file: string | null;
	line: number | null;
	isPendingRestart: boolean;
};

/** A line of a configuration file the server could not apply without a restart (pg_file_settings). */
export type FileSetting = {name: string; setting: string; file: string; line: number | null};

// --- the list of settings that differ from their defaults (settings.ts) ---

/**
 * A row of pg_settings as the list shows it: values with their units, boot_val the compiled-in default,
 * reset_val what RESET gives a session here; source, file and line as the server gave them (file null:
 * no file, or this role may not see it).
 */
export type ListedSetting = Pick<SettingRow, 'name' | 'source' | 'file' | 'line' | 'isPendingRestart'> & {
	/** As SHOW says it: with its unit ("48MB", "1min"). */
	value: string;
	bootValue: string | null;
	resetValue: string | null;
	/** The value a restart would bring, where the files hold it (read from pg_file_settings; superusers only by default). */
	afterRestart: {value: string; file: string; line: number | null} | null;
	/** A connection or pool setting (settings.ts POOL_SETTINGS): listed first. */
	isPoolSetting: boolean;
};

/** An ALTER DATABASE / ROLE … SET value, with the word pg_settings would give its source. */
export type RoleSettingLine = {
	name: string;
	/** As written in the ALTER statement. */
	value: string;
	source: 'global' | 'database' | 'user' | 'database user';
	role: string | null;
	database: string | null;
	/** The compiled-in default; null for a name pg_settings does not know (a custom `app.x`), or when it could not be read. */
	bootValue: string | null;
	isPoolSetting: boolean;
};

export type SettingsList = {
	/** pg_settings could not be read: why (masked). */
	error: string | null;
	/** Whether this role sees sourcefile and sourceline (superuser or pg_read_all_settings): no configuration-file row came without its file. */
	filesVisible: boolean;
	/** Why the values a restart would bring are not known (pg_file_settings refused); null when read. */
	afterRestartError: string | null;
	/** Server-wide values that differ from their default, or wait for a restart: pool settings first, then by name. */
	changed: ListedSetting[];
	/** Set somewhere (a file, the command line) to the value they have by default: not a difference, named for --json. */
	setToDefault: ListedSetting[];
	/** pg_db_role_setting, every database and role; null when it could not be read. */
	perRole: RoleSettingLine[] | null;
};

export type LoginRole = {name: string; isSuperuser: boolean; connectionLimit: number | null; connections: number};

export type DatabaseLimit = {name: string; connectionLimit: number | null; connections: number};

/** One pg_db_role_setting row; a null role or database means "all". */
export type RoleDatabaseSetting = {role: string | null; database: string | null; settings: Record<string, string>};

export type ApplicationUsage = {application: string; role: string; database: string; connections: number};

/**
 * One application pool as the capacity arithmetic needs it. Today every `--pool` endpoint is one
 * instance; a fleet source (Prometheus) will give `instances` directly.
 */
export type PoolCapacity = {
	name: string;
	/** null: the source does not expose the pool's max. */
	maxPerInstance: number | null;
	instances: number;
	/** What the pool reported at the review, summed over its instances; null when not exposed. */
	observed: {active: number | null; open: number | null; waiting: number | null} | null;
	/**
	 * Its demand over two readings, rates summed over its instances (null before two), whether its
	 * source exposes hold times at all, and its format (to say what is missing). Absent: not read.
	 */
	demand?: {rates: AdviceInput['rates'] | null; hasHoldTimes: boolean; format: PoolFormat | null};
	/** A PgBouncer pool: counted through PgBouncer's own limits, not as application connections. */
	isPgBouncer: boolean;
	/** The endpoint's failure, masked; null when it answered. */
	error: string | null;
};

export type PgBouncerDatabase = {
	name: string;
	/** pool_size of the [databases] entry, null when it uses default_pool_size. */
	poolSize: number | null;
	reservePool: number | null;
	/** max_db_connections for this database (0 = unlimited), null when not shown. */
	maxDbConnections: number | null;
	forceUser: string | null;
	/** Users PgBouncer has a pool for in this database now (SHOW POOLS). */
	users: string[];
};

export type PgBouncerConfig = {
	/** Masked console URL. */
	endpoint: string;
	defaultPoolSize: number | null;
	reservePoolSize: number | null;
	maxDbConnections: number | null;
	maxClientConn: number | null;
	/** query_wait_timeout in seconds; 0 = clients wait forever. */
	queryWaitTimeoutSeconds: number | null;
	databases: PgBouncerDatabase[];
	/** Client connections PgBouncer serves now (SHOW LISTS used_clients, else SHOW POOLS). */
	clients: number | null;
};

export type DoctorInput = {
	settings: Part<ServerSettings>;
	privileges: Part<MonitorPrivileges>;
	/** Client connections now, lifeguard's own included; hidden = rows whose details the role may not see. */
	activity: Part<{connections: number; hidden: number}>;
	roles: Part<LoginRole[]>;
	databases: Part<DatabaseLimit[]>;
	roleSettings: Part<RoleDatabaseSetting[]>;
	/** pg_settings rows that differ from the default or wait for a restart (settings.ts lists them). */
	changedSettings: Part<SettingRow[]>;
	/** Values the files hold for a restart; superusers only by default. */
	fileSettings: Part<FileSetting[]>;
	applications: Part<ApplicationUsage[]>;
	pools: PoolCapacity[];
	pgbouncers: Array<{endpoint: string; config: Part<PgBouncerConfig>}>;
	/** Warning ratio of the capacity checks (--warn), 0–1. */
	warnRatio: number;
};

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'unknown' | 'skip';

export type CheckId =
	| 'capacity-total'
	| 'capacity-observed'
	| 'reserved-slots'
	| 'idle-in-transaction-timeout'
	| 'idle-session-timeout'
	| 'statement-timeout'
	| 'tcp-keepalive'
	| 'pool-acquire-timeout'
	| 'role-connection-limit'
	| 'database-connection-limit'
	| 'pgbouncer-max-client-conn'
	| 'visibility'
	| 'signal-backend';

export type Check = {
	id: CheckId;
	status: CheckStatus;
	title: string;
	/** What was found, with the numbers; outside names exactly as the server gave them. */
	found: string;
	/** The exact fix (a setting or SQL), null when nothing is to be done. */
	fix: string | null;
	/** The numbers `found` is made of, for scripts. */
	numbers: Record<string, number | null>;
};

/** settings: the list of settings that differ from their defaults. */
export type DoctorReport = {target: string; checks: Check[]; settings: SettingsList};
