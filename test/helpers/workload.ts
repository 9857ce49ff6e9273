// Sessions in known states, for integration tests and for looking at the screen by hand:
// idle, active (pg_sleep), idle in transaction, aborted, and a lock waiter behind its blocker.
import {randomBytes} from 'node:crypto';
import {Sessions} from './postgres.js';

export type Workload = {
	/** application_name prefix of every session: `<prefix>-idle-0`, `<prefix>-waiter`, ... */
	prefix: string;
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
	// Short, so `<prefix>-waiter` fits the application column at 80 columns.
	const prefix = `w${randomBytes(2).toString('hex')}`;
	const table = options.table ?? `lifeguard_${prefix}`;
	try {
		const setup = await sessions.open(`${prefix}-setup`);
		await setup.query(`create table if not exists ${table} (id int primary key, n int); insert into ${table} values (1, 0) on conflict do nothing`);
		await setup.end();

		const idle: number[] = [];
		for (let index = 0; index < (options.idle ?? 3); index++) {
			idle.push((await sessions.open(`${prefix}-idle-${index}`)).pid);
		}

		const active = await sessions.open(`${prefix}-active`);
		active.query('select pg_sleep(3600)').catch(() => undefined);

		const inTransaction = await sessions.open(`${prefix}-in-tx`);
		await inTransaction.query('begin; select 1');

		const aborted = await sessions.open(`${prefix}-aborted`);
		await aborted.query('begin');
		await aborted.query('select 1/0').catch(() => undefined);

		const blocker = await sessions.open(`${prefix}-blocker`);
		await blocker.query(`begin; update ${table} set n = n + 1 where id = 1`);
		const waiter = await sessions.open(`${prefix}-waiter`);
		waiter.query(`update ${table} set n = n + 1 where id = 1`).catch(() => undefined);

		return {
			prefix,
			idle,
			active: active.pid,
			idleInTransaction: inTransaction.pid,
			aborted: aborted.pid,
			blocker: blocker.pid,
			waiter: waiter.pid,
			async close() {
				// A backend busy in pg_sleep reads no Terminate message: end the sessions from the server side.
				const cleanup = await new Sessions(url).open(`${prefix}-cleanup`);
				await cleanup.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name like $1 and pid <> pg_backend_pid()', [`${prefix}-%`]).catch(() => undefined);
				await sessions.closeAll();
				await cleanup.query(`drop table if exists ${table}`).catch(() => undefined);
				await cleanup.end();
			},
		};
	} catch (error) {
		await sessions.closeAll();
		throw error;
	}
}
