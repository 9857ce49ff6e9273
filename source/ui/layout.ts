// How the rows - 1 lines of the frame are shared (Ink 6 clears the whole terminal when a frame is as
// tall as the terminal). Pure, so the 80×24 budget is tested without rendering.

export const MIN_COLUMNS = 60;
export const MIN_ROWS = 14;

export type Layout = {
	height: number;
	findingLines: number;
	poolLines: number;
	breakdownLines: number;
	/** The history strip: server slots and the worst queue over the last minutes. */
	historyLines: number;
	listRows: number;
};

// Header, two gauge lines, the list's title and the status line.
const FIXED_LINES = 5;

export function isTooSmall(columns: number, rows: number): boolean {
	return columns < MIN_COLUMNS || rows < MIN_ROWS;
}

/** The most rows the worst finding may take: its claim, its proof and its next step. */
export const MAX_FIRST_FINDING_ROWS = 3;

/** The banner's rows: at most 4 on a small terminal (5 with the history strip's), 6 on a tall one. */
const BANNER_LINES = {small: 4, roomy: 6};

/**
 * `extraLines`: lines the header adds (an error line). `bannerRows`: rows the findings would take
 * with room for all (see findings-banner's bannerRows; default: the worst on two rows, one each after).
 */
export function layoutFor(rows: number, findings: number, pools: number, extraLines = 0, bannerRows = findings + 1): Layout {
	const height = rows - 1;
	const isRoomy = height >= 30;
	const breakdownLines = height >= 20 ? 2 : 0;
	const wanted = findings === 0 ? 0 : Math.max(1, bannerRows);
	// Two findings with their subjects and next steps whole, and the count of the rest, take 5 rows at
	// 80×24: the history strip lends its row, the sessions keep theirs.
	const lendsHistory = !isRoomy && wanted > BANNER_LINES.small;
	const historyLines = height >= 20 && !lendsHistory ? 1 : 0;
	const findingLines = Math.min(wanted, isRoomy ? BANNER_LINES.roomy : BANNER_LINES.small + (lendsHistory && height >= 20 ? 1 : 0));
	const poolLines = Math.min(pools, isRoomy ? 8 : 3);
	const listRows = Math.max(1, height - FIXED_LINES - extraLines - breakdownLines - historyLines - findingLines - poolLines);
	return {height, findingLines, poolLines, breakdownLines, historyLines, listRows};
}
