import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {after, before, describe, test} from 'node:test';
import type pg from 'pg';
import {CANCEL_SESSION_QUERY, TERMINATE_SESSION, TERMINATE_SESSION_AND_WAIT} from '../../source/actions/queries.js';
import {goneOrChanged, ownSession, signalSessions, type Queryable, type SessionTarget} from '../../source/actions/terminate.js';
import {summarizeResults} from '../../source/screen/signal-results.js';
import {type SignalResult} from '../../source/readings/signals.js';
import {pollUntil, serverKinds, Sessions, type TestServer} from '../helpers/postgres.js';

// ---------------------------------------------------------------------------------------------
// Without a server: version branching, error mapping, order and no retries, through a scripted fake.

type Reply = {rows: unknown[]} | Error;

function pgError(code: string, message: string, detail?: string): Error {
	return Object.assign(new Error(message), {code, detail});
}

/** Answers the preflight with `versionNum` and self pid 1, then each statement with the next reply. */
function scriptedClient(versionNum: number, replies: Reply[]) {
	const calls: Array<{text: string; values: unknown[] | undefined}> = [];
	const client: Queryable = {
		async query(text, values) {
			calls.push({text, values});
			if (calls.length === 1) {
				return {rows: [{version_num: versionNum, self_pid: 1}]};
			}

			const reply = replies.shift();
			if (!reply) {
				throw new Error('unexpected extra statement');
			}

			if (reply instanceof Error) {
				throw reply;
			}

			return reply;
		},
	};
	return {client, calls};
}

function target(pid: number, overrides: Partial<SessionTarget> = {}): SessionTarget {
	return {pid, backendStartMicros: '1741953600000001', state: 'idle', user: 'app', application: `app-${pid}`, ...overrides};
}

function outcomes(results: SignalResult[]): Array<[number, string, string]> {
	return results.map(r => [r.pid, r.outcome, r.detail]);
}

describe('signalSessions with a scripted client', () => {
	test('maps every reply to exactly one result, in input order, one statement each, no retries', async () => {
		const {client, calls} = scriptedClient(150000, [
			{rows: [{pid: 10, is_signalled: true}]},
			pgError('42501', 'must be a superuser to terminate superuser process'),
			pgError('42501', 'permission denied to terminate process', 'Only roles with the SUPERUSER attribute may terminate processes of roles with the SUPERUSER attribute.'),
			pgError('42501', 'must be a member of the role whose process is being terminated or member of pg_signal_backend'),
			{rows: []},
			pgError('57014', 'canceling statement due to statement timeout\nsecond line'),
			{rows: [{pid: 16, is_signalled: false}]},
		]);
		const results = await signalSessions(client, 'terminate', [10, 11, 12, 13, 14, 15, 16].map(pid => target(pid)), {waitMs: 250});
		assert.deepEqual(outcomes(results), [
			[10, 'terminated', 'gone'],
			[11, 'not-permitted', "needs superuser: a superuser's session"],
			[12, 'not-permitted', "needs superuser: a superuser's session"],
			[13, 'not-permitted', 'needs pg_signal_backend or membership of role app'],
			[14, 'skipped', goneOrChanged],
			[15, 'failed', 'canceling statement due to statement timeout'],
			[16, 'failed', 'did not exit within 250 ms'],
		]);
		assert.equal(calls.length, 1 + 7);
		for (const [index, call] of calls.slice(1).entries()) {
			assert.equal(call.text, TERMINATE_SESSION_AND_WAIT);
			assert.deepEqual(call.values, [10 + index, '1741953600000001', 'idle', 250]);
		}
	});

	test('on PostgreSQL 12/13 uses the one-argument terminate, which only says the signal was sent', async () => {
		const {client, calls} = scriptedClient(130000, [{rows: [{pid: 10, is_signalled: true}]}]);
		const results = await signalSessions(client, 'terminate', [target(10)]);
		assert.deepEqual(outcomes(results), [[10, 'terminated', 'signal sent']]);
		assert.equal(calls[1]?.text, TERMINATE_SESSION);
		assert.deepEqual(calls[1]?.values, [10, '1741953600000001', 'idle']);
	});

	test('a 42501 that names no cause falls back to what the operator saw', async () => {
		const {client} = scriptedClient(180000, [pgError('42501', 'permission denied'), pgError('42501', 'permission denied')]);
		const results = await signalSessions(client, 'terminate', [target(10, {isSuperuser: true}), target(11, {user: null})]);
		assert.deepEqual(outcomes(results), [
			[10, 'not-permitted', "needs superuser: a superuser's session"],
			[11, 'not-permitted', "needs pg_signal_backend or membership of the session's role"],
		]);
	});

	test('skips without a statement: itself, an unconfirmable state, and cancelling a session with no query', async () => {
		const {client, calls} = scriptedClient(180000, [{rows: [{pid: 12, is_signalled: true}]}]);
		const results = await signalSessions(client, 'cancel', [
			target(1, {state: 'active'}),
			target(10, {state: null}),
			target(11, {state: 'idle in transaction'}),
			target(12, {state: 'active'}),
		]);
		assert.deepEqual(outcomes(results), [
			[1, 'skipped', ownSession],
			[10, 'skipped', 'state not visible, cannot confirm it'],
			[11, 'skipped', 'no running query (idle in transaction)'],
			[12, 'cancelled', 'cancel sent'],
		]);
		assert.equal(calls.length, 2);
		assert.equal(calls[1]?.text, CANCEL_SESSION_QUERY);
	});

	test('a failed preflight fails every target and sends nothing else; a good one is cached per client', async () => {
		let count = 0;
		const broken: Queryable = {
			async query() {
				count++;
				throw new Error('Client has encountered a connection error and is not queryable');
			},
		};
		const results = await signalSessions(broken, 'terminate', [target(10), target(11)]);
		assert.deepEqual(outcomes(results), [
			[10, 'failed', 'Client has encountered a connection error and is not queryable'],
			[11, 'failed', 'Client has encountered a connection error and is not queryable'],
		]);
		assert.equal(count, 1);

		const {client, calls} = scriptedClient(180000, [{rows: []}, {rows: []}]);
		await signalSessions(client, 'terminate', [target(10)]);
		await signalSessions(client, 'terminate', [target(11)]);
		assert.equal(calls.filter(call => call.values === undefined).length, 1);
	});

	test('rejects a negative wait before sending anything', async () => {
		const {client, calls} = scriptedClient(180000, []);
		await assert.rejects(signalSessions(client, 'terminate', [target(10)], {waitMs: -1}), RangeError);
		assert.equal(calls.length, 0);
	});
});

