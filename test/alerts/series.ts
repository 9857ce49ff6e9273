// Input series for promtool unit tests, in the shapes the real exporters emit (names and labels as in
// test/fixtures/pools/ and the corpus): one pool per family at given numbers, and postgres_exporter's
// server numbers. Values use promtool's notation: `5x8` is 5 for nine samples, `0+1x8` counts up.
import {type InputSeries, series} from './promtool.js';

export const APP = {job: 'orders', instance: '10.0.0.7:8080'};
export const DB = {job: 'postgres', instance: '10.0.0.5:9187', server: '10.0.0.5:5432'};

/** A value held for `samples` samples. */
export const held = (value: number, samples = 12) => `${value}x${samples - 1}`;

/** postgres_exporter 0.11 (Debian's): sessions by database and state, settings with a `server` label. */
export function postgresExporter(connections: string, options: {maxConnections?: number; superuserReserved?: number; reserved?: number} = {}): InputSeries[] {
	const result: InputSeries[] = [
		// Every state of every database is exported; the idle ones hold the rest of the sessions.
		{series: series('pg_stat_activity_count', {...DB, datname: 'app', state: 'active'}), values: connections},
		{series: series('pg_stat_activity_count', {...DB, datname: 'app', state: 'idle in transaction'}), values: held(0)},
		{series: series('pg_stat_activity_count', {...DB, datname: 'postgres', state: 'idle'}), values: held(0)},
		{series: series('pg_settings_max_connections', DB), values: held(options.maxConnections ?? 100)},
		{series: series('pg_settings_superuser_reserved_connections', DB), values: held(options.superuserReserved ?? 3)},
	];
	if (options.reserved !== undefined) {
		result.push({series: series('pg_settings_reserved_connections', DB), values: held(options.reserved)});
	}

	return result;
}

/** HikariCP through Micrometer (Spring Boot), as micrometer-hikari.prom. */
export function micrometerHikari(pool: string, numbers: {max: string; active: string; pending: string; timeouts?: string; usage?: Usage}, labels: Record<string, string> = APP): InputSeries[] {
	const own = {...labels, application: 'orders', pool};
	return [
		{series: series('hikaricp_connections_max', own), values: numbers.max},
		{series: series('hikaricp_connections_active', own), values: numbers.active},
		{series: series('hikaricp_connections_pending', own), values: numbers.pending},
		{series: series('hikaricp_connections_idle', own), values: held(0)},
		{series: series('hikaricp_connections_timeout_total', own), values: numbers.timeouts ?? held(0)},
		...(numbers.usage ? [
			{series: series('hikaricp_connections_usage_seconds_count', own), values: `0+${numbers.usage.perSecond * 15}x11`},
			{series: series('hikaricp_connections_usage_seconds_sum', own), values: `0+${numbers.usage.perSecond * numbers.usage.holdSeconds * 15}x11`},
		] : []),
	];
}

/** A usage timer at a steady rate (scraped every 15 s): connections given back per second, each held this long. */
export type Usage = {perSecond: number; holdSeconds: number};

/** One saturated pool (or a quiet one) per family, in that family's real names and labels. */
export type FamilyCase = {id: string; pool: string; saturated: InputSeries[]; quiet: InputSeries[]; expected: {max: number | null; active: number; waiting: number | null}};

