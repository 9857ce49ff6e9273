// Issue 22: a real run tells its story. The demo on a pseudo-terminal with --log: the pool saturates,
// the operator flags it, presses + until the queue drains and the level clears, then - until it comes
// back, and quits. `lifeguard timeline` of that log is checked line by line: the summary at the top,
// times to the second, the clear on its own line with its course, what was open at the end.
import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {pollUntil} from '../helpers/postgres.js';
import {ensureBuilt, hasScript, nonEmptyLines, PtyRun, runCli} from './helpers.js';

type Logged = {type: string; to?: string; note?: string};

const readLog = (file: string): Logged[] => (existsSync(file) ? nonEmptyLines(readFileSync(file, 'utf8')).map(line => JSON.parse(line) as Logged) : []);

/** Each line of `lines` against the patterns in order; `many` takes one or more lines, `any` none or more. */
function assertLines(lines: readonly string[], expected: ReadonlyArray<RegExp | {many: RegExp} | {any: RegExp}>): void {
	let index = 0;
	for (const pattern of expected) {
		if (pattern instanceof RegExp || 'many' in pattern) {
			const re = pattern instanceof RegExp ? pattern : pattern.many;
			assert.match(lines[index] ?? '(end)', re, `line ${index + 1} of:\n${lines.join('\n')}`);
			index++;
		}

		while (!(pattern instanceof RegExp) && index < lines.length && ('many' in pattern ? pattern.many : pattern.any).test(lines[index]!)) {
			index++;
		}
	}

	assert.equal(index, lines.length, `lines past the expected ones:\n${lines.slice(index).join('\n')}`);
}

const scriptMissing = hasScript() ? false : 'util-linux `script` is not installed (needed for a pseudo-terminal)';
const T = String.raw`\d{2}:\d{2}:\d{2}`;

