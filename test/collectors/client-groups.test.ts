// The per-instance counts the pool-suspected detector reads, against real servers.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {after, before, describe, test} from 'node:test';
import {createPostgresSource, type PostgresSource} from '../../source/collectors/postgres-activity.js';
import {STALE_WORK_SECONDS} from '../../source/collectors/postgres-queries.js';
import {openMonitorClient} from '../../source/connection/monitor-client.js';
import {resolveTarget} from '../../source/connection/target.js';
import type {ClientGroup} from '../../source/readings/types.js';
import {pollUntil, serverKinds, Sessions, type TestServer} from '../helpers/postgres.js';

for (const kind of serverKinds()) {
	describe(`client groups on the ${kind.name} server`, () => {
		let server: TestServer;
		let source: PostgresSource;
		let sessions: Sessions;
		const application = `cg-${randomBytes(3).toString('hex')}`;

		before(async () => {
			server = await kind.start();
			const target = resolveTarget(server.url, {HOME: '/nonexistent'});
			source = await createPostgresSource(target, await openMonitorClient(target), () => Date.now());
			sessions = new Sessions(server.url);
		});

		after(async () => {
			// A backend in pg_sleep reads no Terminate message: end it from the server side.
			const cleanup = await new Sessions(server.url).open(`${application}-cleanup`);
			await cleanup.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [application]).catch(() => undefined);
			await cleanup.end();
			await sessions?.closeAll();
			await source?.close();
			await server?.stop();
		});

		async function groupOf(): Promise<ClientGroup | undefined> {
			const reading = await source.poll();
			assert.ok(reading.ok, reading.ok ? '' : reading.error);
			const groups = reading.snapshot.clientGroups.filter(group => group.application === application);
			assert.ok(groups.length <= 1, 'one group per application and address');
			return groups[0];
		}

		test('connections, active, busy and stale per application and address, and each backend\'s state by pid', async () => {
			const idle = await sessions.open(application);
			const sleeper = await sessions.open(application);
			const inTransaction = await sessions.open(application);
			sleeper.query('select pg_sleep(3600)').catch(() => undefined);
			await inTransaction.query('begin; select 1');

			// Busy is what the server shows now: active or in a transaction, never an idle one however recent.
			await idle.query('select 1');
			const fresh = await pollUntil(async () => {
				const group = await groupOf();
				return group?.active === 1 && group.busy === 2 ? group : undefined;
			}, {what: 'the sleeper and the transaction counted as busy'});
			assert.deepEqual({...fresh, backends: undefined}, {application, client: '127.0.0.1', connections: 3, active: 1, busy: 2, backends: undefined});
			const byPid = new Map(fresh.backends.map(([pid, state]) => [pid, state]));
			assert.deepEqual([byPid.get(idle.pid), byPid.get(sleeper.pid), byPid.get(inTransaction.pid)], [0, 1, 1]);
			// Each backend's backend_start (seconds, 0.1 s): the three logged in during this test.
			assert.ok(fresh.backends.every(([, , startedSeconds]) => startedSeconds !== undefined && Math.abs(startedSeconds * 1000 - Date.now()) < 120_000), JSON.stringify(fresh.backends));
			assert.deepEqual(fresh.backends.map(([pid]) => pid), [idle.pid, sleeper.pid, inTransaction.pid].sort((a, b) => a - b));

			// No new work for STALE_WORK_SECONDS: the statement and the transaction turn stale.
			const stale = await pollUntil(async () => {
				const group = await groupOf();
				return group?.backends.filter(([, state]) => state === 2).length === 2 ? group : undefined;
			}, {timeoutMs: (STALE_WORK_SECONDS + 10) * 1000, everyMs: 500, what: 'the sleeper and the transaction counted as stale'});
			const later = new Map(stale.backends.map(([pid, state]) => [pid, state]));
			assert.deepEqual([later.get(idle.pid), later.get(sleeper.pid), later.get(inTransaction.pid)], [0, 2, 2]);
		});
	});
}