export function familyCases(): FamilyCase[] {
	return [
		{id: 'hikaricp', pool: 'HikariPool-1', saturated: micrometerHikari('HikariPool-1', {max: held(5), active: held(5), pending: held(150)}), quiet: micrometerHikari('HikariPool-1', {max: held(5), active: held(2), pending: held(0)}), expected: {max: 5, active: 5, waiting: 150}},
		{id: 'hikaricp', pool: 'billing', saturated: hikariSimpleclient(5, 150), quiet: hikariSimpleclient(2, 0), expected: {max: 5, active: 5, waiting: 150}},
		{id: 'pg_pool', pool: 'db.internal:5432/api', saturated: nodePostgres(5, 150), quiet: nodePostgres(2, 0), expected: {max: 5, active: 5, waiting: 150}},
		{id: 'otel', pool: '10.0.3.7:5432/checkout', saturated: otelNew(5, 150), quiet: otelNew(2, 0), expected: {max: 5, active: 5, waiting: 150}},
		{id: 'otel', pool: 'HikariPool-1', saturated: otelOld(5, 150), quiet: otelOld(2, 0), expected: {max: 5, active: 5, waiting: 150}},
		{id: 'go_sql', pool: 'inventory', saturated: goSql(5, '0+3x11'), quiet: goSql(2, held(0)), expected: {max: 5, active: 5, waiting: null}},
		{id: 'pgxpool', pool: 'ledger', saturated: pgxpool(5, '0+3x11'), quiet: pgxpool(2, held(7)), expected: {max: 5, active: 5, waiting: null}},
		{id: 'pgbouncer_exporter', pool: 'app/web', saturated: pgbouncerCommunity(5, 150), quiet: pgbouncerCommunity(2, 0), expected: {max: 5, active: 5, waiting: 150}},
		{id: 'pgbouncer_exporter_debian', pool: 'app/postgres', saturated: pgbouncerDebian(5, 150), quiet: pgbouncerDebian(2, 0), expected: {max: 5, active: 5, waiting: 150}},
	];
}

/** HikariCP's own simpleclient collector (hikaricp_*_connections), pool `billing`; its usage summary in milliseconds. */
export function hikariSimpleclient(active: number, pending: number, usage?: Usage): InputSeries[] {
	const own = {...APP, pool: 'billing'};
	return [
		{series: series('hikaricp_max_connections', own), values: held(5)},
		{series: series('hikaricp_active_connections', own), values: held(active)},
		{series: series('hikaricp_pending_threads', own), values: held(pending)},
		{series: series('hikaricp_connection_timeout_total', own), values: held(0)},
		...(usage ? [
			{series: series('hikaricp_connection_usage_millis_count', own), values: `0+${usage.perSecond * 15}x11`},
			{series: series('hikaricp_connection_usage_millis_sum', own), values: `0+${usage.perSecond * usage.holdSeconds * 1000 * 15}x11`},
		] : []),
	];
}

function nodePostgres(active: number, waiting: number): InputSeries[] {
	const own = {...APP, host: 'db.internal:5432', database: 'api'};
	return [
		{series: series('pg_pool_max', own), values: held(5)},
		{series: series('pg_pool_size', own), values: held(5)},
		{series: series('pg_pool_active_connections', own), values: held(active)},
		{series: series('pg_pool_idle_connections', own), values: held(5 - active)},
		{series: series('pg_pool_waiting_connections', own), values: held(waiting)},
	];
}

function otelNew(used: number, pending: number): InputSeries[] {
	const own = {...APP, db_client_connection_pool_name: '10.0.3.7:5432/checkout', otel_scope_name: '@opentelemetry/instrumentation-pg', otel_scope_version: '0.76.0'};
	return [
		{series: series('db_client_connection_count', {...own, db_client_connection_state: 'used'}), values: held(used)},
		{series: series('db_client_connection_count', {...own, db_client_connection_state: 'idle'}), values: held(5 - used)},
		{series: series('db_client_connection_pending_requests', own), values: held(pending)},
		{series: series('db_client_connection_max', own), values: held(5)},
	];
}

function otelOld(used: number, pending: number): InputSeries[] {
	const own = {...APP, pool_name: 'HikariPool-1'};
	return [
		{series: series('db_client_connections_usage', {...own, state: 'used'}), values: held(used)},
		{series: series('db_client_connections_usage', {...own, state: 'idle'}), values: held(5 - used)},
		{series: series('db_client_connections_max', own), values: held(5)},
		{series: series('db_client_connections_pending_requests', own), values: held(pending)},
		{series: series('db_client_connections_timeouts_total', own), values: held(0)},
	];
}

/** client_golang's DBStats collector: no waiting gauge, wait_count counts waits as they start. */
export function goSql(inUse: number, waitCount: string): InputSeries[] {
	const own = {...APP, db_name: 'inventory'};
	return [
		{series: series('go_sql_max_open_connections', own), values: held(5)},
		{series: series('go_sql_open_connections', own), values: held(5)},
		{series: series('go_sql_in_use_connections', own), values: held(inUse)},
		{series: series('go_sql_idle_connections', own), values: held(5 - inUse)},
		{series: series('go_sql_wait_count_total', own), values: waitCount},
		{series: series('go_sql_wait_duration_seconds_total', own), values: waitCount === held(0) ? held(0) : '0+2x11'},
	];
}

