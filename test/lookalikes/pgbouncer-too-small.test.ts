// The shape of a PgBouncer pool too small (default_pool_size 3, transaction pooling), as the server
// and PgBouncer's own console see it: plain SQL, not lifeguard. Also records what PgBouncer 1.18
// answers (SHOW CLIENTS / POOLS / STATS / SERVERS, and lifeguard's monitor login) as fixtures.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {after, before, describe, test, type TestContext} from 'node:test';
import {openMonitorClient} from '../../source/connection/monitor-client.js';
import {resolveTarget} from '../../source/connection/target.js';
import {probeConsole, errorFields, type ConsoleRows} from '../helpers/lookalikes/console-probe.js';
import {recordedFixture} from '../helpers/lookalikes/fixtures.js';
import {startBouncerLoad, type BouncerLoad} from '../helpers/lookalikes/pgbouncer-load.js';
import {busyShare, openServerView, type ActivitySample, type ServerView} from '../helpers/lookalikes/server-view.js';
import {PGBOUNCER_MISSING, pgbouncerBinary, pgbouncerVersion} from '../helpers/pgbouncer.js';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';

const tag = randomBytes(2).toString('hex');
const missing = pgbouncerBinary() ? null : PGBOUNCER_MISSING;
const WATCH = {everyMs: 100, timeoutMs: 20_000};

