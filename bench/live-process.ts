// The real thing: the built bin in its live screen (through its #! line, as an installed lifeguard runs),
// inside a pseudo-terminal (pty.ts), measured from outside through /proc like reference/peers.md §6
// measured pg_activity and pg_top: time to the first frame, CPU ticks (utime + stime) over a window at
// --interval 1, VmRSS and VmHWM. The password goes through PGPASSWORD, never the command line.
import {CLK_TCK, memory, sleep, treeTicks} from './proc.js';
import {type PtyProgram, startInPty} from './pty.js';

export type LiveReading = {
	/** Milliseconds from start to the first whole frame (its status line drawn). */
	firstFrameMs: number;
	/** Milliseconds of CPU per second of wall time, i.e. per refresh at --interval 1. */
	cpuMsPerSecond: number;
	windowSeconds: number;
	rssBytes: number;
	hwmBytes: number;
	/** Bytes lifeguard wrote to the terminal over the window. */
	terminalBytesPerSecond: number;
};

type LiveOptions = {columns: number; rows: number; password: string; timeoutMs?: number};

/** The status line is the last line of a frame: once it is on the terminal, the first frame is. */
const FIRST_FRAME = /q quit/;

async function startLive(cli: string, url: string, options: LiveOptions): Promise<PtyProgram> {
	const program = await startInPty([cli, '--db', url, '--interval', '1', '--no-bell'], {columns: options.columns, rows: options.rows, env: {PGPASSWORD: options.password}, firstFrame: FIRST_FRAME});
	const deadline = Date.now() + (options.timeoutMs ?? 30_000);
	while (program.firstFrameMs() === undefined) {
		if (!program.isRunning() || Date.now() > deadline) {
			const tail = program.tail();
			await program.stop('q');
			throw new Error(`no first frame within ${options.timeoutMs ?? 30_000} ms: ${JSON.stringify(tail.slice(-300))}`);
		}

		await Promise.race([program.exited, sleep(20)]);
	}

	return program;
}

/**
 * Start to the first frame, one run per element: wall milliseconds, and the CPU the process had used by
 * then (read within 20 ms of the frame, so a tick or two after it may count).
 */
export async function firstFrames(cli: string, url: string, options: LiveOptions & {runs: number}): Promise<Array<{wallMs: number; cpuMs: number}>> {
	const times: Array<{wallMs: number; cpuMs: number}> = [];
	for (let i = 0; i < options.runs; i++) {
		const program = await startLive(cli, url, options);
		const ticks = await treeTicks(program.pid);
		times.push({wallMs: program.firstFrameMs()!, cpuMs: ticks * (1000 / CLK_TCK)});
		await program.stop('q');
	}

	return times;
}

/** `url` without its password (it goes in options.password). */
export async function measureLive(cli: string, url: string, options: LiveOptions & {warmupMs: number; windowMs: number}): Promise<LiveReading> {
	const program = await startLive(cli, url, options);
	try {
		await sleep(options.warmupMs);
		const ticks0 = await treeTicks(program.pid);
		const bytes0 = program.terminalBytes();
		const started = Date.now();
		await sleep(options.windowMs);
		const ticks1 = await treeTicks(program.pid);
		const seconds = (Date.now() - started) / 1000;
		const reading = await memory(program.pid);
		if (!program.isRunning() || !reading) {
			throw new Error(`the live screen exited: ${JSON.stringify(program.tail().slice(-300))}`);
		}

		return {
			firstFrameMs: program.firstFrameMs()!,
			cpuMsPerSecond: (ticks1 - ticks0) * (1000 / CLK_TCK) / seconds,
			windowSeconds: seconds,
			rssBytes: reading.rssBytes,
			hwmBytes: reading.hwmBytes,
			terminalBytesPerSecond: (program.terminalBytes() - bytes0) / seconds,
		};
	} finally {
		// Quit the way an operator does; stop() makes sure, by pid, that it is gone.
		await program.stop('q');
	}
}
