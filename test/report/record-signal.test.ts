// `lifeguard record` stopped early by SIGTERM (a CI job cancelled, `kill`): it finishes the file
// (the end line, every connection closed) and exits 0, and the report reads what was recorded.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {once} from 'node:events';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {CLI, cleanEnv, ensureBuilt, REPO_ROOT, runCli} from '../cli/helpers.js';
import {pollUntil, startEmbeddedPostgres} from '../helpers/postgres.js';

test('record: SIGTERM ends the recording cleanly, with its end line, exit 0', {timeout: 120_000}, async () => {
	ensureBuilt();
	const dir = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-record-signal-'));
	const server = await startEmbeddedPostgres();
	const file = path.join(dir, 'cut-short.jsonl');
	const child = spawn(process.execPath, [CLI, 'record', '--for', '10m', '--out', file, '--db', server.url], {cwd: REPO_ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe']});
	try {
		let output = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
			output += chunk;
		});
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
			output += chunk;
		});
		const exited = once(child, 'close');
		// The header and two samples: the recorder is in its loop.
		await pollUntil(async () => (await readFile(file, 'utf8').catch(() => '')).split('\n').length >= 4, {timeoutMs: 30_000, everyMs: 100, what: 'two samples recorded'});
		child.kill('SIGTERM');
		const [code] = await exited;
		assert.equal(code, 0, output);
		const lines = (await readFile(file, 'utf8')).trim().split('\n').map(line => JSON.parse(line) as {type?: string; samples?: number});
		const samples = lines.filter(line => line.type === 'sample').length;
		assert.deepEqual(lines.at(-1), {...lines.at(-1), type: 'end', samples});
		assert.match(output, new RegExp(`^lifeguard record: ${samples} samples written to `));
		const report = await runCli(['report', file]);
		assert.equal(report.code, 0, report.stderr);
		assert.match(report.stderr, /^lifeguard report: OK: no pool recorded; server peak \d+\/\d+ used/);
		assert.doesNotMatch(report.stdout, /no end line/);
	} finally {
		child.kill('SIGKILL');
		await server.stop();
		await rm(dir, {recursive: true, force: true});
	}
});
