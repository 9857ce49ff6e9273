// One-shot with a window (issue 21): `--json --sample` and `check --sample` against a real server with
// a real lock chain and a real SQLAlchemy pool capped at 4, then a roomy one, through the built
// binary. What is measured ranks above what is inferred; the inferred pool reaches the one-shot
// outputs; a roomy pool stays quiet.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {after, before, describe, test} from 'node:test';
import {openServerView, type ServerView} from '../helpers/lookalikes/server-view.js';
import {startLockChain} from '../helpers/lookalikes/lock-chain.js';
import {CAPPED, ROOMY, SQLALCHEMY_MISSING, startSqlAlchemyPool, type SqlAlchemyPool} from '../helpers/lookalikes/sqlalchemy.js';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {type CliResult, ensureBuilt, runCli} from '../cli/helpers.js';

const tag = randomBytes(2).toString('hex');
const SAMPLE = '40s';
/** The window and the start and end of the process: the run is bounded well past the window. */
const RUN_LIMIT_MS = 70_000;

type Finding = {code: string; level: string; evidence: string; subject: string; message: string};
type Group = {application: string; address: string | null; connections: number; busyShare: number; ceiling: number; pooler: boolean | null; suspected: string | null};
type Sampled = {findings: Finding[]; groups: Group[]; sample: {seconds: number; polls: number} | null; inferred: string};

const context = (result: CliResult) => `exit ${String(result.code)}; stdout ${result.stdout.slice(0, 3000)}; stderr ${result.stderr}`;

describe('--sample: a window for the one-shot outputs', {skip: SQLALCHEMY_MISSING ?? false}, () => {
	let server: TestServer;
	let view: ServerView;

	before(async () => {
		ensureBuilt();
		server = await startEmbeddedPostgres({maxConnections: 100});
		view = await openServerView(server.url);
	});

	after(async () => {
		await view?.close();
		await server?.stop();
	});

	/** The pool is up and holding its connections before lifeguard starts watching. */
	async function ready(pool: SqlAlchemyPool, connections: number): Promise<void> {
		await pollUntil(async () => (await view.sample({applicationNames: [pool.applicationName]})).rows.length === connections, {timeoutMs: 15_000, what: `${pool.applicationName}'s ${connections} connections`});
	}

	test('a lock chain and a capped pool: --json --sample ranks the lock first and lists the pool; check --sample names it', async t => {
		const pool = await startSqlAlchemyPool(server, `capped-${tag}`, CAPPED);
		t.after(async () => pool.stop());
		const chain = await startLockChain(server, {applicationName: `locks-${tag}`, waiters: 5});
		t.after(async () => chain.stop());
		await ready(pool, 4);
		const [json, check] = await Promise.all([
			runCli(['--json', '--sample', SAMPLE, '--db', server.url], {timeoutMs: RUN_LIMIT_MS}),
			runCli(['check', '--sample', SAMPLE, '--db', server.url], {timeoutMs: RUN_LIMIT_MS}),
		]);
		assert.equal(json.code, 0, context(json));
		const sampled = JSON.parse(json.stdout) as Sampled;
		const codes = sampled.findings.map(finding => `${finding.level} ${finding.evidence} ${finding.code} ${finding.subject}`);
		t.diagnostic(`--json --sample ${SAMPLE} in ${json.durationMs} ms, ${String(sampled.sample?.polls)} polls: ${codes.join('; ')}`);
		assert.ok(sampled.sample && sampled.sample.seconds >= 40 && sampled.sample.polls >= 30, JSON.stringify(sampled.sample));
		assert.match(sampled.inferred, /^judged over 4\d s/);
		const lock = sampled.findings.findIndex(finding => finding.code === 'lock-contention');
		const suspected = sampled.findings.findIndex(finding => finding.code === 'pool-suspected' && finding.subject.startsWith(pool.applicationName));
		assert.ok(lock >= 0 && suspected >= 0, codes.join('; '));
		assert.ok(lock < suspected, `the measured lock first: ${codes.join('; ')}`);
		assert.equal(sampled.findings[lock]!.level, 'critical', 'five waiters: critical');
		assert.match(sampled.findings[lock]!.message, new RegExp(`behind pid ${chain.blockerPid}\\b`));
		assert.deepEqual([sampled.findings[lock]!.evidence, sampled.findings[suspected]!.evidence], ['measured', 'inferred']);
		// Every measured finding ranks above the inferred one at its level.
		const inferredLevel = sampled.findings[suspected]!.level;
		assert.ok(sampled.findings.slice(suspected + 1).every(finding => finding.level !== inferredLevel || finding.evidence === 'inferred'), codes.join('; '));
		const group = sampled.groups.find(each => each.application === pool.applicationName);
		assert.ok(group, JSON.stringify(sampled.groups));
		assert.equal(group.ceiling, 4);
		assert.equal(group.connections, 4);
		assert.ok(group.busyShare >= 0.9, JSON.stringify(group));
		assert.equal(group.suspected, inferredLevel);
		assert.equal(group.address, '127.0.0.1');

		assert.ok(check.code === 1 || check.code === 2, context(check));
		assert.match(check.stdout, new RegExp(`^LIFEGUARD (WARNING|CRITICAL) - `), context(check));
		t.diagnostic(`check --sample ${SAMPLE}: exit ${String(check.code)} in ${check.durationMs} ms: ${check.stdout.split(' | ')[0]!}`);
	});

	test('check --sample against the capped pool alone exits 1 or 2 and names it', async t => {
		const pool = await startSqlAlchemyPool(server, `capped2-${tag}`, CAPPED);
		t.after(async () => pool.stop());
		await ready(pool, 4);
		const check = await runCli(['check', '--sample', SAMPLE, '--db', server.url], {timeoutMs: RUN_LIMIT_MS});
		t.diagnostic(`exit ${String(check.code)} in ${check.durationMs} ms: ${check.stdout.split(' | ')[0]!}`);
		assert.ok(check.code === 1 || check.code === 2, context(check));
		assert.match(check.stdout, new RegExp(`^LIFEGUARD (WARNING|CRITICAL) - ${pool.applicationName} \\(127\\.0\\.0\\.1\\) has held exactly 4 connections`), context(check));
	});

	// Busy share from observed states (idle on more than 1 sample in 10 is not capped) keeps it quiet.
	test('check --sample against a roomy pool exits 0', async t => {
		const pool = await startSqlAlchemyPool(server, `roomy-${tag}`, ROOMY);
		t.after(async () => pool.stop());
		await ready(pool, 6);
		const check = await runCli(['check', '--sample', SAMPLE, '--db', server.url], {timeoutMs: RUN_LIMIT_MS});
		t.diagnostic(`exit ${String(check.code)} in ${check.durationMs} ms: ${check.stdout.split(' | ')[0]!}`);
		assert.equal(check.code, 0, context(check));
		assert.match(check.stdout, /^LIFEGUARD OK - /);
	});

	test('--json without --sample says inferred findings need one', async () => {
		const once = await runCli(['--json', '--db', server.url]);
		assert.equal(once.code, 0, context(once));
		const single = JSON.parse(once.stdout) as Sampled;
		assert.equal(single.sample, null);
		assert.match(single.inferred, /^needs --sample \(e\.g\. --sample 40s\): one reading cannot show a plateau$/);
	});
});
