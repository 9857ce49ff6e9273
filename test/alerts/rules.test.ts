// The rule file as a whole: valid for promtool and for vmalert (Debian's victoria-metrics) with every
// family alone and all together, at every interval and with a selector; the names it reads are the
// recognizer table's; options land where they should.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {serviceOf} from '../../source/collectors/pools/prometheus-fleet.js';
import {familyNames} from '../../source/collectors/pools/prometheus-pools.js';
import {ALERT_FAMILIES} from '../../source/alerts/families.js';
import {alertRules, SERVER_SOURCE} from '../../source/alerts/rules.js';
import {timing} from '../../source/alerts/timing.js';
import {POOL_SUBJECT} from '../../source/alerts/templates.js';
import {missing, VMALERT} from '../helpers/monitoring.js';
import {checkRules, PROMTOOL_MISSING, vmalertDryRun} from './promtool.js';

const base = {warnRatio: 0.8, criticalRatio: 0.95};
const variants: Array<[string, Parameters<typeof alertRules>[0]]> = [
	['every family and the server', base],
	...familyNames().map(({id}): [string, Parameters<typeof alertRules>[0]] => [`${id} alone`, {...base, sources: [{id}]}]),
	[`${SERVER_SOURCE} alone`, {...base, sources: [{id: SERVER_SOURCE}]}],
	['no source found', {...base, sources: []}],
	['with a selector', {...base, selector: 'env="prod",cluster=~"eu-.*"'}],
	['at a 1 s interval', {...base, intervalSeconds: 1}],
	['at a 60 s interval, other thresholds', {warnRatio: 0.5, criticalRatio: 0.9, intervalSeconds: 60}],
];

test('promtool check rules passes on every variant', {skip: PROMTOOL_MISSING}, async () => {
	for (const [name, options] of variants) {
		const result = await checkRules(alertRules(options));
		assert.ok(result.ok, `${name}: ${result.output}`);
		assert.match(result.output, /SUCCESS: \d+ rules found/, name);
	}
});

test('vmalert parses every variant: expressions as MetricsQL, annotations as its templates', {skip: missing(VMALERT)}, async () => {
	for (const [name, options] of variants) {
		const result = await vmalertDryRun(alertRules(options));
		assert.ok(result.ok, `${name}: ${result.output}`);
	}
});

// What the recognizers read that the rules do not need: open and idle counts (the rules judge busy
// against max, and waiting) and PgBouncer's other server states (they only add up to "open").
const NOT_NEEDED: Record<string, string[]> = {
	hikaricp: ['hikaricp_connections', 'hikaricp_connections_idle', 'hikaricp_idle_connections'],
	pg_pool: ['pg_pool_size', 'pg_pool_idle_connections'],
	go_sql: ['go_sql_open_connections', 'go_sql_stats_connections_open', 'go_sql_idle_connections', 'go_sql_stats_connections_idle'],
	pgxpool: ['pgxpool_total_conns', 'pgxpool_total_connections', 'pgx_pool_total_connections', 'pgxpool_idle_conns', 'pgxpool_idle_connections', 'pgx_pool_idle_connections'],
	pgbouncer_exporter: ['active_cancel', 'being_canceled', 'idle', 'used', 'testing', 'login'].map(state => `pgbouncer_pools_server_${state}_connections`),
	agroal: ['agroal_available_count'],
	jdbc: ['jdbc_connections_idle'],
};
const LABELS = new Set(['db_client_connection_pool_name', 'db_client_connection_state']);
/** A series name of a family or of postgres_exporter, and the matchers after it. */
const SERIES_NAME = /\b((?:hikaricp|pg_pool|pg_stat|pg_settings|db_client_connections?|go_sql|pgxpool|pgx_pool|pgbouncer|agroal|jdbc)_[a-z\d_]*)(\{[^}]*\})?/g;

