// Debian's prometheus-pgbouncer-exporter and the admin console, read by lifeguard against ONE real
// PgBouncer (pool_size 2, session mode) with 8 clients running slow queries: the readings must match.
import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';
import type {PoolMetrics, PoolReading} from '../../../source/readings/types.js';
import {parsePoolSpec} from '../../../source/connection/pool-endpoint.js';
import {createPoolCollector, type PoolCollector} from '../../../source/collectors/pools/create-collector.js';
import {externalServer, pollUntil, startEmbeddedPostgres, type TestServer} from '../../helpers/postgres.js';
import {DEBIAN_EXPORTER_MISSING, PGBOUNCER_MISSING, hasDebianExporter, pgbouncerBinary, saturatePgBouncer, startDebianExporter, startPgBouncer, type PgBouncerLoad, type TestExporter, type TestPgBouncer} from '../../helpers/pgbouncer.js';

const missing = pgbouncerBinary() === null ? PGBOUNCER_MISSING : hasDebianExporter() ? null : DEBIAN_EXPORTER_MISSING;
let database: TestServer | undefined;
let bouncer: TestPgBouncer | undefined;
let exporter: TestExporter | undefined;
let load: PgBouncerLoad | undefined;
const collectors: PoolCollector[] = [];

before(async () => {
	if (missing) {
		return;
	}

	database = externalServer() ?? (await startEmbeddedPostgres());
	bouncer = await startPgBouncer({backend: database, poolSize: 2});
	exporter = await startDebianExporter(bouncer);
});

after(async () => {
	await Promise.all(collectors.splice(0).map(async collector => collector.close()));
	await load?.close();
	await exporter?.stop();
	await bouncer?.stop();
	await database?.stop();
});

function collectorFor(spec: string): PoolCollector {
	const collector = createPoolCollector(parsePoolSpec(spec));
	collectors.push(collector);
	return collector;
}

const appPool = (reading: PoolReading): PoolMetrics | undefined => (reading.ok ? reading.pools.find(pool => pool.label === 'app/postgres') : undefined);

test('Debian exporter and console agree on one saturated PgBouncer: max 2, 2 busy, 6 waiting', async t => {
	if (missing) {
		t.skip(missing);
		return;
	}

	assert.ok(bouncer && exporter);
	const viaExporter = collectorFor(`exporter=${exporter.metricsUrl}`);
	const viaConsole = collectorFor(`console=${bouncer.adminUrl()}`);

	load = saturatePgBouncer(bouncer, {clients: 8, seconds: 4});
	const readings = await pollUntil(
		async () => {
			const [fromExporter, fromConsole] = await Promise.all([viaExporter.collect(3000), viaConsole.collect(3000)]);
			const exported = appPool(fromExporter);
			const shown = appPool(fromConsole);
			return exported?.waiting === 6 && shown?.waiting === 6 && exported.active === 2 && shown.active === 2 ? {exported, shown} : undefined;
		},
		{timeoutMs: 15_000, everyMs: 50, what: 'both sources to show 2 busy and 6 waiting'},
	);

	const {exported, shown} = readings;
	// The fields both sources expose are equal; the rest the exporter does not carry (null, never 0).
	assert.deepEqual(
		{max: exported.max, active: exported.active, waiting: exported.waiting},
		{max: shown.max, active: shown.active, waiting: shown.waiting},
	);
	assert.deepEqual(exported, {
		label: 'app/postgres',
		max: 2,
		open: null,
		active: 2,
		idle: null,
		waiting: 6,
		oldestWaitSeconds: null,
		timeoutsTotal: null,
		waitsTotal: null,
		waitSecondsTotal: null,
	});
	assert.equal(shown.max, 2);

	await load.close();
	// Once the clients are gone nobody waits, in either source.
	await pollUntil(
		async () => {
			const [fromExporter, fromConsole] = await Promise.all([viaExporter.collect(3000), viaConsole.collect(3000)]);
			return (appPool(fromExporter)?.waiting ?? 0) === 0 && (appPool(fromConsole)?.waiting ?? 0) === 0;
		},
		{timeoutMs: 15_000, what: 'the queue to drain in both sources'},
	);
});
