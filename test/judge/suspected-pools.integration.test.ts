// pool-suspected against real servers: real pg.Pools under load, no pool endpoint, the real collector
// polled repeatedly and its snapshots fed to the detector, as the dashboard will.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {after, before, describe, test} from 'node:test';
import pg from 'pg';
import {createPostgresSource, type PostgresSource} from '../../source/collectors/postgres-activity.js';
import {openMonitorClient} from '../../source/connection/monitor-client.js';
import {resolveTarget} from '../../source/connection/target.js';
import {suspectMessage} from '../../source/judge/suspect-words.js';
import {suspectSample, type SuspectSample} from '../../source/judge/suspect-samples.js';
import {SUSPECT_WINDOW_MS, suspectPools, type Suspect} from '../../source/judge/suspected-pools.js';
import {pollUntil, serverKinds, Sessions, type TestServer} from '../helpers/postgres.js';

const POLL_EVERY_MS = 250;
/** Every load and the polling stop by themselves after this, whatever happens to the test. */
const LOAD_LIMIT_MS = 120_000;

for (const kind of serverKinds()) {
	describe(`pool-suspected on the ${kind.name} server`, () => {
		const tag = randomBytes(3).toString('hex');
		const capped = `capped-${tag}`;
		const quiet = `quiet-${tag}`;
		const batch = Array.from({length: 5}, (_, index) => `batch${index}-${tag}`);
		let server: TestServer;
		let source: PostgresSource;
		const pools: pg.Pool[] = [];
		const sessions: Sessions[] = [];
		const loops: Array<Promise<void>> = [];
		const history: SuspectSample[] = [];
		const verdicts: Array<{atMs: number; suspects: Suspect[]}> = [];
		let isRunning = true;
		let stopAtMs = 0;
		let loadStartedAtMs = 0;
		const running = () => isRunning && Date.now() < stopAtMs;
		const pause = async (ms: number) => new Promise(resolve => {
			setTimeout(resolve, ms);
		});

		function poolFor(application: string): pg.Pool {
			const url = new URL(server.url);
			url.searchParams.set('application_name', application);
			// idleTimeoutMillis 0: connections stay open however idle, as in a pool with a minimum size.
			const pool = new pg.Pool({connectionString: url.toString(), max: 5, idleTimeoutMillis: 0});
			pool.on('error', () => undefined);
			pools.push(pool);
			return pool;
		}

		before(async () => {
			server = await kind.start();
			const target = resolveTarget(server.url, {HOME: '/nonexistent'});
			source = createPostgresSource(target, await openMonitorClient(target), () => Date.now());
			stopAtMs = Date.now() + LOAD_LIMIT_MS;
			loadStartedAtMs = Date.now();

			// max 5, and 15 requests in flight at any time: more demand than it can serve.
			const busyPool = poolFor(capped);
			for (let index = 0; index < 15; index++) {
				loops.push((async () => {
					while (running()) {
						await busyPool.query('select pg_sleep(0.1)').catch(() => undefined);
					}
				})());
			}

			// The same pool, 5 connections open, one short query every half second: mostly idle.
			const quietPool = poolFor(quiet);
			await Promise.all(Array.from({length: 5}, async () => quietPool.query('select pg_sleep(0.05)')));
			loops.push((async () => {
				while (running()) {
					await quietPool.query('select 1').catch(() => undefined);
					await pause(500);
				}
			})());

			// Five long queries from five applications: one busy connection each.
			const batchSessions = new Sessions(server.url);
			sessions.push(batchSessions);
			for (const name of batch) {
				const client = await batchSessions.open(name);
				client.query('select pg_sleep(3600)').catch(() => undefined);
			}

			// The dashboard's part: poll, append a sample, ask the detector; chained, never overlapping.
			loops.push((async () => {
				while (running()) {
					const reading = await source.poll();
					if (reading.ok) {
						const {snapshot} = reading;
						const usable = snapshot.maxConnections - snapshot.superuserReservedConnections - snapshot.reservedForRoleConnections;
						history.push(suspectSample(snapshot, usable - snapshot.connections));
						verdicts.push({atMs: snapshot.takenAtMs, suspects: suspectPools(history)});
					}

					await pause(POLL_EVERY_MS);
				}
			})());
		});

		after(async () => {
			isRunning = false;
			await Promise.all(loops);
			await Promise.all(pools.map(async pool => pool.end().catch(() => undefined)));
			if (server) {
				// A backend in pg_sleep reads no Terminate message: end the batch sessions from the server side.
				const admin = await new Sessions(server.url).open(`cleanup-${tag}`);
				await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name like $1 and pid <> pg_backend_pid()', [`%-${tag}`]).catch(() => undefined);
				await admin.end();
			}

			await Promise.all(sessions.map(async entry => entry.closeAll()));
			await source?.close();
			await server?.stop();
		});

		const ours = (suspect: Suspect) => suspect.application.endsWith(`-${tag}`);

		test('max 5 with more demand than it can serve: suspected, naming the application, within the window', async t => {
			const suspect = await pollUntil(() => verdicts.at(-1)?.suspects.find(entry => entry.application === capped), {
				timeoutMs: SUSPECT_WINDOW_MS + 20_000,
				everyMs: POLL_EVERY_MS,
				what: `${capped} suspected`,
			});
			t.diagnostic(`${Date.now() - loadStartedAtMs} ms after the load started: ${suspectMessage(suspect)}`);
			assert.equal(suspect.ceiling, 5);
			assert.equal(suspect.instances, 1);
			assert.equal(suspect.client, '127.0.0.1');
			assert.equal(suspect.level, 'warning');
			assert.ok(suspect.busyShare >= 0.9);
			assert.match(suspectMessage(suspect), new RegExp(`^${capped} \\(127\\.0\\.0\\.1\\) has held exactly 5 connections, (all|\\d+%) busy, for \\d+ s and never more, while the server has \\d+ free slots: its pool is probably capped at 5`));
		});

		test('the same pool mostly idle, and five long queries from five applications: never suspected over a whole window', async () => {
			// Observe for more than a window from the start of the load, with every group there throughout.
			await pollUntil(() => (history.at(-1)?.atMs ?? 0) - loadStartedAtMs > SUSPECT_WINDOW_MS + 5000, {timeoutMs: SUSPECT_WINDOW_MS + 20_000, everyMs: POLL_EVERY_MS, what: 'a window of samples'});
			const latest = history.at(-1)!;
			const present = new Set(latest.groups.map(group => group.application));
			for (const name of [quiet, ...batch]) {
				assert.ok(present.has(name), `${name} is seen by the collector`);
			}

			assert.equal(latest.groups.find(group => group.application === quiet)?.connections, 5, 'the quiet pool holds 5 connections');
			const wrongly = verdicts.flatMap(verdict => verdict.suspects.filter(suspect => ours(suspect) && suspect.application !== capped));
			assert.deepEqual(wrongly, []);
		});
	});
}
