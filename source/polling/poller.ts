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

export function startPoller<T>(options: PollerOptions<T>): Poller {
	return new ChainedPoller(options);
}

class ChainedPoller<T> implements Poller {
	private readonly timer: Timer;
	private readonly maxBackoffMs: number;
	private handle: unknown;
	private isInFlight = false;
	private isStopped = false;
	private isPaused = false;
	/** A poll was asked for while one ran: it follows at once. */
	private isWanted = false;
	private failures = 0;

	constructor(private readonly options: PollerOptions<T>) {
		this.timer = options.timer ?? realTimer;
		this.maxBackoffMs = options.maxBackoffMs ?? 5000;
		this.schedule(options.firstDelayMs ?? 0);
	}

	get isRunning(): boolean {
		return !this.isStopped;
	}

	pollNow(): void {
		if (this.isInFlight) {
			this.isWanted = true;
		} else {
			this.schedule(0);
		}
	}

	pause(): void {
		this.isPaused = true;
		this.cancel();
	}

	resume(): void {
		if (!this.isPaused) {
			return;
		}

		this.isPaused = false;
		if (!this.isInFlight) {
			this.schedule(0);
		}
	}

	stop(): void {
		this.isStopped = true;
		this.cancel();
	}

	private cancel(): void {
		if (this.handle !== undefined) {
			this.timer.clearTimeout(this.handle);
			this.handle = undefined;
		}
	}

	private schedule(ms: number): void {
		if (this.isStopped || this.isPaused) {
			return;
		}

		this.cancel();
		this.handle = this.timer.setTimeout(() => {
			this.handle = undefined;
			void this.run();
		}, ms);
	}

	private async run(): Promise<void> {
		if (this.isInFlight) {
			this.isWanted = true;
			return;
		}

		this.isInFlight = true;
		let result: T | undefined;
		let hasResult = false;
		try {
			result = await this.options.task();
			hasResult = true;
		} catch {
			// Tasks report failures as values; a throw is a bug, counted as a failure so we back off.
			this.failures++;
		}

		this.isInFlight = false;
		if (this.isStopped) {
			return;
		}

		if (hasResult) {
			this.failures = this.options.isFailure?.(result as T) ? this.failures + 1 : 0;
			this.options.onResult(result as T);
		}

		if (this.isWanted) {
			this.isWanted = false;
			this.schedule(0);
		} else {
			this.schedule(backoffMs(this.options.intervalMs, this.failures, this.maxBackoffMs));
		}
	}
}
