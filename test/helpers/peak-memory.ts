// A process's peak resident memory, as Linux keeps it: VmHWM in /proc/PID/status (the high-water mark
// of VmRSS). Used by the memory tests of hostile endpoints and by bench/hostile-endpoints.ts.
import {readFile} from 'node:fs/promises';

/** VmHWM in bytes; undefined once the process is gone (an exiting process, a zombie, has none). */
export async function peakRssBytes(pid: number): Promise<number | undefined> {
	const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
	const kib = status === undefined ? undefined : /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
	return kib === undefined ? undefined : Number(kib) * 1024;
}

/**
 * Read VmHWM every `everyMs` until `isRunning()` says the process ended: the highest reading, the peak
 * of its whole life but for what it took in its last `everyMs`.
 */
export async function watchPeakRss(pid: number, isRunning: () => boolean, everyMs = 5): Promise<number> {
	let peak = 0;
	while (isRunning()) {
		peak = Math.max(peak, (await peakRssBytes(pid)) ?? 0);
		await new Promise(resolve => {
			setTimeout(resolve, everyMs);
		});
	}

	return peak;
}
