// Bounded answers (issue 19): a Prometheus answering 100,000 series per family query, and a PgBouncer
// console streaming 1 MB rows, each on loopback. The answer is cut where its cap is reached, the socket
// closed, and the pool's row says which cap, instead of memory filling until the timeout (1.07 GB and
// 1.42 GB before). What that costs in resident memory is measured by bench/hostile-endpoints.ts.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {createPoolCollector, type PoolCollector} from '../../../source/collectors/pools/create-collector.js';
import {MAX_CONSOLE_ROWS} from '../../../source/collectors/pools/console-guard.js';
import {parsePoolSpec, parsePrometheusSpec} from '../../../source/connection/pool-endpoint.js';
import {ensureBuilt, runCli} from '../../cli/helpers.js';
import {hikariVector, startFakeConsole, startPrometheusApi, type FakeConsole, type FakePrometheusApi} from '../../helpers/hostile-endpoints.js';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../../helpers/postgres.js';

const MIB = 1024 * 1024;
const EMPTY_VECTOR = '{"status":"success","data":{"resultType":"vector","result":[]}}';
const collectors: PoolCollector[] = [];
const consoleAt = (fake: FakeConsole) => {
	const collector = createPoolCollector(parsePoolSpec(`c=pgbouncer://stats:pw@127.0.0.1:${fake.port}/pgbouncer`));
	collectors.push(collector);
	return collector;
};

const prometheusAt = (api: FakePrometheusApi) => {
	const collector = createPoolCollector(parsePrometheusSpec(api.url, '--prometheus', {selector: null}));
	collectors.push(collector);
	return collector;
};

after(async () => {
	await Promise.all(collectors.splice(0).map(async collector => collector.close()));
});

describe('the PgBouncer console: rows and bytes per answer', () => {
	test('1 MB rows: cut past 4 MiB, the socket destroyed, the reading says why (it streamed until the timeout)', async t => {
		const fake = await startFakeConsole({rowBytes: MIB, only: 'SHOW POOLS'});
		t.after(fake.stop);
		const reading = await consoleAt(fake).collect(10_000);
		assert.deepEqual(reading, {ok: false, error: 'pgbouncer: SHOW POOLS answer over 4 MiB; connection closed'});
		await pollUntil(() => fake.stats().closed === fake.stats().connections, {timeoutMs: 5000, what: 'the console socket closed by lifeguard'});
	});

	test('an answer of many small rows: cut past 10,000 rows', async t => {
		const fake = await startFakeConsole({rowBytes: 10, rows: MAX_CONSOLE_ROWS * 3, only: 'SHOW DATABASES'});
		t.after(fake.stop);
		const reading = await consoleAt(fake).collect(10_000);
		assert.deepEqual(reading, {ok: false, error: 'pgbouncer: SHOW DATABASES answer over 10000 rows; connection closed'});
		await pollUntil(() => fake.stats().closed === fake.stats().connections, {timeoutMs: 5000, what: 'the console socket closed by lifeguard'});
	});
});

