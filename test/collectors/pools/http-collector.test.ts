// Real node:http servers on loopback serving recorded expositions, and misbehaving on purpose.
import {readFileSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import zlib from 'node:zlib';
import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';
import type {PoolReading} from '../../../source/readings/types.js';
import {parsePoolSpec} from '../../../source/connection/pool-endpoint.js';
import {createPoolCollector} from '../../../source/collectors/pools/create-collector.js';
import {detectFormat} from '../../../source/collectors/pools/http-collector.js';
import {freePort} from '../../helpers/postgres.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/pools/${name}`, import.meta.url), 'utf8');
const PROM = 'text/plain; version=0.0.4; charset=utf-8';
const OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

let server: http.Server;
let port: number;
let hugeBytesWritten = 0;
let lastAccept = '';
const hungResponses: http.ServerResponse[] = [];

function handle(request: http.IncomingMessage, response: http.ServerResponse): void {
	lastAccept = request.headers.accept ?? '';
	const path = request.url ?? '';
	const send = (status: number, type: string, body: string | Buffer, headers: http.OutgoingHttpHeaders = {}) => {
		response.writeHead(status, {'content-type': type, ...headers});
		response.end(body);
	};

	switch (path) {
		case '/micrometer': {
			send(200, PROM, fixture('micrometer-hikari.prom'));
			break;
		}

		case '/openmetrics': {
			send(200, OPENMETRICS, fixture('openmetrics-exemplars.om'));
			break;
		}

		case '/openmetrics-truncated': {
			send(200, OPENMETRICS, fixture('openmetrics-exemplars.om').replace('# EOF\n', ''));
			break;
		}

		case '/json': {
			send(200, 'application/json', fixture('lifeguard-payload.json'));
			break;
		}

		case '/json-as-text': {
			send(200, 'text/plain', `  ${fixture('lifeguard-payload.json')}`);
			break;
		}

		case '/prom-without-type': {
			send(200, '', fixture('go-sql.prom'));
			break;
		}

		case '/gzip': {
			send(200, PROM, zlib.gzipSync(fixture('pgbouncer-exporter.prom')), {'content-encoding': 'gzip'});
			break;
		}

		case '/gzip-bomb': {
			// 8 MiB of zeros compress to about 8 KiB: the cap must count what comes out of gunzip
			send(200, PROM, zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x30)), {'content-encoding': 'gzip'});
			break;
		}

		case '/hang': {
			hungResponses.push(response); // never answers
			break;
		}

		case '/hang-mid-body': {
			response.writeHead(200, {'content-type': PROM});
			response.write('hikaricp_connections_active{pool="a"} 1\n');
			hungResponses.push(response);
			break;
		}

		case '/error': {
			send(500, 'text/plain', 'boom');
			break;
		}

		case '/garbage': {
			send(200, 'text/html', '<html><body>Whitelabel Error Page</body></html>');
			break;
		}

		case '/bad-json': {
			send(200, 'application/json', '{"pools": [');
			break;
		}

		case '/unrecognised-json': {
			send(200, 'application/json', '{"status":"UP"}');
			break;
		}

		case '/protobuf': {
			send(200, 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited', Buffer.from([1, 2, 3]));
			break;
		}

		case '/huge': {
			// 50 MB streamed with backpressure; stops as soon as the client goes away
			response.writeHead(200, {'content-type': PROM});
			const line = Buffer.from(`${'hikaricp_connections_active{pool="x"} 1\n'.repeat(1638)}`); // ~64 KiB
			const total = 50 * 1024 * 1024;
			const pump = () => {
				while (hugeBytesWritten < total && !response.destroyed) {
					hugeBytesWritten += line.length;
					if (!response.write(line)) {
						response.once('drain', pump);
						return;
					}
				}

				response.end();
			};

			pump();
			break;
		}

		case '/reset': {
			request.socket.destroy();
			break;
		}

		case '/reset-mid-body': {
			response.writeHead(200, {'content-type': PROM, 'content-length': '100000'});
			response.write('hikaricp_connections_active{pool="a"} 1\n', () => {
				request.socket.destroy();
			});
			break;
		}

		case '/auth': {
			const expected = `Basic ${Buffer.from('user:hunter2').toString('base64')}`;
			if (request.headers.authorization === expected) {
				send(200, PROM, fixture('hikari-simpleclient.prom'));
			} else {
				send(401, 'text/plain', 'unauthorized');
			}

			break;
		}

		default: {
			// Spring Boot Actuator, one JSON document per meter, as recorded by scripts/fixtures/hikaricp.sh
			// /timed: the same application with HikariCP's usage timer as Actuator serves a Timer.
			const actuator = path.startsWith('/timed/') ? timedPages[path.replace(/^\/timed/, '')] : actuatorPages[path.replace(/^\/app/, '')];
			if ((path.startsWith('/app/actuator/') || path.startsWith('/timed/actuator/')) && actuator) {
				send(200, 'application/vnd.spring-boot.actuator.v3+json', JSON.stringify(actuator));
				break;
			}

			send(404, 'text/plain', 'not found');
		}
	}
}

