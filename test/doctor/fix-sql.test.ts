// Issue 19: the fix SQL that `doctor` prints for a role or database whose name holds an ESC and a bidi
// mark must be safe to print and, pasted as printed, act on that very role or database (PostgreSQL's
// U&"…" escapes); and for a role named like a keyword (current_role, case, user, grant) it must name
// that role, never the user who pastes it. A real server (embedded): the review reads it, the printed
// SQL runs on it, and the catalog shows the change on the right object.
import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import pg from 'pg';
import type {CheckId} from '../../source/doctor/types.js';
import {formatDoctorReport} from '../../source/doctor/run-doctor.js';
import {settingsList} from '../../source/doctor/settings.js';
import {INVISIBLE, TERMINAL_CONTROL_BUT_LF} from '../helpers/hostile.js';
import {startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {review} from './helpers.js';

const PASSWORD = 'fix-sql-pw';
const ROLE = 'sx-\u001B[2J\u202Eevil';
const DATABASE = 'db-\u001B]0;x\u0007\u202E';
const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The fix of a check as `doctor` prints it in plain text (what an operator copies). */
async function printedFix(url: string, id: CheckId): Promise<string> {
	const {input, checks} = await review(url);
	const report = {target: 'postgres://postgres:***@127.0.0.1/postgres', checks, settings: settingsList(input)};
	const text = formatDoctorReport(report, 'plain');
	assert.doesNotMatch(text, TERMINAL_CONTROL_BUT_LF, 'safe to print');
	assert.doesNotMatch(text, INVISIBLE, 'safe to print');
	const lines = text.split('\n');
	const start = lines.findIndex(line => line.includes(` ${id}: `));
	assert.ok(start >= 0, `${id} in\n${text}`);
	const fix = /^ {8}fix: {3}(.*)$/.exec(lines[start + 2] ?? '')?.[1];
	assert.ok(fix, `a fix for ${id} in\n${text}`);
	return fix;
}

describe('doctor fix SQL for names with an ESC and a bidi mark, on a real PostgreSQL', () => {
	let server: TestServer;
	let admin: pg.Client;
	let roleSession: pg.Client;
	const fixOf = async (id: CheckId) => printedFix(server.url, id);

	before(async () => {
		server = await startEmbeddedPostgres();
		admin = new pg.Client({connectionString: server.url});
		await admin.connect();
		// An application role at its connection limit, with no statement_timeout; a database at its own.
		await admin.query(`create role ${quoted(ROLE)} login password '${PASSWORD}' connection limit 1`);
		await admin.query(`create database ${quoted(DATABASE)} connection limit 0`);
		roleSession = new pg.Client({host: server.host, port: server.port, user: ROLE, password: PASSWORD, database: 'postgres'});
		roleSession.on('error', () => undefined);
		await roleSession.connect();
	});

	after(async () => {
		await roleSession?.end().catch(() => undefined);
		await admin?.end().catch(() => undefined);
		await server?.stop();
	});

	it('role-connection-limit: ALTER ROLE U&"…" raises the limit of that role', async () => {
		const fix = await fixOf('role-connection-limit');
		assert.match(fix, /^ALTER ROLE U&"sx-\\001B\[2J\\202Eevil" CONNECTION LIMIT \d+;$/);
		await admin.query(fix);
		const {rows} = await admin.query<{limit: number}>('select rolconnlimit as limit from pg_roles where rolname = $1', [ROLE]);
		assert.ok(rows[0]!.limit > 1, `the role's limit is now ${rows[0]!.limit}`);
	});

	it('statement-timeout: ALTER ROLE U&"…" SET sets it for that role', async () => {
		const fix = await fixOf('statement-timeout');
		assert.match(fix, /^ALTER ROLE U&"sx-\\001B\[2J\\202Eevil" SET statement_timeout = '[^']+';$/);
		await admin.query(fix);
		const {rows} = await admin.query<{settings: string[]}>('select setconfig as settings from pg_db_role_setting s join pg_roles r on r.oid = s.setrole where r.rolname = $1', [ROLE]);
		assert.ok(rows[0]?.settings.some(setting => setting.startsWith('statement_timeout=')), JSON.stringify(rows));
	});

	it('database-connection-limit: ALTER DATABASE U&"…" raises the limit of that database', async () => {
		const fix = await fixOf('database-connection-limit');
		assert.match(fix, /^ALTER DATABASE U&"db-\\001B\]0;x\\0007\\202E" CONNECTION LIMIT \d+;$/);
		await admin.query(fix);
		const {rows} = await admin.query<{limit: number}>('select datconnlimit as limit from pg_database where datname = $1', [DATABASE]);
		assert.ok(rows[0]!.limit > 0, `the database's limit is now ${rows[0]!.limit}`);
	});
});

describe('doctor fix SQL for roles named like keywords, on a real PostgreSQL', () => {
	// current_role and user name the current user where a role name goes; case and grant do not parse bare.
	const ROLES = ['current_role', 'case', 'user', 'grant'];
	let server: TestServer;
	let admin: pg.Client;
	const sessions: pg.Client[] = [];

	before(async () => {
		server = await startEmbeddedPostgres();
		admin = new pg.Client({connectionString: server.url});
		await admin.connect();
		for (const role of ROLES) {
			// Each at its connection limit, with no statement_timeout: two fixes that name it.
			await admin.query(`create role ${quoted(role)} login password '${PASSWORD}' connection limit 1`);
			const session = new pg.Client({host: server.host, port: server.port, user: role, password: PASSWORD, database: 'postgres'});
			session.on('error', () => undefined);
			await session.connect();
			sessions.push(session);
		}
	});

	after(async () => {
		await Promise.all(sessions.map(async session => session.end().catch(() => undefined)));
		await admin?.end().catch(() => undefined);
		await server?.stop();
	});

	/** rolconnlimit and setconfig of every role above, and of postgres (who runs the fix). */
	async function catalog(): Promise<Map<string, {limit: number; settings: string[]}>> {
		const {rows} = await admin.query<{name: string; limit: number; settings: string[] | null}>(`
			select r.rolname as name, r.rolconnlimit as limit, s.setconfig as settings
			from pg_roles r left join pg_db_role_setting s on s.setrole = r.oid and s.setdatabase = 0
			where r.rolname = any($1)`, [[...ROLES, 'postgres']]);
		return new Map(rows.map(row => [row.name, {limit: row.limit, settings: row.settings ?? []}]));
	}

	it('role-connection-limit: the printed SQL, run as postgres, raises each role\'s limit and leaves postgres alone', async () => {
		const fix = await printedFix(server.url, 'role-connection-limit');
		await admin.query(fix);
		const after = await catalog();
		for (const role of ROLES) {
			assert.ok(after.get(role)!.limit > 1, `${role}: limit ${after.get(role)!.limit} after ${fix}`);
		}

		assert.equal(after.get('postgres')!.limit, -1, `postgres keeps no limit after ${fix}`);
	});

	it('statement-timeout: the printed SQL, run as postgres, sets it for each role and not for postgres', async () => {
		const fix = await printedFix(server.url, 'statement-timeout');
		await admin.query(fix);
		const after = await catalog();
		for (const role of ROLES) {
			assert.ok(after.get(role)!.settings.some(setting => setting.startsWith('statement_timeout=')), `${role} after ${fix}: ${JSON.stringify(after.get(role))}`);
		}

		assert.deepEqual(after.get('postgres')!.settings, [], `postgres untouched by ${fix}`);
	});
});
