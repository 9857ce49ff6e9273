// `--prometheus`: a real engine on loopback scrapes real fixture endpoints every second (three
// instances of one service, and the corpus payloads of other families as other services), and the
// collector reads the fleet back through the HTTP API. Each live test runs against Prometheus and
// against VictoriaMetrics (the same API; its differences in the README). Failures come from real HTTP
// servers.
import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {createPoolCollector, type PoolCollector} from '../../../source/collectors/pools/create-collector.js';
import {familyNames, poolsFromExposition} from '../../../source/collectors/pools/prometheus-pools.js';
import {parsePrometheusText} from '../../../source/collectors/pools/prometheus-text.js';
import {parsePrometheusSelector, parsePrometheusSpec} from '../../../source/connection/pool-endpoint.js';
import {type DashboardAction, initialState, reduce} from '../../../source/screen/board.js';
import type {PoolMetrics, PoolReading} from '../../../source/readings/types.js';
import {dashboardLines} from '../../../source/ui/components/dashboard.js';
import {freePort, pollUntil} from '../../helpers/postgres.js';
import {type Engine, ENGINES} from '../../helpers/engines.js';
import {hikariExposition, startFakePrometheus, startFixtureServer, type FixtureServer, type TestPrometheus} from '../../helpers/prometheus.js';
import {command, defaultThresholds, serverSnapshot} from '../../helpers/snapshots.js';

const CORPUS = new URL('../../fixtures/pools/corpus/', import.meta.url);
// One job per family from the corpus: the same payloads `--pool` is tested on, now through Prometheus.
const CORPUS_JOBS = {
	'go-sql': 'go-sql+client_golang-1.14.0.prom',
	'node-pg': 'node-postgres-prometheus-exporter-1.4.0+prom-client-15.1.3.prom',
	otel: 'opentelemetry-instrumentation-pg-0.76.0+exporter-prometheus-0.223.0.prom',
	'hikari-collector': 'hikaricp-2.7.9+prometheus-collector-format.prom',
	bouncer: 'prometheus-pgbouncer-exporter-1.7+pgbouncer-1.18.0.prom',
} as const;
const corpusText = (file: string) => readFileSync(new URL(file, CORPUS), 'utf8');
/** A change at a 1 s scrape interval reaches the reading within a few scrapes (a loaded machine's margin). */
const LIVE_WITHIN_MS = 10_000;

const collectors: PoolCollector[] = [];

after(async () => {
	await Promise.all(collectors.splice(0).map(async collector => collector.close()));
});

function collector(url: string, context: {selector?: string | null; token?: string | null} = {}): PoolCollector {
	const created = createPoolCollector(parsePrometheusSpec(url, '--prometheus', {selector: context.selector ? parsePrometheusSelector(context.selector) : null, token: context.token ?? null}));
	collectors.push(created);
	return created;
}

const byLabel = (reading: PoolReading, label: string): PoolMetrics | undefined => (reading.ok ? reading.pools.find(pool => pool.label === label) : undefined);