/** IBM/pgxpoolprometheus: counters without `_total`; empty acquires count waits. */
function pgxpool(acquired: number, emptyAcquire: string): InputSeries[] {
	const own = {...APP, db: 'ledger'};
	return [
		{series: series('pgxpool_max_conns', own), values: held(5)},
		{series: series('pgxpool_total_conns', own), values: held(5)},
		{series: series('pgxpool_acquired_conns', own), values: held(acquired)},
		{series: series('pgxpool_idle_conns', own), values: held(5 - acquired)},
		{series: series('pgxpool_canceled_acquire_count', own), values: held(7)},
		{series: series('pgxpool_empty_acquire', own), values: emptyAcquire},
	];
}

/** prometheus-community/pgbouncer_exporter: pools by database/user, pool_size by the database's `name`. */
function pgbouncerCommunity(active: number, waiting: number): InputSeries[] {
	const exporter = {job: 'pgbouncer', instance: '10.0.0.6:9127'};
	const pool = {...exporter, database: 'app', user: 'web'};
	const admin = {...exporter, database: 'pgbouncer', user: 'pgbouncer'};
	return [
		{series: series('pgbouncer_databases_pool_size', {...exporter, database: 'app', force_user: '', host: '10.0.0.5', name: 'app', pool_mode: 'transaction', port: '5432'}), values: held(5)},
		{series: series('pgbouncer_databases_pool_size', {...exporter, database: 'pgbouncer', force_user: 'pgbouncer', host: '', name: 'pgbouncer', pool_mode: 'statement', port: '6432'}), values: held(2)},
		{series: series('pgbouncer_pools_server_active_connections', pool), values: held(active)},
		{series: series('pgbouncer_pools_server_idle_connections', pool), values: held(0)},
		{series: series('pgbouncer_pools_client_waiting_connections', pool), values: held(waiting)},
		{series: series('pgbouncer_pools_client_maxwait_seconds', pool), values: held(waiting > 0 ? 9 : 0)},
		{series: series('pgbouncer_pools_server_active_connections', admin), values: held(0)},
		{series: series('pgbouncer_pools_client_waiting_connections', admin), values: held(0)},
	];
}

/** Debian's exporter: pool_size by the *server* database (here `postgres`), pools by PgBouncer database `app`. */
function pgbouncerDebian(active: number, waiting: number): InputSeries[] {
	const exporter = {job: 'pgbouncer', instance: '10.0.0.6:9100'};
	return [
		{series: series('pgbouncer_active_clients', {...exporter, database: 'app', user: 'postgres'}), values: held(active)},
		{series: series('pgbouncer_waiting_clients', {...exporter, database: 'app', user: 'postgres'}), values: held(waiting)},
		{series: series('pgbouncer_active_clients', {...exporter, database: 'pgbouncer', user: 'pgbouncer'}), values: held(2)},
		{series: series('pgbouncer_waiting_clients', {...exporter, database: 'pgbouncer', user: 'pgbouncer'}), values: held(0)},
		{series: series('pgbouncer_pool_size', {...exporter, database: 'postgres'}), values: held(5)},
		{series: series('pgbouncer_pool_size', {...exporter, database: 'pgbouncer'}), values: held(2)},
	];
}

/** Agroal (Quarkus): no max, so a queue there is "may be saturated". */
export function agroal(active: number, awaiting: number): InputSeries[] {
	const own = {...APP, datasource: 'default'};
	return [
		{series: series('agroal_active_count', own), values: held(active)},
		{series: series('agroal_available_count', own), values: held(0)},
		{series: series('agroal_awaiting_count', own), values: held(awaiting)},
	];
}

/** Spring's generic jdbc_connections_*, alone or beside the hikaricp_* of the same target. */
export function jdbc(active: number, max: number): InputSeries[] {
	const own = {...APP, application: 'orders', name: 'dataSource'};
	return [
		{series: series('jdbc_connections_active', own), values: held(active)},
		{series: series('jdbc_connections_idle', own), values: held(max - active)},
		{series: series('jdbc_connections_max', own), values: held(max)},
	];
}
