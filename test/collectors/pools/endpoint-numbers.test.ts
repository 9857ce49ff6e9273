// Issue 10: numbers from an endpoint are outside input. Impossible values and duplicate series make
// that one pool an error naming the field and the value; more than 200 pools are cut to the worst 200
// with a count of the rest. Every case goes through lifeguard's own path (body → interpret), and the
// real recordings of the corpus are tampered with the way a broken exporter would.
import assert from 'node:assert/strict';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {readFileSync} from 'node:fs';
import {after, before, describe, test} from 'node:test';
import {createPoolCollector} from '../../../source/collectors/pools/create-collector.js';
import {interpret} from '../../../source/collectors/pools/http-collector.js';
import {poolsFromShowPools, sizesFromRows} from '../../../source/collectors/pools/pgbouncer-collector.js';
import {capPools, MAX_POOLS} from '../../../source/collectors/pools/validate-pools.js';
import type {PoolMetrics, PoolReading} from '../../../source/readings/types.js';

const PROM = 'text/plain; version=0.0.4';
const JSON_TYPE = 'application/json';

function poolsOf(reading: PoolReading): PoolMetrics[] {
	assert.ok(reading.ok, reading.ok ? '' : reading.error);
	return reading.pools;
}

function byLabel(pools: PoolMetrics[], label: string | null): PoolMetrics {
	const pool = pools.find(each => each.label === label);
	assert.ok(pool, `no pool ${String(label)} in ${JSON.stringify(pools.map(each => each.label))}`);
	return pool;
}

/** A pool that is an error shows no number at all: never a negative, an infinity or a sum. */
function assertInvalid(pool: PoolMetrics, error: string): void {
	assert.equal(pool.error, error);
	for (const field of ['max', 'open', 'active', 'idle', 'waiting', 'oldestWaitSeconds', 'timeoutsTotal', 'waitsTotal', 'waitSecondsTotal'] as const) {
		assert.equal(pool[field], null, `${field} of an invalid pool`);
	}
}

/** Spring Boot's HikariCP families for pool "bad" (with the value under test) and pool "good". */
function hikari(family: string, value: string): string {
	const families: Record<string, string> = {
		hikaricp_connections_max: '10',
		hikaricp_connections: '4',
		hikaricp_connections_active: '3',
		hikaricp_connections_idle: '1',
		hikaricp_connections_pending: '0',
		hikaricp_connections_timeout_total: '0',
	};
	let body = '';
	for (const [name, normal] of Object.entries(families)) {
		body += `# TYPE ${name} gauge\n`;
		body += `${name}{pool="bad",} ${name === family ? value : normal}\n`;
		body += `${name}{pool="good",} ${normal}\n`;
	}

	return body;
}

const GOOD: PoolMetrics = {label: 'good', max: 10, open: 4, active: 3, idle: 1, waiting: 0, oldestWaitSeconds: null, timeoutsTotal: 0, waitsTotal: null, waitSecondsTotal: null};

describe('impossible numbers in a Prometheus exposition make that pool an error', () => {
	const cases: Array<{name: string; family: string; value: string; error: string}> = [
		{name: 'negative waiting', family: 'hikaricp_connections_pending', value: '-5', error: 'invalid value -5 for waiting (hikaricp_connections_pending)'},
		{name: 'negative max', family: 'hikaricp_connections_max', value: '-1', error: 'invalid value -1 for max (hikaricp_connections_max)'},
		{name: 'max of 0', family: 'hikaricp_connections_max', value: '0', error: 'invalid value 0 for max'},
		{name: 'absurd 1e308 active', family: 'hikaricp_connections_active', value: '1e308', error: 'invalid value 1e+308 for active (hikaricp_connections_active)'},
		{name: 'count beyond exact integers', family: 'hikaricp_connections', value: '9007199254740993', error: 'invalid value 9007199254740992 for open (hikaricp_connections)'},
		{name: '+Inf max', family: 'hikaricp_connections_max', value: '+Inf', error: 'invalid value +Inf for max (hikaricp_connections_max)'},
		{name: '-Inf idle', family: 'hikaricp_connections_idle', value: '-Inf', error: 'invalid value -Inf for idle (hikaricp_connections_idle)'},
		{name: 'a count that is not whole', family: 'hikaricp_connections_active', value: '2.5', error: 'invalid value 2.5 for active (hikaricp_connections_active)'},
		{name: 'negative counter', family: 'hikaricp_connections_timeout_total', value: '-3', error: 'invalid value -3 for timeoutsTotal (hikaricp_connections_timeout_total)'},
	];
	for (const {name, family, value, error} of cases) {
		test(name, () => {
			const pools = poolsOf(interpret(hikari(family, value), PROM, null));
			assertInvalid(byLabel(pools, 'bad'), error);
			assert.deepEqual(byLabel(pools, 'good'), GOOD, 'the other pool of the endpoint is unaffected');
		});
	}

	test('NaN is "no value" (a Micrometer gauge whose pool is gone): not exposed, not an error', () => {
		const pool = byLabel(poolsOf(interpret(hikari('hikaricp_connections_pending', 'NaN'), PROM, null)), 'bad');
		assert.equal(pool.error, undefined);
		assert.equal(pool.waiting, null);
		assert.equal(pool.max, 10);
	});

	test('Go database/sql max 0 still means unlimited, not an error', () => {
		const pools = poolsOf(interpret('go_sql_max_open_connections{db_name="app"} 0\ngo_sql_open_connections{db_name="app"} 3\ngo_sql_in_use_connections{db_name="app"} 1\ngo_sql_idle_connections{db_name="app"} 2\n', PROM, null));
		assert.equal(pools[0]!.error, undefined);
		assert.equal(pools[0]!.max, null);
		assert.equal(pools[0]!.open, 3);
	});

	test('wait seconds may be fractional; counts may be written 3.0', () => {
		const body = 'go_sql_max_open_connections{db_name="app"} 10.0\ngo_sql_in_use_connections{db_name="app"} 3.0\ngo_sql_wait_duration_seconds_total{db_name="app"} 0.125\n';
		const pool = poolsOf(interpret(body, PROM, null))[0]!;
		assert.equal(pool.error, undefined);
		assert.deepEqual([pool.max, pool.active, pool.waitSecondsTotal], [10, 3, 0.125]);
	});
});

