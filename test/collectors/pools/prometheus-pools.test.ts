import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {parsePrometheusText} from '../../../source/collectors/pools/prometheus-text.js';
import {poolsFromExposition} from '../../../source/collectors/pools/prometheus-pools.js';
import {exposedPool} from '../../helpers/snapshots.js';

const poolsOf = (text: string) => poolsFromExposition(parsePrometheusText(text));
const fixturePools = (name: string) => poolsOf(readFileSync(new URL(`../../fixtures/pools/${name}`, import.meta.url), 'utf8'));
const pool = exposedPool;

test('Spring Boot Micrometer HikariCP, two pools; the generic jdbc_* duplicate is left out', () => {
	assert.deepEqual(fixturePools('micrometer-hikari.prom'), [
		pool({label: 'HikariPool-1', max: 10, open: 10, active: 10, idle: 0, waiting: 37, timeoutsTotal: 42, servedTotal: 18_192, holdSecondsTotal: 4410.221}),
		pool({label: 'reporting', max: 4, open: 4, active: 1, idle: 3, waiting: 0, timeoutsTotal: 0}),
	]);
});

test('HikariCP simpleclient collector', () => {
	assert.deepEqual(fixturePools('hikari-simpleclient.prom'), [
		// the usage summary in milliseconds, read in seconds
		pool({label: 'billing', max: 20, open: 7, active: 5, idle: 2, waiting: 0, timeoutsTotal: 3, servedTotal: 90_805, holdSecondsTotal: 401.233}),
	]);
});

test('OpenMetrics HikariCP: counter family `_total` samples', () => {
	assert.deepEqual(fixturePools('openmetrics-exemplars.om'), [
		pool({label: 'HikariPool-1', max: 10, open: 10, active: 8, idle: 2, waiting: 0, timeoutsTotal: 4}),
	]);
});

test('OpenTelemetry semconv: new names from instrumentation-pg, old names from the Java agent', () => {
	assert.deepEqual(fixturePools('otel-semconv.prom'), [
		// instrumentation-pg exposes no max and no timeouts
		pool({label: '10.0.3.7:5432/checkout', open: 10, active: 9, idle: 1, waiting: 14}),
		pool({label: 'HikariPool-1', max: 10, open: 10, active: 8, idle: 2, waiting: 0, timeoutsTotal: 5}),
	]);
});

test('OpenTelemetry use_time histograms as usage counters: new semconv in seconds, old in milliseconds', () => {
	const text = [
		'db_client_connection_max{db_client_connection_pool_name="checkout"} 10',
		'db_client_connection_use_time_seconds_count{db_client_connection_pool_name="checkout"} 400',
		'db_client_connection_use_time_seconds_sum{db_client_connection_pool_name="checkout"} 96.5',
		'db_client_connection_use_time_seconds_bucket{db_client_connection_pool_name="checkout",le="+Inf"} 400',
		'db_client_connections_max{pool_name="HikariPool-1"} 8',
		'db_client_connections_use_time_milliseconds_count{pool_name="HikariPool-1"} 50',
		'db_client_connections_use_time_milliseconds_sum{pool_name="HikariPool-1"} 12500',
	].join('\n');
	assert.deepEqual(poolsOf(text), [
		pool({label: 'HikariPool-1', max: 8, servedTotal: 50, holdSecondsTotal: 12.5}),
		pool({label: 'checkout', max: 10, servedTotal: 400, holdSecondsTotal: 96.5}),
	]);
});

test('Go database/sql: waiting not exposed but wait counters are, max 0 means unlimited', () => {
	assert.deepEqual(fixturePools('go-sql.prom'), [
		pool({label: 'inventory', max: 25, open: 25, active: 25, idle: 0, waiting: null, waitsTotal: 918_273, waitSecondsTotal: 77_211.930_221}),
		pool({label: 'sessions', max: null, open: 4, active: 1, idle: 3, waiting: null, waitsTotal: 0, waitSecondsTotal: 0}),
	]);
});

test('Go database/sql through dlmiddlecote/sqlstats: waited_for / blocked_seconds', () => {
	const text = [
		'go_sql_stats_connections_max_open{db_name="main"} 4',
		'go_sql_stats_connections_in_use{db_name="main"} 4',
		'go_sql_stats_connections_waited_for{db_name="main"} 12',
		'go_sql_stats_connections_blocked_seconds{db_name="main"} 3.5',
	].join('\n');
	assert.deepEqual(poolsOf(text), [pool({label: 'main', max: 4, active: 4, waitsTotal: 12, waitSecondsTotal: 3.5})]);
});

test('pgxpool (IBM collector): no waiting, canceled acquires as timeouts', () => {
	assert.deepEqual(fixturePools('pgxpool.prom'), [
		// acquire_duration_ns covers every acquire, not only the waits: no wait seconds from it
		pool({label: 'ledger', max: 16, open: 16, active: 16, idle: 0, waiting: null, timeoutsTotal: 7, waitsTotal: 40_211}),
	]);
});

test('otelpgx: empty acquires and their wait time in nanoseconds', () => {
	const text = [
		'pgxpool_max_connections{db_client_connection_pool_name="127.0.0.1:5432/app"} 2',
		'pgxpool_acquired_connections{db_client_connection_pool_name="127.0.0.1:5432/app"} 2',
		'pgxpool_empty_acquire_total{db_client_connection_pool_name="127.0.0.1:5432/app"} 6',
		'pgxpool_empty_acquire_wait_time_nanoseconds_total{db_client_connection_pool_name="127.0.0.1:5432/app"} 2.5e9',
	].join('\n');
	assert.deepEqual(poolsOf(text), [pool({label: '127.0.0.1:5432/app', max: 2, active: 2, waitsTotal: 6, waitSecondsTotal: 2.5})]);
});

