// `lifeguard report --prometheus URL --from T --to T` through the built binary, against a real
// Prometheus (Debian's 2.42) and a real VictoriaMetrics (1.79), each holding the same ten minutes
// written before the test asks (test/helpers/engines.ts; deterministic, no waiting): a two-instance
// fleet whose pool saturated for exactly three minutes, its timeout counters (one restarting midway),
// and postgres_exporter's view of the server. The report's peaks, time at max, timeouts and server
// peak are the numbers written, on both engines, also for a window long enough for a 2 s step; a calm
// window exits 0; without the exporter the server is "not in Prometheus"; bad input is one line, exit 2.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {type Engine, ENGINES} from '../helpers/engines.js';
import {PROMETHEUS_MISSING, prometheusBinary, startFakePrometheus, startPrometheus, type TestPrometheus} from '../helpers/prometheus.js';
import pg from 'pg';
import {freePort, pollUntil, startEmbeddedPostgres} from '../helpers/postgres.js';
import {ownProcess} from '../helpers/test-tmp.js';
import {assertOneLineFailure, ensureBuilt, runCli} from '../cli/helpers.js';

const missing = prometheusBinary() === null ? PROMETHEUS_MISSING : null;
const EXPORTER = '/usr/bin/prometheus-postgres-exporter';
const SCRAPE_MS = 5000;
// The past on a 5 s grid: calm, three minutes saturated from satMs, calm again until lastMs.
const baseMs = Math.floor(Date.now() / 60_000) * 60_000;
const firstMs = baseMs - (10 * 60_000);
const satMs = baseMs - (7 * 60_000);
const calmMs = satMs + (3 * 60_000);
const lastMs = baseMs - (2 * 60_000);
const seconds = (ms: number) => String(ms / 1000);

/** Timeouts per scrape while saturated: a +2 per scrape, b +3 per scrape but restarting (to 0) midway. */
function timeoutCounter(instance: 'a' | 'b', atMs: number): number {
	const scrapes = Math.max(0, Math.min(atMs, calmMs - SCRAPE_MS) - satMs + SCRAPE_MS) / SCRAPE_MS;
	if (instance === 'a') {
		return 100 + (2 * scrapes);
	}

	// b restarts at the 18th saturated scrape: its counter starts again from 0.
	return scrapes < 18 ? 50 + (3 * scrapes) : 3 * (scrapes - 17);
}

// 36 saturated scrapes: a counts 2 × 36; b 3 × 17, then 0 + 3 × 19 after its restart (the drop counts from 0).
const EXPECTED_TIMEOUTS = (2 * 36) + (3 * 17) + (3 * 19);

