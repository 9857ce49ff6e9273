// `lifeguard timeline FILE`: a recorded incident log (JSON Lines) as Markdown, through the built binary.
import assert from 'node:assert/strict';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {assertOneLineFailure, ensureBuilt, nonEmptyLines, runCli} from './helpers.js';

const numbers = {server: {used: 34, usable: 37}, pools: [{name: 'api', active: 10, max: 10, waiting: 7}]};
const EVENTS = [
	{at: '2026-03-14T09:58:00.000Z', type: 'start', target: 'postgres://app:***@127.0.0.1:5432/app', version: '18.4', limits: {maxConnections: 40, superuserReserved: 3, reservedForRole: 0, usable: 37}},
	{at: '2026-03-14T10:02:10.000Z', type: 'level', subject: 'server', from: 'ok', to: 'warning', numbers},
	{at: '2026-03-14T10:03:00.000Z', type: 'flag', note: 'deploy 4711 rolled out', numbers, findings: [{code: 'pool-saturated', level: 'critical', subject: 'api'}]},
	{at: '2026-03-14T10:04:30.000Z', type: 'terminate', sessions: [
		{pid: 4242, user: 'app', application: 'api', state: 'idle in transaction', outcome: 'done'},
		{pid: 4243, user: 'app', application: 'api', state: 'idle', outcome: 'skipped', reason: 'changed'},
	]},
	{at: '2026-03-14T10:09:00.000Z', type: 'quit'},
];

describe('lifeguard timeline', () => {
	let dir = '';

	before(async () => {
		ensureBuilt();
		dir = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-cli-timeline-'));
	});

	after(async () => {
		await rm(dir, {recursive: true, force: true});
	});

	test('renders a recorded log as Markdown bullets, one per event, in order', async () => {
		const file = path.join(dir, 'incident.jsonl');
		await writeFile(file, `${EVENTS.map(event => JSON.stringify(event)).join('\n')}\n`);
		const result = await runCli(['timeline', file]);
		assert.equal(result.code, 0, result.stderr);
		assert.equal(result.stderr, '');
		const markdown = result.stdout;
		assert.match(markdown, /^# Incident timeline$/m);
		assert.match(markdown, /^Span: 2026-03-14 09:58:00 to 10:09:00 UTC \(11 min\)$/m);
		const bullets = nonEmptyLines(markdown).filter(line => /^- \*\*\d\d:/.test(line));
		assert.equal(bullets.length, EVENTS.length, markdown);
		assert.match(bullets[0]!, /^- \*\*09:58:00 UTC:\*\* Started watching .*PostgreSQL 18\.4.*37 usable of 40/);
		assert.match(bullets[1]!, /^- \*\*10:02:10 UTC:\*\* Server went from ok to warning \(34\/37 connections\)/);
		assert.match(bullets[2]!, /^- \*\*10:03:00 UTC:\*\* Flag: "deploy 4711 rolled out"/);
		// An action names what it acted on and what came of it.
		assert.equal(bullets[3]!, '- **10:04:30 UTC:** Terminated 1 session: pid 4242 (user app, application api, idle in transaction); skipped 1: pid 4243 (user app, application api, idle; changed)');
		assert.match(bullets[4]!, /^- \*\*10:09:00 UTC:\*\* Stopped watching/);
		assert.match(markdown, /^- \*\*Fix:\*\* none that cleared it; first tried at 10:04:30 UTC: Terminated 1 session: pid 4242 /m);
		assert.doesNotMatch(markdown, /Skipped/);
	});

	test('an unreadable line is counted, not fatal, and a password in a hand-edited log is masked', async () => {
		const file = path.join(dir, 'edited.jsonl');
		const edited = [
			JSON.stringify({...EVENTS[0], target: 'postgres://app:hunter22@db:5432/app'}),
			'{"this is not json',
			JSON.stringify(EVENTS[4]),
		];
		await writeFile(file, `${edited.join('\n')}\n`);
		const result = await runCli(['timeline', file]);
		assert.equal(result.code, 0, result.stderr);
		assert.doesNotMatch(result.stdout, /hunter22/);
		assert.match(result.stdout, /postgres:\/\/app:\*\*\*@db:5432\/app/);
		assert.match(result.stdout, /_Skipped 1 line that was not a valid log event\._/);
		assert.equal(nonEmptyLines(result.stdout).filter(line => /^- \*\*\d\d:/.test(line)).length, 2);
	});

	test('a line that breaks the contract (a pid that is an object) is skipped: exit 0, no stack trace', async () => {
		const file = path.join(dir, 'hostile.jsonl');
		await writeFile(file, `${JSON.stringify(EVENTS[0])}\n{"at":"2026-03-14T10:00:00Z","type":"terminate","sessions":[{"pid":{"toString":1},"outcome":"done"}]}\n${JSON.stringify(EVENTS[4])}\n`);
		const result = await runCli(['timeline', file]);
		assert.equal(result.code, 0, result.stderr);
		assert.equal(result.stderr, '');
		assert.match(result.stdout, /_Skipped 1 line that was not a valid log event\._/);
		assert.equal(nonEmptyLines(result.stdout).filter(line => /^- \*\*\d\d:/.test(line)).length, 2);
	});

	test('--json: the same events for tools, one document; --markdown is the default form; both: one line, exit 2', async () => {
		const file = path.join(dir, 'json.jsonl');
		await writeFile(file, `${EVENTS.map(event => JSON.stringify(event)).join('\n')}\n`);
		const json = await runCli(['timeline', file, '--json']);
		assert.equal(json.code, 0, json.stderr);
		const document = JSON.parse(json.stdout) as {summary: {firstSign: {at: string; level: string}; clearedAt: string | null}; events: Array<{at: string; type: string}>; openAtEnd: unknown; skipped: number};
		assert.deepEqual(document.events.map(event => [event.at, event.type]), EVENTS.map(event => [event.at, event.type]));
		assert.deepEqual([document.summary.firstSign.at, document.summary.firstSign.level, document.summary.clearedAt], ['2026-03-14T10:02:10.000Z', 'warning', null]);
		assert.equal(document.skipped, 0);
		const markdown = await runCli(['timeline', file, '--markdown']);
		assert.equal(markdown.stdout, (await runCli(['timeline', file])).stdout);
		assertOneLineFailure(await runCli(['timeline', file, '--json', '--markdown']), 2, /--markdown and --json/);
	});

	test('a missing file: one line, exit 1', async () => {
		const missing = path.join(dir, 'no-such-log.jsonl');
		const result = await runCli(['timeline', missing]);
		assertOneLineFailure(result, 1, /no-such-log\.jsonl/);
		assert.match(result.stderr, /ENOENT/);
		assert.equal(result.stdout, '');
	});

	test('a directory instead of a file: one line, exit 1', async () => {
		const result = await runCli(['timeline', dir]);
		assertOneLineFailure(result, 1, /EISDIR/);
	});
});
