// psycopg_pool (Debian python3-psycopg-pool), live: a ConnectionPool of max 2 with 8 slow queries,
// its get_stats() served as JSON by scripts/fixtures/psycopg-pool.py --serve, read by lifeguard.
// The wait counters must grow as the waits end, and the usage counters as connections come back.
import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';
import type {PoolMetrics, PoolReading} from '../../../source/readings/types.js';
import {parsePoolSpec} from '../../../source/connection/pool-endpoint.js';
import {createPoolCollector, type PoolCollector} from '../../../source/collectors/pools/create-collector.js';
import {externalServer, pollUntil, startEmbeddedPostgres, type TestServer} from '../../helpers/postgres.js';

const SCRIPT = fileURLToPath(new URL('../../../scripts/fixtures/psycopg-pool.py', import.meta.url));
const missing = existsSync('/usr/lib/python3/dist-packages/psycopg_pool') ? null : 'python3-psycopg-pool not installed: apt-get install python3-psycopg-pool';
let database: TestServer | undefined;
let child: ChildProcess | undefined;
let collector: PoolCollector | undefined;

before(async () => {
	if (!missing) {
		database = externalServer() ?? (await startEmbeddedPostgres());
	}
});

after(async () => {
	await collector?.close();
	if (child && child.exitCode === null && child.signalCode === null) {
		const exited = new Promise(resolve => {
			child!.once('exit', resolve);
		});
		child.kill('SIGTERM');
		const killer = setTimeout(() => child!.kill('SIGKILL'), 3000);
		await exited;
		clearTimeout(killer);
	}

	await database?.stop();
});

const onlyPool = (reading: PoolReading): PoolMetrics | undefined => (reading.ok && reading.pools.length === 1 ? reading.pools[0] : undefined);

test('psycopg_pool get_stats() live: 2/2 busy, 6 waiting, then the wait counters grow as waits end', async t => {
	if (missing) {
		t.skip(missing);
		return;
	}

	assert.ok(database);
	const conninfo = `host=${database.host} port=${database.port} user=${database.user} dbname=postgres`;
	// The password by environment, never on a command line
	const spawned = spawn('/usr/bin/python3', [SCRIPT, '--serve', conninfo], {
		stdio: ['ignore', 'pipe', 'pipe'],
		env: {PATH: process.env['PATH'] ?? '/usr/bin:/bin', PGPASSWORD: database.password},
	});
	child = spawned;
	let output = '';
	spawned.stdout.on('data', (chunk: Buffer) => {
		output += chunk.toString();
	});
	spawned.stderr.on('data', (chunk: Buffer) => {
		output += chunk.toString();
	});
	const port = await pollUntil(
		() => {
			if (spawned.exitCode !== null) {
				throw new Error(`psycopg-pool.py exited with ${spawned.exitCode}: ${output}`);
			}

			return /listening 127\.0\.0\.1:(\d+)/.exec(output)?.[1];
		},
		{timeoutMs: 15_000, what: 'psycopg-pool.py to listen'},
	);
	collector = createPoolCollector(parsePoolSpec(`jobs=http://127.0.0.1:${port}/`));
	const saturated = await pollUntil(
		async () => {
			const pool = onlyPool(await collector!.collect(2000));
			return pool?.active === 2 && pool.waiting === 6 ? pool : undefined;
		},
		{timeoutMs: 10_000, everyMs: 50, what: 'psycopg_pool to show 2 busy and 6 waiting'},
	);
	assert.deepEqual({...saturated, waitSecondsTotal: null}, {
		label: null,
		max: 2,
		open: 2,
		active: 2,
		idle: 0,
		waiting: 6,
		oldestWaitSeconds: null,
		timeoutsTotal: 0,
		waitsTotal: 6, // counted when each wait starts
		waitSecondsTotal: null,
		// requests_num 8 − 6 queued − 2 out: none given back yet, no usage_ms yet
		servedTotal: 0,
		holdSecondsTotal: 0,
	});

	// Each pg_sleep(2) pair lets two waiters in: the queue shrinks and their wait time is credited.
	const drained = await pollUntil(
		async () => {
			const pool = onlyPool(await collector!.collect(2000));
			return pool?.waiting === 0 ? pool : undefined;
		},
		{timeoutMs: 20_000, everyMs: 100, what: 'the queue to drain'},
	);
	assert.equal(drained.waitsTotal, 6);
	// 2 waiters waited ~2 s, 2 ~4 s, 2 ~6 s: about 24 s in all
	assert.ok(drained.waitSecondsTotal! > 20 && drained.waitSecondsTotal! < 40, `wait seconds ${drained.waitSecondsTotal}`);
	// The usage counters: each connection given back was held for its pg_sleep(2), no less.
	assert.ok(drained.servedTotal! >= 6, `served ${drained.servedTotal}`);
	const meanHold = drained.holdSecondsTotal! / drained.servedTotal!;
	assert.ok(meanHold >= 1.9 && meanHold < 3, `mean hold ${meanHold} s`);
});
