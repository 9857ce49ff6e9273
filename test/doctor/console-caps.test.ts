// `lifeguard doctor` reads the PgBouncer admin console under the caps the live screen's reads have
// (issue 19, answer caps): a console (or something posing as one) that streams 1 MB rows, or rows
// without end, is cut at the cap, the socket closed, and the review says which cap, instead of
// filling memory until the pool timeout.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {MAX_CONSOLE_ROWS} from '../../source/collectors/pools/console-guard.js';
import {startFakeConsole} from '../helpers/hostile-endpoints.js';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {review} from './helpers.js';

const MIB = 1024 * 1024;

describe('doctor against a console that streams without end', () => {
	let server: TestServer;

	before(async () => {
		server = await startEmbeddedPostgres();
	});

	after(async () => {
		await server?.stop();
	});

	test('1 MB rows to SHOW CONFIG: cut past 4 MiB, the socket closed, the check says the cap was reached', async t => {
		const fake = await startFakeConsole({rowBytes: MIB, only: 'SHOW CONFIG'});
		t.after(fake.stop);
		const started = performance.now();
		const {byId} = await review(server.url, [`bouncer=pgbouncer://stats:pw@127.0.0.1:${fake.port}/pgbouncer`]);
		const elapsedMs = performance.now() - started;
		const check = byId('pgbouncer-max-client-conn');
		assert.equal(check.status, 'unknown', check.found);
		assert.match(check.found, /: could not read: pgbouncer: SHOW CONFIG answer over 4 MiB; connection closed$/);
		// Memory bounded: both readers of this console (the review's and the pool's) stopped reading at
		// the cap, so the console could not send much more (it streamed until the 3 s timeout before).
		await pollUntil(() => fake.stats().closed === fake.stats().connections, {timeoutMs: 5000, what: 'every console socket closed by lifeguard'});
		const sent = fake.stats().bytesSent;
		console.log(`doctor, 1 MB rows: cut after ${elapsedMs.toFixed(0)} ms, the console sent ${(sent / MIB).toFixed(1)} MiB`);
		assert.ok(sent < 32 * MIB, `${sent} bytes sent`);
		assert.ok(elapsedMs < 3000, `${elapsedMs} ms: the timeout, not the cap, ended it`);
	});

	test('SHOW POOLS with three times the row cap: cut past 10,000 rows', async t => {
		const fake = await startFakeConsole({rowBytes: 10, rows: MAX_CONSOLE_ROWS * 3, only: 'SHOW POOLS'});
		t.after(fake.stop);
		const {byId} = await review(server.url, [`bouncer=pgbouncer://stats:pw@127.0.0.1:${fake.port}/pgbouncer`]);
		assert.match(byId('pgbouncer-max-client-conn').found, /: could not read: pgbouncer: SHOW POOLS answer over 10000 rows; connection closed$/);
	});
});
