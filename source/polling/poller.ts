// All timing lives here. Polls never overlap: the next one is scheduled only after the previous one
// completes (chained setTimeout, never setInterval), and failures back off.

export type Timer = {
	setTimeout(callback: () => void, ms: number): unknown;
	clearTimeout(handle: unknown): void;
};

export const realTimer: Timer = {
	setTimeout: (callback, ms) => setTimeout(callback, ms),
	clearTimeout: handle => {
		clearTimeout(handle as NodeJS.Timeout);
	},
};

export type PollerOptions<T> = {
	task: () => Promise<T>;
	onResult: (result: T) => void;
	intervalMs: number;
	isFailure?: (result: T) => boolean;
	/** Ceiling of the backoff after consecutive failures. */
	maxBackoffMs?: number;
	/** Wait before the first poll (0: poll at once), e.g. when the caller already holds a fresh result. */
	firstDelayMs?: number;
	timer?: Timer;
};

export type Poller = {
	/** Poll now (or as soon as the running poll completes), then continue at the interval. */
	pollNow(): void;
	pause(): void;
	resume(): void;
	stop(): void;
	readonly isRunning: boolean;
};

export function backoffMs(intervalMs: number, failures: number, maxBackoffMs: number): number {
	if (failures === 0) {
		return intervalMs;
	}

	return Math.min(intervalMs * (2 ** Math.min(failures, 16)), Math.max(maxBackoffMs, intervalMs));
}

/** The task's result, or that it threw: tasks report failures as values, so a throw is a bug, counted as a failure to back off. */
async function attempt<T>(task: () => Promise<T>): Promise<{ok: true; result: T} | {ok: false}> {
	try {
		return {ok: true, result: await task()};
	} catch {
		return {ok: false};
	}
}

// Over 80 lines on purpose: one closure holds the poller's state (timer handle, in flight, paused,
// wanted, failures) and the methods that share it; split apart, that state would travel in arguments.
export function startPoller<T>(options: PollerOptions<T>): Poller {
	const timer = options.timer ?? realTimer;
	const maxBackoffMs = options.maxBackoffMs ?? 5000;
	let handle: unknown;
	let isInFlight = false;
	let isStopped = false;
	let isPaused = false;
	let isWanted = false;
	let failures = 0;

	const cancel = () => {
		if (handle !== undefined) {
			timer.clearTimeout(handle);
			handle = undefined;
		}
	};

	const schedule = (ms: number) => {
		if (isStopped || isPaused) {
			return;
		}

		cancel();
		handle = timer.setTimeout(() => {
			handle = undefined;
			void run();
		}, ms);
	};

	const run = async () => {
		if (isInFlight) {
			isWanted = true;
			return;
		}

		isInFlight = true;
		const outcome = await attempt(options.task);
		isInFlight = false;
		if (isStopped) {
			return;
		}

		if (outcome.ok) {
			failures = options.isFailure?.(outcome.result) ? failures + 1 : 0;
			options.onResult(outcome.result);
		} else {
			failures++;
		}

		if (isWanted) {
			isWanted = false;
			schedule(0);
		} else {
			schedule(backoffMs(options.intervalMs, failures, maxBackoffMs));
		}
	};

	schedule(options.firstDelayMs ?? 0);

	return {
		pollNow() {
			if (isInFlight) {
				isWanted = true;
			} else {
				schedule(0);
			}
		},
		pause() {
			isPaused = true;
			cancel();
		},
		resume() {
			if (!isPaused) {
				return;
			}

			isPaused = false;
			if (!isInFlight) {
				schedule(0);
			}
		},
		stop() {
			isStopped = true;
			cancel();
		},
		get isRunning() {
			return !isStopped;
		},
	};
}