describe('summarizeResults', () => {
	const r = (pid: number, outcome: SignalResult['outcome'], detail: string): SignalResult => ({
		pid,
		user: 'app',
		application: 'web',
		state: 'idle',
		outcome,
		detail,
	});

	test('lists the pids it touched, then each group it did not, with the reason', () => {
		assert.equal(
			summarizeResults([r(101, 'terminated', 'gone'), r(102, 'terminated', 'gone'), r(103, 'terminated', 'gone'), r(104, 'skipped', goneOrChanged)]),
			'Terminated 3 of 4: 101, 102, 103; skipped 1 (already gone or changed): 104',
		);
		assert.equal(
			summarizeResults([
				r(5, 'not-permitted', 'needs superuser'),
				r(6, 'cancelled', 'cancel sent'),
				r(7, 'not-permitted', 'needs superuser'),
				r(8, 'failed', 'boom'),
			]),
			'Cancelled 1 of 4: 6; not permitted 2 (needs superuser): 5, 7; failed 1 (boom): 8',
		);
	});

	test('says what it meant to do when nothing succeeded', () => {
		assert.equal(summarizeResults([r(9, 'skipped', ownSession)], 'cancel'), "Cancelled 0 of 1; skipped 1 (lifeguard's own session): 9");
		assert.equal(summarizeResults([r(9, 'skipped', ownSession)]), "Signalled 0 of 1; skipped 1 (lifeguard's own session): 9");
		assert.equal(summarizeResults([]), 'No sessions selected');
	});
});

// ---------------------------------------------------------------------------------------------
// Against real servers: the embedded PostgreSQL 18, and LIFEGUARD_TEST_DATABASE_URL when set.

type Client = pg.Client & {pid: number};

/** A session as the screen would capture it, read through a superuser connection. */
const seeSession = `
select a.pid,
	round(extract(epoch from a.backend_start) * 1e6)::bigint::text as "backendStartMicros",
	a.state,
	a.usename as "user",
	a.application_name as application,
	coalesce(r.rolsuper, false) as "isSuperuser"
from pg_stat_activity a left join pg_roles r on r.oid = a.usesysid
where a.pid = $1`;

