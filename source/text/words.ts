// How lifeguard writes counts, shares, durations and errors: one helper for each, used everywhere.
// Durations are in seconds; there are three kinds, for three readers (a finding, the doctor's
// settings, the screen's columns), and their names say which.

/** `1 session`, `3 sessions`; `nouns` for an irregular plural (`2 queries`). */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
	return `${count} ${count === 1 ? noun : nouns}`;
}

/** A ratio (0–1, or above) as a whole percent: `42%`. */
export function percent(ratio: number): string {
	return `${Math.round(ratio * 100)}%`;
}

/**
 * How long a finding has lasted: 5.4 s, 45 s, 5 min, 2 h 3 min. Coarse past ten seconds (5 s steps,
 * then whole minutes), so a finding that lasts does not change its words, and the frame, every second.
 */
export function findingDuration(seconds: number): string {
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

/**
 * A setting's duration exactly, as the doctor quotes it: 0 is "0 (off)", under a second in ms
 * (`500 ms`), else hours, minutes and seconds to the second (`1 min 30 s`, `2 h 11 min 15 s`).
 */
export function settingDuration(seconds: number): string {
	if (seconds <= 0) {
		return '0 (off)';
	}

	if (seconds < 1) {
		// Back to the unit it was set in, without the float's noise (0.0003 s is 0.3 ms, not 0.30000000000000004).
		return `${Number((seconds * 1000).toPrecision(12))} ms`;
	}

	const whole = Math.round(seconds);
	const parts = [[Math.floor(whole / 3600), 'h'], [Math.floor((whole % 3600) / 60), 'min'], [whole % 60, 's']] as const;
	return parts.filter(([value]) => value > 0).map(([value, unit]) => `${value} ${unit}`).join(' ');
}

/** A moment as the screen and the log's readers name it: `14:02:11`, UTC like the log's `at`. */
export function clockTime(ms: number): string {
	return new Date(ms).toISOString().slice(11, 19);
}

/**
 * An age in a screen's column, at a coarseness that does not change every second once past a few
 * seconds (7s, 45s, 3m, 2h05m, 3d04h): a frame is drawn only when what it shows changes, so a steady
 * screen costs nothing. Fits 6 cells; `-` when unknown.
 */
export function compactAge(seconds: number | null): string {
	if (seconds === null || !Number.isFinite(seconds)) {
		return '-';
	}

	const whole = Math.max(0, Math.floor(seconds));
	if (whole < 10) {
		return `${whole}s`;
	}

	if (whole < 60) {
		return `${whole - (whole % 5)}s`;
	}

	if (whole < 3600) {
		return `${Math.floor(whole / 60)}m`;
	}

	if (whole < 86_400) {
		return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
	}

	return `${Math.floor(whole / 86_400)}d${String(Math.floor((whole % 86_400) / 3600)).padStart(2, '0')}h`;
}

/** Text on one line: every run of whitespace, line breaks included, becomes one space. */
export function oneLine(text: string): string {
	return text.replace(/\s+/g, ' ').trim();
}

/** What went wrong, in the first line of an error's message (a server error's detail follows it). */
export function errorLine(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	return message.split('\n')[0]?.trim() || 'unknown error';
}
