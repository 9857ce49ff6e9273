// `lifeguard --json` (and the plain summary when stdout is not a terminal) against real servers, with
// sessions in known states: the contract's field names and exact numbers.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {after, before, describe, test} from 'node:test';
import pg from 'pg';
import {externalServer, pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {startWorkload, type Workload} from '../helpers/workload.js';
import {createRole, ensureBuilt, runCli, type TestRole, withAdmin} from './helpers.js';

type States = {active: number; idle: number; idleInTransaction: number; idleInTransactionAborted: number; other: number};
type JsonSession = {
	pid: number; user: string | null; database: string | null; application: string; client: string | null; state: string | null;
	stateSeconds: number | null; backendStart: string | null; xactStart: string | null; queryStart: string | null;
	waitEventType: string | null; waitEvent: string | null; blockedBy: number[]; query: string | null;
};
type JsonOutput = {
	takenAt: string;
	target: string;
	server: {
		version: string; maxConnections: number; reservedConnections: number; usableConnections: number; connections: number;
		ownConnections: number; freeConnections: number; usedRatio: number; states: States; lockWaiting: number; hidden: number;
		oldestIdleInTransactionSeconds: number | null; longestActiveSeconds: number | null; selfPid: number;
	};
	sessions: JsonSession[];
	sessionsOmitted: number;
	pools: unknown[];
	findings: Array<{code: string; level: string; evidence: string; subject: string; message: string}>;
};

const TOP_KEYS = ['changes', 'findings', 'groups', 'inferred', 'pools', 'sample', 'server', 'sessions', 'sessionsOmitted', 'takenAt', 'target'];
const SERVER_KEYS = ['confLoadedAt', 'connections', 'freeConnections', 'hidden', 'lockWaiting', 'longestActiveSeconds', 'maxConnections', 'oldestIdleInTransactionSeconds', 'ownConnections', 'pendingRestart', 'reservedConnections', 'selfPid', 'startedAt', 'states', 'usableConnections', 'usedRatio', 'version'];
const STATE_KEYS = ['active', 'idle', 'idleInTransaction', 'idleInTransactionAborted', 'other'];
const SESSION_KEYS = ['application', 'backendStart', 'blockedBy', 'client', 'database', 'pid', 'query', 'queryStart', 'state', 'stateSeconds', 'user', 'waitEvent', 'waitEventType', 'xactStart'];
/** json_build_object's timestamptz, in UTC, with all six fractional digits. */
const MICROS_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

async function runJson(url: string, env: Record<string, string> = {}): Promise<JsonOutput> {
	const result = await runCli(['--json', '--db', url], {env});
	assert.equal(result.code, 0, `exit ${String(result.code)}: ${result.stderr}`);
	assert.equal(result.stderr, '');
	return JSON.parse(result.stdout) as JsonOutput;
}

function maskedTarget(server: TestServer, user = server.user, password = server.password): string {
	return `postgres://${user}${password ? ':***' : ''}@${server.host}:${server.port}/postgres`;
}

function sumStates(states: States): number {
	return states.active + states.idle + states.idleInTransaction + states.idleInTransactionAborted + states.other;
}

function workloadPids(workload: Workload): number[] {
	return [...workload.idle, workload.active, workload.idleInTransaction, workload.aborted, workload.blocker, workload.waiter];
}

/** Run --json until every workload session is in its state (the waiter reached the lock, pg_sleep runs). */
async function settledJson(url: string, workload: Workload, isOnlyWorkload: boolean): Promise<JsonOutput> {
	const wanted = new Set(workloadPids(workload));
	return pollUntil(async () => {
		const json = await runJson(url);
		const byPid = new Map(json.sessions.map(session => [session.pid, session]));
		const isSettled = [...wanted].every(pid => byPid.has(pid))
			&& byPid.get(workload.waiter)?.waitEventType === 'Lock'
			&& byPid.get(workload.active)?.state === 'active'
			// The setup and admin sessions of the helpers have ended and left.
			&& (!isOnlyWorkload || json.sessions.every(session => wanted.has(session.pid)));
		return isSettled ? json : undefined;
	}, {timeoutMs: 15_000, everyMs: 100, what: 'the workload to settle'});
}

function assertContractShape(json: JsonOutput): void {
	assert.deepEqual(Object.keys(json).sort(), TOP_KEYS);
	assert.deepEqual(Object.keys(json.server).sort(), SERVER_KEYS);
	assert.deepEqual(Object.keys(json.server.states).sort(), STATE_KEYS);
	for (const session of json.sessions) {
		assert.deepEqual(Object.keys(session).sort(), SESSION_KEYS);
	}

	assert.match(json.takenAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
	assert.match(json.server.version, /^\d+(\.\d+)?/);
	// The identities that hold in any single snapshot: lifeguard's own connections are apart from the
	// usage (its one at least), and take free slots all the same.
	const {server} = json;
	assert.equal(server.connections, sumStates(server.states) + server.hidden, JSON.stringify(server));
	assert.ok(server.ownConnections >= 1, JSON.stringify(server));
	assert.equal(server.usableConnections, server.maxConnections - server.reservedConnections);
	assert.equal(server.freeConnections, Math.max(0, server.usableConnections - server.connections - server.ownConnections));
	assert.equal(server.usedRatio, Number((server.connections / server.usableConnections).toFixed(3)));
	assert.equal(typeof server.selfPid, 'number');
	assert.ok(!json.sessions.some(session => session.pid === server.selfPid), 'lifeguard lists its own session');
	assert.equal(json.sessionsOmitted, 0);
	assert.deepEqual(json.pools, []);
	for (const finding of json.findings) {
		assert.deepEqual(Object.keys(finding).sort(), ['code', 'evidence', 'level', 'message', 'subject']);
	}
}

function assertWorkloadSessions(json: JsonOutput, workload: Workload): void {
	const byPid = new Map(json.sessions.map(session => [session.pid, session]));
	const state = (pid: number) => byPid.get(pid)?.state;
	for (const pid of workload.idle) {
		assert.equal(state(pid), 'idle', `idle pid ${pid}`);
	}

	assert.equal(state(workload.active), 'active');
	assert.match(byPid.get(workload.active)!.query ?? '', /pg_sleep/);
	assert.equal(state(workload.idleInTransaction), 'idle in transaction');
	assert.equal(state(workload.aborted), 'idle in transaction (aborted)');
	assert.equal(state(workload.blocker), 'idle in transaction');
	const waiter = byPid.get(workload.waiter)!;
	assert.equal(waiter.state, 'active');
	assert.equal(waiter.waitEventType, 'Lock');
	assert.deepEqual(waiter.blockedBy, [workload.blocker]);
	for (const pid of workloadPids(workload).filter(pid => pid !== workload.waiter)) {
		assert.deepEqual(byPid.get(pid)!.blockedBy, [], `pid ${pid} is not blocked`);
	}

	for (const pid of workloadPids(workload)) {
		const session = byPid.get(pid)!;
		// Six digits exactly is asserted by its own test, on a start whose microseconds end in 0.
		assert.match(session.backendStart ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z$/, `backendStart of pid ${pid}`);
		assert.equal(session.user, 'postgres');
		assert.equal(session.database, 'postgres');
		assert.equal(session.client, '127.0.0.1');
		assert.equal(typeof session.stateSeconds, 'number');
	}
}

describe('lifeguard --json against the embedded server', () => {
	let server: TestServer | undefined;
	let workload: Workload | undefined;
	let role: TestRole | undefined;

	before(async () => {
		ensureBuilt();
		server = await startEmbeddedPostgres();
		workload = await startWorkload(server.url, {table: 'lifeguard_cli_json'});
	});

	after(async () => {
		await role?.drop().catch(() => undefined);
		await workload?.close().catch(() => undefined);
		await server?.stop();
	});

	test('the contract: field names, exact counts, the blocker, masked target', async () => {
		const json = await settledJson(server!.url, workload!, true);
		assertContractShape(json);
		assert.equal(json.target, `postgres://postgres:***@127.0.0.1:${server!.port}/postgres`);
		const s = json.server;
		assert.deepEqual(s.states, {active: 2, idle: 3, idleInTransaction: 2, idleInTransactionAborted: 1, other: 0});
		assert.equal(s.lockWaiting, 1);
		assert.equal(s.hidden, 0);
		assert.equal(s.connections, 8);
		assert.equal(s.ownConnections, 1);
		assert.equal(s.maxConnections, 40);
		assert.equal(s.reservedConnections, 3);
		assert.equal(s.usableConnections, 37);
		assert.equal(s.freeConnections, 28);
		assert.equal(s.usedRatio, 0.216);
		assert.ok(s.oldestIdleInTransactionSeconds !== null && s.oldestIdleInTransactionSeconds >= 0);
		assert.ok(s.longestActiveSeconds !== null && s.longestActiveSeconds >= 0);
		assert.equal(json.sessions.length, 8);
		assertWorkloadSessions(json, workload!);
		// Findings need time (a lock wait counts after 5 s); a superuser is never told it sees too little.
		assert.ok(!json.findings.some(finding => finding.code === 'privileges-partial'), 'a superuser sees everything');
		assert.ok(!JSON.stringify(json).includes(server!.password), 'password in the JSON');
	});

	test('backendStart keeps six fractional digits when the microseconds end in 0', async () => {
		// PostgreSQL drops trailing zeros of fractional seconds ("…:00.12345+00"): find a backend whose
		// start ends in a zero digit, then look at it through lifeguard.
		const clients: pg.Client[] = [];
		try {
			let found: {pid: number; expected: string} | undefined;
			for (let attempt = 0; attempt < 100 && !found; attempt++) {
				const client = new pg.Client({connectionString: server!.url, application_name: 'lg-cli-micros'});
				client.on('error', () => undefined);
				await client.connect();
				const {rows} = await client.query<{pid: number; micros: string; expected: string}>(`
					select pid, (extract(microseconds from backend_start)::bigint % 10)::text as micros,
						to_char(backend_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as expected
					from pg_stat_activity where pid = pg_backend_pid()`);
				if (rows[0]!.micros === '0') {
					clients.push(client);
					found = {pid: rows[0]!.pid, expected: rows[0]!.expected};
				} else {
					await client.end();
				}
			}

			assert.ok(found, 'no backend started on a microsecond ending in 0 in 100 tries');
			const json = await runJson(server!.url);
			const session = json.sessions.find(candidate => candidate.pid === found.pid);
			assert.ok(session, `pid ${found.pid} not listed`);
			assert.equal(session.backendStart, found.expected);
			assert.match(session.backendStart ?? '', MICROS_UTC);
		} finally {
			await Promise.all(clients.map(async client => client.end().catch(() => undefined)));
		}
	});

	test('plain summary when stdout is a pipe and --json is not given', async () => {
		const result = await runCli(['--db', server!.url]);
		assert.equal(result.code, 0, result.stderr);
		assert.equal(result.stderr, '');
		assert.match(result.stdout, /\bconnections \d+\/37 usable/);
		assert.ok(result.stdout.includes(`postgres://postgres:***@127.0.0.1:${server!.port}/postgres`), result.stdout);
		assert.ok(!result.stdout.includes(server!.password), 'password in the summary');
		assert.doesNotMatch(result.stdout, /\u001B\[/, 'escape sequences in a pipe');
		assert.ok(result.stdout.split('\n').length < 30, 'a short summary');
		assert.match(result.stdout, /lock-waiting 1\b/);
	});

	test('a role without pg_monitor: hidden sessions and a privileges-partial finding naming pg_monitor', async () => {
		role = await createRole(server!, 'lg_cli_nomon');
		const json = await runJson(role.url);
		assertContractShape(json);
		assert.equal(json.target, `postgres://${role.name}:***@127.0.0.1:${server!.port}/postgres`);
		assert.ok(json.server.hidden > 0, `hidden ${json.server.hidden}`);
		// The workload runs as postgres: all of it is hidden, none of it listed.
		assert.ok(json.server.hidden >= workloadPids(workload!).length, `hidden ${json.server.hidden}`);
		const listed = new Set(json.sessions.map(session => session.pid));
		assert.ok(workloadPids(workload!).every(pid => !listed.has(pid)), 'hidden sessions are listed');
		const finding = json.findings.find(candidate => candidate.code === 'privileges-partial');
		assert.ok(finding, `findings: ${json.findings.map(f => f.code).join(', ')}`);
		assert.match(finding.message, /pg_monitor/);
		assert.ok(finding.message.includes(role.name), finding.message);
		assert.ok(!JSON.stringify(json).includes(role.password), 'password in the JSON');
	});

	test('the same role granted pg_monitor sees everything', async () => {
		assert.ok(role, 'needs the previous test');
		await withAdmin(server!, async admin => {
			await admin.query(`grant pg_monitor to ${role!.name}`);
		});
		const json = await runJson(role.url);
		assert.equal(json.server.hidden, 0);
		assert.ok(!json.findings.some(finding => finding.code === 'privileges-partial'));
	});
});

const external = externalServer();

describe('lifeguard --json against LIFEGUARD_TEST_DATABASE_URL', {skip: external ? false : 'LIFEGUARD_TEST_DATABASE_URL is not set'}, () => {
	let workload: Workload | undefined;

	before(async () => {
		ensureBuilt();
		workload = await startWorkload(external!.url, {table: `lifeguard_cli_json_${randomBytes(4).toString('hex')}`});
	});

	after(async () => {
		await workload?.close().catch(() => undefined);
	});

	test('the contract, and our own sessions in their states (other tests may share the server)', async () => {
		const json = await settledJson(external!.url, workload!, false);
		assertContractShape(json);
		assert.equal(json.target, maskedTarget(external!));
		assert.ok(json.server.lockWaiting >= 1);
		assert.ok(json.server.states.idle >= 3 && json.server.states.active >= 2 && json.server.states.idleInTransaction >= 2 && json.server.states.idleInTransactionAborted >= 1, JSON.stringify(json.server.states));
		assertWorkloadSessions(json, workload!);
		if (external!.password) {
			assert.ok(!JSON.stringify(json).includes(external!.password), 'password in the JSON');
		}
	});
});
