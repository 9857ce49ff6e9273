// `--prometheus` at start: a real engine holding ten minutes of a pool that saturated before lifeguard
// started (a test cannot wait ten minutes: written as blocks by promtool before Prometheus starts,
// imported into VictoriaMetrics through its API); each test that reads it runs against both. lifeguard's start-up read (priorTrend, the one watch.tsx runs) seeds the history strip,
// and the first frame, judged through the real collector and the board, shows the queue beginning
// before the start, and so does the built screen on a real terminal (tmux). A failing or hanging
// Prometheus leaves the strip empty within one deadline.
import assert from 'node:assert/strict';
import http from 'node:http';
import process from 'node:process';
import type {AddressInfo} from 'node:net';
import {after, before, describe, test} from 'node:test';
import {createPoolCollector} from '../../../source/collectors/pools/create-collector.js';
import {parsePrometheusSelector, parsePrometheusSpec} from '../../../source/connection/pool-endpoint.js';
import {placeholderPool} from '../../../source/judge/pool-status.js';
import {seriesValues} from '../../../source/judge/series.js';
import {bucketOf, TREND_BUCKET_MS, trendKeys} from '../../../source/judge/trend.js';
import {priorTrend} from '../../../source/prior-trend.js';
import {type DashboardAction, initialState, reduce} from '../../../source/screen/board.js';
import {clockTime} from '../../../source/text/words.js';
import {dashboardLines} from '../../../source/ui/components/dashboard.js';
import {type Engine, ENGINES} from '../../helpers/engines.js';
import {startFakePrometheus, type TestPrometheus} from '../../helpers/prometheus.js';
import {defaultThresholds, serverSnapshot} from '../../helpers/snapshots.js';
import {startEmbeddedPostgres} from '../../helpers/postgres.js';
import {hasTmux, TmuxRun} from '../../helpers/terminal.js';
import {CLI, cleanEnv, ensureBuilt} from '../../cli/helpers.js';

const POOL = 'orders/HikariPool-1';
/**
 * Ten minutes before `nowMs` on the 10 s bucket grid, as OpenMetrics (each family's samples together,
 * each series in time order): `orders` calm, then from `queueMs` (150 s before) on, both instances at
 * max with a queue, until 20 s before; `payments` queued the same way, drained in its last sample 10 s
 * before (within VictoriaMetrics' 30 s `-search.latencyOffset`). Made when an engine starts, so the past
 * ends where its tests begin.
 */
function pastOf(nowMs: number): {queueMs: number; drainedMs: number; history: string} {
	const nowBucket = bucketOf(nowMs);
	const firstMs = nowBucket - (10 * 60_000);
	const queueMs = nowBucket - 150_000;
	const series = [
		{job: 'orders', instance: 'a:8080', pending: 40, lastMs: nowBucket - (2 * TREND_BUCKET_MS)},
		{job: 'orders', instance: 'b:8080', pending: 60, lastMs: nowBucket - (2 * TREND_BUCKET_MS)},
		{job: 'payments', instance: 'c:8080', pending: 30, lastMs: nowBucket - TREND_BUCKET_MS, isDrainedLast: true},
	];
	const lines: string[] = [];
	const family = (name: string, value: (isQueued: boolean, pending: number) => number) => {
		lines.push(`# TYPE ${name} gauge`);
		for (const {job, instance, pending, lastMs, isDrainedLast = false} of series) {
			for (let atMs = firstMs; atMs <= lastMs; atMs += TREND_BUCKET_MS) {
				const isQueued = atMs >= queueMs && !(isDrainedLast && atMs === lastMs);
				lines.push(`${name}{job="${job}",instance="${instance}",pool="HikariPool-1"} ${value(isQueued, pending)} ${atMs / 1000}`);
			}
		}
	};

	family('hikaricp_connections_max', () => 10);
	family('hikaricp_connections_active', isQueued => (isQueued ? 10 : 3));
	family('hikaricp_connections_idle', isQueued => (isQueued ? 0 : 7));
	family('hikaricp_connections_pending', (isQueued, pending) => (isQueued ? pending : 0));
	return {queueMs, drainedMs: nowBucket - TREND_BUCKET_MS, history: `${lines.join('\n')}\n# EOF\n`};
}