describe('duplicate series are an error naming the duplicate, never a sum', () => {
	test('two hikaricp_connections_max for one pool: not /30', () => {
		const body = `${hikari('', '')}hikaricp_connections_max{pool="bad",} 20\n`;
		const pools = poolsOf(interpret(body, PROM, null));
		assertInvalid(byLabel(pools, 'bad'), 'duplicate series hikaricp_connections_max');
		assert.deepEqual(byLabel(pools, 'good'), GOOD);
	});

	test('the same sample twice with the same value is still a duplicate', () => {
		const body = 'pg_pool_max{host="h",database="d"} 10\npg_pool_max{host="h",database="d"} 10\npg_pool_size{host="h",database="d"} 2\n';
		assertInvalid(poolsOf(interpret(body, PROM, null))[0]!, 'duplicate series pg_pool_max');
	});

	test('OpenTelemetry: used and idle of one series name are not duplicates of each other', () => {
		const body = [
			'db_client_connection_count{db_client_connection_pool_name="p",db_client_connection_state="used"} 2',
			'db_client_connection_count{db_client_connection_pool_name="p",db_client_connection_state="idle"} 1',
			'db_client_connection_max{db_client_connection_pool_name="p"} 5',
			'',
		].join('\n');
		const pool = poolsOf(interpret(body, PROM, null))[0]!;
		assert.deepEqual([pool.error, pool.active, pool.idle, pool.open, pool.max], [undefined, 2, 1, 3, 5]);
	});

	test('pgbouncer_exporter: a pool size given twice for one database', () => {
		const body = [
			'pgbouncer_databases_pool_size{database="app",name="app"} 20',
			'pgbouncer_databases_pool_size{database="app",name="app"} 10',
			'pgbouncer_databases_pool_size{database="other",name="other"} 0',
			'pgbouncer_pools_client_waiting_connections{database="app",user="u"} 1',
			'pgbouncer_pools_client_waiting_connections{database="other",user="u"} 1',
			'pgbouncer_pools_client_waiting_connections{database="third",user="u"} 1',
			'',
		].join('\n');
		const pools = poolsOf(interpret(body, PROM, null));
		assertInvalid(byLabel(pools, 'app/u'), 'duplicate series pgbouncer_databases_pool_size');
		assertInvalid(byLabel(pools, 'other/u'), 'invalid value 0 for max');
		assert.deepEqual([byLabel(pools, 'third/u').max, byLabel(pools, 'third/u').waiting], [null, 1]);
	});
});

