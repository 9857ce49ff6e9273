// A real Go database/sql pool (SetMaxOpenConns(2), 8 callers in 60 s queries) behind client_golang's
// DB stats collector: no waiting gauge, but waits counted and none finished. lifeguard calls it
// saturation from the first reading, in --json and on the live screen's model; never "nobody waiting".
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
import {GO_SQL_MISSING, goSqlBinary, startGoSql} from '../helpers/lookalikes/go-sql.js';
import {startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';

const tag = randomBytes(2).toString('hex');
const SATURATED = /^Pool go is saturated: 2\/2 busy, \d+ waits? started, none finished yet: requests are waiting now, while the server has \d+ free slots: raise the pool's max \(its source exposes no hold time to size it\)\.$/;

describe('Go database/sql, waits started and none finished', {skip: GO_SQL_MISSING ?? false}, () => {
	let server: TestServer;

	before(async () => {
		ensureBuilt();
		await goSqlBinary();
		server = await startEmbeddedPostgres();
	});

	after(async () => {
		await server?.stop();
	});

	test('pool-saturated at once: --json, and the live screen\'s judge on its first reading', async t => {
		const program = await startGoSql(server, {applicationName: `go-sql-${tag}`});
		t.after(async () => program.stop());
		await program.waitFor(status => status.inUse === 2 && status.waitCount >= 1, {what: 'a first wait'});

		const result = await runCli(['--json', '--db', server.url, '--pool', `go=${program.metricsUrl}`], {timeoutMs: 20_000});
		assert.equal(result.code, 0, result.stderr);
		const json = JSON.parse(result.stdout) as {pools: Array<{waiting: number | null; level: string}>; findings: Array<{code: string; level: string; message: string}>};
		const pool = json.findings.filter(finding => finding.code.startsWith('pool-'));
		assert.deepEqual(pool.map(finding => [finding.code, finding.level]), [['pool-saturated', 'critical']], result.stdout);
		assert.match(pool[0]!.message, SATURATED);
		assert.deepEqual([json.pools[0]!.waiting, json.pools[0]!.level], [null, 'critical'], 'no waiting gauge: null, not 0');
		assert.doesNotMatch(result.stdout, /nobody waiting/);

		// The live screen: its first poll of the server and the pool, judged as the board judges them.
		const endpoint = parsePoolSpec(`go=${program.metricsUrl}`);
		const collector = createPoolCollector(endpoint);
		t.after(async () => collector.close());
		const target = resolveTarget(server.url, {HOME: '/nonexistent'});
		const postgres = createPostgresSource(target, await openMonitorClient(target), () => Date.now());
		t.after(async () => postgres.close());
		const atMs = Date.now();
		let watch = emptyWatch({warnRatio: 0.8, criticalRatio: 0.95, idleInTransactionSeconds: 60}, {pools: [placeholderPool(endpoint)]});
		watch = judgeServerReading(watch, await postgres.poll(), atMs).watch;
		watch = judgePoolReading(watch, endpoint, await collector.collect(2000), atMs).watch;
		const [first] = watch.live.findings;
		assert.equal(first?.code, 'pool-saturated');
		assert.match(first.message, SATURATED);
		const row = poolLine(watch.live.pools[0]!, atMs, 80);
		assert.match(row, /^CRIT go +2\/2  WAITING \d+ \(unfinished\)  oldest n\/a/);
		assert.equal(/WAITING (\d+)/.exec(row)![1], /(\d+) waits? started/.exec(first.message)![1], 'the row and the finding count the same waits');
	});
});
