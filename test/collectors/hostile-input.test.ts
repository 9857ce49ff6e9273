// Hostile text through a real PostgreSQL (issue 10): sessions whose query text, role name, database
// name and application_name hold each hostile string. What lifeguard collects for display holds no
// control, `--json` keeps the server's exact strings, and the plain summary and `check` (one line)
// are safe to print. The strings are compared with what pg_stat_activity itself says, because the
// server has its own rules (it cleans application_name to printable ASCII, and cuts names at 63 bytes).
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import pg from 'pg';
import {createPostgresSource, safeSession, type PostgresSource} from '../../source/collectors/postgres-activity.js';
import {openMonitorClient} from '../../source/connection/monitor-client.js';
import {resolveTarget} from '../../source/connection/target.js';
import type {ServerSnapshot, Session} from '../../source/readings/types.js';
import {safeQueryText, safeText} from '../../source/text/sanitize.js';
import {assertOneLineFailure, ensureBuilt, nonEmptyLines, runCli, withAdmin} from '../cli/helpers.js';
import {cutUtf8, HOSTILE, TERMINAL_CONTROL, TERMINAL_CONTROL_BUT_LF} from '../helpers/hostile.js';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';

const PASSWORD = 'hostile-pw';
const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

type Case = {name: string; text: string; role: string; database: string; query: string; client?: pg.Client; pid?: number};
/** pg_stat_activity's own view of a session: the exact strings. */
type Truth = {pid: number; usename: string; datname: string; application_name: string; query: string};

const DISPLAY_FIELDS = ['user', 'database', 'application', 'client', 'state', 'waitEventType', 'waitEvent', 'query'] as const;

function assertDisplaySafe(session: Session, context: string): void {
	for (const field of DISPLAY_FIELDS) {
		const value = session[field];
		if (value !== null) {
			assert.doesNotMatch(value, TERMINAL_CONTROL, `${context}: ${field} ${JSON.stringify(value)}`);
		}
	}
}

