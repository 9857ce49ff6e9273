// Every pool family lifeguard reads, as PromQL: how a Prometheus computes the numbers the recognizer
// table (collectors/pools/prometheus-pools.ts) computes from one scrape. Same ids, same names, same
// "first alternative wins", same pool keys; a test holds the names to that table, and another has
// Prometheus evaluate these on the fixtures the recognizers are tested on and compares the numbers.
import {RECOGNIZERS} from '../collectors/pools/prometheus-families.js';
import {familyNames} from '../collectors/pools/prometheus-pools.js';
import {counterRate, firstLabel, firstOf, type Matchers, selector, timerRate} from './promql.js';

/** The numbers the rules record per pool; counters as per-second rates. */
export type PoolField = 'max' | 'active' | 'waiting' | 'oldestWaitSeconds' | 'timeoutsRate' | 'waitsRate' | 'waitSecondsRate'
	/** A usage timer: connections given back per second, and the seconds they were held per second (Little's law). */
	| 'servedRate' | 'holdSecondsRate';

/** What a family's expressions are built from: the user's matchers and the rate window. */
type Context = {matchers: Matchers; window: string};

export type AlertFamily = {
	/** The recognizer's id (prometheus-pools.ts). */
	id: string;
	/** For the rule file's comments. */
	title: string;
	fields: Partial<Record<PoolField, (context: Context) => string>>;
	/** The pool key of every series of the family: adds `lifeguard_pool` (and drops nothing). */
	poolKey: (expression: string) => string;
};

const keyFrom = (...labels: string[]) => (expression: string) => firstLabel(expression, 'lifeguard_pool', labels);

/** `database/user`, as the PgBouncer recognizers key their pools. */
const databaseUser = (expression: string) => `label_join(${expression}, "lifeguard_pool", "/", "database", "user")`;

/** PgBouncer pools: the admin database and rows without a database or user are left out, as the recognizers do. */
const PGBOUNCER_POOL = ['database!=""', 'user!=""', 'database!="pgbouncer"'];

const pgbouncerDatabaseLabels = 'name, host, port, force_user, pool_mode';