const actuatorPages = JSON.parse(fixture('corpus/hikaricp-2.7.9+actuator-format.json')) as Record<string, unknown>;
const timedPages: Record<string, unknown> = {
	...actuatorPages,
	'/actuator/metrics/hikaricp.connections.usage?tag=pool:HikariPool-1': {
		name: 'hikaricp.connections.usage',
		baseUnit: 'seconds',
		measurements: [{statistic: 'COUNT', value: 1840}, {statistic: 'TOTAL_TIME', value: 412.5}, {statistic: 'MAX', value: 0.9}],
		availableTags: [],
	},
};
let connectionsAccepted = 0;

before(async () => {
	server = http.createServer(handle);
	server.on('connection', () => {
		connectionsAccepted++;
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	port = (server.address() as AddressInfo).port;
});

after(async () => {
	for (const response of hungResponses) {
		response.destroy();
	}

	server.closeAllConnections();
	await new Promise(resolve => {
		server.close(resolve);
	});
});

const url = (path: string) => `http://user:hunter2@127.0.0.1:${port}${path}`;

async function collect(spec: string, timeoutMs = 2000, maxBytes?: number): Promise<{reading: PoolReading; elapsedMs: number}> {
	const collector = createPoolCollector(parsePoolSpec(spec), {maxBytes});
	const started = performance.now();
	try {
		const reading = await collector.collect(timeoutMs);
		const elapsedMs = performance.now() - started;
		assert.ok(!JSON.stringify(reading).includes('hunter2'), `password leaked: ${JSON.stringify(reading)}`);
		return {reading, elapsedMs};
	} finally {
		await collector.close();
	}
}

async function collectError(spec: string, timeoutMs = 2000, maxBytes?: number): Promise<{error: string; elapsedMs: number}> {
	const {reading, elapsedMs} = await collect(spec, timeoutMs, maxBytes);
	assert.equal(reading.ok, false, `expected a failure, got ${JSON.stringify(reading)}`);
	return {error: reading.ok ? '' : reading.error, elapsedMs};
}

test('Prometheus text: Micrometer HikariCP, two pools', async () => {
	const {reading} = await collect(url('/micrometer'));
	assert.equal(reading.ok, true);
	assert.ok(reading.ok);
	assert.equal(reading.format, 'prometheus');
	assert.deepEqual(reading.pools.map(pool => [pool.label, pool.active, pool.max, pool.waiting]), [
		['HikariPool-1', 10, 10, 37],
		['reporting', 1, 4, 0],
	]);
	assert.match(lastAccept, /^text\/plain;version=0\.0\.4;q=0\.9,application\/openmetrics-text;version=1\.0\.0;q=0\.8,application\/json;q=0\.7,\*\/\*;q=0\.1$/);
	assert.ok(!lastAccept.includes('protobuf'));
});

test('OpenMetrics by Content-Type, and a body cut before # EOF is refused', async () => {
	const {reading} = await collect(url('/openmetrics'));
	assert.ok(reading.ok);
	assert.deepEqual(reading.pools.map(pool => [pool.label, pool.timeoutsTotal]), [['HikariPool-1', 4]]);
	assert.equal((await collectError(url('/openmetrics-truncated'))).error, 'OpenMetrics response without # EOF (truncated?)');
});

test('JSON by Content-Type, by body under text/plain, and Prometheus without any Content-Type', async () => {
	for (const path of ['/json', '/json-as-text']) {
		const {reading} = await collect(url(path));
		assert.ok(reading.ok, path);
		assert.equal(reading.format, 'json');
		assert.deepEqual(reading.pools.map(pool => [pool.label, pool.active, pool.waiting]), [
			['api', 5, 812],
			['jobs', 0, 0],
		]);
	}

	const {reading} = await collect(url('/prom-without-type'));
	assert.ok(reading.ok);
	assert.deepEqual(reading.pools.map(pool => [pool.label, pool.waiting]), [
		['inventory', null],
		['sessions', null],
	]);
});

test('forced formats override detection', async () => {
	assert.equal((await collectError(`json+${url('/micrometer')}`)).error.startsWith('invalid JSON: '), true);
	assert.match(lastAccept, /^application\/json;q=0\.9,\*\/\*;q=0\.1$/);
	assert.equal((await collectError(`prom+${url('/json')}`)).error, 'no pool metrics recognised in response');
});

test('gzip bodies are decoded, and the cap counts decoded bytes', async () => {
	const {reading} = await collect(url('/gzip'));
	assert.ok(reading.ok);
	assert.deepEqual(reading.pools.map(pool => [pool.label, pool.waiting, pool.max]), [
		['app/web', 61, 20],
		['app/worker', 0, 20],
	]);
	assert.equal((await collectError(url('/gzip-bomb'))).error, 'response larger than 1 MiB');
});

test('Basic auth from the URL is sent', async () => {
	const {reading} = await collect(url('/auth'));
	assert.ok(reading.ok);
	assert.equal(reading.pools[0]?.label, 'billing');
	assert.equal((await collectError(`http://user:wrong-password@127.0.0.1:${port}/auth`)).error, 'HTTP 401 Unauthorized');
});

test('a hanging endpoint returns the timeout error within timeout + 300 ms', async () => {
	for (const path of ['/hang', '/hang-mid-body']) {
		const {error, elapsedMs} = await collectError(url(path), 1000);
		assert.equal(error, 'timed out after 1000 ms');
		console.log(`${path}: timeout error after ${elapsedMs.toFixed(0)} ms`);
		assert.ok(elapsedMs >= 990 && elapsedMs < 1300, `${path}: ${elapsedMs} ms`);
	}
});

test('HTTP errors, garbage, bad and unrecognised JSON, protobuf', async () => {
	assert.equal((await collectError(url('/error'))).error, 'HTTP 500 Internal Server Error');
	assert.equal((await collectError(url('/nope'))).error, 'HTTP 404 Not Found');
	assert.equal((await collectError(url('/garbage'))).error, 'no pool metrics recognised in response');
	assert.match((await collectError(url('/bad-json'))).error, /^invalid JSON: /);
	assert.equal(
		(await collectError(url('/unrecognised-json'))).error,
		'unrecognised JSON: expected {"pools":[…]}, a pg.Pool {totalCount, idleCount, waitingCount} or psycopg get_stats()',
	);
	assert.equal((await collectError(url('/protobuf'))).error, 'protobuf not supported; endpoint ignored Accept');
});

test('a 50 MB answer is cut at the 1 MiB cap, quickly', async () => {
	hugeBytesWritten = 0;
	const {error, elapsedMs} = await collectError(url('/huge'));
	assert.equal(error, 'response larger than 1 MiB');
	assert.ok(elapsedMs < 1000, `${elapsedMs} ms`);
	// The server noticed the abort long before 50 MB (socket buffers hold a few MB at most).
	console.log(`50 MB endpoint: cap error after ${elapsedMs.toFixed(0)} ms, server wrote ${hugeBytesWritten} bytes`);
	assert.ok(hugeBytesWritten < 20 * 1024 * 1024, `${hugeBytesWritten} bytes written`);
	assert.equal((await collectError(url('/micrometer'), 2000, 1024)).error, 'response larger than 1 KiB');
});

test('reset and refused connections', async () => {
	assert.equal((await collectError(url('/reset'))).error, 'connection reset');
	assert.equal((await collectError(url('/reset-mid-body'))).error, 'connection reset');
	const closedPort = await freePort();
	assert.equal((await collectError(`http://user:hunter2@127.0.0.1:${closedPort}/metrics`)).error, 'connection refused');
});

test('format detection', () => {
	assert.equal(detectFormat('application/json; charset=utf-8', 'x'), 'json');
	assert.equal(detectFormat('application/vnd.spring-boot.actuator.v3+json', ''), 'json');
	assert.equal(detectFormat('application/openmetrics-text; version=1.0.0', '{'), 'prometheus');
	assert.equal(detectFormat('text/plain; version=0.0.4', '[{"totalCount":1}]'), 'json');
	assert.equal(detectFormat('text/plain; version=0.0.4', 'a 1'), 'prometheus');
	assert.equal(detectFormat('', '\n{"pools":[]}'), 'json');
});

test('keep-alive: polls of one endpoint reuse one TCP connection; close() lets it go', async () => {
	const collector = createPoolCollector(parsePoolSpec(url('/micrometer')));
	const before = connectionsAccepted;
	try {
		for (let poll = 0; poll < 3; poll++) {
			const reading = await collector.collect(2000);
			assert.ok(reading.ok);
		}

		assert.equal(connectionsAccepted - before, 1, 'three polls, one connection');
	} finally {
		await collector.close();
	}

	// A second collector (another endpoint entry) has its own agent.
	const other = createPoolCollector(parsePoolSpec(url('/micrometer')));
	try {
		assert.ok((await other.collect(2000)).ok);
		assert.equal(connectionsAccepted - before, 2);
	} finally {
		await other.close();
	}
});

test('keep-alive: a failed poll drops its socket and the next poll opens a fresh one', async () => {
	const collector = createPoolCollector(parsePoolSpec(url('/micrometer')));
	try {
		assert.ok((await collector.collect(2000)).ok);
		const before = connectionsAccepted;
		const failing = createPoolCollector(parsePoolSpec(url('/missing')));
		try {
			assert.deepEqual(await failing.collect(2000), {ok: false, error: 'HTTP 404 Not Found'});
		} finally {
			await failing.close();
		}

		assert.ok((await collector.collect(2000)).ok);
		assert.equal(connectionsAccepted - before, 1, 'only the failing collector connected');
	} finally {
		await collector.close();
	}
});

test('actuator+http://: HikariCP meters read one by one from Spring Boot Actuator JSON', async () => {
	const {reading} = await collect(`orders=actuator+${url('/app/actuator')}`);
	assert.deepEqual(reading, {
		ok: true,
		format: 'json',
		pools: [
			{label: 'HikariPool-1', max: 2, open: 2, active: 2, idle: 0, waiting: 6, oldestWaitSeconds: null, timeoutsTotal: 0, waitsTotal: null, waitSecondsTotal: null},
		],
	});
});

test('actuator+http://: the usage timer\'s COUNT and TOTAL_TIME are the pool\'s usage counters', async () => {
	const {reading} = await collect(`orders=actuator+${url('/timed/actuator')}`);
	assert.ok(reading.ok);
	assert.deepEqual([reading.pools[0]!.servedTotal, reading.pools[0]!.holdSecondsTotal], [1840, 412.5]);
});

test('actuator+http:// without Actuator there: one line naming the missing meter', async () => {
	const {error} = await collectError(`actuator+${url('/nothing/actuator')}`);
	assert.equal(error, "actuator: hikaricp.connections not found (is HikariCP's Micrometer binding on?)");
});

test('#pool=NAME picks one pool out of an exposition with two, and names the choices when absent', async () => {
	const {reading} = await collect(`${url('/micrometer')}#pool=reporting`);
	assert.ok(reading.ok);
	assert.deepEqual(reading.pools.map(pool => [pool.label, pool.max]), [['reporting', 4]]);
	const {error} = await collectError(`${url('/micrometer')}#pool=HikariPool-9`);
	assert.equal(error, 'no pool "HikariPool-9" in response (found: HikariPool-1, reporting)');
});

test('keep-alive: a kept socket the server has dropped is retried once on a fresh one, within the timeout', async () => {
	// This server serves one request per connection, then drops the connection when it is reused.
	const served = new WeakSet<object>();
	let connections = 0;
	const dropping = http.createServer((request, response) => {
		if (served.has(request.socket)) {
			request.socket.destroy();
			return;
		}

		served.add(request.socket);
		response.writeHead(200, {'content-type': PROM});
		response.end(fixture('micrometer-hikari.prom'));
	});
	dropping.on('connection', () => {
		connections++;
	});
	await new Promise<void>(resolve => {
		dropping.listen(0, '127.0.0.1', resolve);
	});
	const collector = createPoolCollector(parsePoolSpec(`http://127.0.0.1:${(dropping.address() as AddressInfo).port}/metrics`));
	try {
		for (let poll = 0; poll < 3; poll++) {
			const reading = await collector.collect(2000);
			assert.ok(reading.ok, `poll ${poll}: ${reading.ok ? '' : reading.error}`);
		}

		assert.equal(connections, 3, 'each poll after the first found its kept socket dropped and opened one more');
	} finally {
		await collector.close();
		dropping.closeAllConnections();
		await new Promise(resolve => {
			dropping.close(resolve);
		});
	}
});

test('actuator+http:// with #pool=NAME asks only for that pool', async () => {
	const {reading} = await collect(`actuator+${url('/app/actuator')}#pool=HikariPool-1`);
	assert.ok(reading.ok);
	assert.deepEqual(reading.pools.map(pool => [pool.label, pool.active, pool.waiting]), [['HikariPool-1', 2, 6]]);
	const {error} = await collectError(`actuator+${url('/app/actuator')}#pool=other`);
	assert.equal(error, 'no pool "other" in response (found: HikariPool-1)');
});
