// `lifeguard doctor` with a real PgBouncer in front of a real PostgreSQL: server-side pool sizes in
// the capacity arithmetic, max_client_conn against the clients it serves, query_wait_timeout.
import {after, before, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import {PGBOUNCER_MISSING, pgbouncerBinary, startPgBouncer, type TestPgBouncer} from '../helpers/pgbouncer.js';
import {startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {review} from './helpers.js';

const skip = pgbouncerBinary() ? false : PGBOUNCER_MISSING;

describe('doctor with a real PgBouncer', {skip}, () => {
	let server: TestServer;
	/** default_pool_size 20, and a `reports` database with pool_size 30: 50 server connections. */
	let large: TestPgBouncer;
	/** default_pool_size 5: 5 server connections. */
	let small: TestPgBouncer;
	const clients: pg.Client[] = [];

	const connectThrough = async (bouncer: TestPgBouncer, count: number) => {
		for (let index = 0; index < count; index++) {
			const client = new pg.Client({connectionString: bouncer.appUrl()});
			client.on('error', () => undefined);
			await client.connect();
			clients.push(client);
		}
	};

	const closeClients = async () => {
		await Promise.all(clients.splice(0).map(async client => client.end().catch(() => undefined)));
	};

	before(async () => {
		server = await startEmbeddedPostgres({maxConnections: 40, superuserReserved: 3});
		large = await startPgBouncer({backend: server, poolSize: 20, databasesWithPoolSize: {reports: 30}});
		small = await startPgBouncer({backend: server, poolSize: 5});
	});

	after(async () => {
		await closeClients();
		await large?.stop();
		await small?.stop();
		await server?.stop();
	});

	it('capacity-total: pool_size × databases × users of PgBouncer against 37 usable slots fails at 50, passes at 5', async () => {
		await connectThrough(large, 1); // PgBouncer has a pool (app/app) once a client came
		try {
			const failing = await review(server.url, [large.adminUrl()]);
			const total = failing.byId('capacity-total');
			assert.equal(total.status, 'fail', total.found);
			assert.match(total.found, /pgbouncer app \(20\) × 1 user = 20 \+ reports \(30\) × 1 user = 30 = 50 vs usable 37/);
			assert.equal(total.numbers['pgbouncerConnections'], 50);
			assert.match(total.fix ?? '', /lower PgBouncer default_pool_size/);
			// PgBouncer's own client-side pools are not counted again as application pools.
			assert.equal(total.numbers['poolConnections'], 0);
		} finally {
			await closeClients();
		}

		const passing = (await review(server.url, [small.adminUrl()])).byId('capacity-total');
		assert.equal(passing.status, 'pass', passing.found);
		assert.match(passing.found, /pgbouncer app \(5\) × 1 user = 5 = 5 vs usable 37/);
	});

	it('pgbouncer-max-client-conn: 48 clients + the two console logins (pool reading, limits) reach max_client_conn 50 and fail; without them it passes', async () => {
		await connectThrough(small, 48);
		try {
			const failing = (await review(server.url, [small.adminUrl()])).byId('pgbouncer-max-client-conn');
			assert.equal(failing.status, 'fail', failing.found);
			assert.match(failing.found, /50 clients of max_client_conn 50/);
			assert.match(failing.fix ?? '', /max_client_conn = 100 in pgbouncer.ini/);
		} finally {
			await closeClients();
		}

		const passing = (await review(server.url, [small.adminUrl()])).byId('pgbouncer-max-client-conn');
		assert.equal(passing.status, 'pass', passing.found);
		assert.match(passing.found, /: 2 clients of max_client_conn 50/);
	});

	it('pool-acquire-timeout: query_wait_timeout 0 (clients wait for ever) warns, 120 s passes', async () => {
		const consoleUrl = new URL(small.adminUrl());
		const admin = new pg.Client({host: consoleUrl.hostname, port: Number(consoleUrl.port), user: small.adminUser, password: small.adminPassword, database: 'pgbouncer'});
		const parameters = (admin as unknown as {connectionParameters: Record<string, unknown>}).connectionParameters;
		parameters['options'] = undefined;
		parameters['application_name'] = undefined;
		await admin.connect();
		try {
			await admin.query('SET query_wait_timeout = 0');
			const failing = (await review(server.url, [small.adminUrl()])).byId('pool-acquire-timeout');
			assert.equal(failing.status, 'warn', failing.found);
			assert.match(failing.found, /query_wait_timeout 0 \(off\): clients queue for ever/);
			await admin.query('SET query_wait_timeout = 120');
			const passing = (await review(server.url, [small.adminUrl()])).byId('pool-acquire-timeout');
			assert.equal(passing.status, 'pass', passing.found);
			assert.match(passing.found, /query_wait_timeout 2 min/);
		} finally {
			await admin.end();
		}
	});

	it('a console login PgBouncer refuses: the PgBouncer checks could not be made, the rest is reported', async () => {
		const result = await review(server.url, [small.adminUrl('wrong-password')]);
		const clientConn = result.byId('pgbouncer-max-client-conn');
		assert.equal(clientConn.status, 'unknown', clientConn.found);
		assert.match(clientConn.found, /could not read: pgbouncer: .*password authentication failed/);
		assert.doesNotMatch(JSON.stringify(result.checks), /wrong-password/);
		assert.equal(result.byId('visibility').status, 'pass');
	});
});
