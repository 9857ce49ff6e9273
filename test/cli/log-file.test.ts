// `--log` on the command line (issue 19): the live screen refuses a path that is not a regular file
// (a FIFO, which used to block start-up on a blank screen, a symlink, a directory, a device) with one
// line naming it and exit 2, before the screen; the one-shot modes, which keep no log, refuse the flag
// instead of ignoring it.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {readFileSync, symlinkSync, writeFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {after, afterEach, before, describe, test} from 'node:test';
import {startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {assertOneLineFailure, ensureBuilt, hasScript, nonEmptyLines, PtyRun, runCli} from './helpers.js';

const scriptMissing = hasScript() ? false : 'util-linux `script` is not installed (needed for a pseudo-terminal)';

describe('--log FILE', () => {
	let server: TestServer | undefined;
	let dir = '';
	let run: PtyRun | undefined;

	before(async () => {
		ensureBuilt();
		dir = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-cli-log-file-'));
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

	test('the live screen refuses a FIFO, a symlink, a directory and a device: one line naming it, exit 2, no screen', {skip: scriptMissing}, async () => {
		const fifo = path.join(dir, 'fifo.jsonl');
		assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
		const target = path.join(dir, 'target.txt');
		writeFileSync(target, 'keep\n');
		const link = path.join(dir, 'link.jsonl');
		symlinkSync(target, link);
		for (const [file, what] of [[fifo, 'a FIFO'], [link, 'a symbolic link'], [dir, 'a directory'], ['/dev/null', 'a device']] as const) {
			run = new PtyRun(['--db', server!.url, '--log', file]);
			const exit = await Promise.race([run.exited, new Promise<never>((_resolve, reject) => {
				setTimeout(() => {
					reject(new Error(`--log ${file}: still running 15 s later; screen: ${JSON.stringify(run!.text.slice(-800))}`));
				}, 15_000).unref();
			})]);
			const lines = nonEmptyLines(run.text).filter(line => !/^LGPID=\d+$/.test(line.trim()));
			assert.deepEqual(lines.map(line => line.trim()), [`lifeguard: Cannot open the incident log ${file} for append: it is ${what}, not a regular file`]);
			assert.equal(exit.code, 2, run.text);
			await run.stop();
		}

		assert.equal(readFileSync(target, 'utf8'), 'keep\n');
	});

	for (const args of [['--json'], ['check'], ['doctor']]) {
		test(`${args.join(' ')} refuses --log (it keeps no log): one line, exit 2`, async () => {
			const result = await runCli([...args, '--db', server!.url, '--log', path.join(dir, 'nonexistent', 'x.jsonl')]);
			assertOneLineFailure(result, 2, /^lifeguard: --log: only the live screen keeps an incident log/);
			assert.equal(result.stdout, '');
		});
	}

	test('the plain summary (stdout not a terminal) refuses --log too', async () => {
		const result = await runCli(['--db', server!.url, '--log', path.join(dir, 'summary.jsonl')]);
		assertOneLineFailure(result, 2, /^lifeguard: --log: only the live screen keeps an incident log, and it needs a terminal/);
	});
});
