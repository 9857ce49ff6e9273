// Issue 22: a timeline that tells the story, on synthetic logs. A clear after a stand is its own line
// with its course; only changes seconds apart fold into "flapped", and the fold says how it ended; the
// summary names the first sign, the first critical, the fix, the recovery and the peaks; the last line
// says what was still open; --json holds the same entries.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {LogEvent} from '../../source/judge/log-events.js';
import {renderTimeline} from '../../source/output/timeline.js';
import {streamTimeline} from '../../source/output/timeline-stream.js';

const BASE = Date.UTC(2025, 2, 14, 11, 15, 0);
const at = (second: number) => new Date(BASE + second * 1000).toISOString();
const pool = {kind: 'pool', name: 'checkout'} as const;
const row = (active: number, max: number, waiting: number) => ({pools: [{name: 'checkout', active, max, waiting, waitsPerSecond: null, timeoutsPerMinute: null}]});
const level = (second: number, from: 'ok' | 'warning' | 'critical', to: 'ok' | 'warning' | 'critical', numbers = row(5, 5, 40), extra: Partial<Extract<LogEvent, {type: 'level'}>> = {}): LogEvent =>
	({at: at(second), type: 'level', subject: pool, from, to, ...(to === 'ok' ? {} : {code: 'pool-saturated', message: 'saturated'}), numbers, ...extra});
const start: LogEvent = {at: at(0), type: 'start', target: 'postgres://app:***@db/app', version: '16.4', limits: null};
const jsonl = (events: readonly LogEvent[]) => events.map(event => JSON.stringify(event)).join('\n');
const bullets = (markdown: string) => markdown.split('\n').filter(line => /^- \*\*\d{2}:\d{2}:\d{2} UTC:\*\*/.test(line));
const summary = (markdown: string) => markdown.split('\n').filter(line => /^- \*\*[A-Z][a-z ]+:\*\* /.test(line));

/** The incident of the issue: saturated, flagged, a session terminated, drained, cleared, back a second later. */
const INCIDENT: LogEvent[] = [
	start,
	level(2, 'ok', 'warning', row(5, 5, 3)),
	level(4, 'warning', 'critical', row(5, 5, 12)),
	{at: at(60), type: 'flag', note: 'raising the pool', numbers: {server: {used: 40, usable: 97}, pools: row(5, 5, 140).pools}, findings: [{code: 'pool-saturated', level: 'critical', subject: pool}]},
	{at: at(90), type: 'terminate', sessions: [{pid: 27_869, user: 'shop', application: 'checkout', state: 'idle in transaction', outcome: 'done'}]},
	{at: at(100), type: 'terminate', sessions: [{pid: 27_870, user: 'shop', application: 'checkout', state: 'idle', outcome: 'skipped', reason: 'changed'}]},
	level(256, 'critical', 'ok', row(12, 25, 0), {course: {what: 'waiting', from: 12, fromAt: at(4), peak: 150, peakAt: at(61)}}),
	level(257, 'ok', 'warning', row(5, 5, 3)),
	level(258, 'warning', 'critical', row(5, 5, 20)),
	{at: at(300), type: 'quit', findings: [{code: 'pool-saturated', level: 'critical', subject: pool}]},
];

