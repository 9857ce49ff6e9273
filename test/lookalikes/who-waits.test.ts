// With `--pool pgbouncer://…`, who waits: real PgBouncer 1.18, default_pool_size 3, two services of
// 20 clients each sharing the pool. lifeguard's pool collector, judged as the live screen and --json
// judge it: pool-saturated within 5 s of the first poll, the waiting clients grouped by application.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {after, before, describe, test} from 'node:test';
import {createPoolCollector} from '../../source/collectors/pools/create-collector.js';
import {createPostgresSource} from '../../source/collectors/postgres-activity.js';
import {openMonitorClient} from '../../source/connection/monitor-client.js';
import {parsePoolSpec} from '../../source/connection/pool-endpoint.js';
import {resolveTarget} from '../../source/connection/target.js';
import {placeholderPool} from '../../source/judge/pool-status.js';
import {emptyWatch, judgePoolReading, judgeServerReading} from '../../source/judge/watch.js';
import {poolLine} from '../../source/ui/components/pools-panel.js';
import {ensureBuilt, runCli} from '../cli/helpers.js';
import {startBouncerLoad} from '../helpers/lookalikes/pgbouncer-load.js';
import {PGBOUNCER_MISSING, pgbouncerBinary} from '../helpers/pgbouncer.js';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';

const tag = randomBytes(2).toString('hex');
const THRESHOLDS = {warnRatio: 0.8, criticalRatio: 0.95, idleInTransactionSeconds: 60};

describe('who waits in PgBouncer', {skip: pgbouncerBinary() ? false : PGBOUNCER_MISSING}, () => {
	let server: TestServer;

	before(async () => {
		ensureBuilt();
		server = await startEmbeddedPostgres({maxConnections: 100});
	});

	after(async () => {
		await server?.stop();
	});

	test('two services, 20 clients each, on a pool of 3: pool-saturated within 5 s, waiting clients by application, on the screen\'s row and in --json', async t => {
		const names = [`orders-${tag}`, `billing-${tag}`];
		const load = await startBouncerLoad(server, {services: names.map(applicationName => ({applicationName, clients: 20}))});
		t.after(async () => load.stop());
		const endpoint = parsePoolSpec(load.bouncer.adminUrl());
		const collector = createPoolCollector(endpoint);
		t.after(async () => collector.close());
		const target = resolveTarget(server.url, {HOME: '/nonexistent'});
		const postgres = createPostgresSource(target, await openMonitorClient(target), () => Date.now());
		t.after(async () => postgres.close());

		// The live screen's judge, a poll every 250 ms, from the first poll on.
		const startedAtMs = Date.now();
		let watch = emptyWatch(THRESHOLDS, {pools: [placeholderPool(endpoint)]});
		const found = await pollUntil(async () => {
			const atMs = Date.now();
			const [reading, poolReading] = await Promise.all([postgres.poll(), collector.collect(2000)]);
			watch = judgeServerReading(watch, reading, atMs).watch;
			watch = judgePoolReading(watch, endpoint, poolReading, atMs).watch;
			const saturated = watch.live.findings.find(finding => finding.code === 'pool-saturated');
			const groups = watch.live.pools[0]?.metrics?.waitingClients?.groups ?? [];
			return saturated && names.every(name => groups.some(group => group.name === name && group.by === 'application')) ? saturated : undefined;
		}, {timeoutMs: 5000, everyMs: 250, what: 'pool-saturated naming both applications'});
		t.diagnostic(`pool-saturated after ${Date.now() - startedAtMs} ms: ${found.message}`);
		assert.match(found.message, new RegExp(`^Pool app/postgres is saturated: 3/3 busy, \\d+ waiting \\((?:${names.join('|')}) \\d+, (?:${names.join('|')}) \\d+(?:; oldest [\\d.]+ (?:ms|s))?\\), while the server has \\d+ free slots: raise the pool's max(?: \\([^)]*\\))?\\.$`));
		const pool = watch.live.pools[0]!;
		const counted = pool.metrics!.waitingClients!.groups.reduce((sum, group) => sum + group.clients, 0);
		assert.equal(counted, pool.metrics!.waiting, 'the groups add up to the waiting count the row shows');
		assert.match(poolLine(pool, Date.now(), 160), /waiting: (?:orders|billing)-\w+ \d+, (?:orders|billing)-\w+ \d+/);

		const result = await runCli(['--json', '--db', server.url, '--pool', load.bouncer.adminUrl()], {timeoutMs: 20_000});
		assert.equal(result.code, 0, result.stderr);
		const json = JSON.parse(result.stdout) as {pools: Array<{waitingClients: {groups: Array<{name: string; by: string; clients: number}>} | null}>; findings: Array<{code: string}>};
		assert.deepEqual(json.pools[0]!.waitingClients!.groups.map(group => group.name).sort(), [...names].sort());
		assert.ok(json.findings.some(finding => finding.code === 'pool-saturated'));
		assert.ok(!result.stdout.includes(load.bouncer.adminPassword));
	});
});