describe('PgBouncer, transaction pooling, default_pool_size 3', {skip: missing ?? false}, () => {
	let server: TestServer;
	let view: ServerView;

	before(async () => {
		server = await startEmbeddedPostgres({maxConnections: 100});
		view = await openServerView(server.url);
	});

	after(async () => {
		await view?.close();
		await server?.stop();
	});

	/** Wait until PgBouncer holds its 3, then `count` samples of them. */
	async function watchPool(load: BouncerLoad, count: number, isEnough: (samples: ActivitySample[]) => boolean = () => true): Promise<ActivitySample[]> {
		// PgBouncer's server connections: the backends whose client port is one of its sockets.
		const filter = () => ({clientPorts: load.serverPorts()});
		await pollUntil(async () => (await view.sample(filter())).rows.length === 3, {timeoutMs: 10_000, what: 'PgBouncer to open its 3 server connections'});
		return view.watch(filter, {...WATCH, what: `${count} samples`, isEnough: samples => samples.length >= count && isEnough(samples)});
	}

	function assertSteadyThree(samples: ActivitySample[]): number[] {
		const pids = samples[0]!.rows.map(row => row.pid);
		for (const sample of samples) {
			assert.deepEqual(sample.rows.map(row => row.pid), pids, 'the same 3 backends throughout');
			assert.ok(sample.rows.every(row => row.clientAddr === '127.0.0.1'));
		}

		return pids;
	}

	async function consoleOf(load: BouncerLoad, commands: string[]) {
		const {bouncer} = load;
		const probe = await probeConsole({host: bouncer.host, port: bouncer.port, user: bouncer.adminUser, password: bouncer.adminPassword, database: 'pgbouncer'}, commands);
		assert.equal(probe.loginError, null);
		return probe.commands as Record<string, ConsoleRows>;
	}

	/** The recorded fixture has the same columns, command by command; recorded when asked to. */
	function compareToFixture(t: TestContext, name: string, live: Record<string, unknown>): void {
		const recorded = recordedFixture(name, live);
		if (!recorded) {
			t.diagnostic(`no fixture ${name} for this PgBouncer version: run with LIFEGUARD_RECORD_FIXTURES=1 to record it`);
			return;
		}

		const columns = (fixture: Record<string, unknown>) => Object.fromEntries(Object.entries(fixture).map(([key, value]) => [key, (value as Partial<ConsoleRows>).columns ?? value]));
		assert.deepEqual(columns(live), columns(recorded));
	}

	test('one service, 40 clients: 3 long-lived backends from one address, busy, doing new work, one application_name; 37 clients wait', async t => {
		const name = `bouncer-app-${tag}`;
		const load = await startBouncerLoad(server, {services: [{applicationName: name, clients: 40}]});
		t.after(async () => load.stop());
		const samples = await watchPool(load, 40);
		const pids = assertSteadyThree(samples);
		const rows = samples.flatMap(sample => sample.rows);
		assert.deepEqual([...new Set(rows.map(row => row.applicationName))], [name], 'PgBouncer sets each client\'s name on the server connection: one name');
		assert.ok(busyShare(samples) >= 0.8, `busy share ${busyShare(samples)}`);
		for (const pid of pids) {
			const transactions = new Set(rows.filter(row => row.pid === pid).map(row => row.xactStartMs ?? row.queryStartMs));
			assert.ok(transactions.size >= 10, `backend ${pid}: ${transactions.size} transactions seen in 40 samples`);
		}

		t.diagnostic(`busy share ${busyShare(samples).toFixed(2)} over ${samples.length} samples in ${samples.at(-1)!.atMs - samples[0]!.atMs} ms`);

		// PgBouncer's side: 40 clients, 3 of them linked to a server connection, the rest waiting.
		const waiting = await pollUntil(async () => {
			const pool = (await consoleOf(load, ['SHOW POOLS']))['SHOW POOLS']!.rows.find(row => row['database'] === 'app');
			return pool && Number(pool['cl_waiting']) >= 30 && Number(pool['sv_active']) === 3 ? pool : undefined;
		}, {timeoutMs: 10_000, what: '30 or more clients waiting, 3 server connections active'});
		assert.equal(Number(waiting['cl_active']) + Number(waiting['cl_waiting']), 40);

		const shown = await consoleOf(load, ['SHOW CLIENTS', 'SHOW POOLS', 'SHOW STATS', 'SHOW SERVERS', 'SHOW VERSION']);
		const clients = shown['SHOW CLIENTS']!.rows.filter(row => row['database'] === 'app');
		assert.equal(clients.length, 40);
		assert.ok(clients.every(row => row['application_name'] === name), 'SHOW CLIENTS (1.18) has application_name');
		assert.deepEqual(shown['SHOW SERVERS']!.rows.map(row => Number(row['remote_pid'])).sort(), [...pids].sort(), 'SHOW SERVERS remote_pid is the backend pid');

		// lifeguard's monitor login pointed at PgBouncer (--db at the pooler's port).
		let monitorLogin: unknown = 'connected';
		try {
			const target = resolveTarget(load.bouncer.appUrl(), {HOME: '/nonexistent'});
			await (await openMonitorClient(target)).end();
		} catch (error) {
			monitorLogin = errorFields(error);
		}

		assert.match(String((monitorLogin as {message?: string}).message), /unsupported startup parameter/);
		compareToFixture(t, `pgbouncer-${pgbouncerVersion()}-pool-of-3-one-service.json`, {...shown, 'lifeguard monitor login': monitorLogin});
	});

	test('two services sharing the pool: the same 3 backends take turns carrying each service\'s application_name', async t => {
		const names = [`orders-${tag}`, `billing-${tag}`];
		const load = await startBouncerLoad(server, {services: names.map(applicationName => ({applicationName, clients: 20}))});
		t.after(async () => load.stop());
		const namesOf = (samples: ActivitySample[], pid: number) => new Set(samples.flatMap(sample => sample.rows.filter(row => row.pid === pid).map(row => row.applicationName)));
		const retagged = (samples: ActivitySample[]) => samples[0]!.rows.filter(row => namesOf(samples, row.pid).size === 2).length;
		const samples = await watchPool(load, 30, entries => retagged(entries) === 3);
		assertSteadyThree(samples);
		const changes = samples.slice(1).flatMap((sample, index) => sample.rows.filter(row => samples[index]!.rows.find(before => before.pid === row.pid)?.applicationName !== row.applicationName)).length;
		t.diagnostic(`${changes} application_name changes on 3 backends over ${samples.length} samples; busy share ${busyShare(samples).toFixed(2)}`);
		assert.ok(busyShare(samples) >= 0.7, `busy share ${busyShare(samples)}`);

		// Who waits, by application, from SHOW CLIENTS.
		const byApplication = await pollUntil(async () => {
			const rows = (await consoleOf(load, ['SHOW CLIENTS']))['SHOW CLIENTS']!.rows.filter(row => row['state'] === 'waiting');
			const counts = Object.fromEntries(names.map(name => [name, rows.filter(row => row['application_name'] === name).length]));
			return names.every(name => counts[name]! >= 5) ? counts : undefined;
		}, {timeoutMs: 10_000, what: 'waiting clients of both services'});
		t.diagnostic(`waiting: ${JSON.stringify(byApplication)}`);
		compareToFixture(t, `pgbouncer-${pgbouncerVersion()}-pool-of-3-two-services.json`, await consoleOf(load, ['SHOW CLIENTS', 'SHOW POOLS']));
	});

	test('application_name_add_host = 1: each server connection carries "<name> - <client address>:<port>" of the client it serves', async t => {
		const name = `addhost-${tag}`;
		const load = await startBouncerLoad(server, {services: [{applicationName: name, clients: 10}], settings: {application_name_add_host: 1}});
		t.after(async () => load.stop());
		const samples = await watchPool(load, 10);
		const applicationNames = new Set(samples.flatMap(sample => sample.rows.map(row => row.applicationName)));
		assert.ok([...applicationNames].every(text => new RegExp(`^${name} - 127\\.0\\.0\\.1:\\d+$`).test(text)), [...applicationNames].join(', '));
		assert.ok(applicationNames.size > 3, `${applicationNames.size} names on 3 backends: they change with the client served`);
	});
});
