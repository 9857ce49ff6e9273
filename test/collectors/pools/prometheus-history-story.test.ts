// `--prometheus` at start tells what its history showed, not only the strip: a real Prometheus holding
// ten minutes (written as blocks by promtool before it starts) in which pool orders' max went from 20
// to 5 on both instances four minutes before the start and the queue began 30 s later, beside pool
// billing whose max stayed 10 while its instances came and went. The change is on the first frame's
// Changes line (the built CLI in tmux at 80×24), in the log, and `lifeguard timeline` opens with the
// minutes before the start, times to the second; billing says nothing. `--json` carries the same history,
// within the one pool timeout it already waits (measured in process: two runs of the CLI differ by more under load).
import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {after, before, describe, test} from 'node:test';
import {createPoolCollector} from '../../../source/collectors/pools/create-collector.js';
import {parsePrometheusSpec} from '../../../source/connection/pool-endpoint.js';
import {logTime, parseLogEvent} from '../../../source/judge/log-events.js';
import {bucketOf, TREND_BUCKET_MS} from '../../../source/judge/trend.js';
import {collectServers} from '../../../source/one-shot.js';
import {priorTrend} from '../../../source/prior-trend.js';
import {clockTime} from '../../../source/text/words.js';
import {ENGINES} from '../../helpers/engines.js';
import {PROMETHEUS_MISSING, prometheusBinary, startPrometheus, type TestPrometheus} from '../../helpers/prometheus.js';
import {pollUntil, startEmbeddedPostgres} from '../../helpers/postgres.js';
import {defaultThresholds} from '../../helpers/snapshots.js';
import {hasTmux, TmuxRun} from '../../helpers/terminal.js';
import {CLI, cleanEnv, ensureBuilt, runCli} from '../../cli/helpers.js';

const missing = prometheusBinary() === null ? PROMETHEUS_MISSING : null;
const ORDERS = 'orders/HikariPool-1';
// On the 10 s bucket grid: max 20 until changeMs, 5 from then on; the queue from queueMs, its peak at peakMs.
const nowBucket = bucketOf(Date.now());
const firstMs = nowBucket - (10 * 60_000);
const lastMs = nowBucket - (2 * TREND_BUCKET_MS);
const changeMs = nowBucket - (4 * 60_000);
const queueMs = changeMs + 30_000;
const peakMs = nowBucket - 60_000;
const midMs = nowBucket - (5 * 60_000);

type Instance = {job: string; instance: string; isThere: (atMs: number) => boolean};
const orders: Instance[] = ['a:8080', 'b:8080'].map(instance => ({job: 'orders', instance, isThere: () => true}));
// billing's b leaves at midMs and c arrives then: the sum of their max moves, each one's stays 10.
const billing: Instance[] = [
	{job: 'billing', instance: 'a:8080', isThere: () => true},
	{job: 'billing', instance: 'b:8080', isThere: atMs => atMs < midMs},
	{job: 'billing', instance: 'c:8080', isThere: atMs => atMs >= midMs},
];

/** OpenMetrics for promtool: each family's samples together, each series in time order. */
function history(): string {
	const lines: string[] = [];
	const family = (name: string, value: (atMs: number, member: Instance) => number) => {
		lines.push(`# TYPE ${name} gauge`);
		for (const member of [...orders, ...billing]) {
			for (let atMs = firstMs; atMs <= lastMs; atMs += TREND_BUCKET_MS) {
				if (member.isThere(atMs)) {
					lines.push(`${name}{job="${member.job}",instance="${member.instance}",pool="HikariPool-1"} ${value(atMs, member)} ${atMs / 1000}`);
				}
			}
		}
	};

	const isOrders = (member: Instance) => member.job === 'orders';
	const max = (atMs: number, member: Instance) => (isOrders(member) ? (atMs >= changeMs ? 5 : 20) : 10);
	const active = (atMs: number, member: Instance) => (isOrders(member) && atMs >= queueMs ? 5 : 3);
	// 40 + 60 waiting, 60 + 90 at the peak.
	const pending = (atMs: number, member: Instance) => (!isOrders(member) || atMs < queueMs ? 0 : (member.instance === 'a:8080' ? 40 : 60) * (atMs === peakMs ? 1.5 : 1));
	family('hikaricp_connections_max', max);
	family('hikaricp_connections_active', active);
	family('hikaricp_connections_idle', (atMs, member) => max(atMs, member) - active(atMs, member));
	family('hikaricp_connections_pending', pending);
	return `${lines.join('\n')}\n# EOF\n`;
}

