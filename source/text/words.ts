// How findings write counts and durations: plain words an operator reads at a glance.

export function plural(count: number, noun: string): string {
	return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * 5.4 s, 45 s, 5 min, 2 h 3 min. Coarse past ten seconds (5 s steps, then whole minutes), so a
 * finding that lasts does not change its words, and the frame, every second.
 */
export function formatDuration(seconds: number): string {
	if (seconds < 10 && !Number.isInteger(seconds)) {
		// 5.4 s must not read as the 5 s limit it passed. Tenths cut, not rounded: 2.96 s is "2.9 s"
		// beside a row's "2s", never "3.0 s".
		return `${(Math.floor(Math.max(0, seconds) * 10) / 10).toFixed(1)} s`;
	}

	const whole = Math.max(0, Math.floor(seconds));
	if (whole < 10) {
		return `${whole} s`;
	}

	if (whole < 60) {
		return `${whole - (whole % 5)} s`;
	}

	if (whole < 3600) {
		return `${Math.floor(whole / 60)} min`;
	}

	return `${Math.floor(whole / 3600)} h ${Math.floor((whole % 3600) / 60)} min`;
}
