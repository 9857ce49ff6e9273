// A real PgBouncer (session mode, pool_size 2) in front of the embedded PostgreSQL.
import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type {PoolMetrics, PoolReading} from '../../../source/readings/types.js';
import {parsePoolSpec} from '../../../source/connection/pool-endpoint.js';
import {createPoolCollector, type PoolCollector} from '../../../source/collectors/pools/create-collector.js';
import {effectivePoolSize, poolsFromShowPools} from '../../../source/collectors/pools/pgbouncer-collector.js';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../../helpers/postgres.js';
import {PGBOUNCER_MISSING, pgbouncerBinary, startPgBouncer, type TestPgBouncer} from '../../helpers/pgbouncer.js';

const hasPgBouncer = pgbouncerBinary() !== null;
let database: TestServer | undefined;
let bouncer: TestPgBouncer | undefined;
const clients: pg.Client[] = [];
const collectors: PoolCollector[] = [];

before(async () => {
	if (!hasPgBouncer) {
		return;
	}

	database = await startEmbeddedPostgres();
	bouncer = await startPgBouncer({backend: database, authType: 'md5', poolSize: 2, databasesWithPoolSize: {reports: 3}});
});

after(async () => {
	await Promise.all(collectors.splice(0).map(async collector => collector.close()));
	await Promise.all(clients.splice(0).map(async client => client.end().catch(() => undefined)));
	await bouncer?.stop();
	await database?.stop();
});

async function openClient(url: string): Promise<pg.Client> {
	const client = new pg.Client({connectionString: url});
	client.on('error', () => undefined);
	clients.push(client);
	await client.connect();
	return client;
}

function collectorFor(spec: string): PoolCollector {
	const collector = createPoolCollector(parsePoolSpec(spec));
	collectors.push(collector);
	return collector;
}

function poolOf(reading: PoolReading, label: string): PoolMetrics | undefined {
	return reading.ok ? reading.pools.find(pool => pool.label === label) : undefined;
}

test('waiting clients, oldest wait, pool sizes from SHOW DATABASES / SHOW CONFIG', async t => {
	if (!hasPgBouncer) {
		t.skip(PGBOUNCER_MISSING);
		return;
	}

	assert.ok(bouncer);
	// Two clients take both server connections (session mode holds them), two more queue.
	for (let i = 0; i < 2; i++) {
		const client = await openClient(bouncer.appUrl());
		await client.query('select 1');
	}

	for (let i = 0; i < 2; i++) {
		const client = await openClient(bouncer.appUrl());
		client.query('select 1').catch(() => undefined); // waits for a server until the test ends
	}

	const reporting = await openClient(bouncer.appUrl('reports'));
	await reporting.query('select 1');

	const collector = collectorFor(`bouncer=${bouncer.adminUrl()}`);
	const reading = await pollUntil(
		async () => {
			const current = await collector.collect(2000);
			const app = poolOf(current, 'app/postgres');
			return app && app.waiting === 2 && (app.oldestWaitSeconds ?? 0) > 0 ? current : undefined;
		},
		{what: 'two waiting clients with a measurable wait'},
	);
	assert.ok(reading.ok, JSON.stringify(reading));
	assert.equal(reading.format, 'pgbouncer');
	assert.deepEqual(
		reading.pools.map(pool => pool.label),
		['app/postgres', 'reports/postgres'],
		'one pool per database/user, the admin database left out',
	);
	const app = poolOf(reading, 'app/postgres')!;
	assert.deepEqual({...app, oldestWaitSeconds: null}, {
		label: 'app/postgres',
		max: 2, // default_pool_size
		open: 2,
		active: 2,
		idle: 0,
		waiting: 2,
		oldestWaitSeconds: null,
		timeoutsTotal: null,
		waitsTotal: null,
		waitSecondsTotal: null,
		// Who waits, from SHOW CLIENTS: these clients send no application_name, so by address.
		waitingClients: {groups: [{name: '127.0.0.1', by: 'address', clients: 2}], omittedClients: 0},
	});
	assert.ok(app.oldestWaitSeconds! > 0 && app.oldestWaitSeconds! < 30, `oldest wait ${app.oldestWaitSeconds}`);
	assert.deepEqual(poolOf(reading, 'reports/postgres'), {
		label: 'reports/postgres',
		max: 3, // the database's own pool_size
		open: 1,
		active: 1,
		idle: 0,
		waiting: 0,
		oldestWaitSeconds: 0,
		timeoutsTotal: null,
		waitsTotal: null,
		waitSecondsTotal: null,
	});
});