test('each family reads the recognizer table\'s names, and every one of them but the open and idle counts', () => {
	const context = {matchers: '', window: '1m'};
	assert.deepEqual(ALERT_FAMILIES.map(family => family.id), familyNames().map(family => family.id));
	for (const family of ALERT_FAMILIES) {
		const text = Object.values(family.fields).map(build => build(context)).join('\n').replaceAll(/\{__name__=~"[^"]*"\}/g, '');
		const read = new Set([...text.matchAll(SERIES_NAME)].map(match => match[1]!).filter(name => !LABELS.has(name)));
		const names = familyNames().find(each => each.id === family.id)!;
		const known = new Set([...names.gauges, ...names.counters]);
		assert.deepEqual([...read].filter(name => !known.has(name)), [], `${family.id} reads names the recognizers do not`);
		assert.deepEqual([...known].filter(name => !read.has(name)).sort(), [...(NOT_NEEDED[family.id] ?? [])].sort(), `${family.id}: names the rules skip`);
	}
});

test('the service in the words is lifeguard\'s: service, else app, else job', () => {
	assert.match(POOL_SUBJECT, /\{\{ or \$labels\.service \$labels\.app \$labels\.job \}\}/);
	assert.equal(serviceOf({service: 's', app: 'a', job: 'j'}), 's');
	assert.equal(serviceOf({app: 'a', job: 'j'}), 'a');
	assert.equal(serviceOf({job: 'j'}), 'j');
});

test('thresholds, interval and hold land in the rules: --warn 50 and --critical 90 at a 60 s interval', () => {
	const text = alertRules({warnRatio: 0.5, criticalRatio: 0.9, intervalSeconds: 60});
	assert.match(text, /interval: 1m\n/);
	assert.match(text, /lifeguard:pool_used:ratio \* 100 >= 50\n/);
	assert.match(text, /lifeguard:pool_used:ratio\[179s\]\) \* 100 >= 45\)/);
	assert.match(text, /lifeguard:server_used:ratio \* 100 >= 90\n/);
	assert.match(text, /lifeguard:server_used:ratio\[179s\]\) \* 100 >= 85\)/);
	assert.match(text, /for: 2m\n/);
	assert.doesNotMatch(text, /for: 30s/);
	assert.match(text, /rate\(hikaricp_connections_timeout_total\[4m\]\)/);
	assert.deepEqual(timing(15), {interval: '15s', rise: '30s', persistent: '30s', hold: '44s', rateWindow: '1m', rateWindowSeconds: 60});
	assert.deepEqual(timing(1), {interval: '1s', rise: '2s', persistent: '10s', hold: '2s', rateWindow: '1m', rateWindowSeconds: 60});
});

test('a selector reaches every series the rules read', () => {
	const text = alertRules({...base, selector: 'env="prod"'});
	const expressions = text.split('\n').filter(line => line.startsWith('          ') && !/summary:|description:|lifeguard_family:/.test(line));
	// (the names inside jdbc's `{__name__=~"…"}` are one selector, checked below)
	const raw = expressions.join('\n').replaceAll(/lifeguard:[a-z_:\d]+/g, '').replaceAll(/__name__=~"[^"]*"/g, '');
	const selectors = [...raw.matchAll(SERIES_NAME)].filter(match => !LABELS.has(match[1]!));
	assert.ok(selectors.length > 60, `${selectors.length} series selectors`);
	for (const [whole, , matchers] of selectors) {
		assert.match(matchers ?? '', /env="prod"/, whole);
	}

	assert.match(text, /\{__name__=~"[^"]+",env="prod"\}/);
});

test('--prometheus sources: only the families found, where they were seen, and no server rules without one', () => {
	const text = alertRules({...base, sources: [{id: 'hikaricp', services: ['orders', 'billing']}]});
	assert.match(text, /# HikariCP[^\n]*\n\s+# seen on: orders, billing\n/);
	assert.match(text, /lifeguard_family: 'hikaricp'/);
	assert.doesNotMatch(text, /lifeguard_family: '(?!hikaricp)/);
	assert.doesNotMatch(text, /pg_stat_activity_count|LifeguardServerSaturated|LifeguardFleetOverCapacity/);
	assert.match(text, /alert: LifeguardPoolSaturated/);
	// HikariCP has no wait counters: no rule reads them
	assert.doesNotMatch(text, /lifeguard:pool_waits:/);

	const serverOnly = alertRules({...base, sources: [{id: SERVER_SOURCE, services: ['postgres']}]});
	assert.match(serverOnly, /alert: LifeguardServerSaturated/);
	assert.doesNotMatch(serverOnly, /LifeguardPool|lifeguard:pool_/);
});