/** The orders service alone: the strip and the pool row the tests read. */
const ORDERS = 'job="orders"';
const text = (line: {spans: Array<{text: string}>}) => line.spans.map(part => part.text).join('');

/** The tests that read the past from one engine. */
function engineTests(engine: Engine): void {
	let prometheus: TestPrometheus | undefined;
	let queueMs = 0;
	let drainedMs = 0;
	// The imported past stops 20 s before the start: Prometheus carries a series' last value forward (its
	// 5 min lookback), VictoriaMetrics one step, then leaves the steps empty (its lookback follows the
	// interval between samples): a gap may sit between the past and the live cell.
	const pastEnd = engine.name === 'Prometheus' ? '' : '·?';

	before(async () => {
		// Built first: a build during a test would age the past by its minute.
		ensureBuilt();
		const past = pastOf(Date.now());
		({queueMs, drainedMs} = past);
		prometheus = await engine.start([], {history: past.history});
	});

	after(async () => {
		await prometheus?.stop();
	});

	test('the first frame shows the queue that began before lifeguard started, from Prometheus, and says so', async () => {
		const endpoint = parsePrometheusSpec(prometheus!.url, '--prometheus', {selector: ORDERS});
		const startMs = Date.now();
		const prior = await priorTrend([endpoint], startMs, {timeoutMs: 5000, columns: 120});
		assert.equal(prior.notice, `history before ${clockTime(startMs)} from Prometheus`);
		const trend = prior.trend!;
		assert.ok(trend.times[0]! <= startMs - (5 * 60_000), `history from ${clockTime(trend.times[0]!)}, older than the start ${clockTime(startMs)}`);
		assert.ok(trend.times.at(-1)! < bucketOf(startMs), 'nothing seeded in the live part');
		// The fleet summed as the live rows sum it: 40 + 60 waiting, 10 + 10 busy; the queue began at queueMs.
		const waiting = seriesValues(trend, trendKeys.poolWaiting(POOL));
		const began = trend.times[waiting.findIndex(value => (value ?? 0) > 0)];
		assert.equal(began, queueMs, `the queue began at ${clockTime(queueMs)}, seeded at ${began === undefined ? 'never' : clockTime(began)}`);
		assert.equal(waiting.at(-1), 100);
		assert.equal(seriesValues(trend, trendKeys.poolBusy(POOL)).at(-1), 20);

		// The first frame: the live pool reading through the real collector, the server's first poll.
		const collector = createPoolCollector(endpoint);
		try {
			const reading = await collector.collect(5000);
			assert.ok(reading.ok, reading.ok ? '' : reading.error);
			const actions: DashboardAction[] = [
				{type: 'pool-polled', endpoint, reading, atMs: startMs},
				{type: 'server-polled', reading: {ok: true, isReconnected: false, snapshot: serverSnapshot({takenAtMs: startMs, connections: 40})}, atMs: startMs},
			];
			const state = actions.reduce(reduce, initialState(defaultThresholds, {pools: [placeholderPool(endpoint)], trend}));
			const lines = dashboardLines({state, target: 'postgres://x@127.0.0.1/x', columns: 120, rows: 40}).map(line => text(line));
			const strip = lines.find(line => line.startsWith('History ')) ?? lines.join('\n');
			// Calm (▁) cells, then the queue (█) from before the start, the legend in place of the span.
			assert.match(strip, new RegExp(`${POOL} waiting ▁+█+${pastEnd}█? 100 Prometheus <${clockTime(startMs).slice(0, 5)}$`), strip);
			assert.match(lines.join('\n'), /Pool +CRIT orders\/Hikari\S* +\[█+\] 20\/20 +WAITING 100 +2 inst/, 'the row and the strip agree');
		} finally {
			await collector.close();
		}
	});

	test('a queue that drained 10 s before the start shows drained in the strip\'s last cell before it, not the queue of 30 s before', async () => {
		const endpoint = parsePrometheusSpec(prometheus!.url, '--prometheus', {selector: 'job="payments"'});
		const startMs = Date.now();
		const trend = (await priorTrend([endpoint], startMs, {timeoutMs: 5000, columns: 120})).trend!;
		const waiting = seriesValues(trend, trendKeys.poolWaiting('payments/HikariPool-1'));
		const at = (atMs: number) => waiting[trend.times.indexOf(atMs)];
		// VictoriaMetrics replaces a range's points of its last 30 s with the one before them unless asked not
		// to; the drain is in them while this test runs within 20 s of the past being written.
		assert.deepEqual([at(drainedMs - TREND_BUCKET_MS), at(drainedMs)], [30, 0], `the cells at ${clockTime(drainedMs - TREND_BUCKET_MS)} and ${clockTime(drainedMs)}, start ${clockTime(startMs)}`);
		assert.ok(trend.times.at(-1)! < bucketOf(startMs), 'nothing seeded in the live part');
	});

	test('a selector the engine rejects: no history, its reason in one line without the echo of the query', async () => {
		const endpoint = parsePrometheusSpec(prometheus!.url, '--prometheus', {selector: parsePrometheusSelector('namespace=~"("')});
		const prior = await priorTrend([endpoint], Date.now(), {timeoutMs: 5000, columns: 80});
		assert.equal(prior.trend, undefined);
		assert.match(prior.notice ?? '', /^no history from Prometheus: prometheus \(HTTP 4\d\d\): .*error parsing regexp: missing closing \)/);
		assert.doesNotMatch(prior.notice ?? '', /hikaricp|: 422: /);
	});

	test('the built screen on a real terminal: its first frame with the pool shows the queue from before the start', {skip: hasTmux() ? false : 'tmux is not installed'}, async () => {

		ensureBuilt();
		const server = await startEmbeddedPostgres();
		const run = new TmuxRun([process.execPath, CLI, '--db', server.url, '--prometheus', prometheus!.url, '--prometheus-selector', ORDERS], {columns: 120, rows: 40, env: cleanEnv()});
		try {
			const lines = await run.waitFor(/History slots/, 'the history strip');
			assert.match(lines.join('\n'), /history before \d\d:\d\d:\d\d from Prometheus/, 'the start notice');
			// One gap may sit at the seam: the server's first sample comes before the pool's first reading.
			// The imported past stops 20 s before its engine started: VictoriaMetrics leaves more of the seam empty.
			const seam = engine.name === 'Prometheus' ? '·?' : '·{0,4}';
			const screen = await run.waitFor(new RegExp(`orders/HikariPool-1 waiting ▁+█+${seam}█* 100 Prometheus <\\d\\d:\\d\\d`), 'the strip with the past from Prometheus').catch((error: Error) => {
				throw new Error(`${error.message}:\n${run.screen().join('\n')}`);
			});
			assert.match(screen.join('\n'), /Pool +CRIT orders\/Hikari\S* +\[█+\] 20\/20 +WAITING 100/);
		} finally {
			run.close();
			await server.stop();
		}
	});
}

