// A batch job (long statements and an idle transaction of one application) and a lock chain, as the
// server sees them: plain SQL on pg_stat_activity, not lifeguard.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {after, before, describe, test} from 'node:test';
import {startBatchJob} from '../helpers/lookalikes/batch-job.js';
import {startLockChain} from '../helpers/lookalikes/lock-chain.js';
import {openServerView, type ServerView} from '../helpers/lookalikes/server-view.js';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';

const tag = randomBytes(2).toString('hex');

describe('batch job and lock chain', () => {
	let server: TestServer;
	let view: ServerView;

	before(async () => {
		server = await startEmbeddedPostgres();
		view = await openServerView(server.url);
	});

	after(async () => {
		await view?.close();
		await server?.stop();
	});

	test('four long statements and an idle transaction of one application: 5 connections, no new work on any of them', async t => {
		const job = await startBatchJob(server, {applicationName: `batch-${tag}`});
		t.after(async () => job.stop());
		const samples = await view.watch({applicationNames: [job.applicationName]}, {everyMs: 100, what: '20 samples', isEnough: entries => entries.length >= 20});
		const expected = [...job.statementPids, job.idleInTransactionPid].sort((a, b) => a - b);
		for (const sample of samples) {
			assert.deepEqual(sample.rows.map(row => row.pid), expected);
			for (const row of sample.rows) {
				assert.equal(row.state, row.pid === job.idleInTransactionPid ? 'idle in transaction' : 'active');
			}
		}

		const first = samples[0]!.rows;
		for (const sample of samples) {
			for (const row of sample.rows) {
				const before = first.find(entry => entry.pid === row.pid)!;
				assert.deepEqual([row.queryStartMs, row.xactStartMs], [before.queryStartMs, before.xactStartMs], `backend ${row.pid}: query_start and xact_start never move`);
			}
		}

		// Ended from the server side by stop(): nothing of it is left.
		await job.stop();
		await pollUntil(async () => (await view.sample({applicationNames: [job.applicationName]})).rows.length === 0, {what: 'the batch job to be gone'});
	});

	test('a lock chain: one blocker idle in its transaction, two sessions waiting on it', async t => {
		const chain = await startLockChain(server, {applicationName: `locks-${tag}`});
		t.after(async () => chain.stop());
		const samples = await view.watch({applicationNames: [chain.applicationName]}, {everyMs: 100, what: '20 samples', isEnough: entries => entries.length >= 20});
		for (const sample of samples) {
			const blocker = sample.rows.find(row => row.pid === chain.blockerPid);
			assert.equal(blocker?.state, 'idle in transaction');
			const waiters = sample.rows.filter(row => chain.waiterPids.includes(row.pid));
			assert.deepEqual(waiters.map(row => [row.state, row.waitEventType]), [['active', 'Lock'], ['active', 'Lock']]);
		}

		const rows = await view.query('select pid, pg_blocking_pids(pid) as blocking from pg_stat_activity where pid = any($1::int[]) order by pid', [chain.waiterPids]);
		t.diagnostic(`blocker ${chain.blockerPid}; ${rows.map(row => `${String(row['pid'])} waits on ${(row['blocking'] as number[]).join(', ')}`).join('; ')}`);
		assert.ok(rows.every(row => (row['blocking'] as number[]).join() === String(chain.blockerPid)), 'each waits on the blocker alone');
		await chain.stop();
		assert.equal((await view.query('select to_regclass($1) as table', [chain.table]))[0]!['table'], null, 'its table is dropped');
	});
});
