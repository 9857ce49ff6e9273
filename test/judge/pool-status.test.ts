import assert from 'node:assert/strict';
import {test} from 'node:test';
import {parsePoolSpec} from '../../source/connection/pool-endpoint.js';
import {applyPoolReading, placeholderPool, poolDisplayName} from '../../source/judge/pool-status.js';
import type {PoolReading} from '../../source/readings/types.js';
import {baseTimeMs, exposedPool} from '../helpers/snapshots.js';

test('display names', () => {
	const named = parsePoolSpec('orders=http://orders:8080/actuator/prometheus');
	const unnamed = parsePoolSpec('http://user:pw@orders:8080/actuator/prometheus');
	assert.equal(poolDisplayName(named, 'HikariPool-1', 1), 'orders');
	assert.equal(poolDisplayName(named, null, 1), 'orders');
	assert.equal(poolDisplayName(named, 'HikariPool-1', 2), 'orders/HikariPool-1');
	assert.equal(poolDisplayName(unnamed, 'HikariPool-1', 2), 'HikariPool-1');
	assert.equal(poolDisplayName(unnamed, null, 1), 'orders:8080');
	assert.equal(poolDisplayName(parsePoolSpec('pgbouncer://s:p@bouncer/pgbouncer'), 'app/web', 3), 'app/web');
});

test('a good reading replaces the endpoint\'s rows; a failure keeps their last metrics with the error', () => {
	const java = parsePoolSpec('java=http://u:pw@app:9090/metrics');
	const other = placeholderPool(parsePoolSpec('api=json+http://api:3000/pool'));
	const good: PoolReading = {ok: true, format: 'prometheus', pools: [exposedPool({label: 'HikariPool-1', active: 10, max: 10, waiting: 37}), exposedPool({label: 'reporting', active: 1, max: 4, waiting: 0})]};
	let pools = applyPoolReading([other, placeholderPool(java)], java, good, baseTimeMs);
	assert.deepEqual(pools.map(pool => [pool.name, pool.endpoint, pool.metrics?.waiting ?? null, pool.sampledAtMs, pool.error]), [
		['api', 'http://api:3000/pool', null, null, null],
		['java/HikariPool-1', 'http://u:***@app:9090/metrics', 37, baseTimeMs, null],
		['java/reporting', 'http://u:***@app:9090/metrics', 0, baseTimeMs, null],
	]);
	pools = applyPoolReading(pools, java, {ok: false, error: 'timed out after 2000 ms'}, baseTimeMs + 5000);
	assert.deepEqual(pools.slice(1).map(pool => [pool.name, pool.metrics?.active, pool.sampledAtMs, pool.error]), [
		['java/HikariPool-1', 10, baseTimeMs, 'timed out after 2000 ms'],
		['java/reporting', 1, baseTimeMs, 'timed out after 2000 ms'],
	]);
});

test('an endpoint that never answered is one row with its error and no metrics', () => {
	const dead = parsePoolSpec('dead=http://127.0.0.1:1/x');
	assert.deepEqual(applyPoolReading([], dead, {ok: false, error: 'connection refused'}, baseTimeMs), [
		{name: 'dead', endpointId: dead.id, endpoint: 'http://127.0.0.1:1/x', format: null, metrics: null, sampledAtMs: null, error: 'connection refused'},
	]);
});

test('a pool label or an error from an endpoint cannot drive the terminal', () => {
	const endpoint = parsePoolSpec('http://127.0.0.1:9/metrics');
	const pools = applyPoolReading([], endpoint, {ok: true, format: 'prometheus', pools: [exposedPool({label: 'pool\u001B]0;pwned\u0007\nSECOND', active: 1})]}, 0);
	assert.equal(pools[0]?.name, 'pool␛]0;pwned␇␊SECOND');
	const failed = applyPoolReading(pools, endpoint, {ok: false, error: 'HTTP 500 \u001B[2J'}, 1);
	assert.equal(failed[0]?.error, 'HTTP 500 ␛[2J');
});

test('a pool with impossible numbers is a row with its reason, not numbers; the cap is carried', () => {
	const endpoint = parsePoolSpec('http://127.0.0.1:9/metrics');
	const pools = applyPoolReading([], endpoint, {ok: true, format: 'prometheus', omittedPools: 14_800, pools: [
		{...exposedPool({label: 'bad'}), error: 'invalid value -5 for waiting'},
		exposedPool({label: 'good', active: 1, max: 5}),
	]}, baseTimeMs);
	assert.deepEqual(pools.map(pool => [pool.name, pool.metrics === null, pool.error, pool.isInvalidReading ?? false, pool.omittedPools]), [
		['bad', true, 'invalid value -5 for waiting', true, 14_800],
		['good', false, null, false, 14_800],
	]);
});

test('two endpoints whose masked URLs are the same keep their own rows: pools are known by the endpoint\'s id', () => {
	// Two passwords of one user: the screen shows one masked URL for both.
	const first = parsePoolSpec('a=http://u:first@app:9090/metrics');
	const second = parsePoolSpec('b=http://u:second@app:9090/metrics');
	assert.equal(first.maskedUrl, second.maskedUrl);
	assert.notEqual(first.id, second.id);
	const reading = (waiting: number): PoolReading => ({ok: true, format: 'prometheus', pools: [exposedPool({label: null, active: 1, max: 4, waiting})]});
	let pools = applyPoolReading([placeholderPool(first), placeholderPool(second)], first, reading(3), baseTimeMs);
	pools = applyPoolReading(pools, second, reading(7), baseTimeMs);
	pools = applyPoolReading(pools, first, {ok: false, error: 'HTTP 500'}, baseTimeMs + 1000);
	assert.deepEqual(pools.map(pool => [pool.name, pool.metrics?.waiting, pool.error]).sort(), [['a', 3, 'HTTP 500'], ['b', 7, null]]);
});
