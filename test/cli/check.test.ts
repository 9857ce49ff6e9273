// `lifeguard check`: one Nagios line on stdout and exit 0/1/2/3, against a small embedded server.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {freePort, pollUntil, Sessions, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {ensureBuilt, nonEmptyLines, runCli, withAdmin, type CliResult} from './helpers.js';

/** One line on stdout, nothing on stderr, the exit code; returns the line. */
function assertCheckLine(result: CliResult, exitCode: number, status: string): string {
	const context = `exit ${String(result.code)}, stdout ${JSON.stringify(result.stdout)}, stderr ${JSON.stringify(result.stderr)}`;
	const lines = nonEmptyLines(result.stdout);
	assert.equal(lines.length, 1, context);
	assert.ok(result.stdout.endsWith('\n'), context);
	assert.equal(result.stderr, '', context);
	assert.ok(lines[0]!.startsWith(`LIFEGUARD ${status} - `), context);
	assert.equal(result.code, exitCode, context);
	return lines[0]!;
}

describe('lifeguard check', () => {
	// max_connections 13, 3 reserved for superusers: 10 usable; warning from 8 (80%), critical from 10
	// (95%). lifeguard's own connection is no one's usage, but it takes a slot: 9 others and it fill them.
	let server: TestServer | undefined;
	const sessions: Sessions[] = [];

	/** Wait until the server counts exactly `count` client backends besides the admin's own. */
	async function waitForClients(count: number): Promise<void> {
		await withAdmin(server!, async admin => {
			await pollUntil(async () => {
				const {rows} = await admin.query<{n: number}>(`select count(*)::int as n from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()`);
				return rows[0]!.n === count;
			}, {what: `${count} client backends`});
		});
		// The admin session itself has to be gone too, or lifeguard counts it (its own it keeps apart).
		await pollUntil(async () => {
			const result = await runCli(['--json', '--db', server!.url]);
			const json = JSON.parse(result.stdout) as {server: {connections: number}};
			return json.server.connections === count;
		}, {what: `lifeguard to see ${count} connections`, everyMs: 100});
	}

	async function openIdle(count: number): Promise<void> {
		const group = new Sessions(server!.url);
		sessions.push(group);
		for (let index = 0; index < count; index++) {
			await group.open(`lg-check-idle-${index}`);
		}
	}

	before(async () => {
		ensureBuilt();
		server = await startEmbeddedPostgres({maxConnections: 13});
	});

	after(async () => {
		await Promise.all(sessions.map(async group => group.closeAll()));
		await server?.stop();
	});

	test('a quiet server: OK, exit 0, perfdata with the thresholds as counts; lifeguard\'s own connection is not usage', async () => {
		await waitForClients(0);
		const line = assertCheckLine(await runCli(['check', '--db', server!.url]), 0, 'OK');
		assert.equal(line, 'LIFEGUARD OK - 0/10 connections (0%) | connections=0;7;9;0;10 lock_waiting=0 hidden=0');
	});

	test('--warn 1 --critical 90 with one idle session: WARNING, exit 1', async () => {
		await openIdle(1);
		await waitForClients(1);
		const line = assertCheckLine(await runCli(['check', '--warn', '1', '--critical', '90', '--db', server!.url]), 1, 'WARNING');
		assert.match(line, /\| connections=1;0;8;0;10 /);
	});

	test('--warn 1 --critical 1: CRITICAL, exit 2', async () => {
		const line = assertCheckLine(await runCli(['check', '--warn', '1', '--critical', '1', '--db', server!.url]), 2, 'CRITICAL');
		assert.match(line, /\| connections=1;0;0;0;10 /);
	});

	test('8 of 10 usable in use: WARNING with the default thresholds, CRITICAL with --critical 80', async () => {
		await openIdle(7);
		await waitForClients(8);
		const warning = assertCheckLine(await runCli(['check', '--db', server!.url]), 1, 'WARNING');
		assert.match(warning, /8\/10/);
		assert.match(warning, /\| connections=8;7;9;0;10 /);
		assert.doesNotMatch(warning, /refused/);
		const critical = assertCheckLine(await runCli(['check', '--critical', '80', '--db', server!.url]), 2, 'CRITICAL');
		assert.match(critical, /\| connections=8;7;7;0;10 /);
	});

	test('9 of 10 and lifeguard\'s own: every usable slot taken, CRITICAL below the line, logins refused', async () => {
		await openIdle(1);
		await waitForClients(9);
		const line = assertCheckLine(await runCli(['check', '--db', server!.url]), 2, 'CRITICAL');
		assert.match(line, /Server at 90% of usable connections \(9\/10\); new connections are being refused: remaining slots are reserved/);
		assert.match(line, /\| connections=9;7;9;0;10 /);
	});

	test('10 of 10 usable in use: CRITICAL with the default thresholds, and logins are refused', async () => {
		await openIdle(1);
		await waitForClients(10);
		const line = assertCheckLine(await runCli(['check', '--db', server!.url]), 2, 'CRITICAL');
		assert.match(line, /\| connections=10;7;9;0;10 /);
		assert.match(line, /new connections are being refused: remaining slots are reserved/);
		assert.ok(!line.includes(server!.password));
	});

	test('connection refused: UNKNOWN on stdout, exit 3, password masked', async () => {
		const port = await freePort();
		const result = await runCli(['check', '--db', `postgres://postgres:${server!.password}@127.0.0.1:${port}/postgres`]);
		const line = assertCheckLine(result, 3, 'UNKNOWN');
		assert.match(line, /connection refused/);
		assert.ok(line.includes(`postgres://postgres:***@127.0.0.1:${port}/postgres`), line);
		assert.ok(!line.includes(server!.password), line);
	});
});
