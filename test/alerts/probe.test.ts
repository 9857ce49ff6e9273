// The --prometheus probe's failures and its reading of an answer, and a family scraped seconds ago on
// each engine; the whole probe against Prometheus and VictoriaMetrics with vmalert is in live.test.ts.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {probeFamilies, probeQuery, sourcesOf} from '../../source/alerts/probe.js';
import {alertRules} from '../../source/alerts/rules.js';
import {ENGINES} from '../helpers/engines.js';
import {freePort, pollUntil} from '../helpers/postgres.js';
import {hikariExposition, startFakePrometheus, startFixtureServer} from '../helpers/prometheus.js';

const metric = (name: string, labels: Record<string, string>) => ({metric: {__name__: name, ...labels}});

test('sources: each family with the services that expose it (service, else app, else job); the server only with sessions and max_connections', () => {
	assert.deepEqual(sourcesOf([
		metric('hikaricp_connections_pending', {job: 'k8s-pods', app: 'orders'}),
		metric('hikaricp_pending_threads', {job: 'billing'}),
		metric('go_sql_wait_count_total', {job: 'pods', service: 'inventory', app: 'inv'}),
		metric('pg_stat_activity_count', {job: 'postgres'}),
		metric('pg_settings_max_connections', {job: 'postgres'}),
		metric('pg_stat_activity_count', {job: 'half'}),
		metric('unrelated_total', {job: 'x'}),
		{metric: {job: 'no name'}},
	]), [
		{id: 'hikaricp', services: ['billing', 'orders']},
		{id: 'go_sql', services: ['inventory']},
		{id: 'postgres_exporter', services: ['postgres']},
	]);
	assert.deepEqual(sourcesOf([]), []);
});

test('the probe asks for every name lifeguard reads, counted by name and service labels, with the selector', () => {
	const query = probeQuery('env="prod"');
	assert.match(query, /^count by \(__name__, service, app, job\) \(\{__name__=~"[^"]*hikaricp_connections_pending[^"]*pg_settings_max_connections",env="prod"\}\)$/);
	assert.match(probeQuery(null), /"\}\)$/);
});

test('a service name with a line break stays inside its comment in the rule file', () => {
	const text = alertRules({warnRatio: 0.8, criticalRatio: 0.95, sources: sourcesOf([metric('agroal_active_count', {job: 'a\n  - record: injected'})])});
	assert.match(text, /# seen on: a␊ {2}- record: injected\n/);
	assert.doesNotMatch(text, /^\s+- record: injected/m);
});

test('a Prometheus with none of the sources: a valid file that says so, with no rules', () => {
	const text = alertRules({warnRatio: 0.8, criticalRatio: 0.95, sources: sourcesOf([])});
	assert.match(text, /# No pool family and no postgres_exporter series were found: no rules\.\n/);
	assert.match(text, /\n {4}rules: \[\]\n$/);
});

test('failures are one line, with the URL\'s password masked: refused, not JSON, a Prometheus error, a timeout', async () => {
	const port = await freePort();
	const refused = await probeFamilies({url: `http://ops:hunter2@127.0.0.1:${port}`, selector: null, bearerToken: null}, 2000);
	assert.equal(refused.ok, false);
	assert.deepEqual(refused, {ok: false, error: 'prometheus: connection refused'});

	const html = await startFakePrometheus(502, 'text/html', '<html>bad gateway</html>');
	const badError = await startFakePrometheus(400, 'application/json', JSON.stringify({status: 'error', errorType: 'bad_data', error: 'parse error at char 3: token hunter2'}));
	try {
		assert.deepEqual(await probeFamilies({url: html.url, selector: null, bearerToken: null}, 2000), {ok: false, error: 'prometheus: HTTP 502 Bad Gateway'});
		assert.deepEqual(await probeFamilies({url: badError.url, selector: null, bearerToken: 'hunter2'}, 2000), {ok: false, error: 'prometheus: parse error at char 3: token ***'});
	} finally {
		await html.stop();
		await badError.stop();
	}
});

test('a Prometheus that never answers: timed out, in time', async () => {
	const {createServer} = await import('node:http');
	const silent = createServer(() => undefined);
	await new Promise<void>(resolve => {
		silent.listen(0, '127.0.0.1', resolve);
	});
	const {port} = silent.address() as {port: number};
	const started = Date.now();
	try {
		assert.deepEqual(await probeFamilies({url: `http://127.0.0.1:${port}`, selector: null, bearerToken: null}, 300), {ok: false, error: 'prometheus: timed out after 300 ms'});
		assert.ok(Date.now() - started < 3000);
	} finally {
		silent.closeAllConnections();
		silent.close();
	}
});

for (const engine of ENGINES) {
	test(`${engine.name}: a family first scraped seconds ago is found (VictoriaMetrics hides its last 30 s unless asked not to)`, {skip: engine.missing}, async t => {
		const fixture = await startFixtureServer(hikariExposition([{pool: 'HikariPool-1', max: 10, active: 4, idle: 6, pending: 0}]));
		t.after(fixture.stop);
		const storage = await engine.start([{job: 'orders', targets: [fixture.target]}]);
		t.after(storage.stop);
		// The first scrape is in storage, and the probe asks at once, well within 30 s of it.
		await pollUntil(async () => (await storage.seriesCount('hikaricp_connections_max')) > 0, {timeoutMs: 30_000, everyMs: 100, what: 'the first scrape'});
		const probe = await probeFamilies({url: storage.url, selector: null, bearerToken: null}, 5000);
		assert.deepEqual(probe, {ok: true, sources: [{id: 'hikaricp', services: ['orders']}]});
	});
}