describe('hostile strings from a real PostgreSQL session', () => {
	let server: TestServer;
	let source: PostgresSource;
	const cases: Case[] = HOSTILE.map(({name, text}, index) => ({
		name,
		text,
		// PostgreSQL names hold at most 63 bytes; cut here so the server keeps what was sent.
		role: cutUtf8(`lg${index}_${text}`, 63),
		database: cutUtf8(`lgdb${index}_${text}`, 63),
		query: `select '${text}' as hostile_${index}`,
	}));

	async function truths(): Promise<Map<number, Truth>> {
		const pids = cases.map(entry => entry.pid!);
		const rows = await withAdmin(server, async admin => (await admin.query<Truth>('select pid, usename, datname, application_name, query from pg_stat_activity where pid = any($1)', [pids])).rows);
		return new Map(rows.map(row => [row.pid, row]));
	}

	before(async () => {
		ensureBuilt();
		server = await startEmbeddedPostgres();
		await withAdmin(server, async admin => {
			for (const entry of cases) {
				assert.ok(!entry.text.includes("'"), 'the query quotes the text as a literal');
				await admin.query(`create role ${quoteIdentifier(entry.role)} login password '${PASSWORD}'`);
				await admin.query(`create database ${quoteIdentifier(entry.database)}`);
			}
		});
		for (const entry of cases) {
			const client = new pg.Client({host: server.host, port: server.port, user: entry.role, password: PASSWORD, database: entry.database, application_name: entry.text});
			client.on('error', () => undefined);
			await client.connect();
			entry.client = client;
			entry.pid = (await client.query<{pid: number}>('select pg_backend_pid() as pid')).rows[0]!.pid;
			await client.query(entry.query);
		}

		const target = resolveTarget(server.url, {HOME: '/nonexistent'});
		source = createPostgresSource(target, await openMonitorClient(target), () => Date.now());
	});

	after(async () => {
		await source?.close();
		await Promise.all(cases.map(async entry => entry.client?.end().catch(() => undefined)));
		await server?.stop();
	});

	test('the server kept the hostile role and database names and query text as sent', async () => {
		const truth = await truths();
		for (const entry of cases) {
			const row = truth.get(entry.pid!);
			assert.ok(row, `${entry.name}: pid ${entry.pid} in pg_stat_activity`);
			assert.equal(row.usename, entry.role, entry.name);
			assert.equal(row.datname, entry.database, entry.name);
			assert.equal(row.query, entry.query, entry.name);
		}
	});

	test('the collected snapshot shows every field without a control, the attempt visible; raw keeps the exact strings', async () => {
		const truth = await truths();
		const shot = await pollUntil(async () => {
			const reading = await source.poll();
			assert.ok(reading.ok, reading.ok ? '' : reading.error);
			const found = cases.every(entry => reading.snapshot.sessions.find(session => session.pid === entry.pid)?.query === safeQueryText(entry.query));
			return found ? reading.snapshot : undefined;
		}, {what: 'every hostile session, idle after its query'});

		for (const entry of cases) {
			const session = shot.sessions.find(candidate => candidate.pid === entry.pid)!;
			const row = truth.get(entry.pid!)!;
			assertDisplaySafe(session, entry.name);
			assert.equal(session.user, safeText(row.usename), entry.name);
			assert.equal(session.database, safeText(row.datname), entry.name);
			assert.equal(session.application, safeText(row.application_name), entry.name);
			assert.equal(session.query, safeQueryText(row.query), entry.name);
			// What --json prints: the exact strings.
			assert.equal(session.raw?.user ?? session.user, row.usename, entry.name);
			assert.equal(session.raw?.database ?? session.database, row.datname, entry.name);
			assert.equal(session.raw?.application ?? session.application, row.application_name, entry.name);
			assert.equal(session.raw?.query ?? session.query, row.query, entry.name);
		}

		const oscTitle = shot.sessions.find(candidate => candidate.pid === cases[0]!.pid)!;
		assert.match(oscTitle.query, /␛\]0;pwned␇/, 'the attempt is visible');
		assert.match(oscTitle.user ?? '', /␛\]0;pwned␇/);
		const wide = shot.sessions.find(candidate => candidate.pid === cases.find(entry => entry.name === 'wide CJK')!.pid)!;
		assert.equal(wide.raw, undefined, 'printable text is kept as it is, with nothing extra');
		assertCountsSafe(shot);
	});

	test('--json: no control byte in the output, and the sessions are there', async () => {
		const result = await runCli(['--json', '--db', server.url]);
		assert.equal(result.code, 0, result.stderr);
		assert.doesNotMatch(result.stdout, TERMINAL_CONTROL_BUT_LF);
		const json = JSON.parse(result.stdout) as {sessions: Array<{pid: number; user: string; database: string; application: string; query: string}>};
		for (const entry of cases) {
			assert.ok(json.sessions.some(session => session.pid === entry.pid), `${entry.name}: pid ${entry.pid} in --json`);
		}
	});

	test('--json round-trips the exact strings', async () => {
		const truth = await truths();
		const result = await runCli(['--json', '--db', server.url]);
		assert.equal(result.code, 0, result.stderr);
		const json = JSON.parse(result.stdout) as {sessions: Array<{pid: number; user: string; database: string; application: string; query: string}>};
		for (const entry of cases) {
			const session = json.sessions.find(candidate => candidate.pid === entry.pid)!;
			const row = truth.get(entry.pid!)!;
			assert.deepEqual(
				{user: session.user, database: session.database, application: session.application, query: session.query},
				{user: row.usename, database: row.datname, application: row.application_name, query: row.query},
				entry.name,
			);
		}
	});

	test('the plain summary and check name the hostile role in a finding, control-free; check is one line', async () => {
		for (const entry of cases) {
			// One session idle in transaction at a time: the idle-in-transaction finding names its role.
			await entry.client!.query('begin');
			await entry.client!.query(entry.query);
			try {
				const args = ['--db', server.url, '--idle-in-transaction-after', '0'];
				const summary = await pollUntil(async () => {
					const result = await runCli(args);
					return result.stdout.includes(safeText(entry.role)) ? result : undefined;
				}, {timeoutMs: 15_000, what: `${entry.name}: the role in the plain summary`});
				assert.equal(summary.code, 0, summary.stderr);
				assert.doesNotMatch(summary.stdout, TERMINAL_CONTROL_BUT_LF, entry.name);
				const finding = nonEmptyLines(summary.stdout).find(line => line.includes(safeText(entry.role)));
				assert.match(finding ?? '', /^WARNING idle-in-transaction: pid \d+ \(/, `${entry.name}: the role stays on its finding's line`);

				const check = await runCli(['check', ...args]);
				assert.equal(check.code, 1, `${entry.name}: WARNING; ${check.stdout}${check.stderr}`);
				assert.match(check.stdout, /^LIFEGUARD WARNING - [^\n]*\n$/, `${entry.name}: exactly one line`);
				assert.doesNotMatch(check.stdout.slice(0, -1), TERMINAL_CONTROL, entry.name);
				assert.ok(check.stdout.includes(safeText(entry.role)), `${entry.name}: the role in check: ${check.stdout}`);
			} finally {
				await entry.client!.query('rollback');
			}
		}
	});
});

