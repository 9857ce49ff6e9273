// The corpus: payloads recorded from real pool libraries by scripts/fixtures/*, each pool max 2 with
// 8 concurrent slow queries (2 busy, 6 waiting). Every one is read through lifeguard's own path
// (content type → parser → recogniser) and must give the pool's real numbers and, where the source
// has a waiting gauge, the saturation finding.
import {readdirSync, readFileSync} from 'node:fs';
import {test} from 'node:test';
import assert from 'node:assert/strict';
import type {PoolMetrics, PoolReading} from '../../../source/readings/types.js';
import {interpret} from '../../../source/collectors/pools/http-collector.js';
import {poolsFromShowPools, sizesFromRows} from '../../../source/collectors/pools/pgbouncer-collector.js';
import type {Row} from '../../../source/collectors/pools/pgbouncer-rows.js';
import {diagnose} from '../../../source/judge/diagnosis.js';
import {derivePicture} from '../../../source/judge/picture.js';
import {subjectKey} from '../../../source/judge/subject.js';
import {baseTimeMs, defaultThresholds, exposedPool, observation, poolStatus} from '../../helpers/snapshots.js';

const corpus = new URL('../../fixtures/pools/corpus/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, corpus), 'utf8');
const CONTENT_TYPES: Record<string, string> = {
	prom: 'text/plain; version=0.0.4; charset=utf-8',
	om: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
	json: 'application/json',
};

function readFixture(name: string): PoolReading {
	const extension = name.slice(name.lastIndexOf('.') + 1);
	return interpret(read(name), CONTENT_TYPES[extension]!, null);
}

function onlyPool(reading: PoolReading): PoolMetrics {
	assert.ok(reading.ok, reading.ok ? '' : reading.error);
	assert.equal(reading.pools.length, 1, `pools: ${JSON.stringify(reading.pools)}`);
	return reading.pools[0]!;
}

/** The saturation finding for a pool reading, on a server with room. */
function findingsFor(metrics: PoolMetrics) {
	const pools = [poolStatus({name: 'app', metrics})];
	return diagnose([observation({pools})], defaultThresholds).filter(finding => subjectKey(finding.subject) === 'pool app');
}

const expected: Record<string, PoolMetrics> = {
	'node-postgres-prometheus-exporter-1.4.0+prom-client-15.1.3.prom': exposedPool({label: '127.0.0.1:5432/postgres', max: 2, open: 2, active: 2, idle: 0, waiting: 6}),
	'node-postgres-prometheus-exporter-1.4.0+prom-client-15.1.3.om': exposedPool({label: '127.0.0.1:5432/postgres', max: 2, open: 2, active: 2, idle: 0, waiting: 6}),
	// instrumentation-pg: used + idle from its event-driven counters; no timeouts, no wait counters
	'opentelemetry-instrumentation-pg-0.76.0+exporter-prometheus-0.223.0.prom': exposedPool({label: '127.0.0.1:5432/postgres', max: 2, open: 2, active: 2, idle: 0, waiting: 6}),
	'prometheus-pgbouncer-exporter-1.7+pgbouncer-1.18.0.prom': exposedPool({label: 'app/postgres', max: 2, active: 2, waiting: 6}),
	// get_stats() leaves out zero-valued keys; requests_queued counts the 6 waits as they start
	'psycopg_pool-3.1.5.json': exposedPool({label: null, max: 2, open: 2, active: 2, idle: 0, waiting: 6, timeoutsTotal: 0, waitsTotal: 6, waitSecondsTotal: 0, servedTotal: 0, holdSecondsTotal: 0}),
	'hikaricp-2.7.9+prometheus-collector-format.prom': exposedPool({label: 'HikariPool-1', max: 2, open: 2, active: 2, idle: 0, waiting: 6, timeoutsTotal: 0}),
};

for (const [name, metrics] of Object.entries(expected)) {
	test(`corpus ${name}: 2/2 busy, 6 waiting, saturated`, () => {
		const pool = onlyPool(readFixture(name));
		assert.deepEqual(pool, metrics);
		assert.deepEqual(
			findingsFor(pool).map(finding => [finding.code, finding.level]),
			[['pool-saturated', 'critical']],
		);
	});
}

test('corpus go-sql+client_golang: no waiting gauge, the wait counters instead, over two polls', () => {
	const files = readdirSync(corpus).filter(file => file.startsWith('go-sql+client_golang-'));
	const first = files.find(file => !file.endsWith('.poll2.prom'));
	const second = files.find(file => file.endsWith('.poll2.prom'));
	assert.ok(first && second, `go-sql fixtures: ${files.join(', ')}`);
	const [pool, later] = [onlyPool(readFixture(first)), onlyPool(readFixture(second))];
	for (const reading of [pool, later]) {
		assert.deepEqual({...reading, waitSecondsTotal: null}, exposedPool({label: 'app', max: 2, open: 2, active: 2, idle: 0, waitsTotal: 6}));
	}

	// WaitCount counts a wait when it starts (all 6 at once here); WaitDuration is credited as each
	// wait ends: 2 waiters of about one pg_sleep(1) each by the first poll, more by the second.
	assert.ok(pool.waitSecondsTotal! > 1 && pool.waitSecondsTotal! < 10, `wait seconds ${pool.waitSecondsTotal}`);
	assert.ok(later.waitSecondsTotal! > pool.waitSecondsTotal!, `${later.waitSecondsTotal} after ${pool.waitSecondsTotal}`);

	// Read two seconds apart as the live screen would: the pool at its max whose wait time grows is
	// saturated, said with the rate, though no new wait started between the polls.
	const sampled = (metrics: PoolMetrics, atMs: number) => observation({atMs, pools: [poolStatus({name: 'go-svc', metrics, sampledAtMs: atMs})]});
	const {picture} = derivePicture([sampled(pool, baseTimeMs), sampled(later, baseTimeMs + 2000)], defaultThresholds, {});
	assert.equal(picture.pools[0]?.level, 'critical');
	assert.equal(picture.findings[0]?.code, 'pool-saturated');
	assert.match(picture.findings[0]!.message, /Pool go-svc is saturated: 2\/2 busy, waits 0\.0\/s, ~2\.0 waiting \(wait time\)/);
});

test('corpus pgbouncer console rows read like the Debian exporter scraped at the same moment', () => {
	const console = JSON.parse(read('pgbouncer-1.18.0-console.json')) as {pools: Row[]; databases: Row[]; config: Row[]};
	const [fromConsole] = poolsFromShowPools(console.pools, sizesFromRows(console.databases, [], console.config));
	assert.ok(fromConsole);
	const fromExporter = onlyPool(readFixture('prometheus-pgbouncer-exporter-1.7+pgbouncer-1.18.0.prom'));
	assert.equal(fromConsole.label, 'app/postgres');
	assert.deepEqual(
		{max: fromConsole.max, active: fromConsole.active, waiting: fromConsole.waiting},
		{max: fromExporter.max, active: fromExporter.active, waiting: fromExporter.waiting},
	);
	assert.deepEqual(findingsFor(fromConsole).map(finding => finding.code), ['pool-saturated']);
});

test('every corpus file has a test above (a new recording must not go unread)', () => {
	const covered = new Set([...Object.keys(expected), 'pgbouncer-1.18.0-console.json', 'hikaricp-2.7.9+actuator-format.json']);
	const files = readdirSync(corpus).filter(file => !file.startsWith('go-sql+') && file !== 'README.md');
	assert.deepEqual(files.filter(file => !covered.has(file)), []);
});
