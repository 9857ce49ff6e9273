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

/** A process as /proc knows it: its pid and its start time (pids wrap: a reused pid is another process). */
type Running = {pid: number; start: string};

/** `/proc/PID/stat` after the command: state, parent, …, start time (field 22); null when gone. */
function statFields(pid: number): string[] | null {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	} catch {
		return null;
	}
}

/** The process now running with this pid, or null (none, or a zombie). */
function runningNow(pid: number): Running | null {
	const fields = statFields(pid);
	return fields && !/^[ZX]$/.test(fields[0]!) ? {pid, start: fields[19]!} : null;
}

/** Still the same process, and not a zombie. */
function isRunning(known: Running): boolean {
	return runningNow(known.pid)?.start === known.start;
}

/** "1094 S pgpool: wait for connection request (parent 1)": what a process is, for a failure message. */
function describeProcess(pid: number): string {
	try {
		const [state, parent] = statFields(pid) ?? [];
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
	let loads: Running[] = [];
	let pgbouncer: Running | null = null;
	t.after(async () => {
		// On every way out (a failed wait included), nothing of it outlives the test: the child, its loads,
		// and its PgBouncer (which the sweep of its temporary root stops).
		if (child.exitCode === null && child.signalCode === null) {
			const exited = new Promise(resolve => child.once('exit', resolve));
			child.kill('SIGKILL');
			await exited;
		}

		for (const each of [...loads, pgbouncer].filter((each): each is Running => each !== null && isRunning(each))) {
			process.kill(each.pid, 'SIGKILL');
		}

		sweepStaleRuns(path.join(temporary, 'lifeguard-tests'));
	});
	// Four programs start one after the other (a pool, a Python interpreter, pgpool-II, PgBouncer): on two
	// busy cores that has taken over 30 s.
	const started = await pollUntil(() => {
		if (child.exitCode !== null) {
			throw new Error(`orphan-child exited with ${child.exitCode}: ${output}`);
		}

		return /^(\{.*\})$/m.exec(output)?.[1];
	}, {timeoutMs: 90_000, what: 'the loads to start'});
	const reported = JSON.parse(started) as {runDir: string; loads: number[]; pgbouncer: number | null};
	const {runDir} = reported;
	loads = reported.loads.map(pid => runningNow(pid)).filter((each): each is Running => each !== null);
	pgbouncer = reported.pgbouncer === null ? null : runningNow(reported.pgbouncer);
	assert.ok(reported.loads.length >= 4 && loads.length === reported.loads.length, output);

	child.kill('SIGKILL');
	await pollUntil(() => loads.every(each => !isRunning(each)), {timeoutMs: 10_000, what: 'the loads to end'}).catch((error: Error) => {
		// Which ones still run, and what they are, at the deadline (not at the start of the wait).
		throw new Error(`${error.message}: ${loads.filter(each => isRunning(each)).map(each => describeProcess(each.pid)).join('; ')}`);
	});
	if (reported.pgbouncer !== null) {
		assert.ok(pgbouncer !== null && isRunning(pgbouncer), 'PgBouncer outlives its test process (it drops to user postgres: no parent-death signal)');
	}

	assert.deepEqual(sweepStaleRuns(path.join(temporary, 'lifeguard-tests')), [runDir]);
	assert.ok(pgbouncer === null || !isRunning(pgbouncer), 'the sweep stopped PgBouncer');
	assert.ok(!existsSync(runDir));
});