describe('a clear is its own line, with its course', () => {
	it('the issue\'s run: every change its own line to the second, the clear with how long it stood and its peak', () => {
		const {markdown} = renderTimeline(jsonl(INCIDENT));
		assert.deepEqual(bullets(markdown), [
			'- **11:15:00 UTC:** Started watching `postgres://app:***@db/app` (PostgreSQL 16.4)',
			'- **11:15:02 UTC:** Pool checkout went from ok to warning (5/5 busy, 3 waiting): saturated',
			'- **11:15:04 UTC:** Pool checkout went from warning to critical (5/5 busy, 12 waiting): saturated',
			'- **11:16:00 UTC:** Flag: "raising the pool" (server 40/97, checkout 5/5 busy 140 waiting); open findings: pool-saturated (checkout)',
			'- **11:16:30 UTC:** Terminated 1 session: pid 27869 (user shop, application checkout, idle in transaction)',
			'- **11:16:40 UTC:** Terminated 0 sessions; skipped 1: pid 27870 (user shop, application checkout, idle; changed)',
			'- **11:19:16 UTC:** Pool checkout cleared (critical to ok) after 4 min 14 s, 12/25 busy, 0 waiting; peak 150 waiting at 11:16:01 (from 12 at 11:15:04)',
			'- **11:19:17 UTC:** Pool checkout went from ok to warning (5/5 busy, 3 waiting): saturated',
			'- **11:19:18 UTC:** Pool checkout went from warning to critical (5/5 busy, 20 waiting): saturated',
			'- **11:20:00 UTC:** Stopped watching; still open: pool-saturated (checkout)',
		]);
		assert.equal(markdown.trimEnd().split('\n').at(-1), '**Open when watching stopped:** pool-saturated (checkout)', 'the last line');
	});

	it('the summary: first sign, first critical, the fix, the recovery, what came back, the peaks', () => {
		const {markdown} = renderTimeline(jsonl(INCIDENT));
		assert.deepEqual(summary(markdown), [
			'- **First sign:** 11:15:02 UTC: Pool checkout warning (5/5 busy, 3 waiting), pool-saturated',
			'- **First critical:** 11:15:04 UTC: Pool checkout critical (5/5 busy, 12 waiting), pool-saturated',
			'- **Fix:** 11:16:30 UTC: Terminated 1 session: pid 27869 (user shop, application checkout, idle in transaction)',
			'- **Recovered:** 11:19:16 UTC, 4 min 14 s after the first sign (2 min 46 s after the fix); everything ok',
			'- **Came back:** 11:19:17 UTC: Pool checkout warning (5/5 busy, 3 waiting), pool-saturated',
			'- **Peak:** 150 waiting in pool checkout at 11:16:01 UTC; server 40/97 connections at 11:16:00 UTC',
		]);
		assert.ok(markdown.indexOf('## Summary') < markdown.indexOf('- **11:15:00 UTC:**'), 'the summary first');
	});

	it('recovered means everything ok: one subject clearing while another stands is no recovery', () => {
		const server = (second: number, from: 'ok' | 'critical', to: 'ok' | 'critical'): LogEvent => ({at: at(second), type: 'level', subject: {kind: 'server'}, from, to, numbers: {server: {used: 95, usable: 97}}});
		const {markdown} = renderTimeline(jsonl([start, level(2, 'ok', 'critical'), server(3, 'ok', 'critical'), level(60, 'critical', 'ok', row(1, 5, 0)), server(90, 'critical', 'ok')]));
		assert.match(markdown, /^- \*\*Recovered:\*\* 11:16:30 UTC, 1 min 28 s after the first sign; everything ok$/m);
		assert.match(markdown, /^- \*\*Fix:\*\* no action or change in the log before it cleared$/m);
		assert.match(markdown, /^- \*\*Peak:\*\* 40 waiting in pool checkout at 11:15:02 UTC; server 95\/97 connections at 11:15:03 UTC$/m);
		assert.equal(markdown.trimEnd().split('\n').at(-1), '**Open when watching stopped:** not known: the log has no quit line (lifeguard was killed, or the log was cut short)');
	});

	it('never cleared: said so, and the action tried is named as tried', () => {
		const {markdown} = renderTimeline(jsonl([start, level(2, 'ok', 'critical'), INCIDENT[4]!, {at: at(9), type: 'quit', findings: []}]));
		assert.match(markdown, /^- \*\*Fix:\*\* none that cleared it; first tried at 11:16:30 UTC: Terminated 1 session: pid 27869 /m);
		assert.match(markdown, /^- \*\*Recovered:\*\* no: still open when the log ends$/m);
		assert.match(markdown, /Stopped watching; nothing open$/m);
		assert.equal(markdown.trimEnd().split('\n').at(-1), '**Open when watching stopped:** nothing');
	});
});

describe('only changes seconds apart fold, and the fold says how it ended', () => {
	it('changes 20 s apart: each its own line', () => {
		const events = [start, ...Array.from({length: 6}, (_, index) => level(10 + index * 20, index % 2 ? 'critical' : 'ok', index % 2 ? 'ok' : 'critical'))];
		const lines = bullets(renderTimeline(jsonl(events)).markdown);
		assert.equal(lines.length, 7);
		assert.doesNotMatch(lines.join('\n'), /flapped/);
	});

	it('changes a second apart: one line with its span, where it ended and when; the long clear before it stays its own', () => {
		const events = [
			start,
			level(2, 'ok', 'critical'),
			level(100, 'critical', 'ok', row(1, 5, 0)),
			...[101, 102, 103, 104, 105].map((second, index) => level(second, index % 2 ? 'critical' : 'ok', index % 2 ? 'ok' : 'critical', row(5, 5, second - 90))),
		];
		const lines = bullets(renderTimeline(jsonl(events)).markdown);
		assert.deepEqual(lines.slice(2), [
			'- **11:16:40 UTC:** Pool checkout cleared (critical to ok) after 1 min 38 s, 1/5 busy, 0 waiting',
			'- **11:16:41 UTC:** Pool checkout flapped 5 times between ok and critical from 11:16:41 to 11:16:45 UTC; ended critical at 11:16:45 (5/5 busy, 15 waiting)',
		]);
	});

	it('the log\'s own fold line carries on a run; alone, one folded change reads as one change', () => {
		const fold = (second: number, count: number, from: number, last: string): LogEvent =>
			({at: at(second), type: 'fold', reason: 'flapping', subject: pool, count, from: at(from), to: at(second - 1), last, numbers: row(5, 5, 9)});
		const joined = bullets(renderTimeline(jsonl([start, level(1, 'ok', 'critical'), level(2, 'critical', 'ok'), level(3, 'ok', 'critical'), fold(20, 6, 4, 'ok')])).markdown);
		assert.deepEqual(joined.slice(1), ['- **11:15:01 UTC:** Pool checkout flapped 9 times between ok and critical from 11:15:01 to 11:15:19 UTC; ended ok at 11:15:19 (5/5 busy, 9 waiting)']);
		const alone = bullets(renderTimeline(jsonl([start, {at: at(40), type: 'fold', reason: 'flapping', subject: pool, count: 1, from: at(30), to: at(30), last: 'critical', numbers: row(5, 5, 9)}])).markdown);
		assert.deepEqual(alone.slice(1), ['- **11:15:40 UTC:** Pool checkout changed once more at 11:15:30 UTC (folded in the log): critical (5/5 busy, 9 waiting)']);
	});
});