let prometheus: TestPrometheus | undefined;

before(async () => {
	if (!missing) {
		prometheus = await startPrometheus([], {history: history()});
	}
});

after(async () => {
	await prometheus?.stop();
});

test('the built screen at 80×24: the first frame\'s Changes line has the max from Prometheus; the log holds it and the timeline opens with the minutes before the start', async t => {
	if (missing || !hasTmux()) {
		t.skip(missing ?? 'tmux is not installed');
		return;
	}

	ensureBuilt();
	const directory = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-history-story-'));
	const log = path.join(directory, 'incident.jsonl');
	const server = await startEmbeddedPostgres();
	const run = new TmuxRun([process.execPath, CLI, '--db', server.url, '--prometheus', prometheus!.url, '--log', log], {columns: 80, rows: 24, env: cleanEnv()});
	try {
		// 4 min ago when lifeguard starts at once; a loaded machine may take a minute to get here.
		// The helper's waitFor gives 15 s; a start-up at load 50 has taken longer.
		const changes = /Changes: orders\/HikariPool-1 max 20→5 [45] min ago \(Prometheus; finding 30 s later\)/;
		const screen = await pollUntil(() => {
			const lines = run.screen();
			return changes.test(lines.join('\n')) && lines;
		}, {what: 'the Changes line', timeoutMs: 40_000, everyMs: 100}).catch((error: Error) => {
			throw new Error(`${error.message}:\n${run.screen().join('\n')}`);
		});
		assert.doesNotMatch(screen.join('\n'), /billing\S* max/, 'billing\'s steady max is no change');
		run.keys('q');
		const written = await pollUntil(async () => {
			const text = await readFile(log, 'utf8');
			return text.includes('"type":"quit"') && text;
		}, {what: 'the quit line', timeoutMs: 30_000, everyMs: 100});

		const events = written.split('\n').filter(line => line !== '').map(line => parseLogEvent(line));
		assert.deepEqual(events.slice(0, 2).map(event => event?.type), ['history', 'start'], 'the history opens the log, every line keeps its contract');
		const history = events[0]!;
		assert.ok(history.type === 'history');
		assert.deepEqual(history.changes.map(change => [change.at, change.from, change.to]), [[logTime(changeMs), 20, 5]]);

		const timeline = await runCli(['timeline', log], {timeoutMs: 60_000});
		assert.equal(timeline.code, 0, timeline.stderr);
		const bullets = timeline.stdout.split('\n').filter(line => line.startsWith('- **'));
		assert.equal(bullets.find(line => line.startsWith('- **First sign:**')), `- **First sign:** ${clockTime(queueMs)} UTC: pool ${ORDERS} queueing (from Prometheus, before lifeguard started)`);
		assert.match(bullets.find(line => line.startsWith('- **Peak:**'))!, new RegExp(`^- \\*\\*Peak:\\*\\* 150 waiting in pool ${ORDERS} at ${clockTime(peakMs)} UTC \\(from Prometheus, before lifeguard started\\)$`));
		const first = bullets.find(line => /^- \*\*\d\d:\d\d:\d\d UTC:\*\*/.test(line))!;
		assert.match(first, new RegExp(`^- \\*\\*\\d\\d:\\d\\d:\\d\\d UTC:\\*\\* Before lifeguard started \\(from Prometheus, since \\d\\d:\\d\\d:\\d\\d UTC\\): pool ${ORDERS} queueing since ${clockTime(queueMs)}, peak 150 waiting at ${clockTime(peakMs)}; pool ${ORDERS} max 20 → 5 at ${clockTime(changeMs)}$`), timeline.stdout);
	} finally {
		run.close();
		await server.stop();
		await rm(directory, {recursive: true, force: true});
	}
});