describe('hostile text in a connection failure', () => {
	let server: TestServer;

	before(async () => {
		ensureBuilt();
		server = await startEmbeddedPostgres();
	});

	after(async () => {
		await server?.stop();
	});

	test('a missing database named with escapes: one printable line on stderr, and from check', async () => {
		const url = `postgres://postgres:${server.password}@127.0.0.1:${server.port}/${encodeURIComponent('nope\u001B]0;pwned\u0007\r\nSECONDLINE')}`;
		const watch = await runCli(['--db', url]);
		assertOneLineFailure(watch, 1, /database "nope␛\]0;pwned␇␍␊SECONDLINE" does not exist/);
		assert.doesNotMatch(watch.stderr.trimEnd(), TERMINAL_CONTROL);
		const check = await runCli(['check', '--db', url]);
		assert.equal(check.code, 3, check.stdout + check.stderr);
		assert.match(check.stdout, /^LIFEGUARD UNKNOWN - [^\n]*␛\]0;pwned␇[^\n]*\n$/);
		assert.doesNotMatch(check.stdout.trimEnd(), TERMINAL_CONTROL);
	});
});

function assertCountsSafe(shot: ServerSnapshot): void {
	for (const count of [...shot.databases, ...shot.users, ...shot.applications]) {
		assert.doesNotMatch(count.name, TERMINAL_CONTROL, `count name ${JSON.stringify(count.name)}`);
	}

	assert.ok(shot.users.some(count => count.name.includes('␛]0;pwned␇')), 'hostile role names are counted, shown visibly');
	assert.ok(shot.databases.some(count => count.name.includes('␛]0;pwned␇')), 'hostile database names are counted, shown visibly');
}

test('safeSession: an ordinary session passes unchanged; a hostile one keeps only what changed in raw', () => {
	const ordinary: Session = {
		pid: 1, user: 'app', database: 'shop', application: 'web', client: '10.0.0.1', state: 'idle', stateSeconds: 1,
		backendStart: null, backendStartMicros: null, xactStart: null, queryStart: null, waitEventType: null, waitEvent: null,
		blockedBy: [], query: 'select 1', isSuperuser: false,
	};
	assert.deepEqual(safeSession(ordinary), ordinary);
	const hostile = safeSession({...ordinary, user: 'a\u001B[31mb', query: 'select 1\nfrom t', waitEvent: 'x\u202Ey'});
	assert.equal(hostile.user, 'a␛[31mb');
	assert.equal(hostile.query, 'select 1 from t');
	assert.equal(hostile.waitEvent, 'x\\u202ey');
	assert.equal(hostile.database, 'shop');
	assert.deepEqual(hostile.raw, {user: 'a\u001B[31mb', query: 'select 1\nfrom t', waitEvent: 'x\u202Ey'});
});
