// The reader's pure mappings: pools into capacity inputs, PgBouncer console rows, pg_db_role_setting.
import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {mapPgBouncer, mapRoleSetting, mapSettings, poolCapacities} from '../../source/doctor/read.js';
import type {PoolMetrics} from '../../source/readings/types.js';
import type {PoolStatus} from '../../source/judge/types.js';

function status(name: string, metrics: Partial<PoolMetrics> | null, overrides: Partial<PoolStatus> = {}): PoolStatus {
	return {
		name,
		endpointId: 'endpoint-app',
		endpoint: 'http://app:9090/metrics',
		format: 'json',
		metrics: metrics === null ? null : {label: null, max: 10, open: 4, active: 3, idle: 1, waiting: 0, oldestWaitSeconds: null, timeoutsTotal: null, waitsTotal: null, waitSecondsTotal: null, ...metrics},
		sampledAtMs: metrics === null ? null : 1000,
		error: null,
		...overrides,
	};
}

describe('poolCapacities: {name, maxPerInstance, instances}', () => {
	it('one instance per endpoint reporting a pool of that name; observed numbers summed', () => {
		assert.deepEqual(poolCapacities([status('api', {waiting: 2}), status('api', {waiting: 3}), status('jobs', {max: 4})]), [
			{name: 'api', maxPerInstance: 10, instances: 2, observed: {active: 6, open: 8, waiting: 5}, isPgBouncer: false, error: null, demand: {rates: null, hasHoldTimes: false, format: 'json'}},
			{name: 'jobs', maxPerInstance: 4, instances: 1, observed: {active: 3, open: 4, waiting: 0}, isPgBouncer: false, error: null, demand: {rates: null, hasHoldTimes: false, format: 'json'}},
		]);
	});

	it('two readings of usage counters: demand summed over the instances, hold time weighted by what each served', () => {
		// Over 2 s: instance a served 40 held 0.2 s each and timed out 4, b served 20 held 0.5 s; b's queue grew by 6.
		const reading = (atMs: number, served: number, hold: number, timeouts: number, waiting: number, id: string) => ({
			...status('api', {servedTotal: served, holdSecondsTotal: hold, timeoutsTotal: timeouts, waiting}, {endpointId: id}),
			sampledAtMs: atMs,
		});
		const before = [reading(1000, 100, 20, 0, 0, 'a'), reading(1000, 50, 25, 0, 0, 'b')];
		const after = [reading(3000, 140, 28, 4, 0, 'a'), reading(3000, 70, 35, 0, 6, 'b')];
		const [pool] = poolCapacities(after, before.map((first, index) => [
			{atMs: 1000, server: null, pools: [first]},
			{atMs: 3000, server: null, pools: [after[index]!]},
		]));
		assert.deepEqual(pool!.demand, {
			rates: {servedPerSecond: 30, meanHoldSeconds: 18 / 60, timeoutsPerMinute: 120, queueGrowthPerSecond: 3},
			hasHoldTimes: true,
			format: 'json',
		});
	});

	it('instances with different maxima: the largest (no room promised that is not there)', () => {
		assert.equal(poolCapacities([status('api', {max: 10}), status('api', {max: 20})])[0]!.maxPerInstance, 20);
	});

	it('an instance that did not answer: max and observed unknown, its error kept', () => {
		const [pool] = poolCapacities([status('api', {}), status('api', null, {error: 'connection refused'})]);
		assert.equal(pool!.maxPerInstance, null);
		assert.equal(pool!.observed, null);
		assert.equal(pool!.error, 'connection refused');
	});

	it('a waiting count not exposed stays null, not 0', () => {
		assert.equal(poolCapacities([status('go', {waiting: null})])[0]!.observed!.waiting, null);
	});

	it('PgBouncer pools are marked: PgBouncer limits count them', () => {
		assert.equal(poolCapacities([status('app/shop', {}, {format: 'pgbouncer'})])[0]!.isPgBouncer, true);
	});
});

describe('mapPgBouncer', () => {
	it('reads SHOW CONFIG / DATABASES / POOLS / LISTS by column name; leaves the admin database out', () => {
		const config = mapPgBouncer('b', [
			{key: 'default_pool_size', value: '20'},
			{key: 'reserve_pool_size', value: '0'},
			{key: 'max_db_connections', value: '0'},
			{key: 'max_client_conn', value: '100'},
			{key: 'query_wait_timeout', value: '120'},
		], [
			{name: 'app', pool_size: 20, reserve_pool: 0, max_connections: 0, force_user: null},
			{name: 'reports', pool_size: 30, reserve_pool: 5, max_connections: 40, force_user: 'jobs'},
			{name: 'pgbouncer', pool_size: 2, reserve_pool: 0, max_connections: 0, force_user: 'pgbouncer'},
		], [
			{database: 'app', user: 'shop', cl_active: 3, cl_waiting: 2, sv_active: 3},
			{database: 'app', user: 'web', cl_active: 1, cl_waiting: 0, sv_active: 1},
			{database: 'pgbouncer', user: 'pgbouncer', cl_active: 1, cl_waiting: 0},
		], [{list: 'used_clients', items: 7}]);
		assert.deepEqual(config, {
			endpoint: 'b',
			defaultPoolSize: 20,
			reservePoolSize: 0,
			maxDbConnections: 0,
			maxClientConn: 100,
			queryWaitTimeoutSeconds: 120,
			databases: [
				{name: 'app', poolSize: 20, reservePool: 0, maxDbConnections: 0, forceUser: null, users: ['shop', 'web']},
				{name: 'reports', poolSize: 30, reservePool: 5, maxDbConnections: 40, forceUser: 'jobs', users: []},
			],
			clients: 7,
		});
	});

	it('without SHOW LISTS, clients are summed from the cl_* columns of SHOW POOLS', () => {
		const config = mapPgBouncer('b', [], [], [{database: 'app', user: 'shop', cl_active: 3, cl_waiting: 2, cl_cancel_req: 1}], null);
		assert.equal(config.clients, 5);
	});
});

describe('mapRoleSetting and mapSettings', () => {
	it('splits setconfig at the first =', () => {
		assert.deepEqual(mapRoleSetting({role: 'shop', database: null, settings: ['statement_timeout=30s', 'search_path=a,b', 'application_name=x=y']}), {
			role: 'shop',
			database: null,
			settings: {statement_timeout: '30s', search_path: 'a,b', application_name: 'x=y'},
		});
	});

	it('reserved_connections is 0 when the server has no such setting (before 16)', () => {
		const settings = mapSettings([
			{name: 'server_version', setting: '15.20 (Debian 15.20-0+deb12u1)', unit: null, source: 'default'},
			{name: 'server_version_num', setting: '150020', unit: null, source: 'default'},
			{name: 'max_connections', setting: '100', unit: null, source: 'configuration file'},
			{name: 'superuser_reserved_connections', setting: '3', unit: null, source: 'default'},
		]);
		assert.deepEqual([settings.version, settings.versionNum, settings.maxConnections, settings.superuserReservedConnections, settings.reservedConnections], ['15.20', 150_020, 100, 3, 0]);
	});
});
