// Every claim about PostgreSQL, against real servers: the embedded one, and LIFEGUARD_TEST_DATABASE_URL.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {after, before, describe, test} from 'node:test';
import {createPostgresSource, type PostgresSource, type ServerReading} from '../../source/collectors/postgres-activity.js';
import {SNAPSHOT_STATEMENT_NAME} from '../../source/collectors/postgres-queries.js';
import {startPoller} from '../../source/polling/poller.js';
import {openMonitorClient} from '../../source/connection/monitor-client.js';
import {resolveTarget} from '../../source/connection/target.js';
import type {ServerSnapshot} from '../../source/readings/types.js';
import {pollUntil, serverKinds, Sessions, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {startWorkload, type Workload} from '../helpers/workload.js';

async function sourceFor(url: string): Promise<PostgresSource> {
	const target = resolveTarget(url, {HOME: '/nonexistent'});
	return createPostgresSource(target, await openMonitorClient(target), () => Date.now());
}

async function snapshot(source: PostgresSource): Promise<ServerSnapshot> {
	const reading = await source.poll();
	assert.ok(reading.ok, reading.ok ? '' : reading.error);
	return reading.snapshot;
}

for (const kind of serverKinds()) {
	describe(`snapshot on the ${kind.name} server`, () => {
		let server: TestServer;
		let workload: Workload;
		let source: PostgresSource;
		const roles: string[] = [];
		const sessions: Sessions[] = [];

		before(async () => {
			server = await kind.start();
			workload = await startWorkload(server.url, {idle: 3});
			source = await sourceFor(server.url);
		});

		after(async () => {
			await source?.close();
			await Promise.all(sessions.map(async entry => entry.closeAll()));
			await workload?.close();
			if (roles.length > 0) {
				const admin = await new Sessions(server.url).open('cleanup');
				for (const role of roles) {
					await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = $1`, [role]);
					await admin.query(`drop role if exists ${role}`);
				}

				await admin.end();
			}

			await server?.stop();
		});

		test('counts every state, the lock waiter with its blocker, and keeps lifeguard out of the list', async () => {
			// The waiter's lock wait starts asynchronously: poll until the server shows it.
			const shot = await pollUntil(async () => {
				const candidate = await snapshot(source);
				return candidate.sessions.find(entry => entry.pid === workload.waiter)?.waitEventType === 'Lock' ? candidate : undefined;
			}, {what: 'the lock waiter'});
			const byPid = new Map(shot.sessions.map(entry => [entry.pid, entry]));
			assert.equal(byPid.get(workload.waiter)?.state, 'active');
			assert.deepEqual(byPid.get(workload.waiter)?.blockedBy, [workload.blocker]);
			assert.equal(byPid.get(workload.blocker)?.state, 'idle in transaction');
			assert.equal(byPid.get(workload.idleInTransaction)?.state, 'idle in transaction');
			assert.equal(byPid.get(workload.aborted)?.state, 'idle in transaction (aborted)');
			assert.equal(byPid.get(workload.active)?.waitEvent, 'PgSleep');
			for (const pid of workload.idle) {
				assert.equal(byPid.get(pid)?.state, 'idle');
			}

			assert.equal(byPid.has(shot.selfPid), false, "lifeguard's own backend is not listed");
			const states = Object.values(shot.states).reduce((sum, count) => sum + count, 0);
			// lifeguard's own connections are apart: its own backend at least.
			assert.equal(shot.connections, states + shot.hidden);
			assert.ok(shot.ownConnections >= 1, `own ${shot.ownConnections}`);
			assert.ok(shot.states.idleInTransactionAborted >= 1);
			assert.ok(shot.lockWaiting >= 1);
			assert.ok(shot.states.active >= shot.lockWaiting, 'lock waiters are a subset of active');
			assert.ok((shot.oldestIdleInTransaction?.seconds ?? -1) >= 0);
			const wl = shot.applications.filter(app => app.name.startsWith(`${workload.prefix}-idle-`));
			assert.equal(wl.length, 3);
			assert.ok(wl.every(app => app.connections === 1 && app.idle === 1));
		});

		test('the snapshot is parsed once per connection and planned once: a named statement the server reuses', async () => {
			const fresh = await sourceFor(server.url);
			try {
				for (let poll = 0; poll < 8; poll++) {
					await snapshot(fresh);
				}

				const {rows} = await fresh.client()!.query<{generic: string; custom: string}>('select generic_plans as generic, custom_plans as custom from pg_prepared_statements where name = $1', [SNAPSHOT_STATEMENT_NAME]);
				assert.equal(rows.length, 1, 'one prepared statement for every poll');
				// Five custom plans, then the plan cache settles on the generic plan and plans no more.
				assert.equal(Number(rows[0]!.generic) + Number(rows[0]!.custom), 8);
				assert.ok(Number(rows[0]!.generic) >= 1, `generic ${rows[0]!.generic}, custom ${rows[0]!.custom}`);
			} finally {
				await fresh.close();
			}
		});

		test('a prepared statement the server lost (as behind a transaction-pooling PgBouncer) costs no poll: unnamed from then on', async () => {
			const fresh = await sourceFor(server.url);
			try {
				await snapshot(fresh);
				// The client still believes the statement is prepared; the server answers 26000.
				await fresh.client()!.query(`deallocate ${SNAPSHOT_STATEMENT_NAME}`);
				assert.ok((await snapshot(fresh)).connections > 0);
				assert.ok((await snapshot(fresh)).connections > 0);
				const {rows} = await fresh.client()!.query('select name from pg_prepared_statements');
				assert.deepEqual(rows, [], 'no statement prepared again');
			} finally {
				await fresh.close();
			}
		});

		test('session identity: backend_start to the microsecond, ISO in UTC', async () => {
			const shot = await snapshot(source);
			const idle = shot.sessions.find(entry => entry.pid === workload.idle[0]);
			assert.match(idle?.backendStart ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/);
			assert.match(idle?.backendStartMicros ?? '', /^\d{16}$/);
			const millis = Date.parse(idle!.backendStart!);
			assert.equal(Math.floor(Number(idle!.backendStartMicros) / 1000), millis);
		});

		test('limits: max_connections minus reserved slots; per-database and per-role limits', async () => {
			const admin = await new Sessions(server.url).open('limits');
			const role = `lg_lim_${randomBytes(3).toString('hex')}`;
			roles.push(role);
			await admin.query(`create role ${role} login password 'pw-${role}' connection limit 7`);
			const {rows} = await admin.query<{max: string; su: string; reserved: string | null}>(
				"select current_setting('max_connections') as max, current_setting('superuser_reserved_connections') as su, current_setting('reserved_connections', true) as reserved");
			await admin.end();
			const roleSessions = new Sessions(server.url.replace(/\/\/[^@]+@/, `//${role}:pw-${role}@`));
			sessions.push(roleSessions);
			await roleSessions.open('limited');
			const shot = await snapshot(source);
			assert.equal(shot.maxConnections, Number(rows[0]!.max));
			assert.equal(shot.superuserReservedConnections, Number(rows[0]!.su));
			assert.equal(shot.reservedForRoleConnections, Number(rows[0]!.reserved ?? 0));
			assert.deepEqual(shot.users.find(user => user.name === role), {name: role, connections: 1, limit: 7});
			assert.equal(shot.databases.find(database => database.name === 'postgres')?.limit, null);
		});

		test('a role without pg_monitor sees other roles as hidden, never as fewer connections', async () => {
			const admin = await new Sessions(server.url).open('priv');
			const role = `lg_nopriv_${randomBytes(3).toString('hex')}`;
			roles.push(role);
			await admin.query(`create role ${role} login password 'pw-${role}'`);
			const truth = await admin.query<{n: number}>("select count(*)::int as n from pg_stat_activity where backend_type = 'client backend'");
			await admin.end();
			const weak = await sourceFor(server.url.replace(/\/\/[^@]+@/, `//${role}:pw-${role}@`));
			try {
				const shot = await snapshot(weak);
				assert.equal(shot.privileges.canReadAllStats, false);
				assert.ok(shot.hidden >= 9, `the workload's sessions are hidden (hidden ${shot.hidden})`);
				assert.equal(shot.sessions.some(entry => entry.pid === workload.idle[0]), false);
				// The admin session above has ended, and the weak monitor itself is new: the count of client
				// backends matches the privileged truth give or take those two.
				assert.ok(Math.abs(shot.connections - truth.rows[0]!.n) <= 2, `${shot.connections} vs ${truth.rows[0]!.n}`);
			} finally {
				await weak.close();
			}
		});
	});
}

describe('connection loss', () => {
	test('a server restarted under a running poller: polls fail as disconnected, then recover on their own', async () => {
		const server = await startEmbeddedPostgres();
		const source = await sourceFor(server.url);
		const readings: ServerReading[] = [];
		const poller = startPoller({task: async () => source.poll(), intervalMs: 100, maxBackoffMs: 1000, isFailure: reading => !reading.ok, onResult(reading) {
			readings.push(reading);
		}});
		try {
			const first = await pollUntil(() => readings.find(reading => reading.ok), {what: 'a first snapshot'});
			const firstPid = first.ok ? first.snapshot.selfPid : -1;
			await server.restart!();
			const restartedAt = readings.length;
			const recovered = await pollUntil(() => readings.slice(restartedAt).find(reading => reading.ok && reading.snapshot.selfPid !== firstPid), {timeoutMs: 20_000, what: 'reconnect'});
			// Polls during the restart fail as disconnected; if none fell in it, the new connection says so.
			const failures = readings.filter(reading => !reading.ok);
			assert.ok(failures.length > 0 || (recovered.ok && recovered.isReconnected), 'the restart was seen');
			assert.ok(failures.every(reading => !reading.ok && reading.isDisconnected && !reading.error.includes(server.password)));
		} finally {
			poller.stop();
			await source.close();
			await server.stop();
		}
	});
});