/** The live tests against one engine: its own fixture endpoints, scraped by it alone. */
function engineTests(engine: Engine): void {
	let prometheus: TestPrometheus | undefined;
	const fixtures: FixtureServer[] = [];
	let startedMs = Date.now();
	// Instance A gives up 2 requests a second: timeouts_total grows with the wall clock, so rate() sees it.
	const timeoutsOfA = () => Math.floor((Date.now() - startedMs) / 500);

	before(async () => {
		startedMs = Date.now();
		const checkout = [
			() => hikariExposition([{pool: 'HikariPool-1', max: 10, active: 10, idle: 0, pending: 7, timeouts: timeoutsOfA()}, {pool: 'ReportsPool', max: 5, active: 1, idle: 4, pending: 0}]),
			() => hikariExposition([{pool: 'HikariPool-1', max: 10, active: 10, idle: 0, pending: 3}, {pool: 'ReportsPool', max: 5, active: 5, idle: 0, pending: 0}]),
			() => hikariExposition([{pool: 'HikariPool-1', max: 10, active: 4, idle: 6, pending: 0}, {pool: 'ReportsPool', max: 5, active: 0, idle: 5, pending: 0}]),
		];
		for (const body of checkout) {
			fixtures.push(await startFixtureServer(body));
		}

		const corpusServers: Record<string, FixtureServer> = {};
		for (const [job, file] of Object.entries(CORPUS_JOBS)) {
			corpusServers[job] = await startFixtureServer(corpusText(file));
			fixtures.push(corpusServers[job]);
		}

		prometheus = await engine.start([
			// the service label names the service, whatever the job is called
			{job: 'kubernetes-pods', targets: fixtures.slice(0, 3).map(fixture => fixture.target), labels: {service: 'checkout', namespace: 'shop'}},
			...Object.entries(corpusServers).map(([job, server]) => ({job, targets: [server.target], labels: {namespace: 'ops'}})),
		]);
	});

	after(async () => {
		await prometheus?.stop();
		await Promise.all(fixtures.splice(0).map(async fixture => fixture.stop()));
	});

	/** Poll the collector until `ready` holds for its reading (the engine has scraped enough), never a fixed sleep. */
	async function readUntil(source: PoolCollector, ready: (reading: PoolReading) => boolean, what: string): Promise<PoolReading> {
		let last: PoolReading | undefined;
		try {
			return await pollUntil(async () => {
				last = await source.collect(2000);
				return ready(last) ? last : false;
			}, {timeoutMs: 60_000, everyMs: 250, what});
		} catch (error) {
			throw new Error(`${(error as Error).message}; last reading: ${JSON.stringify(last)?.slice(0, 500)}; ${engine.name}: ${prometheus?.log().slice(-500)}`);
		}
	}

	test('a service of three instances: sums, instances at their max, the worst instance first, timeouts as a PromQL rate', async () => {
		const source = collector(prometheus!.url);
		const reading = await readUntil(source, current => {
			const pool = byLabel(current, 'checkout/HikariPool-1');
			// rate() needs two scrapes of each instance's counter: wait until every instance has one.
			return pool?.fleet?.instances === 3 && (pool.sourceRates?.timeoutsPerMinute ?? 0) > 0
				&& pool.fleet.members.every(member => member.sourceRates.timeoutsPerMinute !== null);
		}, 'three checkout instances, each with a timeout rate');
		assert.ok(reading.ok);
		assert.equal(reading.format, 'prometheus');

		const main = byLabel(reading, 'checkout/HikariPool-1')!;
		assert.deepEqual({max: main.max, open: main.open, active: main.active, idle: main.idle, waiting: main.waiting}, {max: 30, open: 30, active: 24, idle: 6, waiting: 10});
		// Counter totals are not summed across a fleet: they come as rates instead.
		assert.equal(main.timeoutsTotal, null);
		const fleet = main.fleet!;
		assert.deepEqual({service: fleet.service, pool: fleet.pool, instances: fleet.instances, atMax: fleet.atMax, maxPerInstance: fleet.maxPerInstance}, {service: 'checkout', pool: 'HikariPool-1', instances: 3, atMax: 2, maxPerInstance: 10});
		assert.deepEqual(fleet.members.map(member => member.instance), [fixtures[0]!.target, fixtures[1]!.target, fixtures[2]!.target], 'worst first: 7 waiting, 3 waiting, then the one with room');
		assert.equal(fleet.worst.instance, fixtures[0]!.target);
		assert.deepEqual(fleet.members.map(member => [member.waiting, member.isAtMax]), [[7, true], [3, true], [0, false]]);
		// Only A gives up requests: the fleet's rate is A's. (Its size ramps up while rate()'s 1 m window
		// fills, so only the sign and the attribution are asserted, not the number.)
		const perMinute = main.sourceRates!.timeoutsPerMinute!;
		assert.ok(perMinute > 0, `timeouts per minute ${perMinute}`);
		assert.deepEqual(fleet.members.map(member => member.sourceRates.timeoutsPerMinute), [perMinute, 0, 0]);
		assert.equal(main.sourceRates!.waitsPerSecond, null, 'HikariCP exposes no wait counter');

		const reports = byLabel(reading, 'checkout/ReportsPool')!;
		assert.deepEqual({active: reports.active, max: reports.max, waiting: reports.waiting, atMax: reports.fleet!.atMax, worst: reports.fleet!.worst.instance}, {active: 6, max: 15, waiting: 0, atMax: 1, worst: fixtures[1]!.target});
	});

	test('every corpus family reads the same through Prometheus as scraped directly (gauges), counters as rates', async () => {
		const source = collector(`${prometheus!.url}/`, {selector: '{namespace="ops"}'});
		const expected = Object.entries(CORPUS_JOBS).flatMap(([job, file]) => poolsFromExposition(parsePrometheusText(corpusText(file))).map(pool => ({job, pool})));
		assert.ok(expected.length >= Object.keys(CORPUS_JOBS).length, 'every corpus file has a pool');
		const reading = await readUntil(source, current => current.ok
			&& expected.every(({job, pool}) => byLabel(current, pool.label === null ? job : `${job}/${pool.label}`) !== undefined)
			&& byLabel(current, 'go-sql/app')?.sourceRates?.waitsPerSecond !== null && byLabel(current, 'go-sql/app')?.sourceRates?.waitingAverage !== null, 'every corpus family, with go_sql wait rates');
		assert.ok(reading.ok);
		assert.ok(reading.pools.every(pool => pool.fleet?.service !== 'checkout'), 'the selector keeps checkout out');
		for (const {job, pool} of expected) {
			const label = pool.label === null ? job : `${job}/${pool.label}`;
			const read: PoolMetrics = byLabel(reading, label)!;
			assert.deepEqual(
				{max: read.max, open: read.open, active: read.active, idle: read.idle, waiting: read.waiting, oldest: read.oldestWaitSeconds},
				{max: pool.max, open: pool.open, active: pool.active, idle: pool.idle, waiting: pool.waiting, oldest: pool.oldestWaitSeconds},
				label,
			);
			assert.equal(read.fleet?.instances, 1, label);
		}

		// The corpus counters stand still: rate 0, not null (null = not exposed)
		assert.deepEqual(byLabel(reading, 'go-sql/app')!.sourceRates, {waitsPerSecond: 0, waitingAverage: 0, timeoutsPerMinute: null});
	});

	test('a selector that matches nothing, and a Prometheus that is down, are failures with their reason', async () => {
		const nothing = await collector(prometheus!.url, {selector: 'service="nope"'}).collect(2000);
		assert.deepEqual(nothing, {ok: false, error: 'no pool series in Prometheus matching {service="nope"}'});

		const port = await freePort();
		const down = await collector(`http://admin:s3cret-pw@127.0.0.1:${port}`).collect(2000);
		assert.deepEqual(down, {ok: false, error: 'connection refused'});
	});

	test('a selector the engine rejects: its reason in one line, without the echo of the query or a status in place of the kind', async () => {
		const rejected = await collector(prometheus!.url, {selector: 'namespace=~"("'}).collect(2000);
		assert.ok(!rejected.ok);
		// Prometheus: `400 bad_data: invalid parameter "query": 1:2: parse error: …`; VictoriaMetrics: `422`, the
		// status again as errorType and the whole query before `cannot expand WITH expressions: …`.
		assert.match(rejected.error, /^prometheus \(HTTP 4\d\d\): (?:bad_data: invalid parameter "query": \d+:\d+: parse error: |cannot expand WITH expressions: invalid regexp in namespace="\(": )error parsing regexp: missing closing \): `\^\(\?:\(\)\$`$/);
		assert.doesNotMatch(rejected.error, /hikaricp|\n/);
	});

	test('the drill-down on a real fleet: Enter, Enter lists the three instances worst first with the numbers Prometheus holds; one that stops reporting shows as GONE', async () => {
		const source = collector(prometheus!.url);
		const hasThree = (current: PoolReading) => byLabel(current, 'checkout/HikariPool-1')?.fleet?.instances === 3;
		const first = await readUntil(source, hasThree, 'three checkout instances');
		const polled = (reading: PoolReading, atMs: number): DashboardAction => ({type: 'pool-polled', endpoint: source.endpoint, reading, atMs});
		const server: DashboardAction = {type: 'server-polled', reading: {ok: true, isReconnected: false, snapshot: serverSnapshot({takenAtMs: 1000, connections: 40})}, atMs: 1000};
		let state = [server, polled(first, 1000), command('pools', {atMs: 1000, pageRows: 8}), command('instances', {atMs: 1000, pageRows: 8})].reduce(reduce, initialState(defaultThresholds));
		const screen = () => dashboardLines({state, target: 'postgres://x@127.0.0.1/x', columns: 80, rows: 24}).map(line => line.spans.map(part => part.text).join(''));
		const [a, b, c] = fixtures.slice(0, 3).map(fixture => fixture.target);
		const rowOf = (target: string) => screen().find(line => line.includes(` ${target} `)) ?? `no row for ${target}`;
		assert.match(rowOf(a!), /^> CRIT 127\.0\.0\.1:\d+ +10\/10 +10 +7 AT MAX at max, queueing/);
		assert.match(rowOf(b!), /^ {2}CRIT 127\.0\.0\.1:\d+ +10\/10 +10 +3 AT MAX at max, queueing/);
		assert.match(rowOf(c!), /^ {2}OK {3}127\.0\.0\.1:\d+ +4\/10 +10 +0 - +40% busy/);
		const lines = screen();
		assert.ok(lines.indexOf(rowOf(a!)) < lines.indexOf(rowOf(b!)) && lines.indexOf(rowOf(b!)) < lines.indexOf(rowOf(c!)), 'worst first');

		// C stops exposing the pool: Prometheus marks its series stale at the next scrape.
		const body = hikariExposition([{pool: 'HikariPool-1', max: 10, active: 4, idle: 6, pending: 0}, {pool: 'ReportsPool', max: 5, active: 0, idle: 5, pending: 0}]);
		fixtures[2]!.setBody('');
		const goneAtMs = Date.now();
		try {
			const second = await readUntil(source, current => byLabel(current, 'checkout/HikariPool-1')?.fleet?.instances === 2, 'two checkout instances');
			// A live screen: the change is read at the next scrapes, not when the engine deems data settled
			// (VictoriaMetrics hides the last 30 s from queries unless asked not to).
			const tookMs = Date.now() - goneAtMs;
			assert.ok(tookMs < LIVE_WITHIN_MS, `the instance left the reading ${tookMs} ms after it stopped reporting`);
			state = reduce(state, polled(second, 6000));
			assert.match(rowOf(c!), /^ {2}GONE 127\.0\.0\.1:\d+ +not in the latest reading; last seen 5s ago/);
			assert.match(screen().join('\n'), /INSTANCE \(2, 1 gone\)/);
			assert.match(screen().join('\n'), /Pool {4}CRIT checkout\S* +20\/20 {2}WAITING \d+ {2}2 inst {2}2 at max/);
		} finally {
			fixtures[2]!.setBody(body);
		}
	});
}