describe('the Prometheus API: bytes per answer and per refresh', () => {
	test('100,000 series in a family\'s answer: cut past 4 MiB, before it is parsed (32 MiB was allowed per answer)', async t => {
		const body = Buffer.from(hikariVector(20_000)); // 5 series per instance: 100,000 series, ~19 MB
		const api = await startPrometheusApi(query => (query.includes('hikaricp_connections_max') ? body : EMPTY_VECTOR));
		t.after(api.stop);
		const reading = await prometheusAt(api).collect(10_000);
		assert.deepEqual(reading, {ok: false, error: 'prometheus: an answer over 4 MiB (narrow --prometheus-selector)'});
	});

	test('every family answering 3 MiB: the refresh is cut past 8 MiB in all', async t => {
		const body = Buffer.from(hikariVector(3300));
		assert.ok(body.length > 3 * MIB && body.length < 4 * MIB, String(body.length));
		const api = await startPrometheusApi(() => body);
		t.after(api.stop);
		const reading = await prometheusAt(api).collect(10_000);
		assert.deepEqual(reading, {ok: false, error: 'prometheus: answers over 8 MiB in one refresh (narrow --prometheus-selector)'});
	});

	test('2,000 instances of one pool: all summed and counted, the 200 worst listed', async t => {
		const body = hikariVector(2000, {active: 10, pending: 7});
		const api = await startPrometheusApi(query => (query.includes('hikaricp_connections_max') ? body : EMPTY_VECTOR));
		t.after(api.stop);
		const reading = await prometheusAt(api).collect(10_000);
		assert.ok(reading.ok, JSON.stringify(reading).slice(0, 300));
		const [pool] = reading.pools;
		assert.deepEqual([pool!.label, pool!.max, pool!.active, pool!.waiting], ['checkout/HikariPool-1', 20_000, 20_000, 7]);
		assert.deepEqual([pool!.fleet!.instances, pool!.fleet!.atMax, pool!.fleet!.members.length, pool!.fleet!.omittedMembers], [2000, 2000, 200, 1800]);
		assert.equal(pool!.fleet!.members[0]!.waiting, 7, 'the worst first');
	});
});

describe('lifeguard --json with both, against a real PostgreSQL', () => {
	let server: TestServer;
	before(async () => {
		ensureBuilt();
		server = await startEmbeddedPostgres();
	});
	after(async () => {
		await server?.stop();
	});

	test('the server is read, each pool row says which cap cut its endpoint, and the fleet keeps 200 instances', async t => {
		const console = await startFakeConsole({rowBytes: MIB, only: 'SHOW POOLS'});
		// Made once: building 19 MB nine times a refresh would stall this process, not lifeguard.
		const floodBody = Buffer.from(hikariVector(20_000));
		const fleetBody = Buffer.from(hikariVector(2000));
		const flood = await startPrometheusApi(() => floodBody);
		const fleet = await startPrometheusApi(query => (query.includes('hikaricp_connections_max') ? fleetBody : EMPTY_VECTOR));
		t.after(async () => {
			await Promise.all([console.stop(), flood.stop(), fleet.stop()]);
		});
		const result = await runCli(['--json', '--db', server.url, '--pool-timeout', '10', '--pool', `bouncer=pgbouncer://stats:pw@127.0.0.1:${console.port}/pgbouncer`, '--prometheus', `flood=${flood.url}`, '--prometheus', `fleet=${fleet.url}`], {timeoutMs: 60_000});
		assert.equal(result.code, 0, result.stderr);
		const json = JSON.parse(result.stdout) as {server: {connections: number; ownConnections: number} | null; pools: Array<{name: string; error: string | null; fleet: {instances: number; members: unknown[]; omittedMembers?: number} | null}>};
		// lifeguard's own connection is counted apart (README: own connections), and it is there only if the server was read.
		assert.ok(json.server && json.server.ownConnections >= 1, 'the server part is there');
		const byName = new Map(json.pools.map(pool => [pool.name, pool]));
		assert.equal(byName.get('bouncer')?.error, 'pgbouncer: SHOW POOLS answer over 4 MiB; connection closed');
		// Nine answers arrive side by side: one passes 4 MiB, or all of them 8 MiB together, first.
		assert.match(byName.get('flood')?.error ?? '', /^prometheus: (an answer over 4 MiB|answers over 8 MiB in one refresh) \(narrow --prometheus-selector\)$/);
		const kept = byName.get('fleet')?.fleet;
		assert.deepEqual([kept?.instances, kept?.members.length, kept?.omittedMembers], [2000, 200, 1800], JSON.stringify(json.pools.map(pool => [pool.name, pool.error])));
		assert.ok(result.stdout.length < 200_000, `--json is ${result.stdout.length} bytes`);
	});
});
