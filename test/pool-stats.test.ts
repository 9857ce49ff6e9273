// A live pg.Pool against the embedded PostgreSQL, served with poolStatsPayload and read back
// through lifeguard's own JSON collector.
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import {poolStats, poolStatsPayload} from '../source/pool-stats.js';
import {parsePoolSpec} from '../source/connection/pool-endpoint.js';
import {createPoolCollector} from '../source/collectors/pools/create-collector.js';
import {pollUntil, startEmbeddedPostgres, type TestServer} from './helpers/postgres.js';

let database: TestServer | undefined;
let pool: pg.Pool | undefined;
let server: http.Server | undefined;
const held: pg.PoolClient[] = [];
const pending: Array<Promise<pg.PoolClient | undefined>> = [];

before(async () => {
	database = await startEmbeddedPostgres();
	pool = new pg.Pool({connectionString: database.url, max: 2});
	pool.on('error', () => undefined);
	const served = pool;
	server = http.createServer((_request, response) => {
		response.writeHead(200, {'content-type': 'application/json'});
		response.end(JSON.stringify(poolStatsPayload({api: served})));
	});
	await new Promise<void>(resolve => {
		server!.listen(0, '127.0.0.1', resolve);
	});
});

after(async () => {
	server?.closeAllConnections();
	await new Promise(resolve => {
		if (server) {
			server.close(resolve);
		} else {
			resolve(undefined);
		}
	});
	// The queued connect() calls get a client as the held ones come back: release each on arrival
	// (awaiting them all first would deadlock the third behind the first two).
	const drained = Promise.all(pending.splice(0).map(async waiting => (await waiting)?.release()));
	for (const client of held.splice(0)) {
		client.release();
	}

	await drained;

	await pool?.end().catch(() => undefined);
	await database?.stop();
});

test('a saturated pg.Pool reads as max 2, active 2, waiting 3 through the JSON collector', async () => {
	assert.ok(pool && server && database);
	held.push(await pool.connect(), await pool.connect());
	for (let i = 0; i < 3; i++) {
		pending.push(pool.connect().catch(() => undefined));
	}

	await pollUntil(() => pool!.waitingCount === 3, {what: 'three queued connect() calls'});
	assert.deepEqual(poolStats(pool, 'api'), {name: 'api', max: 2, total: 2, idle: 0, waiting: 3});

	const payload = poolStatsPayload([['api', pool]]);
	assert.deepEqual(payload, {pools: [{name: 'api', max: 2, total: 2, idle: 0, waiting: 3}]});
	assert.ok(!JSON.stringify(payload).includes(database.password), 'the connection string must never be served');

	const {port} = server.address() as AddressInfo;
	const collector = createPoolCollector(parsePoolSpec(`api=json+http://127.0.0.1:${port}/`));
	try {
		const reading = await collector.collect(2000);
		assert.deepEqual(reading, {
			ok: true,
			format: 'json',
			pools: [{label: 'api', max: 2, open: 2, active: 2, idle: 0, waiting: 3, oldestWaitSeconds: null, timeoutsTotal: null, waitsTotal: null, waitSecondsTotal: null}],
		});
	} finally {
		await collector.close();
	}
});

test('poolStats defaults the name and reads an idle pool', async () => {
	const idle = new pg.Pool({connectionString: 'postgres://u:never-shown@127.0.0.1:1/x'});
	try {
		assert.deepEqual(poolStats(idle), {name: 'default', max: 10, total: 0, idle: 0, waiting: 0});
		assert.deepEqual(poolStatsPayload({}), {pools: []});
	} finally {
		await idle.end();
	}
});