for (const engine of ENGINES) {
	describe(`against ${engine.name}`, {skip: engine.missing}, () => {
		engineTests(engine);
	});
}

test('a 500, an error JSON, a non-vector answer and a hang: one line each, within the timeout', async t => {
	const servers = [
		await startFakePrometheus(500, 'text/plain', 'oops\nstack trace'),
		await startFakePrometheus(422, 'application/json', JSON.stringify({status: 'error', errorType: 'execution', error: 'query processing would load too many samples into memory'})),
		await startFakePrometheus(200, 'application/json', JSON.stringify({status: 'success', data: {resultType: 'matrix', result: []}})),
		await startFakePrometheus(200, 'text/html', '<html>login</html>'),
	];
	const hanging = http.createServer(() => undefined); // accepts, never answers
	await new Promise<void>(resolve => {
		hanging.listen(0, '127.0.0.1', resolve);
	});
	t.after(async () => {
		await Promise.all(servers.map(async server => server.stop()));
		hanging.closeAllConnections();
		await new Promise(resolve => {
			hanging.close(resolve);
		});
	});

	const errors = [];
	for (const server of servers) {
		errors.push(await collector(server.url.replace('http://', 'http://u:pw-secret-1@')).collect(2000));
	}

	assert.deepEqual(errors, [
		{ok: false, error: 'HTTP 500 Internal Server Error'},
		{ok: false, error: 'prometheus (HTTP 422): execution: query processing would load too many samples into memory'},
		{ok: false, error: 'prometheus: expected a vector, got matrix'},
		{ok: false, error: 'prometheus: response is not JSON'},
	]);

	const started = Date.now();
	const hung = await collector(`http://127.0.0.1:${(hanging.address() as AddressInfo).port}`).collect(300);
	const tookMs = Date.now() - started;
	assert.deepEqual(hung, {ok: false, error: 'timed out after 300 ms'});
	assert.ok(tookMs < 300 + 200, `took ${tookMs} ms`);
});

