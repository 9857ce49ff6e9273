import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {poolsFromJson} from '../../../source/collectors/pools/json-pools.js';
import {exposedPool} from '../../helpers/snapshots.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/pools/${name}`, import.meta.url), 'utf8'));
const pool = exposedPool;

test('lifeguard payload', () => {
	assert.deepEqual(poolsFromJson(fixture('lifeguard-payload.json')), {
		ok: true,
		pools: [
			pool({label: 'api', max: 5, open: 5, active: 5, idle: 0, waiting: 812, oldestWaitSeconds: 9000.5, timeoutsTotal: 0}),
			pool({label: 'jobs', max: 2, open: 1, active: 0, idle: 1, waiting: 0}),
		],
	});
});

test('lifeguard payload wait counters', () => {
	assert.deepEqual(poolsFromJson({pools: [{name: 'api', max: 2, total: 2, idle: 0, waiting: 6, waitsTotal: 40, waitSecondsTotal: 12.5}]}), {
		ok: true,
		pools: [pool({label: 'api', max: 2, open: 2, active: 2, idle: 0, waiting: 6, waitsTotal: 40, waitSecondsTotal: 12.5})],
	});
});

test('a single pg.Pool-shaped object, without and with max', () => {
	assert.deepEqual(poolsFromJson({totalCount: 7, idleCount: 2, waitingCount: 3}), {
		ok: true,
		pools: [pool({label: null, open: 7, active: 5, idle: 2, waiting: 3})],
	});
	assert.deepEqual(poolsFromJson({totalCount: 10, idleCount: 0, waitingCount: 40, max: 10}), {
		ok: true,
		pools: [pool({label: null, max: 10, open: 10, active: 10, idle: 0, waiting: 40})],
	});
});

test('pg.Pool shapes in an array and in a {pools:{name:…}} map', () => {
	assert.deepEqual(poolsFromJson([{name: 'a', totalCount: 1, idleCount: 1, waitingCount: 0}]), {
		ok: true,
		pools: [pool({label: 'a', open: 1, active: 0, idle: 1, waiting: 0})],
	});
	assert.deepEqual(poolsFromJson({pools: {primary: {totalCount: 4, idleCount: 1, waitingCount: 2, max: 4}, replica: {totalCount: 0, idleCount: 0, waitingCount: 0}}}), {
		ok: true,
		pools: [
			pool({label: 'primary', max: 4, open: 4, active: 3, idle: 1, waiting: 2}),
			pool({label: 'replica', open: 0, active: 0, idle: 0, waiting: 0}),
		],
	});
});

test('psycopg get_stats(): missing zero-valued keys read as 0', () => {
	// pool_available is left out by psycopg when it is 0
	assert.deepEqual(poolsFromJson(fixture('psycopg-stats.json')), {
		ok: true,
		// given back so far: 4412 requested − 2 failed − 7 queued − 20 out; usage_ms in seconds
		pools: [pool({label: null, max: 20, open: 20, active: 20, idle: 0, waiting: 7, timeoutsTotal: 2, waitsTotal: 310, waitSecondsTotal: 88.21, servedTotal: 4383, holdSecondsTotal: 98.123})],
	});
});

test('sequelize-pool getters', () => {
	assert.deepEqual(poolsFromJson({size: 5, available: 0, using: 5, waiting: 9, maxSize: 5}), {
		ok: true,
		pools: [pool({label: null, max: 5, open: 5, active: 5, idle: 0, waiting: 9})],
	});
});

test('non-numbers are not exposed, never 0', () => {
	assert.deepEqual(poolsFromJson({pools: [{name: 'x', total: 3, idle: 1, waiting: 'lots', max: null}]}), {
		ok: true,
		pools: [pool({label: 'x', open: 3, active: 2, idle: 1})],
	});
});

test('unrecognised JSON is a typed failure', () => {
	const failure = {ok: false, error: 'unrecognised JSON: expected {"pools":[…]}, a pg.Pool {totalCount, idleCount, waitingCount} or psycopg get_stats()'};
	assert.deepEqual(poolsFromJson({status: 'UP'}), failure);
	assert.deepEqual(poolsFromJson([]), failure);
	assert.deepEqual(poolsFromJson({pools: []}), failure);
	assert.deepEqual(poolsFromJson(null), failure);
	assert.deepEqual(poolsFromJson(42), failure);
	assert.deepEqual(poolsFromJson('text'), failure);
});