test('pgxpool (cmackenzie1 collector, pgx_pool_*)', () => {
	const text = [
		'pgx_pool_max_connections{db="main"} 8',
		'pgx_pool_total_connections{db="main"} 6',
		'pgx_pool_acquire_connections{db="main"} 5',
		'pgx_pool_idle_connections{db="main"} 1',
		'pgx_pool_canceled_acquire_count{db="main"} 0',
	].join('\n');
	assert.deepEqual(poolsOf(text), [pool({label: 'main', max: 8, open: 6, active: 5, idle: 1, timeoutsTotal: 0})]);
});

test('pgbouncer_exporter: database/user pools, max from SHOW DATABASES pool_size, admin database skipped', () => {
	assert.deepEqual(fixturePools('pgbouncer-exporter.prom'), [
		pool({label: 'app/web', max: 20, open: 20, active: 18, idle: 0, waiting: 61, oldestWaitSeconds: 9}),
		pool({label: 'app/worker', max: 20, open: 4, active: 2, idle: 2, waiting: 0, oldestWaitSeconds: 0}),
	]);
});

test('pgbouncer_exporter without database metrics: max stays null', () => {
	assert.deepEqual(poolsOf('pgbouncer_pools_client_waiting_connections{database="db",user="u"} 3\n'), [
		pool({label: 'db/u', waiting: 3}),
	]);
});

test('Debian prometheus-pgbouncer-exporter: pool_size joined by server database, admin database skipped', () => {
	const text = [
		'pgbouncer_active_clients{database="pgbouncer",user="stats"} 1.0',
		'pgbouncer_active_clients{database="shop",user="web"} 20.0',
		'pgbouncer_active_clients{database="shop",user="batch"} 3.0',
		'pgbouncer_waiting_clients{database="pgbouncer",user="stats"} 0.0',
		'pgbouncer_waiting_clients{database="shop",user="web"} 6.0',
		'pgbouncer_waiting_clients{database="shop",user="batch"} 0.0',
		'pgbouncer_pool_size{database="shop"} 20.0',
		'pgbouncer_pool_size{database="pgbouncer"} 2.0',
		'pgbouncer_reserve_pool{database="shop"} 0.0',
		'pgbouncer_used_servers 23.0',
	].join('\n');
	assert.deepEqual(poolsOf(text), [
		pool({label: 'shop/batch', max: 20, active: 3, waiting: 0}),
		pool({label: 'shop/web', max: 20, active: 20, waiting: 6}),
	]);
});

test('Debian prometheus-pgbouncer-exporter: a PgBouncer database named unlike its server database', () => {
	const clients = ['pgbouncer_active_clients{database="app",user="u"} 2.0', 'pgbouncer_waiting_clients{database="app",user="u"} 6.0'];
	// One server database: its size is the pool's
	assert.deepEqual(poolsOf([...clients, 'pgbouncer_pool_size{database="postgres"} 2.0', 'pgbouncer_pool_size{database="pgbouncer"} 5.0'].join('\n')), [
		pool({label: 'app/u', max: 2, active: 2, waiting: 6}),
	]);
	// Two server databases of different sizes: which one is unknown, so no max rather than a guess
	assert.deepEqual(poolsOf([...clients, 'pgbouncer_pool_size{database="a"} 2.0', 'pgbouncer_pool_size{database="b"} 5.0'].join('\n')), [
		pool({label: 'app/u', active: 2, waiting: 6}),
	]);
	// Two PgBouncer databases on one server database with different sizes: ambiguous too
	assert.deepEqual(poolsOf([...clients, 'pgbouncer_pool_size{database="app"} 2.0', 'pgbouncer_pool_size{database="app"} 5.0'].join('\n')), [
		pool({label: 'app/u', active: 2, waiting: 6}),
	]);
});

test('node-postgres exporter (CRLF)', () => {
	assert.deepEqual(fixturePools('node-postgres-exporter.prom'), [
		pool({label: 'db.internal:5432/api', max: 10, open: 10, active: 10, idle: 0, waiting: 812}),
	]);
});

test('counters without _total, unlabeled pools, NaN values read as not exposed', () => {
	const text = ['hikaricp_connections_active 3', 'hikaricp_connections_pending NaN', 'hikaricp_connections_timeout 2'].join('\n');
	assert.deepEqual(poolsOf(text), [pool({label: null, active: 3, timeoutsTotal: 2})]);
});

test('Spring jdbc_* alone is used as a fallback', () => {
	const text = ['jdbc_connections_active{name="dataSource"} 2', 'jdbc_connections_idle{name="dataSource"} 3', 'jdbc_connections_max{name="dataSource"} 10'].join('\n');
	assert.deepEqual(poolsOf(text), [pool({label: 'dataSource', max: 10, open: 5, active: 2, idle: 3})]);
});

test('nothing recognised gives no pools', () => {
	assert.deepEqual(poolsOf('process_cpu_seconds_total 12.5\ngo_goroutines 8\n'), []);
	assert.deepEqual(fixturePools('edge-cases.prom'), []);
});
