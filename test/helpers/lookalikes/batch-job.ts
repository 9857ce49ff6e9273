// A batch job: long statements (pg_sleep(3600)) and one session idle in a transaction, all of one
// application name, started once: nothing new starts on these connections until stop(). Bounded on
// the server too: statement_timeout and idle_in_transaction_session_timeout end them at `limitMs`,
// and client_connection_check_interval ends them soon after this process goes.
import {pollUntil, Sessions, type TestServer} from '../postgres.js';
import {LOAD_LIMIT_MS} from './pg-clients.js';

export type BatchJob = {
	applicationName: string;
	/** The backends running the long statements. */
	statementPids: number[];
	/** The backend idle in its transaction. */
	idleInTransactionPid: number;
	stop: () => Promise<void>;
};

/** Startup settings that end a test's session on the server by themselves. */
export function boundedSession(limitMs: number) {
	return {
		statement_timeout: limitMs,
		idle_in_transaction_session_timeout: limitMs,
		options: '-c client_connection_check_interval=1000',
	};
}

/** End every backend of `applicationNames` from the server side: one in pg_sleep reads no Terminate. */
export async function terminateApplications(server: TestServer, applicationNames: string[]): Promise<void> {
	const sessions = new Sessions(server.url);
	const cleanup = await sessions.open('lookalikes-cleanup');
	await cleanup.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = any($1::text[]) and pid <> pg_backend_pid()', [applicationNames]).catch(() => undefined);
	await sessions.closeAll();
}

export async function startBatchJob(server: TestServer, options: {applicationName?: string; statements?: number; limitMs?: number} = {}): Promise<BatchJob> {
	const applicationName = options.applicationName ?? 'batch-job';
	const sessions = new Sessions(server.url);
	const bounded = boundedSession(options.limitMs ?? LOAD_LIMIT_MS);
	const stop = async () => {
		await terminateApplications(server, [applicationName]);
		await sessions.closeAll();
	};

	try {
		const statementPids: number[] = [];
		for (let index = 0; index < (options.statements ?? 4); index++) {
			const session = await sessions.open(applicationName, bounded);
			session.query('select pg_sleep(3600)').catch(() => undefined);
			statementPids.push(session.pid);
		}

		const inTransaction = await sessions.open(applicationName, bounded);
		await inTransaction.query('begin; select 1');
		const watcher = new Sessions(server.url);
		const observer = await watcher.open('lookalikes-observer');
		await pollUntil(async () => {
			const {rows} = await observer.query('select count(*)::int as running from pg_stat_activity where pid = any($1::int[]) and state = \'active\'', [statementPids]);
			return rows[0]?.running === statementPids.length;
		}, {what: 'the batch statements to run'}).finally(async () => watcher.closeAll());
		return {applicationName, statementPids, idleInTransactionPid: inTransaction.pid, stop};
	} catch (error) {
		await stop();
		throw error;
	}
}