describe('impossible numbers in JSON payloads make that pool an error', () => {
	const cases: Array<{name: string; pool: Record<string, unknown>; error: string}> = [
		{name: 'negative waiting', pool: {max: 5, total: 2, idle: 1, waiting: -5}, error: 'invalid value -5 for waiting'},
		{name: 'max of 0', pool: {max: 0, total: 2, idle: 1, waiting: 0}, error: 'invalid value 0 for max'},
		{name: '1e999 parses to Infinity', pool: {max: 5, total: '1e999', idle: 1, waiting: 0}, error: 'invalid value +Inf for open'},
		{name: '1e308 total', pool: {max: 5, total: 1e308, idle: 1, waiting: 0}, error: 'invalid value 1e+308 for open'},
		{name: 'fractional idle', pool: {max: 5, total: 2, idle: 0.5, waiting: 0}, error: 'invalid value 0.5 for idle'},
		{name: 'negative wait seconds', pool: {max: 5, total: 2, idle: 1, waiting: 0, waitSecondsTotal: -0.5}, error: 'invalid value -0.5 for waitSecondsTotal'},
	];
	for (const {name, pool, error} of cases) {
		test(name, () => {
			// JSON.stringify cannot write Infinity: '1e999' is spliced in as a bare number.
			const body = JSON.stringify({pools: [{name: 'bad', ...pool}, {name: 'good', max: 5, total: 2, idle: 1, waiting: 0}]}).replace('"1e999"', '1e999');
			const pools = poolsOf(interpret(body, JSON_TYPE, null));
			assertInvalid(byLabel(pools, 'bad'), error);
			assert.deepEqual(byLabel(pools, 'good'), {label: 'good', max: 5, open: 2, active: 1, idle: 1, waiting: 0, oldestWaitSeconds: null, timeoutsTotal: null, waitsTotal: null, waitSecondsTotal: null});
		});
	}

	test('psycopg get_stats() with a negative queue', () => {
		const pool = poolsOf(interpret(JSON.stringify({pool_max: 4, pool_size: 4, pool_available: 0, requests_waiting: -2}), JSON_TYPE, null))[0]!;
		assertInvalid(pool, 'invalid value -2 for waiting');
	});

	test('one name given twice is one row, an error', () => {
		const body = JSON.stringify({pools: [{name: 'a', max: 10, total: 1, idle: 1, waiting: 0}, {name: 'b', max: 2, total: 1, idle: 1, waiting: 0}, {name: 'a', max: 20, total: 1, idle: 1, waiting: 0}]});
		const pools = poolsOf(interpret(body, JSON_TYPE, null));
		assert.deepEqual(pools.map(pool => pool.label), ['a', 'b']);
		assertInvalid(byLabel(pools, 'a'), 'duplicate pool name (2 entries)');
		assert.equal(byLabel(pools, 'b').max, 2);
	});
});

test('PgBouncer console: a negative cl_waiting makes that pool an error', () => {
	const sizes = sizesFromRows([{name: 'app', pool_size: 2}], [], [{key: 'default_pool_size', value: '20'}]);
	const pools = poolsFromShowPools([
		{database: 'app', user: 'u', cl_active: 2, cl_waiting: -5, sv_active: 2, sv_idle: 0, sv_used: 0, maxwait: 0, maxwait_us: 0},
		{database: 'app', user: 'v', cl_active: 1, cl_waiting: 0, sv_active: 1, sv_idle: 0, sv_used: 0, maxwait: 0, maxwait_us: 0},
	], sizes);
	assertInvalid(pools[0]!, 'invalid value -5 for waiting');
	assert.deepEqual([pools[1]!.error, pools[1]!.max, pools[1]!.active], [undefined, 2, 1]);
});

describe('real recordings tampered with the way a broken exporter would', () => {
	const corpus = (name: string) => readFileSync(new URL(`../../fixtures/pools/corpus/${name}`, import.meta.url), 'utf8');
	const cases: Array<{file: string; contentType: string; tamper: (body: string) => string; error: string}> = [
		{
			file: 'hikaricp-2.7.9+prometheus-collector-format.prom',
			contentType: PROM,
			tamper: body => body.replace('hikaricp_pending_threads{pool="HikariPool-1",} 6.0', 'hikaricp_pending_threads{pool="HikariPool-1",} -5.0'),
			error: 'invalid value -5 for waiting (hikaricp_pending_threads)',
		},
		{
			file: 'hikaricp-2.7.9+prometheus-collector-format.prom',
			contentType: PROM,
			tamper: body => `${body}hikaricp_max_connections{pool="HikariPool-1",} 20.0\n`,
			error: 'duplicate series hikaricp_max_connections',
		},
		{
			file: 'node-postgres-prometheus-exporter-1.4.0+prom-client-15.1.3.prom',
			contentType: PROM,
			tamper: body => body.replace(/^(pg_pool_max\{[^}]*\}) 2$/m, '$1 0'),
			error: 'invalid value 0 for max',
		},
		{
			file: 'prometheus-pgbouncer-exporter-1.7+pgbouncer-1.18.0.prom',
			contentType: PROM,
			tamper: body => body.replace(/^(pgbouncer_waiting_clients\{[^}]*database="app"[^}]*\}) 6\.0$/m, '$1 1e308'),
			error: 'invalid value 1e+308 for waiting (pgbouncer_waiting_clients)',
		},
		{
			file: 'psycopg_pool-3.1.5.json',
			contentType: JSON_TYPE,
			tamper: body => body.replace(/"pool_max": *2/, '"pool_max": -1'),
			error: 'invalid value -1 for max',
		},
	];
	for (const {file, contentType, tamper, error} of cases) {
		test(`${file}: ${error}`, () => {
			const original = corpus(file);
			const tampered = tamper(original);
			assert.notEqual(tampered, original, 'the tampering found its line');
			const pools = poolsOf(interpret(tampered, contentType, null));
			assert.equal(pools.length, 1);
			assertInvalid(pools[0]!, error);
		});
	}
});

