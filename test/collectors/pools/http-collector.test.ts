// Real node:http servers on loopback serving recorded expositions, and misbehaving on purpose.
import {readFileSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import zlib from 'node:zlib';
import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';
import type {PoolReading} from '../../../source/model/types.js';
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
			send(404, 'text/plain', 'not found');
		}
	}
}

before(async () => {
	server = http.createServer(handle);
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
