// The real thing: `node dist/cli.js --db URL` in its live screen, inside a pseudo-terminal made by
// util-linux `script`, measured from outside through /proc like reference/peers.md §6 measured
// pg_activity and pg_top: CPU ticks (utime + stime) over a window at --interval 1, VmRSS and VmHWM.
import {spawn} from 'node:child_process';
import {readFile} from 'node:fs/promises';

export type LiveReading = {
	/** Milliseconds of CPU per second of wall time, i.e. per refresh at --interval 1. */
	cpuMsPerSecond: number;
	windowSeconds: number;
	rssBytes: number;
	hwmBytes: number;
	/** Bytes lifeguard wrote to the terminal over the window. */
	terminalBytesPerSecond: number;
};

const CLK_TCK = 100;
const sleep = async (ms: number) => new Promise<void>(resolve => {
	setTimeout(resolve, ms);
});

async function cpuTicks(pid: number): Promise<number> {
	const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
	// Fields after the command name, which is in parentheses and may hold spaces.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return Number(fields[11]) + Number(fields[12]);
}

async function memory(pid: number): Promise<{rss: number; hwm: number}> {
	const status = await readFile(`/proc/${pid}/status`, 'utf8');
	const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
	return {rss: kib('VmRSS'), hwm: kib('VmHWM')};
}

/** The node process `script` started: its only child, once the shell has exec'd the bin (env, then node). */
async function findNode(scriptPid: number, deadlineMs: number): Promise<number> {
	while (Date.now() < deadlineMs) {
		const children = await readFile(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8').catch(() => '');
		const pid = Number(children.trim().split(/\s+/)[0]);
		if (pid > 0) {
			const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
			if (comm.trim() === 'node') {
				return pid;
			}
		}

		await sleep(50);
	}

	throw new Error('the live lifeguard process did not start');
}

export async function measureLive(cli: string, url: string, options: {columns: number; rows: number; warmupMs: number; windowMs: number}): Promise<LiveReading> {
	const quote = (text: string) => `'${text.replaceAll('\'', '\'\\\'\'')}'`;
	const command = `stty cols ${options.columns} rows ${options.rows}; exec ${quote(cli)} --db ${quote(url)} --interval 1 --no-bell`;
	const child = spawn('script', ['-qfec', command, '/dev/null'], {stdio: ['pipe', 'pipe', 'pipe'], env: {...process.env, TERM: 'xterm-256color'}});
	let terminalBytes = 0;
	let stderr = '';
	// Drain the terminal, or the pty fills and the app blocks on write.
	child.stdout.on('data', (chunk: Buffer) => {
		terminalBytes += chunk.length;
	});
	child.stderr.on('data', (chunk: Buffer) => {
		stderr += chunk.toString('utf8');
	});
	const exited = new Promise<void>(resolve => {
		child.once('exit', () => {
			resolve();
		});
	});
	let nodePid: number | undefined;
	try {
		nodePid = await findNode(child.pid!, Date.now() + 10_000);
		await sleep(options.warmupMs);
		const ticks0 = await cpuTicks(nodePid);
		const bytes0 = terminalBytes;
		const started = Date.now();
		await sleep(options.windowMs);
		const ticks1 = await cpuTicks(nodePid);
		const seconds = (Date.now() - started) / 1000;
		const {rss, hwm} = await memory(nodePid);
		return {
			cpuMsPerSecond: (ticks1 - ticks0) * (1000 / CLK_TCK) / seconds,
			windowSeconds: seconds,
			rssBytes: rss,
			hwmBytes: hwm,
			terminalBytesPerSecond: (terminalBytes - bytes0) / seconds,
		};
	} catch (error) {
		throw new Error(`${(error as Error).message}${stderr ? `: ${stderr.trim()}` : ''}`);
	} finally {
		// Quit the way an operator does; then make sure, by pid, that both processes are gone.
		child.stdin.write('q');
		await Promise.race([exited, sleep(5000)]);
		if (child.exitCode === null && child.signalCode === null) {
			if (nodePid) {
				try {
					process.kill(nodePid, 'SIGTERM');
				} catch {}
			}

			child.kill('SIGTERM');
			await Promise.race([exited, sleep(3000)]);
		}
	}
}
