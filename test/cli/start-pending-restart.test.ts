// Issue 22, item 2: the `start` line of the incident log carries the settings the server had pending a
// restart when watching began, and `lifeguard timeline` says them on its start line. End to end: the
// built binary on a pseudo-terminal against an embedded server, quit with q, then `timeline` on its log.
// A fresh server first (nothing pending: the start line stays quiet), then the same server after
// ALTER SYSTEM SET shared_buffers and a reload (pending until a restart this test never makes).
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, test} from 'node:test';
import pg from 'pg';
import {pollUntil} from '../helpers/postgres.js';
import {hasScript, nonEmptyLines, ptyFixture, PtyRun, runCli} from './helpers.js';

const scriptMissing = hasScript() ? false : 'util-linux `script` is not installed (needed for a pseudo-terminal)';

describe('the start line carries the settings pending a restart', {skip: scriptMissing}, () => {
	const fixture = ptyFixture('lifeguard-cli-start-pending-');
	const server = fixture.server;

	/** The server's own list, as a new session reads it. */
	const serverPending = async (): Promise<string[]> => {
		const client = new pg.Client({connectionString: server().url});
		await client.connect();
		try {
			const {rows} = await client.query<{names: string[]}>(`select coalesce(array_agg(name::text order by name), '{}') as names from pg_settings where pending_restart`);
			return rows[0]!.names;
		} finally {
			await client.end();
		}
	};

	/** Watch until the screen shows the server, quit with q, and return the log's start line and the timeline's. */
	const watchAndQuit = async (name: string) => {
		const log = path.join(fixture.dir(), `${name}.jsonl`);
		const run = new PtyRun(['--db', server().url, '--log', log]);
		fixture.run = run;
		await run.waitForText(/Server\b.*\bfree \d+/, 15_000);
		run.write('q');
		const exit = await Promise.race([run.exited, new Promise<never>((_resolve, reject) => {
			setTimeout(() => {
				reject(new Error(`still running 10 s after q; screen: ${JSON.stringify(run.text.slice(-1500))}`));
			}, 10_000).unref();
		})]);
		assert.equal(exit.code, 0, run.text.slice(-1500));
		const start = JSON.parse(nonEmptyLines(readFileSync(log, 'utf8'))[0]!) as {type: string; pendingRestart?: string[]};
		assert.equal(start.type, 'start');
		const timeline = await runCli(['timeline', log]);
		assert.equal(timeline.code, 0, timeline.stderr);
		const startLine = nonEmptyLines(timeline.stdout).find(line => line.includes('Started watching'));
		assert.ok(startLine, timeline.stdout);
		return {start, startLine, timeline: timeline.stdout};
	};

	test('nothing pending: an empty list, and the timeline says nothing of restarts', async () => {
		assert.deepEqual(await serverPending(), []);
		const {start, startLine, timeline} = await watchAndQuit('fresh');
		assert.deepEqual(start.pendingRestart, []);
		assert.match(startLine, /Started watching `postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres` \(PostgreSQL [\d.]+, 37 usable of 40 connections\)$/);
		assert.doesNotMatch(timeline, /pending/);
	});

	test('shared_buffers set by ALTER SYSTEM and reloaded: the start line lists it, as the server does', async () => {
		const admin = new pg.Client({connectionString: server().url});
		await admin.connect();
		try {
			const {rows} = await admin.query<{value: string}>(`select case when current_setting('shared_buffers') = '32MB' then '48MB' else '32MB' end as value`);
			await admin.query(`alter system set shared_buffers = '${rows[0]!.value}'`);
			await admin.query('select pg_reload_conf()');
		} finally {
			await admin.end();
		}

		// The embedded server's file also holds max_connections = 100 under its command line's 40: after a
		// reload the server reports that pending too. The log must say what the server says.
		const pending = await pollUntil(async () => {
			const names = await serverPending();
			return names.includes('shared_buffers') ? names : null;
		}, {timeoutMs: 10_000, what: 'shared_buffers pending a restart'});
		const {start, startLine} = await watchAndQuit('pending');
		assert.deepEqual(start.pendingRestart, pending);
		const said = `${pending.length === 1 ? 'setting' : 'settings'} pending a restart: ${pending.join(', ')}`;
		assert.match(startLine, new RegExp(`^- \\*\\*\\d\\d:\\d\\d:\\d\\d UTC:\\*\\* Started watching .* \\(PostgreSQL [\\d.]+, 37 usable of 40 connections, ${said}\\)$`), startLine);
	});
});
