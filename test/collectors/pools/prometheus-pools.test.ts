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
		pool({label: 'HikariPool-1', max: 10, open: 10, active: 10, idle: 0, waiting: 37, timeoutsTotal: 42}),
		pool({label: 'reporting', max: 4, open: 4, active: 1, idle: 3, waiting: 0, timeoutsTotal: 0}),
	]);
});

test('HikariCP simpleclient collector', () => {
	assert.deepEqual(fixturePools('hikari-simpleclient.prom'), [
		pool({label: 'billing', max: 20, open: 7, active: 5, idle: 2, waiting: 0, timeoutsTotal: 3}),
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

test('Go database/sql: waiting not exposed, max 0 means unlimited', () => {
	assert.deepEqual(fixturePools('go-sql.prom'), [
		pool({label: 'inventory', max: 25, open: 25, active: 25, idle: 0, waiting: null}),
		pool({label: 'sessions', max: null, open: 4, active: 1, idle: 3, waiting: null}),
	]);
});

test('pgxpool (IBM collector): no waiting, canceled acquires as timeouts', () => {
	assert.deepEqual(fixturePools('pgxpool.prom'), [
		pool({label: 'ledger', max: 16, open: 16, active: 16, idle: 0, waiting: null, timeoutsTotal: 7}),
	]);
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
