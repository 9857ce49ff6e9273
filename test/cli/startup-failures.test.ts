// Start-up failures of the built binary: one masked line on stderr, exit 1, in bounded time.
import assert from 'node:assert/strict';
import net from 'node:net';
import {after, before, describe, test} from 'node:test';
import pg from 'pg';
import {freePort, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {assertOneLineFailure, createRole, ensureBuilt, runCli, type TestRole} from './helpers.js';

const PASSWORD = 'secret-test-pw';

describe('lifeguard start-up failures', () => {
	// max_connections 8, 3 reserved for superusers: 5 slots for an ordinary role.
	let server: TestServer | undefined;
	let role: TestRole | undefined;

	before(async () => {
		ensureBuilt();
		server = await startEmbeddedPostgres({maxConnections: 8});
		role = await createRole(server, 'lg_cli_full');
	});

	after(async () => {
		await role?.drop().catch(() => undefined);
		await server?.stop();
	});

	test('connection refused on a closed loopback port: one line, exit 1', async () => {
		const port = await freePort();
		const result = await runCli(['--json', '--db', `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`]);
		const line = assertOneLineFailure(result, 1, /connection refused/);
		assert.ok(line.includes(`postgres://postgres:***@127.0.0.1:${port}/postgres`), line);
		assert.ok(!(result.stdout + result.stderr).includes(PASSWORD), 'password shown');
		assert.equal(result.stdout, '');
	});

	test('wrong password: one line, exit 1, neither password shown, the target masked', async () => {
		const wrong = 'not-the-pw-4711';
		const result = await runCli(['--json', '--db', `postgres://postgres:${wrong}@127.0.0.1:${server!.port}/postgres`]);
		const line = assertOneLineFailure(result, 1, /password authentication failed for user "postgres"/);
		assert.ok(line.includes(`postgres://postgres:***@127.0.0.1:${server!.port}/postgres`), line);
		for (const secret of [wrong, PASSWORD]) {
			assert.ok(!(result.stdout + result.stderr).includes(secret), `${secret} shown: ${line}`);
		}
	});

	test('wrong password from PGPASSWORD: same, and the password never shown', async () => {
		const wrong = 'wrong-env-pw-0815';
		const result = await runCli(['--json'], {env: {PGHOST: '127.0.0.1', PGPORT: String(server!.port), PGUSER: 'postgres', PGDATABASE: 'postgres', PGPASSWORD: wrong}});
		const line = assertOneLineFailure(result, 1, /password authentication failed/);
		assert.ok(line.includes(':***@'), line);
		assert.ok(!(result.stdout + result.stderr).includes(wrong), line);
	});

	test('missing database: one line, exit 1, naming the database', async () => {
		const result = await runCli(['--json', '--db', `postgres://postgres:${PASSWORD}@127.0.0.1:${server!.port}/no_such_db_here`]);
		assertOneLineFailure(result, 1, /database "no_such_db_here" does not exist/);
		assert.ok(!(result.stdout + result.stderr).includes(PASSWORD));
	});

	test('a server that accepts TCP but never answers: "timed out" after PGCONNECT_TIMEOUT=2, not later', async () => {
		const sockets = new Set<net.Socket>();
		let accepted = 0;
		let firstAcceptAtMs = 0;
		const silent = net.createServer(socket => {
			accepted++;
			firstAcceptAtMs ||= Date.now();
			sockets.add(socket);
			socket.on('error', () => undefined);
			socket.on('close', () => sockets.delete(socket));
		});
		await new Promise<void>(resolve => {
			silent.listen(0, '127.0.0.1', resolve);
		});
		try {
			const {port} = silent.address() as net.AddressInfo;
			const result = await runCli(['--json', '--db', `postgres://postgres@127.0.0.1:${port}/postgres`], {env: {PGCONNECT_TIMEOUT: '2'}, timeoutMs: 15_000});
			assertOneLineFailure(result, 1, /timed out/);
			assert.ok(accepted > 0, 'lifeguard never connected to the silent server');
			// Timed from the TCP accept, so a slow Node start-up on a busy machine does not count.
			const waitedMs = result.exitedAtMs - firstAcceptAtMs;
			assert.ok(waitedMs >= 1900, `gave up ${waitedMs} ms after connecting, before the 2 s timeout`);
			assert.ok(waitedMs < 4000, `gave up ${waitedMs} ms after connecting, for a 2 s connect timeout (whole run ${result.durationMs} ms)`);
			assert.match(result.stderr, /timed out after 2 s/);
		} finally {
			for (const socket of sockets) {
				socket.destroy();
			}

			await new Promise(resolve => {
				silent.close(resolve);
			});
		}
	});

	test('a full server (53300): one line, exit 1, advising pg_use_reserved_connections', async () => {
		const fillers: pg.Client[] = [];
		try {
			// Fill every non-reserved slot as the ordinary role until the server refuses one.
			let refusal: (Error & {code?: string}) | undefined;
			for (let attempt = 0; attempt < 20 && !refusal; attempt++) {
				const client = new pg.Client({connectionString: role!.url, application_name: 'lg-cli-filler'});
				client.on('error', () => undefined);
				try {
					await client.connect();
					fillers.push(client);
				} catch (error) {
					refusal = error as Error & {code?: string};
					await client.end().catch(() => undefined);
				}
			}

			assert.ok(refusal, 'the server never refused a connection');
			assert.equal(refusal.code, '53300', `refused with ${refusal.code}: ${refusal.message}`);
			assert.ok(fillers.length >= 1 && fillers.length <= 5, `${fillers.length} connections before the refusal`);

			const result = await runCli(['--json', '--db', role!.url]);
			const line = assertOneLineFailure(result, 1, /pg_use_reserved_connections/);
			assert.match(line, /no free connection slot/);
			assert.ok(!(result.stdout + result.stderr).includes(role!.password), line);
			assert.ok(line.includes(`postgres://${role!.name}:***@127.0.0.1:${server!.port}/postgres`), line);

			// And `check` says UNKNOWN on stdout with exit 3, for the monitoring system.
			const check = await runCli(['check', '--db', role!.url]);
			assert.equal(check.code, 3, check.stdout + check.stderr);
			assert.match(check.stdout, /^LIFEGUARD UNKNOWN - .*pg_use_reserved_connections/);
		} finally {
			await Promise.all(fillers.map(async client => client.end().catch(() => undefined)));
		}
	});
});