for (const kind of serverKinds()) {
	describe(`signalSessions against the ${kind.name} server`, () => {
		// Unique names: the external server is shared with other test runs.
		const suffix = randomBytes(4).toString('hex');
		const operatorRole = `lg_op_${suffix}`;
		const appRole = `lg_app_${suffix}`;
		const rolePassword = `pw-${suffix}`;
		let server: TestServer | undefined;
		const superSessions: Sessions[] = [];
		const roleSessions: Sessions[] = [];
		let monitor: Client;
		let hasRoles = false;

		async function superuser(name: string): Promise<Client> {
			return superSessions[0]!.open(`${name}-${suffix}`);
		}

		function sessionsAs(role: string): Sessions {
			const url = new URL(server!.url);
			url.username = role;
			url.password = rolePassword;
			const sessions = new Sessions(url.toString());
			roleSessions.push(sessions);
			return sessions;
		}

		async function see(pid: number, state?: string): Promise<SessionTarget> {
			const seen = await pollUntil(
				async () => {
					const {rows} = await monitor.query<SessionTarget>(seeSession, [pid]);
					const row = rows[0];
					return row && (state === undefined || row.state === state) ? row : undefined;
				},
				{what: `pid ${pid} in state ${state ?? 'any'}`},
			);
			assert.ok(seen);
			return seen;
		}

		async function exists(pid: number): Promise<boolean> {
			const {rows} = await monitor.query('select 1 from pg_stat_activity where pid = $1', [pid]);
			return rows.length === 1;
		}

		async function waitGone(pids: number[]): Promise<void> {
			await pollUntil(
				async () => {
					const {rows} = await monitor.query('select pid from pg_stat_activity where pid = any($1)', [pids]);
					return rows.length === 0;
				},
				{what: `pids ${pids.join(', ')} to leave pg_stat_activity`},
			);
		}

		before(async () => {
			server = await kind.start();
			superSessions.push(new Sessions(server.url));
			monitor = await superuser('lg-monitor');
		});

		after(async () => {
			try {
				await Promise.all(roleSessions.map(async sessions => sessions.closeAll()));
				if (hasRoles && monitor) {
					// Sessions a failed test left behind would keep the roles busy on the shared server.
					await monitor.query('select pg_terminate_backend(pid) from pg_stat_activity where usename = any($1)', [[operatorRole, appRole]]);
					await monitor.query(`drop role if exists ${operatorRole}`);
					await monitor.query(`drop role if exists ${appRole}`);
				}
			} finally {
				await Promise.all(superSessions.map(async sessions => sessions.closeAll()));
				await server?.stop();
			}
		});

		test('terminates the chosen idle sessions and leaves the rest', async () => {
			const clients = await Promise.all([1, 2, 3, 4].map(async n => superuser(`lg-idle-${n}`)));
			const targets = await Promise.all(clients.map(async client => see(client.pid, 'idle')));
			const chosen = targets.slice(0, 3);

			const results = await signalSessions(monitor, 'terminate', chosen);

			assert.deepEqual(results.map(r => [r.pid, r.outcome]), chosen.map(t => [t.pid, 'terminated']));
			assert.deepEqual(results.map(r => r.application), chosen.map(t => t.application));
			await waitGone(chosen.map(t => t.pid));
			assert.equal(await exists(clients[3]!.pid), true, 'the fourth session stays');
			assert.equal(await exists(monitor.pid), true, 'the monitor stays');
			assert.equal(summarizeResults(results), `Terminated 3 of 3: ${chosen.map(t => t.pid).join(', ')}`);
		});

		test('skips a session whose identity or state changed since the operator saw it', async () => {
			const client = await superuser('lg-changed');
			const seen = await see(client.pid, 'idle');

			const replaced = {...seen, backendStartMicros: String(BigInt(seen.backendStartMicros) + 1n)};
			assert.deepEqual(outcomes(await signalSessions(monitor, 'terminate', [replaced])), [[client.pid, 'skipped', goneOrChanged]]);
			assert.equal(await exists(client.pid), true);

			await client.query('begin');
			await see(client.pid, 'idle in transaction');
			assert.deepEqual(outcomes(await signalSessions(monitor, 'terminate', [seen])), [[client.pid, 'skipped', goneOrChanged]]);
			assert.equal(await exists(client.pid), true);
			await client.query('rollback');

			// The same key, now matching again, does terminate: the skips above were the key's doing.
			await see(client.pid, 'idle');
			assert.deepEqual(outcomes(await signalSessions(monitor, 'terminate', [seen])), [[client.pid, 'terminated', 'gone']]);
			await waitGone([client.pid]);
		});

		test('cancels a running query and keeps the session; skips sessions with nothing running', async () => {
			const client = await superuser('lg-sleeper');
			const sleeping = client.query('select pg_sleep(30)').then(
				() => undefined,
				(error: unknown) => error as {code?: string},
			);
			const running = await see(client.pid, 'active');

			assert.deepEqual(outcomes(await signalSessions(monitor, 'cancel', [running])), [[client.pid, 'cancelled', 'cancel sent']]);
			assert.equal((await sleeping)?.code, '57014');
			assert.deepEqual((await client.query<{n: number}>('select 1 as n')).rows, [{n: 1}]);

			// Now idle: what the operator saw as active no longer matches, and an idle target is refused.
			const idle = await see(client.pid, 'idle');
			assert.deepEqual(outcomes(await signalSessions(monitor, 'cancel', [running, idle])), [
				[client.pid, 'skipped', goneOrChanged],
				[client.pid, 'skipped', 'no running query (idle)'],
			]);
			assert.equal(await exists(client.pid), true);
		});

		test("never signals lifeguard's own backend", async () => {
			const self = await see(monitor.pid);
			assert.deepEqual(outcomes(await signalSessions(monitor, 'terminate', [self])), [[monitor.pid, 'skipped', ownSession]]);

			// The statement's own guard, without the early check in front of it.
			const {rows} = await monitor.query(TERMINATE_SESSION_AND_WAIT, [self.pid, self.backendStartMicros, 'active', 100]);
			assert.deepEqual(rows, []);
			assert.equal(await exists(monitor.pid), true);
		});

		test('as a role without superuser: a superuser session is not permitted, the rest of the batch still goes', async () => {
			await monitor.query(`create role ${operatorRole} login password '${rolePassword}'`);
			hasRoles = true;
			await monitor.query(`create role ${appRole} login password '${rolePassword}'`);
			await monitor.query(`grant pg_monitor to ${operatorRole}`);
			const operators = sessionsAs(operatorRole);
			const apps = sessionsAs(appRole);
			const operator = await operators.open(`lg-operator-${suffix}`);
			const admin = await superuser('lg-admin');
			const app = await apps.open(`lg-app-${suffix}`);
			const sameRole = await operators.open(`lg-same-role-${suffix}`);
			// Without isSuperuser the detail must come from the server's own message (≤15) or DETAIL (16+).
			const {isSuperuser: _ignored, ...adminTarget} = await see(admin.pid, 'idle');
			const appTarget = await see(app.pid, 'idle');

			const withoutGrant = await signalSessions(operator, 'terminate', [adminTarget, appTarget, await see(sameRole.pid, 'idle')]);
			assert.deepEqual(withoutGrant.map(r => [r.pid, r.outcome]), [
				[admin.pid, 'not-permitted'],
				[app.pid, 'not-permitted'],
				[sameRole.pid, 'terminated'],
			]);
			assert.match(withoutGrant[0]!.detail, /superuser/);
			assert.match(withoutGrant[1]!.detail, /pg_signal_backend/);
			assert.match(withoutGrant[1]!.detail, new RegExp(appRole));
			await waitGone([sameRole.pid]);
			assert.equal(await exists(admin.pid), true);
			assert.equal(await exists(app.pid), true);

			await monitor.query(`grant pg_signal_backend to ${operatorRole}`);
			const granted = await operators.open(`lg-operator-granted-${suffix}`);
			const app2 = await apps.open(`lg-app-2-${suffix}`);
			const withGrant = await signalSessions(granted, 'terminate', [await see(admin.pid, 'idle'), appTarget, await see(app2.pid, 'idle')]);
			assert.deepEqual(outcomes(withGrant), [
				[admin.pid, 'not-permitted', "needs superuser: a superuser's session"],
				[app.pid, 'terminated', 'gone'],
				[app2.pid, 'terminated', 'gone'],
			]);
			await waitGone([app.pid, app2.pid]);
			assert.equal(await exists(admin.pid), true, 'the superuser session stays');
			assert.equal(
				summarizeResults(withGrant),
				`Terminated 2 of 3: ${app.pid}, ${app2.pid}; not permitted 1 (needs superuser: a superuser's session): ${admin.pid}`,
			);
		});
	});
}
