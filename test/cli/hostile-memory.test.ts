// Issue 19, done when: a Prometheus answering 100,000 series per family query and a PgBouncer console
// streaming 1 MB rows each keep lifeguard's peak resident memory under 200 MB, one-shot and live, with
// the PostgreSQL part still refreshing (before the caps: 1.07 GB and 1.42 GB one-shot, 800 and 550 MB
// live). The built bin through its #! line, as an operator runs it; peak = VmHWM from /proc, read until
// it exits. (bench/hostile-endpoints.ts measures the same at length.)
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {after, before, describe, test} from 'node:test';
import pg from 'pg';
import {hikariVector, startFakeConsole, startPrometheusApi, type FakeConsole, type FakePrometheusApi} from '../helpers/hostile-endpoints.js';
import {peakRssBytes, watchPeakRss} from '../helpers/peak-memory.js';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {CLI, cleanEnv, ensureBuilt, hasScript, PtyRun, REPO_ROOT} from './helpers.js';

const MB = 1024 * 1024;
const PEAK_LIMIT_BYTES = 200 * MB;
const LIVE_MS = 6000;

const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;

describe('hostile pool endpoints: peak memory under 200 MB, the server part refreshing', {skip: hasScript() ? false : 'util-linux `script` is not installed (needed for a pseudo-terminal)'}, () => {
	let server: TestServer;
	let admin: pg.Client;
	let prometheus: FakePrometheusApi;
	let bouncer: FakeConsole;
	const endpoints: Record<string, {args: () => string[]; reason: RegExp}> = {
		'a Prometheus answering 100,000 series per family query': {args: () => ['--prometheus', `flood=${prometheus.url}`], reason: /answers? over [48] MiB/},
		'a PgBouncer console streaming 1 MB rows': {args: () => ['--pool', `bouncer=pgbouncer://stats:pw@127.0.0.1:${bouncer.port}/pgbouncer`], reason: /answer over 4 MiB; connection closed/},
	};

	before(async () => {
		ensureBuilt();
		server = await startEmbeddedPostgres();
		admin = new pg.Client({connectionString: server.url, application_name: 'memory-test-admin'});
		await admin.connect();
		const flood = Buffer.from(hikariVector(20_000)); // 5 series per instance: 100,000 series, ~19 MB
		prometheus = await startPrometheusApi(() => flood);
		bouncer = await startFakeConsole({rowBytes: MB, maxSeconds: 30});
	});

	after(async () => {
		await admin?.end().catch(() => undefined);
		await prometheus?.stop();
		await bouncer?.stop();
		await server?.stop();
	});

	const reading = () => ['--db', server.url, '--pool-timeout', '10'];

	for (const [name, endpoint] of Object.entries(endpoints)) {
		test(`--json, ${name}: peak under 200 MB, the server read, the pool's row says which cap`, async t => {
			const child = spawn(CLI, [...reading(), ...endpoint.args(), '--json'], {cwd: REPO_ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe']});
			let stdout = '';
			let stderr = '';
			child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
				stdout += chunk;
			});
			child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
				stderr += chunk;
			});
			let isRunning = true;
			const exited = new Promise<number | null>(resolve => {
				child.on('close', code => {
					isRunning = false;
					resolve(code);
				});
			});
			const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
			const peak = await watchPeakRss(child.pid!, () => isRunning);
			clearTimeout(killer);
			t.diagnostic(`peak RSS ${mb(peak)}`);
			assert.ok(peak > 10 * MB, `VmHWM was read (${mb(peak)})`);
			assert.ok(peak < PEAK_LIMIT_BYTES, `peak RSS ${mb(peak)}`);
			assert.equal(await exited, 0, stderr);
			const json = JSON.parse(stdout) as {server: {ownConnections: number} | null; pools: Array<{name: string; error: string | null}>};
			assert.ok(json.server && json.server.ownConnections > 0, 'the server part was read (its own connection, counted apart)');
			assert.match(json.pools[0]?.error ?? '', endpoint.reason, JSON.stringify(json.pools).slice(0, 500));
		});

		test(`live, ${name}: peak under 200 MB after ${LIVE_MS / 1000} s, the server part refreshing every poll`, async t => {
			const run = new PtyRun([...reading(), ...endpoint.args(), '--interval', '1'], {program: [CLI], columns: 120, rows: 40, env: {NO_COLOR: '1'}});
			try {
				// The pool row's reason, or a few seconds of the hostile answers without it.
				await run.waitForText(endpoint.reason, 20_000).catch(() => undefined);
				// Each poll of the server sets query_start of lifeguard's own backend anew.
				const polls = new Set<string>();
				const until = Date.now() + LIVE_MS;
				while (Date.now() < until) {
					const {rows} = await admin.query<{at: string}>('select query_start::text as at from pg_stat_activity where application_name = $1', ['lifeguard']);
					for (const row of rows) {
						polls.add(row.at);
					}

					await new Promise(resolve => {
						setTimeout(resolve, 200);
					});
				}

				const peak = await peakRssBytes(run.nodePid!);
				t.diagnostic(`peak RSS ${mb(peak ?? 0)}, ${polls.size} server polls in ${LIVE_MS / 1000} s`);
				assert.ok(peak !== undefined && peak > 10 * MB, `VmHWM of pid ${run.nodePid} was read (${String(peak)})`);
				assert.ok(peak < PEAK_LIMIT_BYTES, `peak RSS ${mb(peak)}`);
				assert.ok(polls.size >= LIVE_MS / 1000 - 2, `${polls.size} server polls seen in ${LIVE_MS / 1000} s at --interval 1`);
				assert.match(run.text, endpoint.reason, 'the pool row says which cap');
				run.write('q');
				// A flag, not the exit promise: pollUntil checks its deadline only between checks.
				let hasExited = false;
				void run.exited.then(() => {
					hasExited = true;
				});
				await pollUntil(() => hasExited, {timeoutMs: 10_000, what: 'lifeguard to quit'});
			} finally {
				await run.stop();
			}
		});
	}
});
