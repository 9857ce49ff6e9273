import {test} from 'node:test';
import assert from 'node:assert/strict';
import {parsePoolSpec, parsePoolSpecs} from '../../source/connection/pool-endpoint.js';

test('http(s) URLs are detected, NAME= is optional', () => {
	assert.deepEqual(parsePoolSpec('http://api:9464/metrics'), {
		name: null,
		url: 'http://api:9464/metrics',
		maskedUrl: 'http://api:9464/metrics',
		kind: 'http',
		forcedFormat: null,
	});
	assert.deepEqual(parsePoolSpec('orders=https://user:hunter2@orders:8080/actuator/prometheus'), {
		name: 'orders',
		url: 'https://user:hunter2@orders:8080/actuator/prometheus',
		maskedUrl: 'https://user:***@orders:8080/actuator/prometheus',
		kind: 'http',
		forcedFormat: null,
	});
});

test('a query string with = is not a NAME', () => {
	const endpoint = parsePoolSpec('http://api/metrics?format=prometheus');
	assert.equal(endpoint.name, null);
	assert.equal(endpoint.url, 'http://api/metrics?format=prometheus');
});

test('forced formats strip their prefix', () => {
	assert.deepEqual(parsePoolSpec('prom+https://api/metrics'), {
		name: null,
		url: 'https://api/metrics',
		maskedUrl: 'https://api/metrics',
		kind: 'http',
		forcedFormat: 'prometheus',
	});
	assert.deepEqual(parsePoolSpec('checkout=json+http://checkout:3000/lifeguard'), {
		name: 'checkout',
		url: 'http://checkout:3000/lifeguard',
		maskedUrl: 'http://checkout:3000/lifeguard',
		kind: 'http',
		forcedFormat: 'json',
	});
});

test('pgbouncer:// is the admin console', () => {
	assert.deepEqual(parsePoolSpec('bouncer=pgbouncer://stats:s3cret@bouncer:6432/pgbouncer'), {
		name: 'bouncer',
		url: 'pgbouncer://stats:s3cret@bouncer:6432/pgbouncer',
		maskedUrl: 'pgbouncer://stats:***@bouncer:6432/pgbouncer',
		kind: 'pgbouncer',
		forcedFormat: null,
	});
});

test('bad specs throw one masked line', () => {
	const cases: Array<[string, string]> = [
		['ftp://x', '--pool "ftp://x": unsupported scheme "ftp:" (use http(s)://, prom+http(s)://, json+http(s)://, pgbouncer://)'],
		['db=postgres://u:topsecret@db/app', '--pool "db=postgres://u:***@db/app": unsupported scheme "postgres:" (use http(s)://, prom+http(s)://, json+http(s)://, pgbouncer://)'],
		['orders=', '--pool "orders=": missing URL'],
		['localhost:9090', '--pool "localhost:9090": not a URL (use http(s)://, prom+http(s)://, json+http(s)://, pgbouncer://)'],
		['http://', '--pool "http://": invalid URL'],
		['http://u:topsecret@[::1', '--pool "http://u:***@[::1": invalid URL'],
		['pgbouncer:///pgbouncer', '--pool "pgbouncer:///pgbouncer": missing host'],
	];
	for (const [spec, message] of cases) {
		assert.throws(() => parsePoolSpec(spec), (error: Error) => {
			assert.equal(error.message, message);
			assert.ok(!error.message.includes('topsecret'));
			assert.ok(!error.message.includes('\n'));
			return true;
		});
	}
});

test('--pool values and LIFEGUARD_POOLS merge; exact repeats are dropped', () => {
	const endpoints = parsePoolSpecs(['a=http://a/metrics', 'http://b/metrics'], '  http://b/metrics\n\tc=pgbouncer://s:p@c:6432  ');
	assert.deepEqual(endpoints.map(endpoint => [endpoint.name, endpoint.maskedUrl, endpoint.kind]), [
		['a', 'http://a/metrics', 'http'],
		[null, 'http://b/metrics', 'http'],
		['c', 'pgbouncer://s:***@c:6432', 'pgbouncer'],
	]);
	assert.deepEqual(parsePoolSpecs([], undefined), []);
	assert.throws(() => parsePoolSpecs([], 'ftp://x'), /unsupported scheme "ftp:"/);
});