for (const engine of ENGINES) {
	describe(`against ${engine.name}`, {skip: engine.missing}, () => {
		engineTests(engine);
	});
}

test('a failing Prometheus: no history, one line why, the strip as without it', async () => {
	const broken = await startFakePrometheus(503, 'application/json', '{"status":"error","errorType":"unavailable","error":"overloaded"}');
	try {
		const endpoint = parsePrometheusSpec(broken.url, '--prometheus', {selector: null});
		const prior = await priorTrend([endpoint], Date.now(), {timeoutMs: 2000, columns: 80});
		assert.deepEqual(prior, {notice: 'no history from Prometheus: prometheus (HTTP 503): unavailable: overloaded'});
	} finally {
		await broken.stop();
	}
});

test('a Prometheus that never answers costs one deadline, no more', async () => {
	const silent = http.createServer(() => undefined);
	await new Promise<void>(resolve => {
		silent.listen(0, '127.0.0.1', resolve);
	});
	try {
		const endpoint = parsePrometheusSpec(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`, '--prometheus', {selector: null});
		const startedMs = performance.now();
		const prior = await priorTrend([endpoint], Date.now(), {timeoutMs: 300, columns: 80});
		const elapsedMs = performance.now() - startedMs;
		assert.deepEqual(prior, {notice: 'no history from Prometheus: timed out after 300 ms'});
		assert.ok(elapsedMs < 1300, `took ${Math.round(elapsedMs)} ms`);
	} finally {
		silent.closeAllConnections();
		await new Promise(resolve => {
			silent.close(resolve);
		});
	}
});
