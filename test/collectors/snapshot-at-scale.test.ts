// The snapshot with more backends than its session cap, against a real server: what is counted is
// every backend, what is listed is what matters first. The statement was reshaped for 5000 backends
// (issue 24: one pass for the counts, one hash aggregate for the groups, applications summed from them).
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {createPostgresSource, type PostgresSource} from '../../source/collectors/postgres-activity.js';
import {openMonitorClient} from '../../source/connection/monitor-client.js';
import {resolveTarget} from '../../source/connection/target.js';
import type {ServerSnapshot} from '../../source/readings/types.js';
import {pollUntil, Sessions, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {startWorkload, type Workload} from '../helpers/workload.js';

const IDLE = 210;
const CAP = 20;
const APPLICATIONS = ['scale-api', 'scale-worker', 'scale-cron'];
const BATCH = 30;

const seenOf = (shot: ServerSnapshot) => Object.values(shot.states).reduce((sum, count) => sum + count, 0);

describe(`the snapshot at ${IDLE} idle backends and a session cap of ${CAP}`, () => {
	let server: TestServer;
	let idle: Sessions;
	let workload: Workload;
	let source: PostgresSource;

	before(async () => {
		server = await startEmbeddedPostgres({maxConnections: IDLE + 40});
		idle = new Sessions(server.url);
		for (let opened = 0; opened < IDLE; opened += BATCH) {
			await Promise.all(Array.from({length: Math.min(BATCH, IDLE - opened)}, async (_, index) => idle.open(APPLICATIONS[(opened + index) % APPLICATIONS.length]!)));
		}

		workload = await startWorkload(server.url, {idle: 0});
		const target = resolveTarget(server.url, {HOME: '/nonexistent'});
		source = createPostgresSource(target, await openMonitorClient(target), () => Date.now(), {sessionRowCap: CAP});
	});

	after(async () => {
		await source?.close();
		await workload?.close();
		await idle?.closeAll();
		await server?.stop();
	});

	async function snapshot(): Promise<ServerSnapshot> {
		const reading = await source.poll();
		assert.ok(reading.ok, reading.ok ? '' : reading.error);
		return reading.snapshot;
	}

	test('the list is capped: the lock waiter, the transactions and the active session first, then the longest idle', async () => {
		const shot = await pollUntil(async () => {
			const candidate = await snapshot();
			return candidate.sessions.some(session => session.pid === workload.waiter && session.waitEventType === 'Lock') ? candidate : undefined;
		}, {what: 'the lock waiter in the list'});
		const seen = seenOf(shot);
		assert.ok(seen >= IDLE + 5, `seen ${seen}`);
		assert.equal(shot.sessions.length, CAP);
		assert.equal(shot.sessionsOmitted, seen - CAP);
		const listed = new Set(shot.sessions.map(session => session.pid));
		for (const pid of [workload.waiter, workload.blocker, workload.idleInTransaction, workload.aborted, workload.active]) {
			assert.ok(listed.has(pid), `pid ${pid} listed`);
		}

		assert.deepEqual(shot.sessions.find(session => session.pid === workload.waiter)?.blockedBy, [workload.blocker]);
		// The rest of the list: the idle sessions whose state began first, as the server orders them.
		const admin = await new Sessions(server.url).open('scale-check');
		try {
			const {rows} = await admin.query<{pid: number}>(
				`select pid from pg_stat_activity where backend_type = 'client backend' and state = 'idle'
					and application_name <> 'lifeguard' and pid <> pg_backend_pid() order by state_change limit $1`,
				[CAP - 5],
			);
			const idleListed = shot.sessions.filter(session => session.state === 'idle').map(session => session.pid);
			assert.deepEqual(idleListed.sort((a, b) => a - b), rows.map(row => row.pid).sort((a, b) => a - b));
		} finally {
			await admin.end();
		}
	});

	test('the groups hold every backend once, by pid; the applications and the idle count are their sums', async () => {
		const shot = await snapshot();
		const groups = shot.clientGroups;
		assert.equal(groups.reduce((sum, group) => sum + group.connections, 0), seenOf(shot));
		for (const group of groups) {
			const pids = group.backends.map(([pid]) => pid);
			assert.equal(pids.length, group.connections, `${group.application}: one entry per connection`);
			assert.deepEqual(pids, [...pids].sort((a, b) => a - b), `${group.application}: by pid`);
			assert.equal(group.backends.filter(([, state]) => state !== 0).length, group.busy);
		}

		for (const [index, name] of APPLICATIONS.entries()) {
			const count = Math.floor(IDLE / APPLICATIONS.length) + (index < IDLE % APPLICATIONS.length ? 1 : 0);
			const group = groups.find(entry => entry.application === name && entry.client === '127.0.0.1');
			assert.deepEqual(group && {...group, backends: []}, {application: name, client: '127.0.0.1', connections: count, active: 0, busy: 0, backends: []});
			assert.deepEqual(shot.applications.find(application => application.name === name), {name, connections: count, idle: count});
		}

		for (const application of shot.applications) {
			const own = groups.filter(group => group.application === application.name);
			assert.equal(application.connections, own.reduce((sum, group) => sum + group.connections, 0), application.name);
			assert.equal(application.idle, own.reduce((sum, group) => sum + group.connections - group.busy, 0), application.name);
		}

		assert.equal(shot.states.idle, groups.flatMap(group => group.backends).filter(([, state]) => state === 0).length);
		assert.equal(shot.lockWaiting, 1);
		assert.equal(shot.oldestIdleInTransaction?.pid, workload.idleInTransaction);
	});
});