export const ALERT_FAMILIES: readonly AlertFamily[] = [
	{
		id: 'hikaricp',
		title: 'HikariCP: Micrometer (hikaricp_connections_*) and its own simpleclient collector (hikaricp_*_connections)',
		poolKey: keyFrom('pool'),
		fields: {
			max: ({matchers}) => firstOf(['hikaricp_connections_max', 'hikaricp_max_connections'], matchers),
			active: ({matchers}) => firstOf(['hikaricp_connections_active', 'hikaricp_active_connections'], matchers),
			waiting: ({matchers}) => firstOf(['hikaricp_connections_pending', 'hikaricp_pending_threads'], matchers),
			timeoutsRate: ({matchers, window}) => counterRate(['hikaricp_connections_timeout', 'hikaricp_connection_timeout'], matchers, window),
			...usageTimer('hikaricp'),
		},
	},
	{
		id: 'pg_pool',
		title: 'node-postgres pools (@christiangalsterer/node-postgres-prometheus-exporter)',
		// host/database when both are set, else database, else host, else pool: one disjoint case each.
		poolKey: expression => expression,
		fields: {
			max: ({matchers}) => pgPoolKeyed('pg_pool_max', matchers),
			active: ({matchers}) => pgPoolKeyed('pg_pool_active_connections', matchers),
			waiting: ({matchers}) => pgPoolKeyed('pg_pool_waiting_connections', matchers),
		},
	},
	{
		id: 'otel',
		title: 'OpenTelemetry semantic conventions: db.client.connection.* (new) and db.client.connections.* (old)',
		poolKey: keyFrom('db_client_connection_pool_name', 'pool_name'),
		fields: {
			max: ({matchers}) => firstOf(['db_client_connection_max', 'db_client_connections_max'], matchers),
			active: ({matchers}) => otelUsed(matchers),
			waiting: ({matchers}) => firstOf(['db_client_connection_pending_requests', 'db_client_connections_pending_requests'], matchers),
			timeoutsRate: ({matchers, window}) => counterRate(['db_client_connection_timeouts', 'db_client_connections_timeouts'], matchers, window),
			...usageTimer('otel'),
		},
	},
	{
		id: 'go_sql',
		title: "Go database/sql: client_golang's DBStats collector (go_sql_*) and dlmiddlecote/sqlstats (go_sql_stats_*); no waiting gauge",
		poolKey: keyFrom('db_name'),
		fields: {
			// SetMaxOpenConns(0) means unlimited: no max, as the recognizer says.
			max: ({matchers}) => `(${firstOf(['go_sql_max_open_connections', 'go_sql_stats_connections_max_open'], matchers)}) > 0`,
			active: ({matchers}) => firstOf(['go_sql_in_use_connections', 'go_sql_stats_connections_in_use'], matchers),
			waitsRate: ({matchers, window}) => counterRate(['go_sql_wait_count', 'go_sql_stats_connections_waited_for'], matchers, window),
			waitSecondsRate: ({matchers, window}) => counterRate(['go_sql_wait_duration_seconds', 'go_sql_stats_connections_blocked_seconds'], matchers, window),
		},
	},
	{
		id: 'pgxpool',
		title: 'pgx pools: IBM/pgxpoolprometheus and exaring/otelpgx (pgxpool_*), cmackenzie1 (pgx_pool_*); no waiting gauge',
		poolKey: keyFrom('db_client_connection_pool_name', 'pool', 'db', 'db_name', 'database', 'pool_name'),
		fields: {
			max: ({matchers}) => firstOf(['pgxpool_max_conns', 'pgxpool_max_connections', 'pgx_pool_max_connections'], matchers),
			active: ({matchers}) => firstOf(['pgxpool_acquired_conns', 'pgxpool_acquired_connections', 'pgx_pool_acquire_connections'], matchers),
			timeoutsRate: ({matchers, window}) => counterRate(['pgxpool_canceled_acquire_count', 'pgxpool_canceled_acquires', 'pgx_pool_canceled_acquire_count'], matchers, window),
			waitsRate: ({matchers, window}) => counterRate(['pgxpool_empty_acquire', 'pgxpool_empty_acquire_count', 'pgx_pool_empty_acquire_count'], matchers, window),
			waitSecondsRate: ({matchers, window}) => counterRate(['pgxpool_empty_acquire_wait_time_nanoseconds', 'pgxpool_empty_acquire_wait_time'], matchers, window, 1e-9),
		},
	},
	{
		id: 'pgbouncer_exporter',
		title: 'PgBouncer through prometheus-community/pgbouncer_exporter: one pool per database/user',
		poolKey: databaseUser,
		fields: {
			max: ({matchers}) => communityPoolSize(matchers),
			active: ({matchers}) => selector('pgbouncer_pools_server_active_connections', matchers, ...PGBOUNCER_POOL),
			waiting: ({matchers}) => selector('pgbouncer_pools_client_waiting_connections', matchers, ...PGBOUNCER_POOL),
			// whole seconds only: the exporter drops maxwait_us
			oldestWaitSeconds: ({matchers}) => selector('pgbouncer_pools_client_maxwait_seconds', matchers, ...PGBOUNCER_POOL),
		},
	},
	{
		id: 'pgbouncer_exporter_debian',
		title: "PgBouncer through Debian's prometheus-pgbouncer-exporter: cl_active as busy, cl_waiting as waiting",
		poolKey: databaseUser,
		fields: {
			max: ({matchers}) => debianPoolSize(matchers),
			active: ({matchers}) => selector('pgbouncer_active_clients', matchers, ...PGBOUNCER_POOL),
			waiting: ({matchers}) => selector('pgbouncer_waiting_clients', matchers, ...PGBOUNCER_POOL),
		},
	},
	{
		id: 'agroal',
		title: 'Agroal (Quarkus): no max exposed',
		poolKey: keyFrom('datasource'),
		fields: {
			active: ({matchers}) => selector('agroal_active_count', matchers),
			waiting: ({matchers}) => selector('agroal_awaiting_count', matchers),
		},
	},
	{
		id: 'jdbc',
		title: "Spring Boot's generic jdbc_connections_*: only where the target has no other pool family (it duplicates hikaricp_*)",
		poolKey: keyFrom('name'),
		fields: {
			max: ({matchers}) => jdbcFallback('jdbc_connections_max', matchers),
			active: ({matchers}) => jdbcFallback('jdbc_connections_active', matchers),
		},
	},
];

