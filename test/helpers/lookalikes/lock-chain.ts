// A lock chain: one blocker, idle in the transaction that holds a row lock on each of `waiters` rows,
// and `waiters` sessions each updating one of those rows: all of them blocked by the blocker itself
// (on the same row, the second waiter would wait on the first one's tuple lock instead), until stop() (or `limitMs`: the blocker's idle_in_transaction_session_timeout
// and the waiters' lock_timeout end it on the server).
import {randomBytes} from 'node:crypto';
import {pollUntil, Sessions, type TestServer} from '../postgres.js';
import {boundedSession, terminateApplications} from './batch-job.js';
import {LOAD_LIMIT_MS} from './pg-clients.js';

export type LockChain = {
	applicationName: string;
	table: string;
	blockerPid: number;
	waiterPids: number[];
	stop: () => Promise<void>;
};

export async function startLockChain(server: TestServer, options: {applicationName?: string; waiters?: number; limitMs?: number} = {}): Promise<LockChain> {
	const applicationName = options.applicationName ?? 'lock-chain';
	const table = `lookalikes_lock_${randomBytes(3).toString('hex')}`;
	const limitMs = options.limitMs ?? LOAD_LIMIT_MS;
	const sessions = new Sessions(server.url);
	const admin = await new Sessions(server.url).open('lookalikes-setup');
	const stop = async () => {
		await terminateApplications(server, [applicationName]);
		await sessions.closeAll();
		await admin.query(`drop table if exists ${table}`).catch(() => undefined);
		await admin.end().catch(() => undefined);
	};

	try {
		const waiters = options.waiters ?? 2;
		await admin.query(`create table ${table} (id int primary key, n int); insert into ${table} select id, 0 from generate_series(1, ${waiters}) as id`);
		const blocker = await sessions.open(applicationName, boundedSession(limitMs));
		await blocker.query(`begin; update ${table} set n = n + 1`);
		const waiterPids: number[] = [];
		for (let row = 1; row <= waiters; row++) {
			const waiter = await sessions.open(applicationName, {...boundedSession(limitMs), lock_timeout: limitMs});
			waiter.query(`update ${table} set n = n + 1 where id = ${row}`).catch(() => undefined);
			waiterPids.push(waiter.pid);
		}

		await pollUntil(async () => {
			const {rows} = await admin.query('select count(*)::int as blocked from pg_stat_activity where pid = any($1::int[]) and $2 = any(pg_blocking_pids(pid))', [waiterPids, blocker.pid]);
			return rows[0]?.blocked === waiterPids.length;
		}, {what: 'the waiters to queue behind the blocker'});
		return {applicationName, table, blockerPid: blocker.pid, waiterPids, stop};
	} catch (error) {
		await stop();
		throw error;
	}
}
