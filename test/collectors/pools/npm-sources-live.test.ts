// The npm pool exporters, live: a real pg.Pool (max 2) with 8 slow queries, its exporter serving on
// loopback, read by lifeguard's own HTTP collector, as a user would point --pool at it.
import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';
import type {PoolMetrics, PoolReading} from '../../../source/readings/types.js';
import {parsePoolSpec} from '../../../source/connection/pool-endpoint.js';
import {createPoolCollector, type PoolCollector} from '../../../source/collectors/pools/create-collector.js';
import {externalServer, pollUntil, startEmbeddedPostgres, type TestServer} from '../../helpers/postgres.js';
import {CONCURRENT_QUERIES, POOL_MAX, startNodePostgresExporter, startOtelPg, type RunningSource} from './sources/node-sources.js';

let database: TestServer | undefined;
const running: RunningSource[] = [];
const collectors: PoolCollector[] = [];

before(async () => {
	database = externalServer() ?? (await startEmbeddedPostgres());
});

after(async () => {
	await Promise.all(collectors.splice(0).map(async collector => collector.close()));
	await Promise.all(running.splice(0).map(async source => source.stop()));
	await database?.stop();
});

const onlyPool = (reading: PoolReading): PoolMetrics | undefined => (reading.ok && reading.pools.length === 1 ? reading.pools[0] : undefined);

async function saturatedReading(source: RunningSource, spec: string): Promise<PoolMetrics> {
	const collector = createPoolCollector(parsePoolSpec(spec));
	collectors.push(collector);
	const load = source.saturate(1.5);
	try {
		return await pollUntil(
			async () => {
				const pool = onlyPool(await collector.collect(2000));
				return pool?.active === POOL_MAX && pool.waiting === CONCURRENT_QUERIES - POOL_MAX ? pool : undefined;
			},
			{timeoutMs: 10_000, everyMs: 50, what: `${source.library} to show ${POOL_MAX} busy and ${CONCURRENT_QUERIES - POOL_MAX} waiting`},
		);
	} finally {
		await load;
	}
}

test('node-postgres-prometheus-exporter + prom-client, live: max 2, 2 busy, 6 waiting', async () => {
	assert.ok(database);
	const source = await startNodePostgresExporter(database.url);
	running.push(source);
	const pool = await saturatedReading(source, `api=${source.metricsUrl}`);
	assert.deepEqual(pool, {
		label: `${database.host}:${database.port}/${new URL(database.url).pathname.slice(1) || 'postgres'}`,
		max: 2,
		open: 2,
		active: 2,
		idle: 0,
		waiting: 6,
		oldestWaitSeconds: null,
		timeoutsTotal: null,
		waitsTotal: null,
		waitSecondsTotal: null,
	});
	// The queries are over: scrape-time gauges show the queue gone
	const collector = createPoolCollector(parsePoolSpec(`api=${source.metricsUrl}`));
	collectors.push(collector);
	await pollUntil(async () => onlyPool(await collector.collect(2000))?.waiting === 0, {what: 'the queue to drain'});
});

test('@opentelemetry/instrumentation-pg + exporter-prometheus, live: max 2, 2 busy, 6 waiting', async () => {
	assert.ok(database);
	const source = await startOtelPg(database.url);
	running.push(source);
	const pool = await saturatedReading(source, `api=prom+${source.metricsUrl}`);
	assert.equal(pool.max, 2);
	assert.equal(pool.open, 2);
	assert.equal(pool.idle, 0);
	assert.equal(pool.timeoutsTotal, null, 'instrumentation-pg has no timeout counter');
});
