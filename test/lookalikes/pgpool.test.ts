// The shape of pgpool-II in front of PostgreSQL with clients through it, as the server sees it (plain
// SQL), its own pool views (SHOW POOL_PROCESSES / POOL_POOLS, PCP), and what it answers to a client
// that takes it for a PgBouncer console: recorded as a fixture.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {after, before, describe, test, type TestContext} from 'node:test';
import pg from 'pg';
import {LOCK_TIMEOUT_MS, openMonitorClient, STATEMENT_TIMEOUT_MS} from '../../source/connection/monitor-client.js';
import {PoolerError} from '../../source/connection/pooler.js';
import {resolveTarget} from '../../source/connection/target.js';
import {errorFields, probeConsole, rawStartupReply, type ConsoleProbe} from '../helpers/lookalikes/console-probe.js';
import {recordedFixture} from '../helpers/lookalikes/fixtures.js';
import {startPgpoolLoad, type PgpoolLoad} from '../helpers/lookalikes/pgpool-load.js';
import {PGPOOL_MISSING, pgpoolVersion, startPgpool} from '../helpers/lookalikes/pgpool.js';
import {busyShare, openServerView, type ServerView} from '../helpers/lookalikes/server-view.js';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';

const tag = randomBytes(2).toString('hex');

describe('pgpool-II, raw mode, num_init_children 4, max_pool 1', {skip: PGPOOL_MISSING ?? false}, () => {
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

	/** pgpool-II's backends: those whose client port is a socket of one of its processes. */
	const backendsOf = (load: PgpoolLoad) => () => ({clientPorts: load.serverPorts()});

	test('12 clients of one application reconnecting every 20 transactions: 4 cached backends, busy, doing new work; its SQL and PCP views show them', async t => {
		const name = `pgpool-app-${tag}`;
		const load = await startPgpoolLoad(server, {services: [{applicationName: name, clients: 12}]});
		t.after(async () => load.stop());
		await pollUntil(async () => (await view.sample(backendsOf(load)())).rows.length === 4, {timeoutMs: 10_000, what: 'pgpool-II to hold 4 backends'});
		const samples = await view.watch(backendsOf(load), {everyMs: 100, what: '30 samples', isEnough: entries => entries.length >= 30});
		const pids = samples[0]!.rows.map(row => row.pid);
		for (const sample of samples) {
			assert.deepEqual(sample.rows.map(row => row.pid), pids, 'the same 4 backends throughout: pgpool-II caches them across client logins');
		}

		const rows = samples.flatMap(sample => sample.rows);
		assert.deepEqual([...new Set(rows.map(row => row.applicationName))], [name]);
		assert.ok(busyShare(samples) >= 0.7, `busy share ${busyShare(samples)}`);
		for (const pid of pids) {
			assert.ok(new Set(rows.filter(row => row.pid === pid).map(row => row.xactStartMs ?? row.queryStartMs)).size >= 10, `backend ${pid} does new work`);
		}

		// The clients: 4 logged in at a time (a login can be counted a moment before the logout it
		// followed), the other 8 waiting to be accepted, and logging in again and again.
		const clients = load.services[0]!.process;
		const before = clients.latest()!;
		const later = await clients.waitFor(status => status.logins >= before.logins + 8, {what: '8 more logins'});
		const loggedIn = clients.history().map(status => status.connected);
		assert.ok(Math.max(...loggedIn) <= 6 && loggedIn.filter(count => count <= 4).length >= 0.8 * loggedIn.length, `logged in: ${loggedIn.join(' ')}`);
		t.diagnostic(`busy share ${busyShare(samples).toFixed(2)}; clients: ${JSON.stringify(later)}`);

		// Its own views, over SQL on its port (this login waits for a free child like any client) and PCP.
		const client = new pg.Client({connectionString: load.pgpool.url});
		client.on('error', () => undefined);
		const waitedFromMs = Date.now();
		await client.connect();
		t.diagnostic(`the SQL login waited ${Date.now() - waitedFromMs} ms for a child`);
		const processes = (await client.query('SHOW POOL_PROCESSES')).rows as Array<Record<string, string>>;
		assert.equal(processes.length, 4);
		const pools = (await client.query('SHOW POOL_POOLS')).rows as Array<Record<string, string>>;
		const backendPids = pools.map(pool => Number(pool['pool_backendpid'])).filter(pid => pid > 0);
		assert.ok(backendPids.every(pid => pids.includes(pid) || pid === (client as unknown as {processID: number}).processID), `pool_backendpid ${backendPids.join(', ')} among ${pids.join(', ')}`);
		await client.end();
		const children = (await load.pgpool.pcp('pcp_proc_count')).trim().split(/\s+/).map(Number);
		assert.deepEqual(children.sort(), processes.map(entry => Number(entry['pool_pid'])).sort());
	});

	test('through the database postgres, which pgpool-II never caches: a new backend for every client login', async t => {
		const name = `pgpool-turnover-${tag}`;
		const load = await startPgpoolLoad(server, {ownDatabase: false, reconnectEvery: 5, services: [{applicationName: name, clients: 8}]});
		t.after(async () => load.stop());
		const samples = await view.watch(backendsOf(load), {everyMs: 100, what: 'more than 12 distinct backends', isEnough: entries => new Set(entries.flatMap(entry => entry.rows.map(row => row.pid))).size > 12});
		assert.ok(samples.every(sample => sample.rows.length <= 4), 'never more than its 4 children');
		t.diagnostic(`${new Set(samples.flatMap(entry => entry.rows.map(row => row.pid))).size} distinct backends in ${samples.length} samples`);
	});

	test('taken for a PgBouncer console: what its SQL and PCP ports answer (recorded as a fixture)', async t => {
		const pgpool = await startPgpool(server);
		t.after(async () => pgpool.stop());
		const at = (port: number, user: string, database: string, password?: string) => probeConsole({host: '127.0.0.1', port, user, password, database});
		const probes: Record<string, ConsoleProbe> = {
			'sql port, user stats, database pgbouncer': await at(pgpool.port, 'stats', 'pgbouncer', 'stats-pw'),
			'sql port, the backend superuser, database pgbouncer': await at(pgpool.port, server.user, 'pgbouncer', server.password),
			'sql port, the backend superuser, a database that exists': await at(pgpool.port, server.user, pgpool.database, server.password),
			'pcp port, user stats, database pgbouncer': await at(pgpool.pcpPort, 'stats', 'pgbouncer', 'stats-pw'),
		};
		const real = probes['sql port, the backend superuser, a database that exists']!;
		assert.equal(real.loginError, null);
		assert.match(JSON.stringify(real.commands['SHOW POOLS']), /unrecognized configuration parameter \\"pools\\"/);
		assert.match(JSON.stringify(real.commands['SHOW POOL_VERSION']), /4\.\d+\.\d+/);
		assert.match(String(probes['pcp port, user stats, database pgbouncer']!.loginError?.message), /invalid PCP packet/);

		// --db at pgpool-II's port: a login with lifeguard's startup parameters goes through, to a backend on another port.
		const target = resolveTarget(pgpool.url, {HOME: '/nonexistent'});
		const monitor = new pg.Client({host: target.host, port: target.port, user: target.user, password: target.password, database: target.database, application_name: target.applicationName, statement_timeout: STATEMENT_TIMEOUT_MS, lock_timeout: LOCK_TIMEOUT_MS, options: '-c TimeZone=UTC'});
		monitor.on('error', () => undefined);
		let monitorLogin: unknown = {connected: true};
		try {
			await monitor.connect();
			const {rows} = await monitor.query('select inet_server_port() as server_port, current_setting(\'statement_timeout\') as statement_timeout, current_setting(\'application_name\') as application_name');
			assert.equal(rows[0].server_port, server.port, 'the backend\'s port, not pgpool-II\'s');
			monitorLogin = {connected: true, ...rows[0], server_port: 'the backend\'s port'};
		} catch (error) {
			monitorLogin = errorFields(error);
		} finally {
			await monitor.end().catch(() => undefined);
		}

		// lifeguard itself sees it and refuses (the connection would take one of pgpool-II's children).
		await assert.rejects(openMonitorClient(target), (error: unknown) => error instanceof PoolerError && error.pooler === 'pgpool-II');

		const live = {
			pgpool: pgpoolVersion(),
			probes,
			'raw reply to a startup packet (user stats, database pgbouncer)': {
				'sql port': await rawStartupReply(pgpool.port, 'stats', 'pgbouncer'),
				'pcp port': await rawStartupReply(pgpool.pcpPort, 'stats', 'pgbouncer'),
			},
			'lifeguard monitor login': monitorLogin,
		};
		compareProbes(t, `pgpool-${pgpoolVersion()}-as-pgbouncer-console.json`, live);
	});

	test('plain PostgreSQL taken for a PgBouncer console, for comparison (recorded as a fixture)', async t => {
		const probe = await probeConsole({host: server.host, port: server.port, user: 'stats', password: 'stats-pw', database: 'pgbouncer'});
		assert.match(String(probe.loginError?.message), /password authentication failed for user "stats"/);
		const real = await probeConsole({host: server.host, port: server.port, user: server.user, password: server.password, database: 'postgres'});
		assert.match(JSON.stringify(real.commands['SHOW POOLS']), /unrecognized configuration parameter/);
		const rows = await view.query('select current_setting(\'server_version_num\')::int / 10000 as major');
		compareProbes(t, `postgresql-${String(rows[0]!['major'])}-as-pgbouncer-console.json`, {
			probes: {'user stats, database pgbouncer': probe, 'the superuser, database postgres': real},
			'raw reply to a startup packet (user stats, database pgbouncer)': await rawStartupReply(server.port, 'stats', 'pgbouncer'),
		});
	});
});

/** Errors and answers as recorded; SHOW rows (pids, times) and parameter values (time zone) vary. */
function compareProbes(t: TestContext, name: string, live: Record<string, unknown>): void {
	const recorded = recordedFixture(name, live);
	if (!recorded) {
		t.diagnostic(`no fixture ${name}: run with LIFEGUARD_RECORD_FIXTURES=1 to record it`);
		return;
	}

	const shape = (value: Record<string, unknown>) => JSON.stringify(value, (key, entry: unknown) => (key === 'rows' ? undefined : key === 'parameters' ? Object.keys(entry as object).sort() : entry));
	assert.equal(shape(live), shape(recorded));
}