test('a wrong admin password is one masked line', async t => {
	if (!hasPgBouncer) {
		t.skip(PGBOUNCER_MISSING);
		return;
	}

	assert.ok(bouncer);
	const collector = collectorFor(bouncer.adminUrl('wrong-secret-pw'));
	const reading = await collector.collect(2000);
	assert.deepEqual(reading, {ok: false, error: 'pgbouncer: password authentication failed for user "stats"'});
	assert.ok(!JSON.stringify(reading).includes('wrong-secret-pw'));
});

test('a paused PgBouncer times out on time, and the collector reconnects after a restart', async t => {
	if (!hasPgBouncer) {
		t.skip(PGBOUNCER_MISSING);
		return;
	}

	assert.ok(bouncer);
	const collector = collectorFor(bouncer.adminUrl());
	assert.equal((await collector.collect(2000)).ok, true);

	const pid = bouncer.pid()!;
	process.kill(pid, 'SIGSTOP');
	try {
		const started = performance.now();
		const reading = await collector.collect(500);
		const elapsedMs = performance.now() - started;
		assert.deepEqual(reading, {ok: false, error: 'pgbouncer: timed out after 500 ms'});
		assert.ok(elapsedMs < 800, `${elapsedMs} ms`);
	} finally {
		process.kill(pid, 'SIGCONT');
	}

	await bouncer.restart();
	const reading = await pollUntil(
		async () => {
			const current = await collector.collect(2000);
			return current.ok ? current : undefined;
		},
		{what: 'a good reading after the restart'},
	);
	assert.equal(reading.format, 'pgbouncer');
});

test('refused connection', async t => {
	if (!hasPgBouncer) {
		t.skip(PGBOUNCER_MISSING);
		return;
	}

	const {freePort} = await import('../../helpers/postgres.js');
	const collector = collectorFor(`pgbouncer://stats:pw-hidden@127.0.0.1:${await freePort()}`);
	assert.deepEqual(await collector.collect(2000), {ok: false, error: 'pgbouncer: connection refused'});
});

test('SHOW POOLS mapping across versions (column names, not positions)', () => {
	const sizes = {byDatabase: new Map([['app', 20], ['auto', -1]]), byUser: new Map([['batch', 5]]), defaultPoolSize: 10};
	// 1.15: no cancel columns; 1.24: cancel columns and load_balance_hosts; int8 arrives as string
	const rows = [
		{database: 'pgbouncer', user: 'pgbouncer', cl_active: 1, cl_waiting: 0, sv_active: 0, sv_idle: 0, sv_used: 0, sv_tested: 0, sv_login: 0, maxwait: 0, maxwait_us: 0, pool_mode: 'statement'},
		{database: 'app', user: 'web', cl_active: 40, cl_waiting: 12, sv_active: 18, sv_idle: 0, sv_used: 1, sv_tested: 0, sv_login: 1, maxwait: 3, maxwait_us: 250_000, pool_mode: 'transaction'},
		{
			database: 'app',
			user: 'batch',
			cl_active: 2,
			cl_waiting: 0,
			cl_active_cancel_req: 0,
			cl_waiting_cancel_req: 0,
			sv_active: '2',
			sv_active_cancel: 0,
			sv_being_canceled: 0,
			sv_idle: 3,
			sv_used: 0,
			sv_tested: 0,
			sv_login: 0,
			maxwait: 0,
			maxwait_us: 0,
			pool_mode: 'session',
			load_balance_hosts: null,
		},
		{database: 'auto', user: 'web', cl_waiting: 1, sv_active: 0, maxwait: 7},
	];
	assert.deepEqual(poolsFromShowPools(rows, sizes), [
		{label: 'app/web', max: 20, open: 20, active: 18, idle: 1, waiting: 12, oldestWaitSeconds: 3.25, timeoutsTotal: null, waitsTotal: null, waitSecondsTotal: null},
		{label: 'app/batch', max: 5, open: 5, active: 2, idle: 3, waiting: 0, oldestWaitSeconds: 0, timeoutsTotal: null, waitsTotal: null, waitSecondsTotal: null},
		{label: 'auto/web', max: 10, open: 0, active: 0, idle: null, waiting: 1, oldestWaitSeconds: 7, timeoutsTotal: null, waitsTotal: null, waitSecondsTotal: null},
	]);
	assert.equal(poolsFromShowPools(rows, null)[0]?.max, null);
	assert.equal(effectivePoolSize({byDatabase: new Map(), byUser: new Map(), defaultPoolSize: null}, 'x', 'y'), null);
});