test('one query per family per refresh and one for the failing targets, all POSTed with the bearer token; the token never shows', async t => {
	const requests: Array<{path: string | undefined; authorization: string | undefined; query: string | null}> = [];
	const server = http.createServer((request, response) => {
		let body = '';
		request.on('data', (chunk: Buffer) => {
			body += chunk.toString();
		});
		request.on('end', () => {
			requests.push({path: request.url, authorization: request.headers.authorization, query: new URLSearchParams(body).get('query')});
			response.statusCode = 400;
			response.setHeader('content-type', 'application/json');
			// A proxy that echoes what it was sent must not leak the token onto the screen.
			response.end(JSON.stringify({status: 'error', errorType: 'bad_data', error: `refused ${request.headers.authorization}`}));
		});
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	t.after(async () => {
		server.closeAllConnections();
		await new Promise(resolve => {
			server.close(resolve);
		});
	});

	const token = 'glc_token-value-123';
	const reading = await collector(`http://127.0.0.1:${(server.address() as AddressInfo).port}/prometheus`, {selector: 'namespace="shop"', token}).collect(2000);
	assert.deepEqual(reading, {ok: false, error: 'prometheus (HTTP 400): bad_data: refused Bearer ***'});
	assert.equal(requests.length, familyNames().length + 1, 'one query per family, and one for the failing targets');
	assert.ok(requests.some(request => request.query === 'timestamp(up{namespace="shop"}) and up{namespace="shop"} == 0'), 'the failing targets, by the same selector');
	assert.ok(requests.every(request => request.path === '/prometheus/api/v1/query' && request.authorization === `Bearer ${token}`));
	assert.ok(requests.every(request => request.query!.includes('namespace="shop"')), 'the selector is in every query');
	assert.ok(requests.some(request => request.query!.includes('rate({__name__="hikaricp_connections_timeout_total",namespace="shop"}[1m])')));
});
