// A test process killed by SIGKILL leaves no lookalike behind: its load programs exit on their own
// when their stdin closes, pgpool-II gets SIGQUIT from the kernel (parent-death signal), and the
// next test process's sweep stops the PgBouncer whose ini is in the dead run's directory.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {existsSync, mkdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {after, before, test} from 'node:test';
import {PGPOOL_MISSING} from '../helpers/lookalikes/pgpool.js';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {RUN_DIR, sweepStaleRuns} from '../helpers/test-tmp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let server: TestServer | undefined;

before(async () => {
	server = await startEmbeddedPostgres();
});

after(async () => {
	await server?.stop();
});

/** Running (a zombie or a missing /proc entry is not). */
function isRunning(pid: number): boolean {
	try {
		return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
	} catch {
		return false;
	}
}

/** "1094 S pgpool: wait for connection request (parent 1)": what a process is, for a failure message. */
function describeProcess(pid: number): string {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim().slice(0, 120);
		return `${pid} ${state} ${command} (parent ${parent})`;
	} catch {
		return `${pid} (gone)`;
	}
}

test('SIGKILL of a test process: its loads and pgpool-II end by themselves, the next sweep stops its PgBouncer', {skip: PGPOOL_MISSING ?? false}, async t => {
	// Its own temporary root, swept by this test only (other test processes sweep the shared one).
	const temporary = path.join(RUN_DIR, 'orphan-tmp');
	mkdirSync(temporary, {mode: 0o755});
	const child = spawn(process.execPath, ['--import', 'tsx', 'test/lookalikes/orphan-child.ts'], {
		cwd: ROOT,
		stdio: ['ignore', 'pipe', 'pipe'],
		env: {...process.env, TMPDIR: temporary, LOOKALIKES_SERVER: JSON.stringify(server)},
	});
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => {
		output += chunk.toString();
	});
	child.stderr.on('data', (chunk: Buffer) => {
		output += chunk.toString();
	});
	const started = await pollUntil(() => {
		if (child.exitCode !== null) {
			throw new Error(`orphan-child exited with ${child.exitCode}: ${output}`);
		}

		return /^(\{.*\})$/m.exec(output)?.[1];
	}, {timeoutMs: 30_000, what: 'the loads to start'});
	const {runDir, loads, pgbouncer} = JSON.parse(started) as {runDir: string; loads: number[]; pgbouncer: number | null};
	t.after(() => {
		// If an assertion failed, nothing of it must outlive the test.
		for (const pid of [...loads, pgbouncer].filter((pid): pid is number => pid !== null && isRunning(pid))) {
			process.kill(pid, 'SIGKILL');
		}
	});
	assert.ok(loads.length >= 4 && loads.every(pid => isRunning(pid)), output);

	child.kill('SIGKILL');
	await pollUntil(() => loads.every(pid => !isRunning(pid)), {timeoutMs: 10_000, what: 'the loads to end'}).catch((error: Error) => {
		// Which ones still run, and what they are, at the deadline (not at the start of the wait).
		throw new Error(`${error.message}: ${loads.filter(pid => isRunning(pid)).map(pid => describeProcess(pid)).join('; ')}`);
	});
	if (pgbouncer !== null) {
		assert.ok(isRunning(pgbouncer), 'PgBouncer outlives its test process (it drops to user postgres: no parent-death signal)');
	}

	assert.deepEqual(sweepStaleRuns(path.join(temporary, 'lifeguard-tests')), [runDir]);
	assert.ok(pgbouncer === null || !isRunning(pgbouncer), 'the sweep stopped PgBouncer');
	assert.ok(!existsSync(runDir));
});
