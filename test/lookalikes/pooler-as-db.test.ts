// `--db` pointed at a pooler instead of PostgreSQL: one line naming the pooler and what to give
// instead, exit 2, for the live screen's start, --json, check and doctor alike. Real PgBouncer 1.18
// (as shipped, and with ignore_startup_parameters) and real pgpool-II; the plain server still runs.
import assert from 'node:assert/strict';
import net from 'node:net';
import {describe, test} from 'node:test';
import {builtCliAndServer, runCli} from '../cli/helpers.js';
import {PGPOOL_MISSING, startPgpool} from '../helpers/lookalikes/pgpool.js';
import {PGBOUNCER_MISSING, pgbouncerBinary, startPgBouncer} from '../helpers/pgbouncer.js';

/** The forms that open `--db` at start; without a terminal the bare command prints its summary. */
/** Each run ends well within this: the detection is one query at login. */
const CLI_TIMEOUT_MS = 20_000;

const FORMS: ReadonlyArray<readonly string[]> = [['--json'], ['check'], ['doctor'], []];

function assertOneLine(stderr: string, pattern: RegExp, secret: string): void {
	const lines = stderr.trim().split('\n');
	assert.equal(lines.length, 1, stderr);
	assert.match(lines[0]!, pattern);
	assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
	assert.ok(!stderr.includes(secret), 'no password');
}

describe('--db at a pooler', () => {
	const server = builtCliAndServer();

	test('PgBouncer (refuses statement_timeout): exit 2, one line naming it and the --pool to give instead', {skip: pgbouncerBinary() ? false : PGBOUNCER_MISSING}, async t => {
		const bouncer = await startPgBouncer({backend: server(), poolMode: 'transaction'});
		t.after(async () => bouncer.stop());
		for (const form of FORMS) {
			const result = await runCli([...form, '--db', bouncer.appUrl()], {timeoutMs: CLI_TIMEOUT_MS});
			assert.equal(result.code, 2, `${form.join(' ')}: ${result.stderr}`);
			assertOneLine(result.stderr, new RegExp(`--db 127\\.0\\.0\\.1:${bouncer.port}/app is PgBouncer, a connection pooler, not the PostgreSQL server .*--pool pgbouncer://USER@127\\.0\\.0\\.1:${bouncer.port}/pgbouncer`), bouncer.appPassword);
			assert.equal(result.stdout, '');
		}
	});

	test('PgBouncer that ignores statement_timeout: the lost timeout is seen, exit 2', {skip: pgbouncerBinary() ? false : PGBOUNCER_MISSING}, async t => {
		const bouncer = await startPgBouncer({backend: server(), poolMode: 'transaction', settings: {ignore_startup_parameters: 'statement_timeout,lock_timeout,options'}});
		t.after(async () => bouncer.stop());
		const result = await runCli(['--json', '--db', bouncer.appUrl()], {timeoutMs: CLI_TIMEOUT_MS});
		assert.equal(result.code, 2, result.stderr);
		assertOneLine(result.stderr, /is a connection pooler \(probably PgBouncer with ignore_startup_parameters\).*statement_timeout of 2000 ms is 0 ms on the server/, bouncer.appPassword);
	});

	test('pgpool-II (lets the login through): exit 2, one line naming pgpool-II and the server behind it', {skip: PGPOOL_MISSING ?? false}, async t => {
		const pgpool = await startPgpool(server());
		t.after(async () => pgpool.stop());
		for (const form of [['--json'], ['check']]) {
			const result = await runCli([...form, '--db', pgpool.url], {timeoutMs: CLI_TIMEOUT_MS});
			assert.equal(result.code, 2, result.stderr);
			assertOneLine(result.stderr, new RegExp(`--db 127\\.0\\.0\\.1:${pgpool.port}/${pgpool.database} is pgpool-II 4\\.\\d+\\.\\d+, a connection pooler, .*the server behind it answers at 127\\.0\\.0\\.1:${server().port}\\): give --db the PostgreSQL server behind it`), server().password);
		}
	});

	test('the PostgreSQL server itself is no pooler, at its own port or behind a TCP forward to another (NAT, a proxy): --json answers', async t => {
		// A plain TCP forward, as Docker's -p or a load balancer: the server's port is not the one dialled.
		const sockets = new Set<net.Socket>();
		const forward = net.createServer(client => {
			const upstream = net.connect(server().port, '127.0.0.1');
			for (const socket of [client, upstream]) {
				sockets.add(socket);
				socket.on('error', () => undefined);
				socket.on('close', () => {
					client.destroy();
					upstream.destroy();
				});
			}

			client.pipe(upstream).pipe(client);
		});
		await new Promise<void>(resolve => {
			forward.listen(0, '127.0.0.1', resolve);
		});
		t.after(async () => {
			for (const socket of sockets) {
				socket.destroy();
			}

			await new Promise(resolve => {
				forward.close(resolve);
			});
		});
		const forwarded = new URL(server().url);
		forwarded.port = String((forward.address() as net.AddressInfo).port);
		for (const url of [server().url, forwarded.toString()]) {
			const result = await runCli(['--json', '--db', url], {timeoutMs: CLI_TIMEOUT_MS});
			assert.equal(result.code, 0, result.stderr);
			assert.ok((JSON.parse(result.stdout) as {server: unknown}).server);
		}
	});
});