function history(withServer: boolean): string {
	const lines: string[] = [];
	const family = (name: string, type: 'gauge' | 'counter', series: Array<[string, (atMs: number, isSaturated: boolean) => number]>) => {
		lines.push(`# TYPE ${name} ${type}`);
		for (const [labels, value] of series) {
			for (let atMs = firstMs; atMs <= lastMs; atMs += SCRAPE_MS) {
				lines.push(`${type === 'counter' ? `${name}_total` : name}{${labels}} ${value(atMs, atMs >= satMs && atMs < calmMs)} ${seconds(atMs)}`);
			}
		}
	};

	const pool = (instance: string) => `job="orders",instance="${instance}:8080",pool="HikariPool-1"`;
	const both = (value: (atMs: number, isSaturated: boolean, instance: 'a' | 'b') => number): Array<[string, (atMs: number, isSaturated: boolean) => number]> =>
		(['a', 'b'] as const).map(instance => [pool(instance), (atMs, isSaturated) => value(atMs, isSaturated, instance)]);
	family('hikaricp_connections_max', 'gauge', both(() => 10));
	family('hikaricp_connections_active', 'gauge', both((_atMs, isSaturated) => (isSaturated ? 10 : 3)));
	family('hikaricp_connections_idle', 'gauge', both((_atMs, isSaturated) => (isSaturated ? 0 : 7)));
	family('hikaricp_connections_pending', 'gauge', both((_atMs, isSaturated, instance) => (isSaturated ? (instance === 'a' ? 40 : 60) : 0)));
	family('hikaricp_connections_timeout', 'counter', both((atMs, _isSaturated, instance) => timeoutCounter(instance, atMs)));
	if (withServer) {
		const server = 'job="postgres",instance="db:9187"';
		family('pg_stat_activity_count', 'gauge', [
			[`${server},datname="app",state="active"`, (_atMs, isSaturated) => (isSaturated ? 20 : 6)],
			[`${server},datname="app",state="idle"`, (_atMs, isSaturated) => (isSaturated ? 1 : 8)],
			[`${server},datname="app",state="idle in transaction"`, () => 1],
			[`${server},datname="postgres",state="active"`, () => 1],
		]);
		family('pg_settings_max_connections', 'gauge', [[server, () => 100]]);
		family('pg_settings_superuser_reserved_connections', 'gauge', [[server, () => 3]]);
	}

	return `${lines.join('\n')}\n# EOF\n`;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The history-backed cases, once per engine: each holds the same past, written before the test asks. */
function engineTests(engine: Engine): void {
	let withServer: TestPrometheus | undefined;
	let poolsOnly: TestPrometheus | undefined;
	let dir = '';

	before(async () => {
		ensureBuilt();
		dir = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-report-prometheus-'));
		[withServer, poolsOnly] = await Promise.all([engine.start([], {history: history(true)}), engine.start([], {history: history(false)})]);
	});

	after(async () => {
		await Promise.all([withServer?.stop(), poolsOnly?.stop()]);
		await rm(dir, {recursive: true, force: true});
	});

	test('a saturated window: the peaks, the time at max, the timeouts and the server are the numbers it holds; exit 1', async () => {
		const html = path.join(dir, 'report.html');
		const result = await runCli(['report', '--prometheus', withServer!.url, '--from', iso(firstMs), '--to', seconds(lastMs), '--html', html], {timeoutMs: 60_000});
		const context = `${result.stdout}\n${result.stderr}`;
		assert.equal(result.code, 1, context);
		// The fleet summed as the live rows sum it: 10 + 10 busy of 10 + 10, 40 + 60 waiting.
		assert.equal(result.stderr, `lifeguard report: FAIL: pool queued: orders/HikariPool-1 peak 20/20 busy, 100 waiting, ${EXPECTED_TIMEOUTS} timeouts; server peak 23/97 used (24%), under --warn 80%\n`);
		const clock = (ms: number) => iso(ms).slice(11, 19);
		// 3 min at max and with a queue, of the 8 min window (one sample a second: 481 samples).
		const row = `| orders/HikariPool-1 | 20/20 at ${clock(satMs)} | 0 | 100 at ${clock(satMs)} | ${EXPECTED_TIMEOUTS} | 3 min (37%) | 3 min (37%) |`;
		assert.ok(result.stdout.includes(row), `${row}\n${context}`);
		assert.match(result.stdout, /^From Prometheus `http:\/\/127\.0\.0\.1:\d+`, .*\(8 min 1 s, 481 samples every 1 s\)\..* server: postgres_exporter postgres\/db:9187 \(its slots only, not its sessions\)\./m);
		assert.ok(result.stdout.includes(`| 23/97 (24%) | ${clock(satMs)} (+3 min) | 74 slots | 0 s |`), context);
		// The judge saw the queue as the live screen would, from the fleet's own numbers.
		assert.match(result.stdout, /\| critical \| pool-\S+ \| orders\/HikariPool-1 \| /, context);
		// The timeouts' rate() over 1 m is 0 once the last increase (the scrapes 10 s and 5 s before calm) leaves
		// its window, then the finding holds 2 polls. Prometheus counts the samples inside the window (0 from
		// +51 s); MetricsQL's rate() also counts from the sample before it, so one scrape more (0 from +55 s).
		const timeoutsLastMs = calmMs + (engine.name === 'Prometheus' ? 52_000 : 56_000);
		assert.match(result.stdout, new RegExp(`^\\| warning \\| pool-timeouts \\| orders/HikariPool-1 \\| ${clock(satMs)} \\(\\+3 min\\) \\| ${clock(timeoutsLastMs)} \\(`, 'm'), context);
		const page = await readFile(html, 'utf8');
		assert.match(page, /<p>From Prometheus <code>http:\/\/127\.0\.0\.1:\d+<\/code>/);
	});

	test('a window over an hour (a step of 2 s) from an odd second: read on the step\'s grid, the same numbers', async () => {
		// 55 min before the history began, plus a second: the step is 2 s, and the start moves back to an even second.
		const result = await runCli(['report', '--prometheus', withServer!.url, '--from', iso(firstMs - (55 * 60_000) + 1000), '--to', seconds(lastMs)], {timeoutMs: 60_000});
		const context = `${result.stdout}\n${result.stderr}`;
		assert.equal(result.code, 1, context);
		assert.equal(result.stderr, `lifeguard report: FAIL: pool queued: orders/HikariPool-1 peak 20/20 busy, 100 waiting, ${EXPECTED_TIMEOUTS} timeouts; server peak 23/97 used (24%), under --warn 80%\n`);
		const clock = (ms: number) => iso(ms).slice(11, 19);
		assert.match(result.stdout, new RegExp(`^From Prometheus \`http://127\\.0\\.0\\.1:\\d+\`, \\S+ ${clock(firstMs - (55 * 60_000))} to ${clock(lastMs)} UTC \\(1 h 3 min 2 s, 1891 samples every 2 s\\)\\.`, 'm'), context);
		const row = `| orders/HikariPool-1 | 20/20 at ${clock(satMs)} | 0 | 100 at ${clock(satMs)} | ${EXPECTED_TIMEOUTS} | 3 min (5%) | 3 min (5%) |`;
		assert.ok(result.stdout.includes(row), `${row}\n${context}`);
	});

	test('a calm window of the same history: no queue, the server under --warn; exit 0', async () => {
		const result = await runCli(['report', '--prometheus', withServer!.url, '--from', iso(calmMs + 10_000), '--to', iso(lastMs)], {timeoutMs: 60_000});
		assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
		assert.equal(result.stderr, 'lifeguard report: OK: no pool queued: orders/HikariPool-1 peak 6/20 busy, 0 waiting, 0 timeouts; server peak 16/97 used (16%), under --warn 80%\n');
	});

	test('without postgres_exporter: the server is "not in Prometheus", never a zero; the verdict cannot pass it', async () => {
		const result = await runCli(['report', '--prometheus', poolsOnly!.url, '--from', iso(calmMs + 10_000), '--to', iso(lastMs)], {timeoutMs: 60_000});
		assert.equal(result.code, 1, result.stderr);
		assert.match(result.stderr, /^lifeguard report: FAIL: no pool queued: orders\/HikariPool-1 peak 6\/20 busy, 0 waiting, 0 timeouts; server not in Prometheus, its slots not judged\n$/);
		assert.match(result.stdout, /^Server not in Prometheus \(no pg_stat_activity_count and pg_settings_max_connections from postgres_exporter in the window\)\.$/m);
		assert.doesNotMatch(result.stdout, /\| 0\/\d+ \(0%\)/, 'no invented server row');
	});
}

for (const engine of ENGINES) {
	describe(`lifeguard report --prometheus against ${engine.name}`, {skip: engine.missing}, () => {
		engineTests(engine);
	});
}

describe('lifeguard report --prometheus', () => {
	test('bad input: one line, exit 2, never a password', async () => {
		const closed = `http://reader:s3cret-pw@127.0.0.1:${await freePort()}`;
		const broken = await startFakePrometheus(503, 'application/json', '{"status":"error","errorType":"unavailable","error":"overloaded"}');
		try {
			const cases: Array<[string[], RegExp]> = [
				[['report', '--prometheus', 'http://127.0.0.1:9'], /^lifeguard: report --prometheus: give --from T \(when the load test began: -30m, 2026-12-07T20:00:00Z or unix seconds\)$/],
				[['report', '--prometheus', 'http://127.0.0.1:9', '--from', 'yesterday'], /^lifeguard: --from: "yesterday" is not a time \(use e\.g\. -30m, now, 2026-12-07T20:00:00Z or unix seconds\)$/],
				[['report', '--prometheus', 'http://127.0.0.1:9', '--from', '2026-12-07T20:00:00'], /is not a time/],
				[['report', '--prometheus', 'http://127.0.0.1:9', '--from', '-10m', '--to', '-20m'], /^lifeguard: --from \S+Z is not before --to \S+Z$/],
				[['report', '--prometheus', 'http://127.0.0.1:9', '--from', '-30d'], /longer than a week; report a shorter window$/],
				[['report', 'file.jsonl', '--prometheus', 'http://127.0.0.1:9', '--from', '-5m'], /^lifeguard: unexpected argument "file\.jsonl"$/],
				[['report', 'file.jsonl', '--from', '-5m'], /^lifeguard: --from: only for lifeguard report --prometheus$/],
				[['report', '--prometheus', closed, '--from', '-5m'], /^lifeguard: http:\/\/reader:\*\*\*@127\.0\.0\.1:\d+: .*(refused|ECONNREFUSED)/i],
				[['report', '--prometheus', broken.url, '--from', '-5m', '--to', 'now'], /^lifeguard: http:\/\/127\.0\.0\.1:\d+: prometheus \(HTTP 503\): unavailable: overloaded$/],
			];
			for (const [args, pattern] of cases) {
				const result = await runCli(args, {timeoutMs: 40_000});
				assertOneLineFailure(result, 2, pattern);
				assert.doesNotMatch(result.stderr + result.stdout, /s3cret-pw/);
			}
		} finally {
			await broken.stop();
		}
	});

	test('a real postgres_exporter scraped by Prometheus: the server\'s slots as PostgreSQL counts them', async t => {
		if (missing || !existsSync(EXPORTER)) {
			t.skip(missing ?? 'prometheus-postgres-exporter not installed: apt-get install prometheus-postgres-exporter');
			return;
		}

		const server = await startEmbeddedPostgres();
		const clients: pg.Client[] = [];
		const port = await freePort();
		const exporter = spawn(EXPORTER, [`--web.listen-address=127.0.0.1:${port}`], {env: {PATH: process.env['PATH'] ?? '', DATA_SOURCE_NAME: `${server.url}?sslmode=disable`}, stdio: 'ignore'});
		ownProcess(exporter);
		let prometheus: TestPrometheus | undefined;
		try {
			// Six idle sessions held through the window: the exporter's own makes seven (eight while an autovacuum worker runs).
			for (let index = 0; index < 6; index++) {
				const client = new pg.Client({connectionString: server.url});
				clients.push(client);
				await client.connect();
			}

			const settings = await clients[0]!.query<{max: number; reserved: number}>("select current_setting('max_connections')::int as max, current_setting('superuser_reserved_connections')::int as reserved");
			const usable = settings.rows[0]!.max - settings.rows[0]!.reserved;
			prometheus = await startPrometheus([{job: 'postgres', targets: [`127.0.0.1:${port}`]}], {intervalSeconds: 1});
			await pollUntil(async () => (await prometheus!.seriesCount('count_over_time(pg_stat_activity_count{state="idle"}[1m]) >= 3')) > 0, {timeoutMs: 30_000, everyMs: 250, what: 'three scrapes of postgres_exporter'});
			const result = await runCli(['report', '--prometheus', prometheus.url, '--from', '-20s', '--to', 'now'], {timeoutMs: 60_000});
			const context = `${result.stdout}\n${result.stderr}`;
			assert.equal(result.code, 0, context);
			const verdict = /^lifeguard report: OK: no pool recorded; server peak (\d+)\/(\d+) used \(\d+%\), under --warn 80%\n$/.exec(result.stderr);
			assert.ok(verdict, context);
			assert.equal(Number(verdict[2]), usable, context);
			assert.ok(Number(verdict[1]) >= 7 && Number(verdict[1]) <= 8, context);
			assert.match(result.stdout, new RegExp(`server: postgres_exporter postgres/127\\.0\\.0\\.1:${port} \\(127\\.0\\.0\\.1:\\d+\\) \\(its slots only`), context);
		} finally {
			await Promise.all(clients.map(async client => client.end().catch(() => undefined)));
			exporter.kill('SIGTERM');
			await prometheus?.stop();
			await server.stop();
		}
	});
});
