// Sessions in known states, for integration tests and for looking at the screen by hand:
// idle, active (pg_sleep), idle in transaction, aborted, and a lock waiter behind its blocker.
import {Sessions} from './postgres.js';

export type Workload = {
	idle: number[];
	active: number;
	idleInTransaction: number;
	aborted: number;
	blocker: number;
	waiter: number;
	close: () => Promise<void>;
};

export async function startWorkload(url: string, options: {idle?: number; table?: string} = {}): Promise<Workload> {
	const sessions = new Sessions(url);
	const table = options.table ?? `lifeguard_workload_${process.pid}`;
	try {
		const setup = await sessions.open('wl-setup');
		await setup.query(`create table if not exists ${table} (id int primary key, n int); insert into ${table} values (1, 0) on conflict do nothing`);
		await setup.end();

		const idle: number[] = [];
		for (let index = 0; index < (options.idle ?? 3); index++) {
			idle.push((await sessions.open(`wl-idle-${index}`)).pid);
		}

		const active = await sessions.open('wl-active');
		active.query('select pg_sleep(3600)').catch(() => undefined);

		const inTransaction = await sessions.open('wl-idle-in-tx');
		await inTransaction.query('begin; select 1');

		const aborted = await sessions.open('wl-aborted');
		await aborted.query('begin');
		await aborted.query('select 1/0').catch(() => undefined);

		const blocker = await sessions.open('wl-blocker');
		await blocker.query(`begin; update ${table} set n = n + 1 where id = 1`);
		const waiter = await sessions.open('wl-waiter');
		waiter.query(`update ${table} set n = n + 1 where id = 1`).catch(() => undefined);

		return {
			idle,
			active: active.pid,
			idleInTransaction: inTransaction.pid,
			aborted: aborted.pid,
			blocker: blocker.pid,
			waiter: waiter.pid,
			async close() {
				await sessions.closeAll();
				const cleanup = await new Sessions(url).open('wl-cleanup');
				await cleanup.query(`drop table if exists ${table}`).catch(() => undefined);
				await cleanup.end();
			},
		};
	} catch (error) {
		await sessions.closeAll();
		throw error;
	}
}
