// Who waits and what a source without a waiting gauge shows, from what real poolers answered
// (test/fixtures/lookalikes/, recorded by test/lookalikes/): PgBouncer 1.18's SHOW CLIENTS, and Go
// database/sql's client_golang metrics with six waits started and none finished.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {MAX_WAITING_GROUPS, waitingClientsByPool} from '../../../source/collectors/pools/pgbouncer-clients.js';
import {interpret} from '../../../source/collectors/pools/http-collector.js';
import {parsePoolSpec} from '../../../source/connection/pool-endpoint.js';
import {placeholderPool} from '../../../source/judge/pool-status.js';
import {whoWaitsText} from '../../../source/judge/pool-findings.js';
import {emptyWatch, judgePoolReading, judgeServerReading} from '../../../source/judge/watch.js';
import {poolLine} from '../../../source/ui/components/pools-panel.js';
import {FIXTURES_DIR} from '../../helpers/lookalikes/fixtures.js';
import {baseTimeMs, defaultThresholds, serverSnapshot} from '../../helpers/snapshots.js';

const fixture = (name: string) => readFileSync(path.join(FIXTURES_DIR, name), 'utf8');

test('PgBouncer 1.18 SHOW CLIENTS, two services on one pool: waiting clients by application, under the pool and its database', () => {
	const recorded = JSON.parse(fixture('pgbouncer-1.18.0-pool-of-3-two-services.json')) as {'SHOW CLIENTS': {rows: Array<Record<string, unknown>>}};
	const rows = recorded['SHOW CLIENTS'].rows;
	const waiting = rows.filter(row => row['state'] === 'waiting');
	const byPool = waitingClientsByPool(rows);
	const groups = byPool.get('app/')!.groups;
	assert.deepEqual(groups.map(group => group.by), ['application', 'application']);
	assert.deepEqual(Object.fromEntries(groups.map(group => [group.name, group.clients])), Object.fromEntries(['orders-47e8', 'billing-47e8'].map(name => [name, waiting.filter(row => row['application_name'] === name).length])));
	assert.deepEqual(byPool.get('app/app'), byPool.get('app/'), 'the clients\' own user');
	assert.equal(byPool.has('pgbouncer/'), false, 'the console itself is active, not waiting');
});

test('SHOW CLIENTS: no application_name (before 1.18, or none sent) groups by address; unknown columns ignored; names made safe; groups capped', () => {
	const row = (fields: Record<string, unknown>) => ({type: 'C', user: 'u', database: 'd', state: 'waiting', addr: '10.0.0.7', some_future_column: 1, ...fields});
	const rows = [
		row({}), row({}), row({application_name: ''}), row({application_name: 'evil\u001B[2Japp'}), row({state: 'active'}), row({state: 'waiting_cancel_req'}),
		...Array.from({length: MAX_WAITING_GROUPS + 2}, (_, index) => row({application_name: `svc-${index}`})),
	];
	const clients = waitingClientsByPool(rows).get('d/u')!;
	assert.deepEqual(clients.groups[0], {name: '10.0.0.7', by: 'address', clients: 3});
	assert.equal(clients.groups.length, MAX_WAITING_GROUPS);
	assert.equal(clients.groups.reduce((sum, group) => sum + group.clients, clients.omittedClients), 3 + 1 + MAX_WAITING_GROUPS + 2);
	assert.ok(clients.groups.every(group => !group.name.includes('\u001B')));
	assert.equal(whoWaitsText(clients), '10.0.0.7 3, evil␛[2Japp 1, svc-0 1, others 11');
});

test('Go database/sql at its max, six waits started and none finished: pool-saturated at the first reading, never "nobody waiting"', () => {
	const endpoint = parsePoolSpec('go=http://127.0.0.1:9/metrics');
	const reading = interpret(fixture('go-sql+client_golang-1.14.0-waits-not-finished.prom'), 'text/plain; version=0.0.4', null);
	assert.ok(reading.ok);
	let watch = emptyWatch(defaultThresholds, {pools: [placeholderPool(endpoint)]});
	watch = judgeServerReading(watch, {ok: true, snapshot: serverSnapshot(), isReconnected: false}, baseTimeMs).watch;
	watch = judgePoolReading(watch, endpoint, reading, baseTimeMs).watch;
	const findings = watch.live.findings.filter(finding => finding.subject.kind === 'pool');
	assert.deepEqual(findings.map(finding => [finding.code, finding.level]), [['pool-saturated', 'critical']]);
	assert.match(findings[0]!.message, /^Pool go is saturated: 2\/2 busy, 6 waits started, none finished yet: requests are waiting now, while the server has \d+ free slots: raise the pool's max \(its source exposes no hold time to size it\)\.$/);
	assert.equal(watch.live.pools[0]!.level, 'critical');
});

test('a pgbouncer:// endpoint that is something else: the finding says what it is and where to point --pool, the row says BAD, not DOWN', () => {
	const endpoint = parsePoolSpec('pgpool=pgbouncer://u@127.0.0.1:9999/app');
	const error = 'pgbouncer: not a PgBouncer console: this is pgpool-II 4.3.5 (it answers SHOW POOL_VERSION, not SHOW POOLS)';
	let watch = emptyWatch(defaultThresholds, {pools: [placeholderPool(endpoint)]});
	watch = judgeServerReading(watch, {ok: true, snapshot: serverSnapshot(), isReconnected: false}, baseTimeMs).watch;
	watch = judgePoolReading(watch, endpoint, {ok: false, error, isNotAConsole: true}, baseTimeMs).watch;
	const finding = watch.live.findings.find(candidate => candidate.code === 'pool-endpoint-down')!;
	assert.equal(finding.message, 'Pool pgpool: not a PgBouncer console: this is pgpool-II 4.3.5 (it answers SHOW POOL_VERSION, not SHOW POOLS). Point --pool at PgBouncer\'s admin console (its listen_port, database pgbouncer).');
	assert.match(poolLine(watch.live.pools[0]!, baseTimeMs, 80), /^BAD  pgpool +no data: pgbouncer: not a PgBouncer console/);
	// A later failure of another kind is an ordinary failure again.
	watch = judgePoolReading(watch, endpoint, {ok: false, error: 'pgbouncer: connection refused'}, baseTimeMs + 1000).watch;
	assert.match(watch.live.findings.find(candidate => candidate.code === 'pool-endpoint-down')!.message, /endpoint is down: pgbouncer: connection refused/);
});