/** 15,000 HikariCP pools, ~850 KB: pool i has (i % 7) waiting, except a few that wait much more. */
function bigExposition(count: number): string {
	const lines = ['# TYPE hikaricp_connections_pending gauge'];
	for (let index = 0; index < count; index++) {
		lines.push(`hikaricp_connections_pending{pool="HikariPool-${String(index).padStart(5, '0')}",} ${index % 1000 === 999 ? 100 + Math.floor(index / 1000) : index % 7}.0`);
	}

	return `${lines.join('\n')}\n`;
}

describe('more than 200 pools on one endpoint: the worst 200 kept, the rest counted', () => {
	test('a reading at the cap is left as it is', () => {
		const reading = interpret(bigExposition(MAX_POOLS), PROM, null);
		assert.equal(capPools(reading), reading);
	});

	test('15,000 pools in Prometheus text: the 200 most waiting, in the endpoint order', () => {
		const body = bigExposition(15_000);
		assert.ok(body.length > 800_000 && body.length < 1024 * 1024, `${body.length} bytes`);
		const reading = capPools(interpret(body, PROM, null));
		assert.ok(reading.ok);
		assert.equal(reading.pools.length, MAX_POOLS);
		assert.equal(reading.omittedPools, 15_000 - MAX_POOLS);
		const waiting = reading.pools.map(pool => pool.waiting!);
		// 15 pools wait 100+, then every pool kept waits 6 (2143 of them), none waits less.
		assert.equal(waiting.filter(value => value >= 100).length, 15);
		assert.ok(waiting.every(value => value >= 6), `least waiting kept: ${Math.min(...waiting)}`);
		const labels = reading.pools.map(pool => pool.label!);
		assert.deepEqual(labels, [...labels].sort(), 'kept pools stay in the endpoint order');
	});

	test('15,000 pools in JSON: the fullest kept, invalid ones before idle ones', () => {
		const pools = Array.from({length: 15_000}, (_, index) => ({name: `j${String(index).padStart(5, '0')}`, max: 10, total: 10, idle: index < 150 ? 0 : 10, waiting: 0}));
		pools[14_000] = {name: 'negative', max: 10, total: 10, idle: 10, waiting: -1};
		const reading = capPools(interpret(JSON.stringify({pools}), JSON_TYPE, null));
		assert.ok(reading.ok);
		assert.equal(reading.pools.length, MAX_POOLS);
		assert.equal(reading.omittedPools, 14_800);
		assert.equal(reading.pools.filter(pool => pool.active === 10).length, 150, 'every full pool kept');
		assertInvalid(byLabel(reading.pools, 'negative'), 'invalid value -1 for waiting');
	});

	test('a failed reading passes through', () => {
		const failed: PoolReading = {ok: false, error: 'x'};
		assert.equal(capPools(failed), failed);
	});
});

describe('through the real collector over loopback HTTP', () => {
	let server: http.Server;
	let base = '';
	const body = bigExposition(15_000);
	before(async () => {
		server = http.createServer((_request, response) => {
			response.writeHead(200, {'content-type': PROM});
			response.end(body);
		});
		await new Promise<void>(resolve => {
			server.listen(0, '127.0.0.1', resolve);
		});
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
	});
	after(async () => {
		server.closeAllConnections();
		await new Promise(resolve => {
			server.close(resolve);
		});
	});

	const collect = async (url: string) => {
		const collector = createPoolCollector({id: 'endpoint-1', name: null, url, maskedUrl: url, kind: 'http', forcedFormat: null});
		try {
			return await collector.collect(5000);
		} finally {
			await collector.close();
		}
	};

	test('15,000 pools: 200 kept and 14,800 counted, within the timeout', async () => {
		const reading = await collect(base);
		assert.ok(reading.ok, reading.ok ? '' : reading.error);
		assert.deepEqual([reading.pools.length, reading.omittedPools], [MAX_POOLS, 14_800]);
	});

	test('#pool= finds a quiet pool the cap would have cut', async () => {
		const reading = await collect(`${base}#pool=HikariPool-00000`);
		assert.ok(reading.ok, reading.ok ? '' : reading.error);
		assert.deepEqual(reading.pools.map(pool => [pool.label, pool.waiting]), [['HikariPool-00000', 0]]);
		assert.equal(reading.omittedPools, undefined);
	});
});
