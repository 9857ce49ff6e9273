// One masking rule for every kind of URL: the whole password, as the URL parser reads the userinfo
// (to the LAST '@' of the authority). A password holding '@' was masked only up to its first '@'.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {parsePoolSpec, parsePrometheusSpec} from '../../source/connection/pool-endpoint.js';
import {maskText, maskUrl, urlSecrets} from '../../source/connection/mask.js';
import {resolveTarget} from '../../source/connection/target.js';

const TAIL = 'ss1Tail';

test('every kind of URL: a password with @ is masked whole, the user and host stay', () => {
	const cases: Array<[url: string, masked: string]> = [
		['http://puser:Pa@ss1Tail@host/metrics', 'http://puser:***@host/metrics'],
		['https://puser:Pa@ss1Tail@host:8443', 'https://puser:***@host:8443'],
		['pgbouncer://puser:Pa@ss1Tail@bouncer:6432/pgbouncer', 'pgbouncer://puser:***@bouncer:6432/pgbouncer'],
		['actuator+https://puser:Pa@ss1Tail@orders:8443/actuator', 'actuator+https://puser:***@orders:8443/actuator'],
		['postgres://puser:Pa@ss1Tail@db:5432/app', 'postgres://puser:***@db:5432/app'],
		// several '@', a user holding '@', an encoded '@', a ':' inside the password
		['http://puser:P@a@ss1Tail@host/', 'http://puser:***@host/'],
		['http://me@corp:Pa@ss1Tail@host/', 'http://me@corp:***@host/'],
		['http://puser:Pa%40ss1Tail@host/', 'http://puser:***@host/'],
		['http://puser:Pa:ss1Tail@host/', 'http://puser:***@host/'],
		// the authority ends at /, ? or #: an '@' after it is no userinfo
		['http://puser:Pa@ss1Tail@host/path@x?q=a@b#f@g', 'http://puser:***@host/path@x?q=a@b#f@g'],
		// no password: nothing to mask
		['http://puser@host/', 'http://puser@host/'],
		['http://host:9090/a@b', 'http://host:9090/a@b'],
		// a URL the parser refuses cannot say where its password ends: up to its last '@'
		['http://puser:Pa/ss1Tail@host', 'http://puser:***@host'],
		['http://puser:Pa?ss1Tail@host', 'http://puser:***@host'],
		['http://puser:Pa#ss1Tail@host', 'http://puser:***@host'],
		['http://puser:Pa\\ss1Tail@host/', 'http://puser:***@host/'],
	];
	for (const [url, masked] of cases) {
		assert.equal(maskUrl(url), masked, url);
		assert.equal(maskText(`failed at ${url}: refused`), `failed at ${masked}: refused`, url);
	}
});

test('free text: every URL in it, each on its own, and the query-string password', () => {
	assert.equal(
		maskText('a http://u:Pa@ss1Tail@a/x,http://v:Pb@ss1Tail@b/ "pgbouncer://w:Pc@ss1Tail@c:6432" end'),
		'a http://u:***@a/x,http://v:***@b/ "pgbouncer://w:***@c:6432" end',
	);
	assert.equal(maskText('{"endpoint":"http://u:Pa@ss1Tail@h/m","reason":"refused"}'), '{"endpoint":"http://u:***@h/m","reason":"refused"}');
	assert.equal(maskUrl('postgres://u@db/app?password=Pa@ss1Tail&sslmode=require'), 'postgres://u@db/app?password=***&sslmode=require');
	assert.equal(maskUrl('host=db password=Pa@ss1Tail dbname=app'), 'host=db password=*** dbname=app');
});

test('urlSecrets: the raw and the decoded password, also when the decoding fails', () => {
	assert.deepEqual(urlSecrets('http://u:Pa%40ss1Tail@h/'), ['Pa%40ss1Tail', 'Pa@ss1Tail']);
	assert.deepEqual(urlSecrets('http://u:Pa@ss1Tail@h/'), ['Pa%40ss1Tail', 'Pa@ss1Tail']);
	assert.deepEqual(urlSecrets('http://u:Pa%ss1Tail@h/'), ['Pa%ss1Tail']);
	assert.deepEqual(urlSecrets('http://u@h/'), []);
});

test('what each flag keeps for display: --db, --pool http, pgbouncer:// and --prometheus', () => {
	const displays = [
		resolveTarget('postgres://puser:Pa@ss1Tail@db:5432/app', {HOME: '/nonexistent'}).display,
		parsePoolSpec('b=http://puser:Pa@ss1Tail@app:9090/metrics').maskedUrl,
		parsePoolSpec('prom+http://puser:Pa@ss1Tail@app:9090/metrics').maskedUrl,
		parsePoolSpec('c=pgbouncer://puser:Pa@ss1Tail@bouncer:6432/pgbouncer').maskedUrl,
		parsePrometheusSpec('d=http://puser:Pa@ss1Tail@prom:9090', '--prometheus', {selector: null}).maskedUrl,
	];
	assert.deepEqual(displays, [
		'postgres://puser:***@db:5432/app',
		'http://puser:***@app:9090/metrics',
		'http://puser:***@app:9090/metrics',
		'pgbouncer://puser:***@bouncer:6432/pgbouncer',
		'http://puser:***@prom:9090',
	]);
	assert.ok(displays.every(display => !display.includes(TAIL)));
});