/**
 * A family's usage timer as the recognizer reads it (names, alternatives and units in one place):
 * connections given back per second and seconds held per second, for the sizing advice.
 */
function usageTimer(id: string): Pick<AlertFamily['fields'], 'servedRate' | 'holdSecondsRate'> {
	const {servedTotal, holdSecondsTotal} = RECOGNIZERS.find(recognizer => recognizer.id === id)!.fields;
	return {
		servedRate: ({matchers, window}) => timerRate(servedTotal!, matchers, window),
		holdSecondsRate: ({matchers, window}) => timerRate(holdSecondsTotal!, matchers, window),
	};
}

/** The rule file records a usage timer (served and hold time) for some family: the sizing advice can be said. */
export function hasAdvice(fields: ReadonlySet<PoolField>): boolean {
	return fields.has('servedRate') && fields.has('holdSecondsRate');
}

/** node-postgres exporter: `host/database` when both labels are set, else the first of database, host, pool. */
function pgPoolKeyed(name: string, matchers: Matchers): string {
	return [
		`label_join(${selector(name, matchers, 'host!=""', 'database!=""')}, "lifeguard_pool", "/", "host", "database")`,
		firstLabel(selector(name, matchers, 'host=""'), 'lifeguard_pool', ['database', 'pool']),
		firstLabel(selector(name, matchers, 'host!=""', 'database=""'), 'lifeguard_pool', ['host']),
	].join(' or ');
}

/** Connections in use: the `used` state of the count gauge, whichever state label the SDK writes. */
function otelUsed(matchers: Matchers): string {
	return ['db_client_connection_count', 'db_client_connections_usage']
		.flatMap(name => [
			`sum without (db_client_connection_state) (${selector(name, matchers, 'db_client_connection_state="used"')})`,
			`sum without (state) (${selector(name, matchers, 'state="used"', 'db_client_connection_state=""')})`,
		])
		.join(' or ');
}

/** A pool-side series of the community exporter, as the many side of a join on its database. */
const communityPools = (matchers: Matchers) => `0 * ${selector('pgbouncer_pools_client_waiting_connections', matchers, ...PGBOUNCER_POOL)}`;

/** SHOW DATABASES' pool_size, keyed by the PgBouncer database name (`name`), joined onto its pools. */
function communityPoolSize(matchers: Matchers): string {
	const sizes = `max without (${pgbouncerDatabaseLabels}) (label_replace(${selector('pgbouncer_databases_pool_size', matchers)}, "database", "$1", "name", "(.+)"))`;
	return `${communityPools(matchers)} + ignoring (user) group_left () ${sizes}`;
}

/**
 * Debian's exporter labels pool_size by the *server* database. Same name as the pool's database: that
 * row. Otherwise known only when every server database but the admin one has one size; else no max.
 */
function debianPoolSize(matchers: Matchers): string {
	const pools = `0 * ${selector('pgbouncer_waiting_clients', matchers, ...PGBOUNCER_POOL)}`;
	const sizes = selector('pgbouncer_pool_size', matchers, 'database!="pgbouncer"');
	const named = `${pools} + ignoring (user) group_left () ${sizes}`;
	const distinct = `count without (lifeguard_size) (count_values without (database) ("lifeguard_size", ${sizes}))`;
	const only = `(max without (database) (${sizes}) and (${distinct} == 1))`;
	return `(${named}) or (${pools} + ignoring (user, database) group_left () ${only})`;
}

/** Every gauge of the other families (from the recognizer table): a target with one of them is read through it. */
const otherFamilyGauges = () => familyNames().filter(family => family.id !== 'jdbc').flatMap(family => family.gauges);

/** jdbc_* only where the same target (job, instance) exposes no other family, as the recognizer's fallback. */
function jdbcFallback(name: string, matchers: Matchers): string {
	return `${selector(name, matchers)} unless on (job, instance) {${[`__name__=~"${otherFamilyGauges().join('|')}"`, matchers].filter(Boolean).join(',')}}`;
}