describe('--json: the same entries for tools', () => {
	it('one document: the summary, each entry as the log wrote it, a clear with how long it stood, a run as one entry', () => {
		const events = [...INCIDENT.slice(0, -1), ...[259, 260, 261].map((second, index) => level(second, index % 2 ? 'ok' : 'critical', index % 2 ? 'critical' : 'ok', row(1, 5, 0))), INCIDENT.at(-1)!];
		const document = JSON.parse(renderTimeline(jsonl(events)).json) as {
			summary: {firstSign: {at: string}; firstCritical: {at: string}; fix: {type: string; at: string}; clearedAt: string; recoveredAfterSeconds: number; peak: {waiting: {value: number; at: string}}};
			events: Array<Record<string, unknown>>;
			openAtEnd: unknown[];
			skipped: number;
		};
		assert.deepEqual([document.summary.firstSign.at, document.summary.firstCritical.at, document.summary.fix.type, document.summary.fix.at, document.summary.clearedAt, document.summary.recoveredAfterSeconds], [at(2), at(4), 'terminate', at(90), at(256), 254]);
		assert.deepEqual(document.summary.peak.waiting, {value: 150, pool: 'checkout', at: at(61)});
		const clear = document.events.find(event => event['type'] === 'level' && event['to'] === 'ok');
		assert.equal(clear?.['clearedAfterSeconds'], 254);
		const flapped = document.events.find(event => event['type'] === 'flapped');
		assert.deepEqual(flapped && [flapped['count'], flapped['from'], flapped['to'], flapped['last']], [5, at(257), at(261), 'ok']);
		assert.deepEqual(document.openAtEnd, [{code: 'pool-saturated', level: 'critical', subject: pool}]);
		assert.equal(document.skipped, 0);
	});

	it('text others control: masked, and no control character in the output', () => {
		const hostile = 'postgres://u:hunter2@h/db \u001B]0;pwned\u0007\u202E';
		const {json} = renderTimeline(jsonl([{...start, target: hostile}, {at: at(1), type: 'flag', note: hostile, numbers: {server: null, pools: []}, findings: []}]));
		assert.doesNotMatch(json, /hunter2/);
		assert.doesNotMatch(json.replaceAll('\n', ''), /[\u0000-\u001F\u007F-\u009F\u202E]/);
		const document = JSON.parse(json) as {events: Array<{note?: string}>};
		assert.equal(document.events[1]?.note, 'postgres://u:***@h/db \u001B]0;pwned\u0007\u202E', 'exact once parsed');
	});

	it('streamed, it is the document held in memory', async () => {
		let output = '';
		const bytes = Buffer.from(jsonl(INCIDENT), 'utf8');
		await streamTimeline(async function * () {
			yield bytes.subarray(0, 100);
			yield bytes.subarray(100);
		}, async piece => {
			output += piece;
		}, {format: 'json'});
		assert.equal(output, `${renderTimeline(jsonl(INCIDENT)).json}\n`);
	});

	it('a log read once (a pipe): the same entries, the summary at the end', async () => {
		for (const format of ['markdown', 'json'] as const) {
			let output = '';
			let opened = 0;
			await streamTimeline(async function * () {
				opened++;
				yield Buffer.from(jsonl(INCIDENT), 'utf8');
			}, async piece => {
				output += piece;
			}, {format, isRereadable: false});
			assert.equal(opened, 1, 'read once');
			if (format === 'json') {
				assert.deepEqual(JSON.parse(output), JSON.parse(renderTimeline(jsonl(INCIDENT)).json));
			} else {
				assert.deepEqual(bullets(output), bullets(renderTimeline(jsonl(INCIDENT)).markdown));
				assert.deepEqual(summary(output), summary(renderTimeline(jsonl(INCIDENT)).markdown));
				assert.ok(output.indexOf('## Summary') > output.indexOf('Stopped watching'), 'the summary after the events');
				assert.match(output, /_The summary comes last: the log was read once \(a pipe\), as it streamed\._/);
			}
		}
	});
});
