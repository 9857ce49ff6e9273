// One deadline per poll of an endpoint: one timer and one AbortSignal. Every request of the poll
// runs under the signal (aborting destroys its socket), and the poll's answer is the timeout the
// moment the deadline passes, whatever is still in flight.
import {setMaxListeners} from 'node:events';

/** What a poll's work gets: the signal to run under, and the whole budget (for a server-side timeout). */
export type Deadline = {signal: AbortSignal; timeoutMs: number};

/** The message a deadline aborts with: `timed out after 2000 ms`. */
export function abortMessage(signal: AbortSignal): string {
	return signal.reason instanceof Error ? signal.reason.message : 'aborted';
}

/**
 * `work` under a deadline of `timeoutMs`: its own result when it settles in time, else
 * `timedOut('timed out after N ms')` at the deadline (the signal aborted at the same moment).
 */
export async function withDeadline<T>(timeoutMs: number, work: (deadline: Deadline) => Promise<T>, timedOut: (message: string) => T): Promise<T> {
	const controller = new AbortController();
	// Every request of the poll listens to it (a Prometheus poll sends one per family, side by side):
	// more than Node's default of 10 is the design, not a leak.
	setMaxListeners(64, controller.signal);
	let timer: NodeJS.Timeout | undefined;
	const expired = new Promise<T>(resolve => {
		timer = setTimeout(() => {
			const message = `timed out after ${timeoutMs} ms`;
			controller.abort(new Error(message));
			resolve(timedOut(message));
		}, timeoutMs);
	});
	const attempt = work({signal: controller.signal, timeoutMs});
	try {
		return await Promise.race([attempt, expired]);
	} finally {
		clearTimeout(timer);
		attempt.catch(() => undefined); // a losing attempt may still fail later
	}
}
