// The terminal going away is a normal exit (issue 19): the live screen on a real pseudo-terminal
// whose master closes (util-linux `script` killed, as sshd or tmux closing a pane does) stops polling,
// logs `quit` with the findings still open, exits 0, and writes no Node assertion; and a reader that
// stops reading (`lifeguard --json | head -c1`) ends --json and check without an error line.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {after, afterEach, before, describe, test} from 'node:test';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {CLI, cleanEnv, ensureBuilt, hasScript, isAlive, nonEmptyLines, PtyRun, REPO_ROOT, shellQuote} from './helpers.js';

const scriptMissing = hasScript() ? false : 'util-linux `script` is not installed (needed for a pseudo-terminal)';

/** What Node prints when it aborts restoring a terminal that went away, or lifeguard's own error line. */
const CRASH = /Assertion|node::|Native stack|lifeguard: |\n\s+at /;

type LogLine = {type: string; findings?: Array<{code: string; level: string; subject: string}>};

describe('the terminal goes away', {skip: scriptMissing}, () => {
	let server: TestServer | undefined;
	let dir = '';
	let run: PtyRun | undefined;

	before(async () => {
		ensureBuilt();
		dir = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-cli-hang-up-'));
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

	// A shell on the terminal runs lifeguard as its job (stdin the terminal, stderr to a file) and
	// records its exit status; it survives the hang-up itself so that the status can be read.
	// `isForwarded`: it passes SIGHUP on to the job, as an interactive bash does when sshd hangs up;
	// otherwise lifeguard gets no signal and sees only its terminal fail.
	for (const isForwarded of [true, false]) {
		const how = isForwarded ? 'SIGHUP passed on by the shell' : 'no signal, the terminal fails under it';
		test(`its master closes (${how}): exit 0, no assertion, quit logged with the open findings`, async () => {
			const name = isForwarded ? 'forwarded' : 'silent';
			const log = path.join(dir, `${name}.jsonl`);
			const stderr = path.join(dir, `${name}.stderr`);
			const status = path.join(dir, `${name}.status`);
			// An endpoint that refuses: a finding that is open when the terminal goes.
			const args = ['--db', server!.url, '--pool', 'http://127.0.0.1:1/metrics', '--log', log];
			run = new PtyRun(args, {
				shell: node => [
					'exec 3<&0',
					`${node} <&3 3<&- 2>${shellQuote(stderr)} &`,
					'child=$!',
					'echo "LGPID=$child"',
					isForwarded ? 'trap \'kill -HUP $child\' HUP' : 'trap \'\' HUP',
					// wait returns early when the trap runs: wait again until the job is gone.
					'while kill -0 $child 2>/dev/null; do wait $child; code=$?; done',
					`echo "$code" > ${shellQuote(status)}`,
				].join('\n'),
			});
			await run.waitForText(/endpoint is down/, 15_000);
			assert.ok(run.nodePid !== undefined, 'no pid from the shell');
			const before = readLog(log);
			assert.deepEqual(before.map(event => event.type).filter(type => type === 'quit'), [], 'quit before the hang-up');

			run.child.kill('SIGKILL'); // `script` dies: the master side of the terminal closes.
			await pollUntil(() => existsSync(status) && readFileSync(status, 'utf8').trim() !== '', {timeoutMs: 10_000, what: `lifeguard to exit; stderr ${JSON.stringify(readIfAny(stderr))}`});
			assert.equal(readFileSync(status, 'utf8').trim(), '0', `exit status; stderr ${JSON.stringify(readIfAny(stderr))}`);
			assert.ok(!isAlive(run.nodePid), 'lifeguard outlived its terminal');
			assert.doesNotMatch(readFileSync(stderr, 'utf8'), CRASH);
			assert.doesNotMatch(run.text, CRASH);

			const events = readLog(log);
			const quits = events.filter(event => event.type === 'quit');
			assert.equal(quits.length, 1, JSON.stringify(events));
			assert.equal(events.at(-1)?.type, 'quit', 'nothing logged after quit');
			assert.deepEqual(quits[0]!.findings?.map(finding => [finding.code, finding.level]), [['pool-endpoint-down', 'warning']]);
			assert.ok(!readFileSync(log, 'utf8').includes(server!.password), 'password in the log');
		});
	}
});

describe('a reader that stops reading', () => {
	let server: TestServer | undefined;
	// One idle session besides lifeguard's own (which is counted apart): check's verdict has a number.
	let idle: pg.Client | undefined;

	before(async () => {
		ensureBuilt();
		server = await startEmbeddedPostgres();
		idle = new pg.Client({connectionString: server.url});
		await idle.connect();
	});

	after(async () => {
		await idle?.end().catch(() => undefined);
		await server?.stop();
	});

	for (const {name, args, exitCode} of [
		{name: '--json', args: ['--json'], exitCode: 0},
		// check's status is its verdict, printed or not: WARNING here (one idle session is over 1 %).
		{name: 'check', args: ['check', '--warn', '1', '--critical', '99'], exitCode: 1},
	]) {
		test(`${name} into a closed pipe: its own exit status, nothing on stderr`, async () => {
			const child = spawn(process.execPath, [CLI, ...args, '--db', server!.url], {cwd: REPO_ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe']});
			// The reader is gone before lifeguard writes a byte: every write gets EPIPE.
			child.stdout.destroy();
			let stderr = '';
			child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
				stderr += chunk;
			});
			const code = await new Promise<number | null>((resolve, reject) => {
				child.on('error', reject);
				child.on('close', resolve);
			});
			assert.deepEqual(nonEmptyLines(stderr), [], 'stderr');
			assert.equal(code, exitCode);
		});
	}
});

function readLog(file: string): LogLine[] {
	return existsSync(file) ? nonEmptyLines(readFileSync(file, 'utf8')).map(line => JSON.parse(line) as LogLine) : [];
}

function readIfAny(file: string): string {
	return existsSync(file) ? readFileSync(file, 'utf8') : '';
}
