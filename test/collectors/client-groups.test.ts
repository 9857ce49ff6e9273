// The per-instance counts the pool-suspected detector reads, against real servers.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {after, before, describe, test} from 'node:test';
import {createPostgresSource, type PostgresSource} from '../../source/collectors/postgres-activity.js';
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

		test('connections, active and busy per application and address; a just-released connection is busy, a quiet one is not', async () => {
			const idle = await sessions.open(application);
			const sleeper = await sessions.open(application);
			const inTransaction = await sessions.open(application);
			sleeper.query('select pg_sleep(3600)').catch(() => undefined);
			await inTransaction.query('begin; select 1');

			// The idle one, quiet for longer than the "instant": connections 3, busy 2 (active + in transaction).
			const quiet = await pollUntil(async () => {
				const group = await groupOf();
				return group?.active === 1 && group.busy === 2 ? group : undefined;
			}, {what: 'the quiet idle connection counted as not busy'});
			assert.deepEqual(quiet, {application, client: '127.0.0.1', connections: 3, active: 1, busy: 2});

			// Back-to-back use: a poll right after a query finished counts the idle connection as busy.
			const inUse = await pollUntil(async () => {
				await idle.query('select 1');
				const group = await groupOf();
				return group?.busy === 3 ? group : undefined;
			}, {what: 'the just-released connection counted as busy'});
			assert.equal(inUse.connections, 3);
			assert.equal(inUse.active, 1);
		});
	});
}