describe('the timeline of a real demo run', {skip: scriptMissing}, () => {
	let dir = '';

	before(async () => {
		ensureBuilt();
		dir = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-timeline-demo-'));
	});

	after(async () => {
		await rm(dir, {recursive: true, force: true});
	});

	test('flag, + until it clears, - until it comes back, q: a summary, the clear with its course, to the second', async t => {
		const log = path.join(dir, 'demo.jsonl');
		const run = new PtyRun(['demo', '--log', log], {columns: 120, rows: 40});
		let dataDir: string | undefined;
		const key = async (input: string, effect: () => boolean, what: string, timeoutMs = 10_000) => {
			run.write(input);
			await pollUntil(effect, {timeoutMs, what: `${what}; screen: ${run.text.slice(-600)}`});
		};

		const startedAtMs = Date.now();
		try {
			await pollUntil(() => readLog(log).some(event => event.type === 'level' && event.to === 'critical'), {timeoutMs: 60_000, what: 'the pool critical in the log'});
			// The open loop at max 5: the queue grows past 100 (the demo's steady state is about 150).
			await pollUntil(() => /WAITING \d{3}/.test(run.text), {timeoutMs: 30_000, what: 'the queue past 100 on the screen'});
			dataDir = /-D (\S+)/.exec(spawnSync('ps', ['-o', 'args=', '--ppid', String(run.nodePid)], {encoding: 'utf8'}).stdout)?.[1];
			await key('f', () => /Flag note:/.test(run.text), 'the note prompt');
			await key('scaling checkout\r', () => readLog(log).some(event => event.type === 'flag'), 'the flag in the log');
			for (const [from, to] of [[5, 10], [10, 15], [15, 20], [20, 25]]) {
				await key('+', () => run.text.includes(`max ${from} → ${to}`), `max ${from} → ${to}`);
			}

			const raisedAtMs = Date.now();
			await pollUntil(() => readLog(log).some(event => event.type === 'level' && event.to === 'ok'), {timeoutMs: 90_000, what: 'the level cleared in the log'});
			t.diagnostic(`cleared ${Date.now() - raisedAtMs} ms after max 25`);
			for (const [from, to] of [[25, 20], [20, 15], [15, 10], [10, 5]]) {
				await key('-', () => run.text.includes(`max ${from} → ${to}`), `max ${from} → ${to}`);
			}

			await pollUntil(() => {
				const events = readLog(log);
				const cleared = events.findIndex(event => event.type === 'level' && event.to === 'ok');
				return events.slice(cleared + 1).some(event => event.type === 'level' && event.to !== 'ok');
			}, {timeoutMs: 30_000, what: 'the level back after max 5'});
			run.write('q');
			const exit = await run.exited;
			assert.equal(exit.code, 0, run.text.slice(-1000));
		} finally {
			await stopDemo(run);
		}

		t.diagnostic(`the run took ${Date.now() - startedAtMs} ms`);
		assert.ok(dataDir, 'the demo\'s postmaster was seen');
		const removed = dataDir;
		await pollUntil(() => !existsSync(removed) && !execFileSync('ps', ['-eo', 'args'], {encoding: 'utf8'}).includes(removed), {what: `${removed} and its server gone`});

		const result = await runCli(['timeline', log]);
		assert.equal(result.code, 0, result.stderr);
		const lines = result.stdout.split('\n');
		t.diagnostic(result.stdout);
		assertLines(lines, [
			/^# Incident timeline$/,
			/^$/,
			/^## Summary$/,
			/^$/,
			new RegExp(`^- \\*\\*First sign:\\*\\* ${T} UTC: Pool checkout (warning|critical) \\(5/5 busy, \\d+ waiting\\), pool-`),
			new RegExp(`^- \\*\\*First critical:\\*\\* ${T} UTC: Pool checkout critical \\(5/5 busy, \\d+ waiting\\), pool-`),
			// The first + the judge saw is the fix (it polls once a second: four quick presses may be one change).
			new RegExp(`^- \\*\\*Fix:\\*\\* ${T} UTC: Pool checkout max 5 → (10|15|20|25)(; then [1-3] more actions? or changes? before the clear)?$`),
			new RegExp(`^- \\*\\*Recovered:\\*\\* (${T}) UTC, (\\d+ min )?\\d+ s after the first sign \\((\\d+ min )?\\d+ s after the fix\\); everything ok$`),
			new RegExp(`^- \\*\\*Came back:\\*\\* ${T} UTC: Pool checkout (warning|critical) \\(\\d+/(5|10|15|20) busy, \\d+ waiting\\)`),
			new RegExp(`^- \\*\\*Peak:\\*\\* \\d{3} waiting in pool checkout at ${T} UTC; server \\d+/97 connections at ${T} UTC$`),
			/^$/,
			/^## \d{4}-\d{2}-\d{2}$/,
			/^$/,
			new RegExp(`^- \\*\\*${T} UTC:\\*\\* Started watching \`postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:\\d+/postgres\` \\(PostgreSQL \\d+\\.\\d+, 97 usable of 100 connections\\)$`),
			{many: new RegExp(`^- \\*\\*${T} UTC:\\*\\* Pool checkout went from (ok|warning) to (warning|critical) \\(5/5 busy, \\d+ waiting.*\\): Pool checkout `)},
			new RegExp(`^- \\*\\*${T} UTC:\\*\\* Flag: "scaling checkout" \\(server \\d+/97, checkout 5/5 busy \\d+ waiting.*\\); open findings: pool-saturated \\(checkout\\)`),
			new RegExp(`^- \\*\\*${T} UTC:\\*\\* Pool checkout max 5 → 25( in [2-4] steps from ${T} to ${T} UTC)?$`),
			{any: new RegExp(`^- \\*\\*${T} UTC:\\*\\* Pool checkout went from critical to warning`)},
			new RegExp(`^- \\*\\*(${T}) UTC:\\*\\* Pool checkout cleared \\((warning|critical) to ok\\) after (\\d+ min )?\\d+ s, \\d+/25 busy, 0 waiting; peak \\d{3} waiting at ${T} \\(from \\d+ at ${T}\\)$`),
			// Back at 5 (the log counts four changes of one max within 2 minutes, then folds the rest).
			{many: new RegExp(`^- \\*\\*${T} UTC:\\*\\* (Pool checkout max 25 → 5( in [2-4] steps from ${T} to ${T} UTC)?$|pool checkout max changed ([2-4] more times from ${T} to ${T} UTC \\(folded in the log\\); ended 5 at ${T}|once more at ${T} UTC \\(folded in the log\\): 5)$|Pool checkout went from (ok|warning) to (warning|critical)|Pool checkout flapped .* ended (warning|critical) at ${T})`)},
			new RegExp(`^- \\*\\*${T} UTC:\\*\\* Stopped watching; still open: pool-`),
			/^$/,
			new RegExp(`^Span: \\d{4}-\\d{2}-\\d{2} ${T} to ${T} UTC \\((\\d+ min )?\\d+ s\\)$`),
			/^$/,
			/^\*\*Open when watching stopped:\*\* pool-[a-z]+ \(checkout\)/,
			/^$/,
			/^$/,
		]);
		// The summary's recovery is the clear's line.
		const recovered = new RegExp(`^- \\*\\*Recovered:\\*\\* (${T})`, 'm').exec(result.stdout)![1];
		assert.match(result.stdout, new RegExp(`^- \\*\\*${recovered} UTC:\\*\\* Pool checkout cleared`, 'm'));
	});
});

/** The demo stops its server when asked (SIGTERM); SIGKILL only if it will not. */
async function stopDemo(run: PtyRun): Promise<void> {
	if (run.child.exitCode === null && run.child.signalCode === null && run.nodePid !== undefined) {
		try {
			process.kill(run.nodePid, 'SIGTERM');
			await pollUntil(() => run.child.exitCode !== null || run.child.signalCode !== null, {timeoutMs: 15_000, what: 'the demo stopped'});
		} catch {}
	}

	await run.stop();
}
