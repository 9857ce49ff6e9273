// Done when (#23): "`report --prometheus` of the same window agrees with [the file report] within one
// sample". One loopback pool endpoint, its pool saturated for five seconds by the clock, read at once by
// `lifeguard record` (every second) and scraped by a real Prometheus (every second); then `report` of
// the recording and `report --prometheus` of the recording's window. Peak busy/max, peak waiting and
// timeouts are equal; the time at max and with a queue within one sample (1 s).
import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {hikariExposition, PROMETHEUS_MISSING, prometheusBinary, startFixtureServer, startPrometheus} from '../helpers/prometheus.js';
import {externalServer, pollUntil, startEmbeddedPostgres} from '../helpers/postgres.js';
import {ensureBuilt, runCli} from '../cli/helpers.js';

const missing = prometheusBinary() === null ? PROMETHEUS_MISSING : null;
const RECORD_SECONDS = 12;
const CALM_MS = 4000;
const SATURATED_MS = 5000;
/** The pool's timeouts: one every 250 ms while saturated. */
const TIMEOUT_EVERY_MS = 250;

type Row = {busy: string; waiting: number; timeouts: number; atMaxSeconds: number; queuedSeconds: number};

/** A pool's row of the report's Markdown table: `| name | 10/10 at … | 0 | 30 at … | 20 | 5 s (41%) | 5 s (41%) |`. */
function poolRow(markdown: string, name: string): Row {
	const line = markdown.split('\n').find(each => each.startsWith(`| ${name} |`));
	assert.ok(line, `no row for ${name} in:\n${markdown}`);
	const cells = line.split('|').map(cell => cell.trim()).slice(1, -1);
	const seconds = (cell: string) => {
		const match = /^(?:(\d+) min ?)?(?:(\d+(?:\.\d+)?) s)?/.exec(cell)!;
		return (Number(match[1] ?? 0) * 60) + Number(match[2] ?? 0);
	};

	return {busy: cells[1]!.split(' ')[0]!, waiting: Number(cells[3]!.split(' ')[0]), timeouts: Number(cells[4]), atMaxSeconds: seconds(cells[5]!), queuedSeconds: seconds(cells[6]!)};
}

test('report --prometheus of a recording\'s window agrees with the report of the recording within one sample', {timeout: 120_000}, async t => {
	if (missing) {
		t.skip(missing);
		return;
	}

	ensureBuilt();
	let saturatedFromMs = Number.POSITIVE_INFINITY;
	const body = () => {
		const intoMs = Date.now() - saturatedFromMs;
		const isSaturated = intoMs >= 0 && intoMs < SATURATED_MS;
		const timeouts = intoMs < 0 ? 0 : Math.floor(Math.min(intoMs, SATURATED_MS) / TIMEOUT_EVERY_MS);
		return hikariExposition([{pool: 'HikariPool-1', max: 10, active: isSaturated ? 10 : 2, idle: isSaturated ? 0 : 8, pending: isSaturated ? 30 : 0, timeouts}]);
	};

	const app = await startFixtureServer(body);
	const dir = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-report-agreement-'));
	const external = externalServer();
	const cleanups: Array<() => Promise<unknown>> = [async () => app.stop(), async () => rm(dir, {recursive: true, force: true})];
	try {
		const server = external ?? await startEmbeddedPostgres();
		cleanups.push(async () => server.stop());
		const prometheus = await startPrometheus([{job: 'orders', targets: [app.target]}], {intervalSeconds: 1});
		cleanups.push(async () => prometheus.stop());
		await pollUntil(async () => (await prometheus.seriesCount('hikaricp_connections_max')) > 0, {timeoutMs: 20_000, everyMs: 200, what: 'Prometheus to scrape the pool'});

		const file = path.join(dir, 'load-test.jsonl');
		saturatedFromMs = Date.now() + CALM_MS;
		const recorded = await runCli(['record', '--for', `${RECORD_SECONDS}s`, '--interval', '1', '--out', file, '--db', server.url, '--pool', `http://${app.target}/metrics`], {timeoutMs: (RECORD_SECONDS + 30) * 1000});
		assert.equal(recorded.code, 0, recorded.stderr);
		const lines = (await readFile(file, 'utf8')).trim().split('\n').map(line => JSON.parse(line) as {startedAt?: string; at?: string});
		const [fromText, toText] = [lines[0]!.startedAt!, lines.at(-1)!.at!];
		// Prometheus holds the window once it has scraped past its end.
		await pollUntil(async () => {
			const response = await fetch(`${prometheus.url}/api/v1/query?${new URLSearchParams({query: 'max(timestamp(hikaricp_connections_max))'}).toString()}`);
			const answer = await response.json() as {data?: {result?: Array<{value: [number, string]}>}};
			return Number(answer.data?.result?.[0]?.value[1] ?? 0) * 1000 > Date.parse(toText) + 1000;
		}, {timeoutMs: 20_000, everyMs: 200, what: 'Prometheus to scrape past the recording'});

		const fromFile = await runCli(['report', file], {timeoutMs: 30_000});
		const fromPrometheus = await runCli(['report', '--prometheus', prometheus.url, '--from', fromText, '--to', toText], {timeoutMs: 60_000});
		const context = `recording:\n${fromFile.stdout}${fromFile.stderr}\nPrometheus:\n${fromPrometheus.stdout}${fromPrometheus.stderr}`;
		assert.equal(fromFile.code, 1, context);
		assert.equal(fromPrometheus.code, 1, context);
		const recordRow = poolRow(fromFile.stdout, 'HikariPool-1');
		const prometheusRow = poolRow(fromPrometheus.stdout, 'orders/HikariPool-1');
		t.diagnostic(`recording ${JSON.stringify(recordRow)}; Prometheus ${JSON.stringify(prometheusRow)}`);
		assert.deepEqual({busy: recordRow.busy, waiting: recordRow.waiting, timeouts: recordRow.timeouts}, {busy: '10/10', waiting: 30, timeouts: SATURATED_MS / TIMEOUT_EVERY_MS}, context);
		assert.deepEqual({busy: prometheusRow.busy, waiting: prometheusRow.waiting, timeouts: prometheusRow.timeouts}, {busy: '10/10', waiting: 30, timeouts: SATURATED_MS / TIMEOUT_EVERY_MS}, context);
		for (const field of ['atMaxSeconds', 'queuedSeconds'] as const) {
			assert.ok(Math.abs(recordRow[field] - prometheusRow[field]) <= 1, `${field}: recording ${recordRow[field]} s, Prometheus ${prometheusRow[field]} s\n${context}`);
			assert.ok(Math.abs(prometheusRow[field] - (SATURATED_MS / 1000)) <= 1, `${field}: ${prometheusRow[field]} s, saturated for ${SATURATED_MS / 1000} s\n${context}`);
		}
	} finally {
		for (const cleanup of cleanups.reverse()) {
			await cleanup();
		}
	}
});
