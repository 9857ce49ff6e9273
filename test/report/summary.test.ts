// A recording folded into its report: peaks, counters, time at max, findings' spans, the CI verdict,
// and the Markdown and HTML made from them, outside text escaped. Pure, from lines as `record` writes them.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {reportHtml} from '../../source/report/html.js';
import {reportMarkdown} from '../../source/report/markdown.js';
import {parseHeader, type PoolSample, type RecordingHeader, type RecordingSample, SAMPLE_CAPS} from '../../source/report/recording.js';
import {createReportBuilder, type ReportModel, reportVerdict} from '../../source/report/summary.js';

const START_MS = Date.parse('2026-03-14T10:00:00.000Z');
const HEADER: RecordingHeader = {lifeguard: 'recording', version: 1, startedAt: new Date(START_MS).toISOString(), intervalSeconds: 1, forSeconds: 10, target: 'postgres://app:***@127.0.0.1:5432/app', warnPercent: 80, criticalPercent: 95, caps: SAMPLE_CAPS};

function pool(name: string, numbers: Partial<PoolSample>): PoolSample {
	return {name, level: 'ok', max: 10, active: 0, idle: 10, waiting: 0, timeoutsTotal: 0, error: null, ...numbers};
}

function sample(second: number, input: {used?: number | null; pools?: PoolSample[]; findings?: RecordingSample['findings']}): string {
	const value: RecordingSample = {
		type: 'sample',
		at: new Date(START_MS + (second * 1000)).toISOString(),
		server: input.used === null ? null : {connections: input.used ?? 10, usable: 97, maxConnections: 100, free: 97 - (input.used ?? 10), active: 1, idle: 1, idleInTransaction: 0, lockWaiting: 0},
		serverError: input.used === null ? 'connection refused' : null,
		level: 'ok',
		pools: input.pools ?? [],
		poolsOmitted: 0,
		groups: [],
		groupsOmitted: 0,
		findings: input.findings ?? [],
		findingsOmitted: 0,
	};
	return JSON.stringify(value);
}

function modelOf(lines: readonly string[], header: RecordingHeader = HEADER, warnRatio = 0.8): ReportModel {
	const builder = createReportBuilder(header, warnRatio);
	for (const line of lines) {
		builder.add(line);
	}

	return builder.finish();
}

const saturated = {code: 'pool-saturated', level: 'critical', kind: 'pool', subject: 'api', message: 'Pool api is saturated: 10/10 busy, 7 waiting'} as const;

