// Output that cannot be written is a failure, not a hang-up: with stdout on a full disk (/dev/full
// answers every write with ENOSPC) each command says so in one line and exits non-zero (`check`
// UNKNOWN, `doctor` could-not-check), where it used to exit 0 having written nothing. `timeline` says
// it cannot write, not that it cannot read its log. (A reader that went away: hang-up.test.ts.)
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {closeSync, existsSync, openSync} from 'node:fs';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {CLI, cleanEnv, ensureBuilt, nonEmptyLines, REPO_ROOT} from './helpers.js';

const FULL = '/dev/full';

/** The built CLI with stdout on /dev/full, or on a pipe whose reader is gone: its exit code and stderr. */
async function runInto(where: 'full disk' | 'closed pipe', args: readonly string[]): Promise<{code: number | null; stderr: string}> {
	const stdout = where === 'full disk' ? openSync(FULL, 'w') : 'pipe';
	try {
		const child = spawn(process.execPath, [CLI, ...args], {cwd: REPO_ROOT, env: cleanEnv(), stdio: ['ignore', stdout, 'pipe']});
		child.stdout?.destroy();
		let stderr = '';
		child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
			stderr += chunk;
		});
		const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
		const code = await new Promise<number | null>((resolve, reject) => {
			child.on('error', reject);
			child.on('close', resolve);
		});
		clearTimeout(timer);
		return {code, stderr};
	} finally {
		if (typeof stdout === 'number') {
			closeSync(stdout);
		}
	}
}

describe('stdout on a full disk', {skip: existsSync(FULL) ? false : `${FULL} is missing`}, () => {
	let server: TestServer | undefined;
	let dir = '';

	before(async () => {
		ensureBuilt();
		dir = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-cli-full-'));
		server = await startEmbeddedPostgres();
	});

	after(async () => {
		await server?.stop();
		await rm(dir, {recursive: true, force: true});
	});

	const cases = [
		{name: '--json', args: () => ['--json', '--db', server!.url], exitCode: 1},
		{name: 'check', args: () => ['check', '--db', server!.url], exitCode: 3},
		{name: 'the plain summary', args: () => ['--db', server!.url], exitCode: 1},
		{name: 'doctor', args: () => ['doctor', '--db', server!.url], exitCode: 3},
		{name: 'timeline', args: () => ['timeline', path.join(dir, 'incident.jsonl')], exitCode: 1},
	];
	for (const {name, args, exitCode} of cases) {
		test(`${name}: one line "cannot write the output: no space left on device", exit ${exitCode}`, async () => {
			await writeFile(path.join(dir, 'incident.jsonl'), `${JSON.stringify({at: '2026-03-14T09:58:00.000Z', type: 'quit'})}\n`);
			const result = await runInto('full disk', args());
			assert.deepEqual(nonEmptyLines(result.stderr), ['lifeguard: cannot write the output: no space left on device'], `exit ${result.code}`);
			assert.equal(result.code, exitCode, result.stderr);
		});
	}

	test('timeline into a closed pipe: a hang-up, not a log it cannot read: nothing on stderr, exit 0', async () => {
		// Big enough that the writes outlast the pipe: a flag a line, 50,000 lines.
		const flag = JSON.stringify({at: '2026-03-14T10:03:00.000Z', type: 'flag', note: 'x'.repeat(100)});
		await writeFile(path.join(dir, 'long.jsonl'), `${Array.from({length: 50_000}, () => flag).join('\n')}\n`);
		const result = await runInto('closed pipe', ['timeline', path.join(dir, 'long.jsonl')]);
		assert.deepEqual(nonEmptyLines(result.stderr), []);
		assert.equal(result.code, 0);
	});
});
