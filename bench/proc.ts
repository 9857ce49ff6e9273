// What a process costs, read from /proc like `top` does: CPU ticks (utime + stime) and resident memory,
// for one process or its whole tree. Linux only.
import {readdir, readFile} from 'node:fs/promises';

/** Clock ticks per second (USER_HZ); 100 on every Linux this runs on. */
export const CLK_TCK = 100;

export const sleep = async (ms: number) => new Promise<void>(resolve => {
	setTimeout(resolve, ms);
});

/** utime + stime of one process, in ticks; undefined once it is gone. */
export async function cpuTicks(pid: number): Promise<number | undefined> {
	const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
	if (stat === undefined) {
		return undefined;
	}

	// Fields after the command name, which is in parentheses and may hold spaces.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return Number(fields[11]) + Number(fields[12]);
}

/** The process and all its descendants (via /proc/PID/task/TID/children). */
export async function processTree(pid: number): Promise<number[]> {
	const all = [pid];
	for (let i = 0; i < all.length; i++) {
		const tasks = await readdir(`/proc/${all[i]!}/task`).catch(() => []);
		for (const task of tasks) {
			const children = await readFile(`/proc/${all[i]!}/task/${task}/children`, 'utf8').catch(() => '');
			for (const child of children.trim().split(/\s+/).filter(Boolean)) {
				all.push(Number(child));
			}
		}
	}

	return all;
}

/** CPU ticks of some processes (a server's backends, say); those that ended are not counted. */
export async function sumTicks(pids: readonly number[]): Promise<number> {
	let total = 0;
	for (const pid of pids) {
		total += (await cpuTicks(pid)) ?? 0;
	}

	return total;
}

/** CPU ticks of a process tree; processes that ended in between are not counted. */
export async function treeTicks(pid: number): Promise<number> {
	return sumTicks(await processTree(pid));
}

/** Poll `check` until it holds; after `timeoutMs`, fail naming `what` and the last error it threw. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	for (;;) {
		try {
			if (await check()) {
				return;
			}
		} catch (error) {
			last = error;
		}

		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
		}

		await sleep(everyMs);
	}
}

export type Memory = {rssBytes: number; hwmBytes: number};

export async function memory(pid: number): Promise<Memory | undefined> {
	const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
	if (status === undefined) {
		return undefined;
	}

	const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
	return {rssBytes: kib('VmRSS'), hwmBytes: kib('VmHWM')};
}

/** Sum of VmRSS and of VmHWM over a process tree. */
export async function treeMemory(pid: number): Promise<Memory> {
	let rssBytes = 0;
	let hwmBytes = 0;
	for (const member of await processTree(pid)) {
		const reading = await memory(member);
		rssBytes += reading?.rssBytes ?? 0;
		hwmBytes += reading?.hwmBytes ?? 0;
	}

	return {rssBytes, hwmBytes};
}

export async function comm(pid: number): Promise<string> {
	return (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * Before opening `connections` client connections from a child (one socket each; it inherits this
 * process's limits): print the limits and the memory available, and fail at once, saying why, when they
 * cannot fit, rather than after minutes of connecting.
 */
export async function checkLimits(connections: number): Promise<void> {
	const limits = await readFile('/proc/self/limits', 'utf8').catch(() => '');
	const openFiles = Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? Number.NaN);
	const processes = /^Max processes\s+(\S+)/m.exec(limits)?.[1] ?? 'n/a';
	const meminfo = await readFile('/proc/meminfo', 'utf8').catch(() => '');
	const available = Number(/^MemAvailable:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? Number.NaN) * 1024;
	const pidMax = (await readFile('/proc/sys/kernel/pid_max', 'utf8').catch(() => 'n/a')).trim();
	console.log(`limits: open files ${openFiles}, processes ${processes}, pid_max ${pidMax}; memory available ${mb(available)}`);
	const needed = connections + 64;
	if (openFiles < needed) {
		throw new Error(`the open-files limit (${openFiles}) is below the ${needed} the top level needs: raise it (ulimit -n ${needed}) or measure fewer connections`);
	}
}