describe('report summary', () => {
	test('peaks, timeouts across a counter reset, time at max and with a queue, findings first and last', () => {
		const model = modelOf([
			sample(0, {used: 20, pools: [pool('api', {active: 4, timeoutsTotal: 100})]}),
			sample(1, {used: 40, pools: [pool('api', {active: 10, waiting: 3, timeoutsTotal: 103})], findings: [saturated]}),
			sample(2, {used: 82, pools: [pool('api', {active: 10, waiting: 7, timeoutsTotal: 110})], findings: [saturated]}),
			// The application restarted: its counter starts again at 2, which are 2 more timeouts.
			sample(3, {used: 30, pools: [pool('api', {active: 6, waiting: 0, timeoutsTotal: 2})]}),
			JSON.stringify({type: 'end', at: new Date(START_MS + 4000).toISOString(), samples: 4}),
		]);
		assert.equal(model.samples, 4);
		assert.equal(model.isComplete, true);
		assert.deepEqual(model.server.peak, {used: 82, usable: 97, ratio: 82 / 97, atMs: START_MS + 2000});
		assert.equal(model.server.overWarnMs, 1000);
		const [api] = model.pools;
		assert.deepEqual(api!.peakBusy, {value: 10, atMs: START_MS + 1000, max: 10});
		assert.deepEqual(api!.peakWaiting, {value: 7, atMs: START_MS + 2000});
		assert.equal(api!.timeouts, 3 + 7 + 2);
		assert.equal(api!.saturatedMs, 2000);
		assert.equal(api!.queuedMs, 2000);
		assert.equal(api!.headroom, 0);
		assert.deepEqual(model.findings.map(({code, firstMs, lastMs, samples}) => ({code, firstMs, lastMs, samples})), [{code: 'pool-saturated', firstMs: START_MS + 1000, lastMs: START_MS + 2000, samples: 2}]);
		const verdict = reportVerdict(model);
		assert.equal(verdict.exitCode, 1);
		assert.equal(verdict.line, 'FAIL: pool queued: api peak 10/10 busy, 7 waiting, 12 timeouts; server peak 82/97 used (85%), at or above --warn 80%');
	});

	test('a quiet recording passes, with its numbers; a server at --warn alone fails', () => {
		const quiet = modelOf([0, 1, 2].map(second => sample(second, {used: 12, pools: [pool('api', {active: 3})]})));
		assert.deepEqual(reportVerdict(quiet), {exitCode: 0, line: 'OK: no pool queued: api peak 3/10 busy, 0 waiting, 0 timeouts; server peak 12/97 used (12%), under --warn 80%'});
		const strict = modelOf([0, 1, 2].map(second => sample(second, {used: 12, pools: [pool('api', {active: 3})]})), HEADER, 0.12);
		assert.equal(reportVerdict(strict).exitCode, 1, '12/97 is 12.4%: at or above a --warn of 12%');
		assert.equal(strict.server.overWarnMs, 3000);
	});

	test('what a source does not expose stays unknown: no invented zero, no pass without the server', () => {
		const model = modelOf([0, 1].map(second => sample(second, {used: null, pools: [pool('api', {waiting: null, timeoutsTotal: null})]})));
		assert.equal(model.pools[0]!.peakWaiting, null);
		assert.equal(model.pools[0]!.timeouts, null);
		const verdict = reportVerdict(model);
		assert.equal(verdict.exitCode, 1);
		assert.match(verdict.line, /waiting not exposed; the server was never read$/);
		assert.match(reportMarkdown(model, verdict), /\| api \| 0\/10 at 10:00:00 \| 10 \| n\/a \| n\/a \|/);
	});

	test('lines that are not samples are skipped and counted; values of the wrong type read as unknown', () => {
		const hostile = JSON.stringify({type: 'sample', at: new Date(START_MS + 1000).toISOString(), server: 'x', pools: [null, 7, {name: {}, active: '9', max: -1, waiting: Number.MAX_VALUE}], findings: [null]});
		const model = modelOf([sample(0, {used: 10}), '{"type":"sample","at":', 'not json', hostile]);
		assert.equal(model.skippedLines, 2);
		assert.equal(model.samples, 2);
		assert.equal(model.pools[0]!.peakBusy, null);
		assert.equal(model.pools[0]!.peakWaiting?.value, Number.MAX_VALUE);
		assert.equal(model.isComplete, false);
		assert.match(reportMarkdown(model, reportVerdict(model)), /2 lines could not be read and were skipped/);
	});

	test('the header: a recording of ours, of a version this lifeguard reads', () => {
		assert.deepEqual(parseHeader('{"type":"start"}'), {error: 'not a lifeguard recording (no recording header on its first line)'});
		assert.deepEqual(parseHeader('PGDMP'), {error: 'not a lifeguard recording (its first line is not JSON)'});
		assert.deepEqual(parseHeader(JSON.stringify({...HEADER, version: 2})), {error: 'a recording of version 2; this lifeguard reads version 1'});
		assert.equal((parseHeader(JSON.stringify(HEADER)) as RecordingHeader).version, 1);
	});

	test('outside text renders as itself in Markdown and in HTML', () => {
		const name = '<img src=x onerror=alert(1)>|[x](javascript:1)"\'';
		const finding = {...saturated, subject: name, message: `Pool ${name} is saturated`};
		const model = modelOf([sample(0, {pools: [pool(name, {active: 10, waiting: 2})], findings: [finding]})], {...HEADER, target: 'postgres://a\u001B[2J@h/db'});
		const verdict = reportVerdict(model);
		const markdown = reportMarkdown(model, verdict);
		assert.ok(!markdown.includes('<img'), markdown);
		assert.ok(markdown.includes(String.raw`&lt;img src=x onerror=alert(1)&gt;\|\[x\](javascript:1)`), markdown);
		assert.ok(!markdown.includes('\u001B'), 'no escape sequence from the header reaches the terminal');
		const html = reportHtml(model, verdict);
		assert.ok(!html.includes('<img') && !html.includes('<script') && !/\bsrc=["']?http/.test(html), 'no element from outside text, nothing fetched');
		assert.ok(html.includes('&#60;img src=x onerror=alert(1)&#62;|[x](javascript:1)&#34;&#39;'));
		assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/);
	});

	test('the HTML draws one chart per pool and one of the server, each series a non-empty path', () => {
		const lines = [0, 1, 2, 3].map(second => sample(second, {used: 10 + second, pools: [pool('api', {active: second}), pool('jobs', {active: 1, waiting: second})]}));
		const html = reportHtml(modelOf(lines), {exitCode: 1, line: 'FAIL'});
		assert.equal(html.match(/<svg class="chart"/g)?.length, 3);
		const paths = [...html.matchAll(/<path class="series" d="([^"]*)"/g)].map(match => match[1]!);
		// The server: used, usable; each pool: busy, max, waiting.
		assert.equal(paths.length, 2 + (2 * 3));
		assert.ok(paths.every(d => /^M[\d.]+ [\d.]+ h2( L[\d.]+ [\d.]+){3}$/.test(d)), paths.join('\n'));
	});
});
