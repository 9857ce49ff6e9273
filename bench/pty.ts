// A program on a pseudo-terminal of a given size, made by util-linux `script` (node-pty is not a
// dependency): `stty` sets the size, then the shell execs the program, so the pid `script` started is
// the program's own. The terminal's output is drained (a full pty would block the program) and counted.
import {type ChildProcessWithoutNullStreams, spawn} from 'node:child_process';
import {readFile} from 'node:fs/promises';
import {comm, sleep} from './proc.js';

const quote = (text: string) => `'${text.replaceAll('\'', '\'\\\'\'')}'`;

export type PtyProgram = {
	/** The program's pid (after the shell's exec). */
	pid: number;
	/** Bytes the program wrote to its terminal so far. */
	terminalBytes: () => number;
	/** The last 16 KB of terminal output (for error messages and --dump). */
	tail: () => string;
	/** From now on, watch the output for `pattern`; the function says whether it has appeared since. */
	watchFor: (pattern: RegExp) => () => boolean;
	/** Milliseconds from spawning `script` to the first output matching `options.firstFrame`; undefined until then. */
	firstFrameMs: () => number | undefined;
	/** Type keys, as an operator would. */
	write: (keys: string) => void;
	exited: Promise<void>;
	isRunning: () => boolean;
	/** Send `quitKeys`, wait up to 5 s, then SIGTERM and SIGKILL by pid; never throws. */
	stop: (quitKeys?: string) => Promise<void>;
};

export async function startInPty(argv: readonly string[], options: {columns: number; rows: number; env?: NodeJS.ProcessEnv; startTimeoutMs?: number; firstFrame?: RegExp}): Promise<PtyProgram> {
	const spawnedAt = performance.now();
	const command = `stty cols ${options.columns} rows ${options.rows}; exec ${argv.map(arg => quote(arg)).join(' ')}`;
	const child: ChildProcessWithoutNullStreams = spawn('script', ['-qfec', command, '/dev/null'], {
		stdio: ['pipe', 'pipe', 'pipe'],
		env: {...process.env, TERM: 'xterm-256color', ...options.env},
	});
	let bytes = 0;
	let tail = '';
	const watchers: Array<{pattern: RegExp; isSeen: boolean; seenAtMs?: number; carry: string}> = [];
	const collect = (chunk: Buffer) => {
		bytes += chunk.length;
		const text = chunk.toString('utf8');
		tail = (tail + text).slice(-16_000);
		for (const watcher of watchers) {
			// A little of the previous chunk, so a match split across two chunks is found.
			const window = watcher.carry + text;
			if (!watcher.isSeen && watcher.pattern.test(window)) {
				watcher.isSeen = true;
				watcher.seenAtMs = performance.now() - spawnedAt;
			}

			watcher.carry = window.slice(-200);
		}
	};
	const firstFrame = {pattern: options.firstFrame ?? /(?!)/, isSeen: false, seenAtMs: undefined as number | undefined, carry: ''};
	watchers.push(firstFrame);

	child.stdout.on('data', collect);
	child.stderr.on('data', collect);
	child.stdin.on('error', () => undefined);
	let isRunning = true;
	const exited = new Promise<void>(resolve => {
		child.once('close', () => {
			isRunning = false;
			resolve();
		});
		child.once('error', () => {
			isRunning = false;
			resolve();
		});
	});

	const kill = (pid: number | undefined, signal: NodeJS.Signals) => {
		if (pid) {
			try {
				process.kill(pid, signal);
			} catch {}
		}
	};

	// The program: script's child once it is no longer the shell (or env, for a #!/usr/bin/env bin).
	let pid: number | undefined;
	const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
	while (pid === undefined && Date.now() < deadline && isRunning) {
		const children = await readFile(`/proc/${child.pid!}/task/${child.pid!}/children`, 'utf8').catch(() => '');
		const candidate = Number(children.trim().split(/\s+/)[0]);
		if (candidate > 0 && !['sh', 'dash', 'bash', 'env', ''].includes(await comm(candidate))) {
			pid = candidate;
		} else {
			await sleep(50);
		}
	}

	const stop = async (quitKeys?: string) => {
		if (!isRunning) {
			return;
		}

		if (quitKeys) {
			child.stdin.write(quitKeys);
			await Promise.race([exited, sleep(5000)]);
		}

		if (isRunning) {
			kill(pid, 'SIGTERM');
			kill(child.pid, 'SIGTERM');
			await Promise.race([exited, sleep(3000)]);
		}

		if (isRunning) {
			kill(pid, 'SIGKILL');
			kill(child.pid, 'SIGKILL');
			await exited;
		}
	};

	if (pid === undefined) {
		const output = tail;
		await stop();
		throw new Error(`${argv[0]!} did not start on the pseudo-terminal: ${JSON.stringify(output.slice(-500))}`);
	}

	return {
		pid,
		terminalBytes: () => bytes,
		tail: () => tail,
		watchFor(pattern) {
			const watcher = {pattern, isSeen: false, carry: ''};
			watchers.push(watcher);
			return () => watcher.isSeen;
		},
		write(keys) {
			child.stdin.write(keys);
		},
		firstFrameMs: () => firstFrame.seenAtMs,
		exited,
		isRunning: () => isRunning,
		stop,
	};
}
