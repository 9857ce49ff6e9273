// pool-suspected against the real shapes (issue 21): lifeguard's collector and judge, as the dashboard
// runs them, watching real poolers and a real library pool. Each shape has its expected finding, or
// its silence.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {after, before, describe, test} from 'node:test';
import {subjectKey} from '../../source/judge/subject.js';
import {startBatchJob} from '../helpers/lookalikes/batch-job.js';
import {startJudging} from '../helpers/lookalikes/judging.js';
import {startBouncerLoad} from '../helpers/lookalikes/pgbouncer-load.js';
import {startPgpoolLoad} from '../helpers/lookalikes/pgpool-load.js';
import {PGPOOL_MISSING} from '../helpers/lookalikes/pgpool.js';
import {CAPPED, FAST, ROOMY, SQLALCHEMY_MISSING, startSqlAlchemyPool} from '../helpers/lookalikes/sqlalchemy.js';
import {PGBOUNCER_MISSING, pgbouncerBinary} from '../helpers/pgbouncer.js';
import {startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';

const tag = randomBytes(2).toString('hex');
/** Every load and judge here stops by itself after this. */
const LIMIT_MS = 170_000;
const POOLER_FINDING = /^127\.0\.0\.1 \(a connection pooler, probably PgBouncer\) has held exactly 3 server connections, (all|\d+%) busy, for \d+ s while the server has \d+ free: its pool size is probably 3 \(default_pool_size \/ pool_size\)\. Add --pool pgbouncer:\/\/… to see who waits\.$/;

describe('pool-suspected on real poolers and pools', () => {
	let server: TestServer;

	before(async () => {
		server = await startEmbeddedPostgres({maxConnections: 100});
	});

	after(async () => {
		await server?.stop();
	});

	describe('PgBouncer, default_pool_size 3', {skip: pgbouncerBinary() ? false : PGBOUNCER_MISSING}, () => {
		test('40 clients of one service, only --db: a finding naming its address and the pool size within 45 s; with --pool, no second finding', async t => {
			const load = await startBouncerLoad(server, {services: [{applicationName: `bouncer-app-${tag}`, clients: 40}], limitMs: LIMIT_MS});
			t.after(async () => load.stop());
			const [judge, measured] = await Promise.all([startJudging(server, {limitMs: LIMIT_MS}), startJudging(server, {pool: load.bouncer.adminUrl(), limitMs: LIMIT_MS})]);
			t.after(async () => Promise.all([judge.stop(), measured.stop()]));
			const finding = await judge.waitForFinding(entry => entry.code === 'pool-suspected', {timeoutMs: 45_000, what: 'pool-suspected'});
			t.diagnostic(`${Date.now() - judge.startedAtMs} ms: ${finding.message}`);
			assert.match(finding.message, /127\.0\.0\.1/);
			assert.match(finding.message, /exactly 3 (server )?connections/);
			assert.match(finding.message, /default_pool_size/);
			await measured.waitForFinding(entry => entry.code === 'pool-saturated', {timeoutMs: 5000, what: 'pool-saturated with --pool'});
			assert.deepEqual(measured.suspected().map(entry => entry.message), [], 'the console measures that queue: no second finding');
		});

		test('two services sharing the pool: one pooler group, found within 60 s; with --pool, no second finding', async t => {
			const services = ['orders', 'billing'].map(name => ({applicationName: `${name}-${tag}`, clients: 20}));
			const load = await startBouncerLoad(server, {services, limitMs: LIMIT_MS});
			t.after(async () => load.stop());
			const [judge, measured] = await Promise.all([startJudging(server, {limitMs: LIMIT_MS}), startJudging(server, {pool: load.bouncer.adminUrl(), limitMs: LIMIT_MS})]);
			t.after(async () => Promise.all([judge.stop(), measured.stop()]));
			const finding = await judge.waitForFinding(entry => entry.code === 'pool-suspected', {timeoutMs: 60_000, what: 'pool-suspected'});
			t.diagnostic(`${Date.now() - judge.startedAtMs} ms: ${finding.message}`);
			assert.deepEqual(finding.subject, {kind: 'group', application: '', client: '127.0.0.1', pooler: 'PgBouncer'});
			assert.match(finding.message, POOLER_FINDING);
			assert.deepEqual(judge.suspected().filter(entry => entry.subject.kind === 'group' && entry.subject.pooler === undefined).map(entry => entry.message), [], 'never an application group of its connections');
			assert.deepEqual(measured.suspected().map(entry => entry.message), [], 'the console measures that queue: no second finding');
		});
	});

	describe('SQLAlchemy QueuePool, a batch job', {skip: SQLALCHEMY_MISSING ?? false}, () => {
		test('pool_size 4 under load: found within 45 s, naming the application and 4', async t => {
			const pool = await startSqlAlchemyPool(server, `capped-${tag}`, CAPPED, LIMIT_MS);
			t.after(async () => pool.stop());
			const judge = await startJudging(server, {limitMs: LIMIT_MS});
			t.after(async () => judge.stop());
			const finding = await judge.waitForFinding(entry => entry.code === 'pool-suspected', {timeoutMs: 45_000, what: 'pool-suspected'});
			t.diagnostic(`${Date.now() - judge.startedAtMs} ms: ${finding.message}`);
			assert.match(finding.message, new RegExp(`^capped-${tag} \\(127\\.0\\.0\\.1\\) has held exactly 4 connections`));
			const watched = judge.pictures.flatMap(picture => picture.watching).find(entry => subjectKey(entry.subject) === subjectKey(finding.subject));
			assert.ok(watched, 'watched before it was found');
		});

		test('a roomy pool, a fast pool well below its max, four long statements and an idle transaction: silent for 2 minutes', async t => {
			const roomy = await startSqlAlchemyPool(server, `roomy-${tag}`, ROOMY, LIMIT_MS);
			t.after(async () => roomy.stop());
			const fast = await startSqlAlchemyPool(server, `fast-${tag}`, FAST, LIMIT_MS);
			t.after(async () => fast.stop());
			const job = await startBatchJob(server, {applicationName: `batch-${tag}`, limitMs: LIMIT_MS});
			t.after(async () => job.stop());
			const judge = await startJudging(server, {limitMs: LIMIT_MS});
			t.after(async () => judge.stop());
			await judge.waitFor(120_000);
			const groups = judge.pictures.at(-1)!.server!.clientGroups;
			for (const name of [roomy.applicationName, fast.applicationName, job.applicationName]) {
				assert.ok(groups.some(group => group.application === name && group.connections >= 5), `${name} is seen with its connections`);
			}

			assert.deepEqual(judge.suspected().map(entry => entry.message), []);
		});
	});

	describe('pgpool-II', {skip: PGPOOL_MISSING ?? false}, () => {
		test('a new backend for every client login (turnover): pool-suspected never flaps', async t => {
			const load = await startPgpoolLoad(server, {ownDatabase: false, reconnectEvery: 5, services: [{applicationName: `pgpool-turnover-${tag}`, clients: 8}], limitMs: LIMIT_MS});
			t.after(async () => load.stop());
			const judge = await startJudging(server, {limitMs: LIMIT_MS});
			t.after(async () => judge.stop());
			await judge.waitFor(75_000);
			const moves = judge.changes.filter(change => change.subject.kind === 'group').map(change => `${change.from}→${change.to}`);
			t.diagnostic(`level changes: ${moves.join(', ') || 'none'}; last: ${judge.suspected().at(-1)?.message ?? 'none'}`);
			assert.ok(moves.length <= 1, `at most one rise, never back: ${moves.join(', ')}`);
			assert.ok(moves.every(move => move.startsWith('ok')), moves.join(', '));
		});
	});
});
