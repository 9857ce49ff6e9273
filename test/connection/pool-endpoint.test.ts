import {test} from 'node:test';
import assert from 'node:assert/strict';
import {parsePoolSpec as parseWithId, parsePoolSpecs, parsePrometheusSpecs, poolSelector} from '../../source/connection/pool-endpoint.js';
import {selectPool} from '../../source/collectors/pools/select-pool.js';
import {exposedPool} from '../helpers/snapshots.js';

/** The parse without its id (each endpoint gets its own, see the test at the end). */
function parsePoolSpec(...args: Parameters<typeof parseWithId>) {
	const {id: _id, ...endpoint} = parseWithId(...args);
	return endpoint;
}

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

test('actuator+http(s):// is decided once, as the kind: the URL to request is plain https, shown as typed and masked', () => {
	assert.deepEqual(parsePoolSpec('orders=actuator+https://ops:s3cret@orders:8443/actuator'), {
		name: 'orders',
		url: 'https://ops:s3cret@orders:8443/actuator',
		maskedUrl: 'actuator+https://ops:***@orders:8443/actuator',
		kind: 'actuator',
		forcedFormat: 'json',
	});
	assert.equal(parsePoolSpec('Actuator+HTTP://app:8080/actuator#pool=main').maskedUrl, 'Actuator+HTTP://app:8080/actuator#pool=main');
});

test('#pool=NAME picks one pool; any other fragment is refused', () => {
	assert.equal(poolSelector(parsePoolSpec('http://api:8080/actuator/prometheus#pool=HikariPool-1').url), 'HikariPool-1');
	assert.equal(poolSelector(parsePoolSpec('pgbouncer://stats@b:6432/pgbouncer#pool=app%2Fweb').url), 'app/web');
	assert.equal(poolSelector('http://api/metrics'), null);
	assert.throws(() => parsePoolSpec('http://u:topsecret@api/metrics#db=x'), {
		message: '--pool "http://u:***@api/metrics#db=x": unsupported fragment "#db=x" (use #pool=NAME to pick one pool)',
	});
});

test('selectPool keeps the named pool, or fails naming the pools there are', () => {
	const pools = [exposedPool({label: 'HikariPool-1', active: 1}), exposedPool({label: 'reporting', active: 2})];
	assert.deepEqual(selectPool({ok: true, format: 'prometheus', pools}, 'reporting'), {ok: true, format: 'prometheus', pools: [pools[1]]});
	assert.deepEqual(selectPool({ok: true, format: 'prometheus', pools}, 'nope'), {ok: false, error: 'no pool "nope" in response (found: HikariPool-1, reporting)'});
	assert.deepEqual(selectPool({ok: false, error: 'connection refused'}, 'nope'), {ok: false, error: 'connection refused'});
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
		['ftp://x', '--pool "ftp://x": unsupported scheme "ftp:" (use http(s)://, prom+http(s)://, json+http(s)://, actuator+http(s)://, pgbouncer://)'],
		['db=postgres://u:topsecret@db/app', '--pool "db=postgres://u:***@db/app": unsupported scheme "postgres:" (use http(s)://, prom+http(s)://, json+http(s)://, actuator+http(s)://, pgbouncer://)'],
		['orders=', '--pool "orders=": missing URL'],
		['localhost:9090', '--pool "localhost:9090": not a URL (use http(s)://, prom+http(s)://, json+http(s)://, actuator+http(s)://, pgbouncer://)'],
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

test('every endpoint gets its own id as it is parsed, whatever its URL masks to', () => {
	const pools = parsePoolSpecs(['a=http://u:one@h/metrics', 'b=http://u:two@h/metrics']);
	const fleets = parsePrometheusSpecs(['http://u:one@prom:9090'], {}, null);
	const ids = [...pools, ...fleets].map(endpoint => endpoint.id);
	assert.equal(pools[0]!.maskedUrl, pools[1]!.maskedUrl);
	assert.equal(new Set(ids).size, 3);
	assert.ok(ids.every(id => !id.includes('one') && !id.includes('two')), 'no secret in an id');
});
