// PgBouncer's SHOW STATS as a pool's usage counters (transactions and their time), for the sizing
// advice: live against a real PgBouncer in transaction pooling, and the rules that keep them off
// where they would not be the pool's hold time.
import {after, before, describe, it, test} from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type {PoolMetrics, PoolReading} from '../../../source/readings/types.js';
import {parsePoolSpec} from '../../../source/connection/pool-endpoint.js';
import {createPoolCollector, type PoolCollector} from '../../../source/collectors/pools/create-collector.js';
import {withTransactionStats} from '../../../source/collectors/pools/pgbouncer-stats.js';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../../helpers/postgres.js';
import {PGBOUNCER_MISSING, pgbouncerBinary, startPgBouncer, type TestPgBouncer} from '../../helpers/pgbouncer.js';
import {exposedPool} from '../../helpers/snapshots.js';

describe('SHOW STATS rows onto SHOW POOLS pools', () => {
	const row = (database: string, user: string, mode: string) => ({database, user, pool_mode: mode});
	const stats = [{database: 'app', total_xact_count: '1200', total_xact_time: '240000000'}, {database: 'shared', total_xact_count: '10', total_xact_time: '1000'}];
	const pools = (labels: string[]): PoolMetrics[] => labels.map(label => exposedPool({label, max: 5}));

	it('transaction pooling, one pool in its database: transactions served and their seconds', () => {
		assert.deepEqual(withTransactionStats(pools(['app/web']), [row('app', 'web', 'transaction')], stats), [exposedPool({label: 'app/web', max: 5, servedTotal: 1200, holdSecondsTotal: 240})]);
	});

	it('left off: session pooling, a database shared by two pools, no stats row, no SHOW STATS', () => {
		const session = pools(['app/web']);
		assert.deepEqual(withTransactionStats(session, [row('app', 'web', 'session')], stats), session);
		const shared = pools(['shared/a', 'shared/b']);
		assert.deepEqual(withTransactionStats(shared, [row('shared', 'a', 'transaction'), row('shared', 'b', 'transaction')], stats), shared);
		const other = pools(['other/web']);
		assert.deepEqual(withTransactionStats(other, [row('other', 'web', 'transaction')], stats), other);
		assert.deepEqual(withTransactionStats(session, [row('app', 'web', 'transaction')], null), session);
	});
});

const hasPgBouncer = pgbouncerBinary() !== null;
let database: TestServer | undefined;
let bouncer: TestPgBouncer | undefined;
let collector: PoolCollector | undefined;
const clients: pg.Client[] = [];

before(async () => {
	if (hasPgBouncer) {
		database = await startEmbeddedPostgres();
		bouncer = await startPgBouncer({backend: database, authType: 'md5', poolSize: 2, poolMode: 'transaction'});
	}
});

after(async () => {
	await collector?.close();
	await Promise.all(clients.splice(0).map(async client => client.end().catch(() => undefined)));
	await bouncer?.stop();
	await database?.stop();
});

test('a real PgBouncer in transaction pooling: served and hold seconds grow with each transaction', async t => {
	if (!hasPgBouncer) {
		t.skip(PGBOUNCER_MISSING);
		return;
	}

	collector = createPoolCollector(parsePoolSpec(`bouncer=${bouncer!.adminUrl()}`));
	const app = (reading: PoolReading) => (reading.ok ? reading.pools.find(pool => pool.label === 'app/postgres') : undefined);
	for (let index = 0; index < 2; index++) {
		const client = new pg.Client({connectionString: bouncer!.appUrl()});
		client.on('error', () => undefined);
		clients.push(client);
		await client.connect();
	}

	await clients[0]!.query('select 1');
	const first = await pollUntil(async () => {
		const pool = app(await collector!.collect(2000));
		return pool?.servedTotal === undefined || pool.servedTotal === null ? undefined : pool;
	}, {what: 'the app pool with its transaction counters'});
	// 2 clients × 8 transactions of 100 ms each.
	await Promise.all(clients.map(async client => {
		for (let index = 0; index < 8; index++) {
			await client.query('select pg_sleep(0.1)');
		}
	}));
	const later = await pollUntil(async () => {
		const pool = app(await collector!.collect(2000));
		return pool && pool.servedTotal! - first.servedTotal! >= 16 ? pool : undefined;
	}, {what: 'the 16 transactions counted'});
	const served = later.servedTotal! - first.servedTotal!;
	const meanHold = (later.holdSecondsTotal! - first.holdSecondsTotal!) / served;
	assert.equal(served, 16);
	assert.ok(meanHold >= 0.095 && meanHold < 0.5, `mean hold ${meanHold} s`);
});
