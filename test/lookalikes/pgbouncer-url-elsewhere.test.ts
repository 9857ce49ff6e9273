// A `pgbouncer://` URL that reaches something else says what it reached, not "endpoint down, check
// the application": real pgpool-II (its SQL and PCP ports) and real PostgreSQL. Once known, the
// endpoint is not logged into again each poll (each login would take one of pgpool-II's children).
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {createPoolCollector} from '../../source/collectors/pools/create-collector.js';
import {createPgBouncerCollector, NOT_A_CONSOLE_RECHECK_MS} from '../../source/collectors/pools/pgbouncer-collector.js';
import {parsePoolSpec} from '../../source/connection/pool-endpoint.js';
import {builtCliAndServer, runCli} from '../cli/helpers.js';
import {PGPOOL_MISSING, startPgpool} from '../helpers/lookalikes/pgpool.js';

const consoleUrl = (user: string, password: string, port: number, database: string) => `pgbouncer://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;

async function collectOnce(url: string): Promise<{ok: boolean; error?: string; isNotAConsole?: boolean}> {
	const collector = createPoolCollector(parsePoolSpec(url));
	try {
		return await collector.collect(5000);
	} finally {
		await collector.close();
	}
}

describe('pgbouncer:// at something else', () => {
	const server = builtCliAndServer();

	test('PostgreSQL itself: said so, whether the login fails or SHOW POOLS does', async () => {
		const refused = await collectOnce(consoleUrl('stats', 'stats-pw', server().port, 'pgbouncer'));
		assert.equal(refused.isNotAConsole, true, refused.error);
		assert.match(refused.error!, /^pgbouncer: not a PgBouncer console: PostgreSQL answers here, directly or through pgpool-II \(it answered "password authentication failed for user \\?"stats\\?""\)$/);
		const loggedIn = await collectOnce(consoleUrl(server().user, server().password, server().port, 'postgres'));
		assert.equal(loggedIn.error, 'pgbouncer: not a PgBouncer console: this is PostgreSQL itself (SHOW POOLS: unrecognized configuration parameter)');
		assert.ok(!JSON.stringify([refused, loggedIn]).includes(server().password));
	});

	test('pgpool-II: its SQL port and its PCP port named; --json says what it is, not "down"; no login every poll', {skip: PGPOOL_MISSING ?? false}, async t => {
		const pgpool = await startPgpool(server());
		let isStopped = false;
		t.after(async () => {
			if (!isStopped) {
				await pgpool.stop();
			}
		});
		const pcp = await collectOnce(consoleUrl('stats', 'stats-pw', pgpool.pcpPort, 'pgbouncer'));
		assert.match(pcp.error!, /^pgbouncer: not a PgBouncer console: this is pgpool-II's PCP port \(it answered "invalid PCP packet"\)$/);

		const sqlUrl = consoleUrl(server().user, server().password, pgpool.port, pgpool.database);
		const result = await runCli(['--json', '--db', server().url, '--pool', `pgpool=${sqlUrl}`], {timeoutMs: 20_000});
		assert.equal(result.code, 0, result.stderr);
		const findings = (JSON.parse(result.stdout) as {findings: Array<{code: string; message: string}>}).findings.filter(finding => finding.code === 'pool-endpoint-down');
		assert.equal(findings.length, 1, result.stdout);
		assert.match(findings[0]!.message, /^Pool pgpool: not a PgBouncer console: this is pgpool-II 4\.\d+\.\d+ \(it answers SHOW POOL_VERSION, not SHOW POOLS\)\. Point --pool at PgBouncer's admin console \(its listen_port, database pgbouncer\)\.$/);
		assert.doesNotMatch(findings[0]!.message, /is down|application is up/);

		// The verdict is kept: pgpool-II stopped, the next poll still names it (it did not log in again).
		let nowMs = 1_000_000;
		const collector = createPgBouncerCollector(parsePoolSpec(sqlUrl), {now: () => nowMs});
		t.after(async () => collector.close());
		const collect = async () => collector.collect({signal: new AbortController().signal, timeoutMs: 5000});
		const first = await collect();
		assert.equal(first.ok, false);
		await pgpool.stop();
		isStopped = true;
		nowMs += NOT_A_CONSOLE_RECHECK_MS - 1;
		assert.deepEqual(await collect(), first);
		nowMs += 1;
		const later = await collect();
		assert.match(later.ok ? '' : later.error, /connection refused/, 'asked again after a minute');
	});
});
