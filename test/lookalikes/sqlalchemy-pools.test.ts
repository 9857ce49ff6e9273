// The shapes of a real library pool (SQLAlchemy QueuePool over psycopg2) as the server sees them,
// in plain SQL, and as the pool itself counts them: capped at 4 under load, roomy, and fast.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {after, before, describe, test} from 'node:test';
import {busyShare, isBusy, openServerView, type ActivitySample, type ServerView} from '../helpers/lookalikes/server-view.js';
import {CAPPED, FAST, ROOMY, SQLALCHEMY_MISSING, startSqlAlchemyPool, type SqlAlchemyPool} from '../helpers/lookalikes/sqlalchemy.js';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';

const tag = randomBytes(2).toString('hex');

/** How many samples show at least one of the connections idle (not in a statement or a transaction). */
const withIdle = (samples: ActivitySample[]) => samples.filter(sample => sample.rows.some(row => !isBusy(row))).length;

describe('SQLAlchemy QueuePool over psycopg2', {skip: SQLALCHEMY_MISSING ?? false}, () => {
	let server: TestServer;
	let view: ServerView;

	before(async () => {
		server = await startEmbeddedPostgres({maxConnections: 100});
		view = await openServerView(server.url);
	});

	after(async () => {
		await view?.close();
		await server?.stop();
	});

	async function observe(pool: SqlAlchemyPool, count: number, connections: (rows: number) => boolean): Promise<ActivitySample[]> {
		const filter = {applicationNames: [pool.applicationName]};
		await pollUntil(async () => connections((await view.sample(filter)).rows.length), {timeoutMs: 10_000, what: `${pool.applicationName}'s connections`});
		return view.watch(filter, {everyMs: 100, what: `${count} samples`, isEnough: samples => samples.length >= count});
	}

	test('pool_size 4, 12 threads: the same 4 connections, busy, doing new work; the pool has 4 out and 8 waiting', async t => {
		const pool = await startSqlAlchemyPool(server, `capped-${tag}`, CAPPED);
		t.after(async () => pool.stop());
		const samples = await observe(pool, 40, count => count === 4);
		const pids = samples[0]!.rows.map(row => row.pid);
		assert.ok(samples.every(sample => sample.rows.map(row => row.pid).join() === pids.join()), 'the same 4 backends throughout');
		const rows = samples.flatMap(sample => sample.rows);
		for (const pid of pids) {
			assert.ok(new Set(rows.filter(row => row.pid === pid).map(row => row.xactStartMs ?? row.queryStartMs)).size >= 10, `backend ${pid} does new work`);
		}

		assert.ok(busyShare(samples) >= 0.8, `busy share ${busyShare(samples)}`);
		const counted = pool.history().slice(-10);
		assert.ok(counted.every(status => status.checkedOut === 4), JSON.stringify(counted));
		assert.ok(counted.filter(status => status.waiting >= 6).length >= 8, `waiting: ${counted.map(status => status.waiting).join(' ')}`);
		t.diagnostic(`busy share ${busyShare(samples).toFixed(2)}, ${withIdle(samples)}/${samples.length} samples with an idle connection; pool: ${JSON.stringify(counted.at(-1))}`);
	});

	test('pool_size 20, 6 threads resting ~0.2 s between checkouts: 6 connections, idle ones on most samples', async t => {
		const pool = await startSqlAlchemyPool(server, `roomy-${tag}`, ROOMY);
		t.after(async () => pool.stop());
		const samples = await observe(pool, 40, count => count === 6);
		assert.ok(samples.every(sample => sample.rows.length === 6), 'the same count throughout: only idleness tells');
		assert.ok(withIdle(samples) >= 0.9 * samples.length, `${withIdle(samples)}/${samples.length} samples with an idle connection`);
		assert.ok(busyShare(samples) <= 0.5, `busy share ${busyShare(samples)}`);
		// `waiting` counts threads inside checkout, a new connection's login included: a glimpse, not a queue.
		const counted = pool.history();
		assert.ok(counted.every(status => status.checkedOut <= 6), 'well below its max');
		assert.ok(counted.filter(status => status.waiting === 0).length >= 0.9 * counted.length, `waiting: ${counted.map(status => status.waiting).join(' ')}`);
		t.diagnostic(`busy share ${busyShare(samples).toFixed(2)}, ${withIdle(samples)}/${samples.length} samples with an idle connection`);
	});

	test('pool_size 40, 30 threads: 30 connections always open, 14–23 checked out, idle gaps far under 250 ms', async t => {
		const pool = await startSqlAlchemyPool(server, `fast-${tag}`, FAST);
		t.after(async () => pool.stop());
		const samples = await observe(pool, 40, count => count === 30);
		assert.ok(samples.every(sample => sample.rows.length === 30), 'all 30 open throughout');
		const busy = samples.map(sample => sample.rows.filter(row => isBusy(row)).length).sort((a, b) => a - b);
		const checkedOut = pool.history().slice(-40).map(status => status.checkedOut).sort((a, b) => a - b);
		const middle = (values: number[]) => [values[Math.floor(values.length * 0.1)]!, values[Math.floor(values.length * 0.9)]!];
		t.diagnostic(`server: busy per sample ${busy[0]}–${busy.at(-1)} (10–90%: ${middle(busy).join('–')}); pool: checked out ${checkedOut[0]}–${checkedOut.at(-1)} (10–90%: ${middle(checkedOut).join('–')})`);
		assert.ok(middle(checkedOut)[0]! >= 12 && middle(checkedOut)[1]! <= 25, `checked out ${checkedOut.join(' ')}`);
		assert.ok(middle(busy)[0]! >= 10 && middle(busy)[1]! <= 27, `busy ${busy.join(' ')}`);
		// Idle only briefly: how long each idle connection had been idle when sampled.
		const idleForMs = samples.flatMap(sample => sample.rows.filter(row => row.state === 'idle').map(row => sample.atMs - row.stateChangeMs!)).sort((a, b) => a - b);
		t.diagnostic(`idle for ${idleForMs[0]}–${idleForMs.at(-1)} ms (90%: ≤ ${idleForMs[Math.floor(idleForMs.length * 0.9)]} ms) over ${idleForMs.length} idle sightings`);
		assert.ok(idleForMs[Math.floor(idleForMs.length * 0.9)]! < 250, 'idle gaps under 250 ms');
	});
});
