// `report --prometheus URL --from T --to T`: the window's ends as users write them, and the step of the
// range query. Pure: "now" arrives as an argument.

/** An end of the window: a moment, or an offset from now (`-30m`, `now`). */
export type Instant = {atMs: number} | {fromNowMs: number};

const UNIT_MS: Record<string, number> = {s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000};

/**
 * `now`; an offset back from now of one number and one unit (`-30m`, `now-90s`, `-2h`, `-1d`); unix
 * seconds (`1733600000`, `1733600000.5`); RFC 3339 with a zone (`2026-12-07T20:00:00Z`, `…+01:00`).
 * Anything else is null: a moment without a zone would be read in some machine's local time.
 */
export function parseInstant(text: string): Instant | null {
	const trimmed = text.trim().toLowerCase();
	if (trimmed === 'now') {
		return {fromNowMs: 0};
	}

	const relative = /^(?:now)?\s*-\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d)$/.exec(trimmed);
	if (relative) {
		return {fromNowMs: -Number(relative[1]) * UNIT_MS[relative[2]!]!};
	}

	if (/^\d{9,11}(?:\.\d+)?$/.test(trimmed)) {
		return {atMs: Math.round(Number(trimmed) * 1000)};
	}

	const rfc3339 = /^\d{4}-\d\d-\d\d[t ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:z|[+-]\d\d:\d\d)$/;
	const atMs = rfc3339.test(trimmed) ? Date.parse(trimmed.toUpperCase().replace(' ', 'T')) : Number.NaN;
	return Number.isNaN(atMs) ? null : {atMs};
}

export function instantMs(instant: Instant, nowMs: number): number {
	return 'atMs' in instant ? instant.atMs : nowMs + instant.fromNowMs;
}

/**
 * The points a report asks for at most (Prometheus refuses more than 11,000 per series): a sample a
 * second for an hour-long test (as `record` at its default interval), coarser beyond, so an answer
 * stays well under the 4 MiB cap for a few dozen pools.
 */
export const REPORT_MAX_POINTS = 3600;

/** The step: whole seconds, at least 1 s, so the window holds at most REPORT_MAX_POINTS steps. */
export function reportStepMs(startMs: number, endMs: number): number {
	return Math.max(1, Math.ceil((endMs - startMs) / 1000 / REPORT_MAX_POINTS)) * 1000;
}

/**
 * The window's start moved back onto a multiple of its step (at most a step less a second earlier).
 * VictoriaMetrics rounds the start of a range of 50 points or more down to one (its answers are cached
 * by step), so a report asking from elsewhere would find none of its points at the times it asked; on
 * the grid every engine answers at the same times. A step of 1 s changes nothing.
 */
export function reportStartMs(startMs: number, stepMs: number): number {
	return Math.floor(startMs / stepMs) * stepMs;
}
