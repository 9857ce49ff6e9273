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

/**
 * `extraLines`: lines the header adds (an error line). `firstFindingRows`: rows the worst finding
 * needs at this width (1 to 3).
 */
export function layoutFor(rows: number, findings: number, pools: number, extraLines = 0, firstFindingRows = 2): Layout {
	const height = rows - 1;
	const isRoomy = height >= 30;
	const breakdownLines = height >= 20 ? 2 : 0;
	const historyLines = height >= 20 ? 1 : 0;
	// One line per finding, and the worst one as many as it needs, so its next step is not cut off.
	const first = Math.min(Math.max(1, firstFindingRows), MAX_FIRST_FINDING_ROWS);
	const findingLines = findings === 0 ? 0 : Math.min(findings - 1 + first, isRoomy ? 6 : 4);
	const poolLines = Math.min(pools, isRoomy ? 8 : 3);
	const listRows = Math.max(1, height - FIXED_LINES - extraLines - breakdownLines - historyLines - findingLines - poolLines);
	return {height, findingLines, poolLines, breakdownLines, historyLines, listRows};
}
