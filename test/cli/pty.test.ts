// The interactive screen of the built binary on a real pseudo-terminal (util-linux `script`): it draws,
// quits on `q` and on SIGTERM with exit 0, logs start and quit, and never shows the password.
import assert from 'node:assert/strict';
import {existsSync, readFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {after, afterEach, before, describe, test} from 'node:test';
import {startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {ensureBuilt, hasScript, isAlive, nonEmptyLines, PtyRun} from './helpers.js';

const EXIT_WITHIN_MS = 5000;

type LogLine = {at: string; type: string; target?: string};

function readLog(file: string): LogLine[] {
	const lines = nonEmptyLines(readFileSync(file, 'utf8'));
	return lines.map(line => JSON.parse(line) as LogLine);
}

async function exitWithin(run: PtyRun, ms: number): Promise<{code: number | null; signal: NodeJS.Signals | null; elapsedMs: number}> {
	const started = Date.now();
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => {
			reject(new Error(`still running ${ms} ms later; screen: ${JSON.stringify(run.text.slice(-1500))}`));
		}, ms);
	});
	try {
		const exit = await Promise.race([run.exited, timeout]);
		return {code: exit.code, signal: exit.signal, elapsedMs: exit.atMs - started};
	} finally {
		clearTimeout(timer);
	}
}

const scriptMissing = hasScript() ? false : 'util-linux `script` is not installed (needed for a pseudo-terminal)';

describe('lifeguard on a pseudo-terminal', {skip: scriptMissing}, () => {
	let server: TestServer | undefined;
	let dir = '';
	let run: PtyRun | undefined;

	before(async () => {
		ensureBuilt();
		dir = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-cli-pty-'));
		server = await startEmbeddedPostgres();
	});

	afterEach(async () => {
		await run?.stop();
		run = undefined;
	});

	after(async () => {
		await server?.stop();
		await rm(dir, {recursive: true, force: true});
	});

	test('draws the screen, quits on q with exit 0, logs start and quit, never shows the password', async () => {
		const log = path.join(dir, 'quit.jsonl');
		run = new PtyRun(['--db', server!.url, '--log', log]);
		await run.waitForText(/Server\b.*\bfree \d+/, 15_000);
		assert.ok(run.nodePid !== undefined, 'no pid from the shell');
		assert.match(run.text, new RegExp(`postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${server!.port}`));
		run.write('q');
		const exit = await exitWithin(run, EXIT_WITHIN_MS);
		assert.equal(exit.code, 0, `exit ${String(exit.code)} ${String(exit.signal)}; screen: ${run.text.slice(-1500)}`);
		assert.ok(!isAlive(run.nodePid), 'lifeguard outlived script');
		const events = readLog(log);
		assert.equal(events[0]?.type, 'start', JSON.stringify(events));
		assert.equal(events[0]?.target, `postgres://postgres:***@127.0.0.1:${server!.port}/postgres`);
		assert.equal(events.at(-1)?.type, 'quit', JSON.stringify(events));
		assert.equal(events.filter(event => event.type === 'quit').length, 1);
		for (const event of events) {
			assert.ok(!Number.isNaN(Date.parse(event.at)), event.at);
		}

		assert.ok(!readFileSync(log, 'utf8').includes(server!.password), 'password in the log');
		assert.ok(!run.output.includes(server!.password), 'password on the screen');
		assert.doesNotMatch(run.text, /\n\s+at /, 'a stack trace on the screen');
	});

	test('SIGTERM exits cleanly with 0 and logs quit', async () => {
		const log = path.join(dir, 'sigterm.jsonl');
		run = new PtyRun(['--db', server!.url, '--log', log]);
		await run.waitForText(/Server\b.*\bfree \d+/, 15_000);
		assert.ok(run.nodePid !== undefined, 'no pid from the shell');
		process.kill(run.nodePid, 'SIGTERM');
		const exit = await exitWithin(run, EXIT_WITHIN_MS);
		assert.equal(exit.code, 0, `exit ${String(exit.code)} ${String(exit.signal)}; screen: ${run.text.slice(-1500)}`);
		const events = readLog(log);
		assert.deepEqual(events.map(event => event.type).filter(type => type === 'start' || type === 'quit'), ['start', 'quit']);
		assert.equal(events.at(-1)?.type, 'quit');
		assert.ok(!run.output.includes(server!.password), 'password on the screen');
	});

	test('Ctrl-C (a byte in raw mode) quits like q: exit 0, quit logged', async () => {
		const log = path.join(dir, 'ctrl-c.jsonl');
		run = new PtyRun(['--db', server!.url, '--log', log]);
		await run.waitForText(/Server\b.*\bfree \d+/, 15_000);
		run.write('\u0003');
		const exit = await exitWithin(run, EXIT_WITHIN_MS);
		assert.equal(exit.code, 0, `exit ${String(exit.code)} ${String(exit.signal)}; screen: ${run.text.slice(-1500)}`);
		assert.equal(readLog(log).at(-1)?.type, 'quit');
	});

	test('--log in a directory that does not exist: one line, exit 2, before the screen', async () => {
		const log = path.join(dir, 'no-such-dir', 'x.jsonl');
		run = new PtyRun(['--db', server!.url, '--log', log]);
		const exit = await exitWithin(run, 15_000);
		const lines = nonEmptyLines(run.text).filter(line => !/^LGPID=\d+$/.test(line.trim()));
		assert.equal(lines.length, 1, JSON.stringify(run.text));
		assert.match(lines[0]!.trim(), /^lifeguard: .*no-such-dir/);
		assert.doesNotMatch(run.text, /\n\s+at /);
		assert.equal(exit.code, 2, run.text);
		assert.ok(!existsSync(path.dirname(log)), 'the directory was created');
		assert.ok(!run.output.includes(server!.password), 'password on the screen');
	});
});
