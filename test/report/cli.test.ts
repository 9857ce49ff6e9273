// `lifeguard record` and `lifeguard report` through the built binary, without a server: bad input is
// one line and exit 2; a recording's report is Markdown on stdout, the verdict on stderr, its exit
// code for CI, and the HTML page a new 0600 file.
import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm, stat, symlink, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {SAMPLE_CAPS} from '../../source/report/recording.js';
import {assertOneLineFailure, ensureBuilt, nonEmptyLines, runCli} from '../cli/helpers.js';

const START = '2026-03-14T10:00:00.000Z';
const header = {lifeguard: 'recording', version: 1, startedAt: START, intervalSeconds: 1, forSeconds: 3, target: 'postgres://app:***@127.0.0.1:5432/app', warnPercent: 80, criticalPercent: 95, caps: SAMPLE_CAPS};

function recording(waiting: number): string {
	const samples = [0, 1, 2].map(second => ({
		type: 'sample',
		at: new Date(Date.parse(START) + (second * 1000)).toISOString(),
		server: {connections: 20, usable: 97, maxConnections: 100, free: 77, active: 5, idle: 15, idleInTransaction: 0, lockWaiting: 0},
		serverError: null,
		level: 'ok',
		pools: [{name: 'checkout', level: 'ok', max: 5, active: 3 + second, idle: 1, waiting: second === 1 ? waiting : 0, timeoutsTotal: 0, error: null}],
		poolsOmitted: 0,
		groups: [],
		groupsOmitted: 0,
		findings: [],
		findingsOmitted: 0,
	}));
	return `${[header, ...samples, {type: 'end', at: START, samples: 3}].map(line => JSON.stringify(line)).join('\n')}\n`;
}

describe('lifeguard record and report: the command line', () => {
	let dir = '';
	const file = (name: string) => path.join(dir, name);

	before(async () => {
		ensureBuilt();
		dir = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-report-cli-'));
		await writeFile(file('queued.jsonl'), recording(4));
		await writeFile(file('quiet.jsonl'), recording(0));
		await writeFile(file('empty.jsonl'), '');
		await writeFile(file('header-only.jsonl'), `${JSON.stringify(header)}\n`);
		await writeFile(file('incident-log.jsonl'), '{"at":"2026-03-14T09:58:00.000Z","type":"start"}\n');
		await writeFile(file('future.jsonl'), `${JSON.stringify({...header, version: 9})}\n`);
		await writeFile(file('taken.jsonl'), 'an earlier recording\n');
		await symlink(file('quiet.jsonl'), file('link.jsonl'));
	});

	after(async () => {
		await rm(dir, {recursive: true, force: true});
	});

	test('bad input: one line, exit 2', async () => {
		const cases: Array<[string[], RegExp]> = [
			[['report', file('missing.jsonl')], /^lifeguard: cannot read .*missing\.jsonl: no such file or directory$/],
			[['report', file('empty.jsonl')], /empty\.jsonl: not a lifeguard recording \(it is empty\)$/],
			[['report', file('incident-log.jsonl')], /incident-log\.jsonl: not a lifeguard recording \(no recording header on its first line\)$/],
			[['report', file('future.jsonl')], /a recording of version 9; this lifeguard reads version 1$/],
			[['report', file('header-only.jsonl')], /the recording holds no sample$/],
			[['report', dir], /^lifeguard: cannot read .*: illegal operation on a directory$/],
			[['report', file('quiet.jsonl'), '--html', file('link.jsonl')], /Cannot open the HTML report .*link\.jsonl for writing: it is a symbolic link, not a regular file$/],
			[['record', '--for', 'soon', '--out', file('new.jsonl')], /^lifeguard: --for: "soon" is not a duration \(use e\.g\. 30s, 5m or 1h\)$/],
			[['record', '--for', '0s', '--out', file('new.jsonl')], /^lifeguard: --for: 0s is out of range \(1s to 168h\)$/],
			[['record', '--out', file('new.jsonl')], /^lifeguard: record: give --for DURATION/],
			[['record', '--for', '10s'], /^lifeguard: record: give --out FILE/],
			[['record', '--for', '10s', '--out', file('taken.jsonl'), '--db', 'postgres://127.0.0.1:1/x'], /^lifeguard: --out: .*taken\.jsonl already holds data; record into a new file$/],
			[['record', '--for', '10s', '--out', file('link.jsonl'), '--db', 'postgres://127.0.0.1:1/x'], /Cannot open the recording .*link\.jsonl for append: it is a symbolic link, not a regular file$/],
			[['report', file('quiet.jsonl'), '--interval', '2'], /^lifeguard: --interval: only for /],
		];
		for (const [args, pattern] of cases) {
			assertOneLineFailure(await runCli(args), 2, pattern);
		}

		assert.equal(await readFile(file('taken.jsonl'), 'utf8'), 'an earlier recording\n', 'an existing file is never written over');
	});

	test('a pool that queued: Markdown on stdout, exit 1 and the numbers in one line on stderr', async () => {
		const result = await runCli(['report', file('queued.jsonl')]);
		assert.equal(result.code, 1, result.stderr);
		assert.deepEqual(nonEmptyLines(result.stderr), ['lifeguard report: FAIL: pool queued: checkout peak 5/5 busy, 4 waiting, 0 timeouts; server peak 20/97 used (21%), under --warn 80%']);
		assert.match(result.stdout, /^# Load test report$/m);
		assert.match(result.stdout, /^\| checkout \| 5\/5 at 10:00:02 \| 0 \| 4 at 10:00:01 \| 0 \| 1 s \(33%\) \| 1 s \(33%\) \|$/m);
	});

	test('a quiet recording exits 0; --warn below its server peak makes it 1; --html writes a new 0600 page', async () => {
		const html = file('quiet.html');
		const quiet = await runCli(['report', file('quiet.jsonl'), '--html', html]);
		assert.equal(quiet.code, 0, quiet.stderr);
		assert.deepEqual(nonEmptyLines(quiet.stderr), ['lifeguard report: OK: no pool queued: checkout peak 5/5 busy, 0 waiting, 0 timeouts; server peak 20/97 used (21%), under --warn 80%']);
		assert.equal((await stat(html)).mode & 0o777, 0o600);
		assert.match(await readFile(html, 'utf8'), /^<!doctype html>/);
		const strict = await runCli(['report', file('quiet.jsonl'), '--warn', '20']);
		assert.equal(strict.code, 1, strict.stderr);
		assert.match(strict.stderr, /server peak 20\/97 used \(21%\), at or above --warn 20%/);
	});
});