// The reading of the past on both engines (the screen's test above reads Prometheus only).
for (const {name, missing: engineMissing, start} of ENGINES) {
	describe(name, {skip: engineMissing}, () => {
		let running: TestPrometheus | undefined;
		const engine = {url: () => running!.url};
		before(async () => {
			running = await start([], {history: history()});
		});
		after(async () => {
			await running?.stop();
		});

		test('the start-up read tells the max that changed before the start and the queue after it; a steady max whose instances come and go says nothing', async () => {
			const endpoint = parsePrometheusSpec(engine.url(), '--prometheus', {selector: null});
			const prior = await priorTrend([endpoint], Date.now(), {timeoutMs: 5000, columns: 120});
			const story = prior.story!;
			assert.ok(story, prior.notice);
			assert.deepEqual(story.changes, [{at: logTime(changeMs), type: 'change', subject: {kind: 'pool', name: ORDERS}, what: 'max', from: 20, to: 5}]);
			assert.deepEqual(story.pools, [{name: ORDERS, queueSince: logTime(queueMs), peakWaiting: {value: 150, at: logTime(peakMs)}}]);
			// The quiet one was read: its series are in the same answers, with a sum of max that moved.
			const sums = await fetch(`${engine.url()}/api/v1/query_range?${new URLSearchParams({query: 'sum(hikaricp_connections_max{job="billing"})', start: String(firstMs / 1000), end: String(lastMs / 1000), step: '10s'}).toString()}`);
			const values = ((await sums.json()) as {data: {result: Array<{values: Array<[number, string]>}>}}).data.result[0]!.values.map(([, value]) => Number(value));
			assert.ok(new Set(values).size > 1, `billing's summed max moved (${[...new Set(values)].join(', ')}); its instances' stayed 10`);
		});

		test('--json with --prometheus: `history` has each queue\'s start and peak and the max change, which `changes[]` holds too, marked Prometheus', async () => {
			const server = await startEmbeddedPostgres();
			try {
				const result = await runCli(['--json', '--db', server.url, '--prometheus', engine.url()]);
				assert.equal(result.code, 0, result.stderr);
				const answer = JSON.parse(result.stdout) as {history: {source: string; pools: unknown[]; changes: unknown[]}; changes: Array<Record<string, unknown>>};
				assert.deepEqual(answer.history.pools, [{name: ORDERS, queueSince: logTime(queueMs), peakWaiting: {value: 150, at: logTime(peakMs)}}]);
				assert.deepEqual(answer.history.changes, [{at: logTime(changeMs), type: 'change', subject: {kind: 'pool', name: ORDERS}, what: 'max', from: 20, to: 5}]);
				assert.deepEqual(answer.changes, [{at: logTime(changeMs), type: 'change', subject: {kind: 'pool', name: ORDERS}, what: 'max', from: 20, to: 5, source: 'Prometheus', findingAfterSeconds: 30}]);
			} finally {
				await server.stop();
			}
		});
	});
}

test('--json\'s read with a Prometheus that never answers: the history costs no second deadline; `historyError` says why', async () => {
	const silent = http.createServer(() => undefined);
	await new Promise<void>(resolve => {
		silent.listen(0, '127.0.0.1', resolve);
	});
	const collector = createPoolCollector(parsePrometheusSpec(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`, '--prometheus', {selector: null}));
	try {
		// The pool's own read takes the whole timeout; the history beside it must not add another.
		const startedMs = performance.now();
		const [shot] = await collectServers({servers: [{name: null, target: 'x', postgres: null, error: 'not connected'}], poolCollectors: [collector], poolTimeoutMs: 1000, thresholds: defaultThresholds, now: () => Date.now(), withHistory: true});
		const elapsedMs = performance.now() - startedMs;
		assert.deepEqual(shot!.history, {story: null, error: 'timed out after 1000 ms'});
		assert.ok(elapsedMs < 1700, `took ${Math.round(elapsedMs)} ms for a pool timeout of 1000 ms`);
	} finally {
		await collector.close();
		silent.closeAllConnections();
		await new Promise(resolve => {
			silent.close(resolve);
		});
	}
});
