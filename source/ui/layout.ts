// How the rows - 1 lines of the frame are shared (Ink 6 clears the whole terminal when a frame is as
// tall as the terminal). Pure, so the 80×24 budget is tested without rendering.

export const MIN_COLUMNS = 60;
export const MIN_ROWS = 14;

export type Layout = {
	height: number;
	findingLines: number;
	poolLines: number;
	breakdownLines: number;
	listRows: number;
};

// Header, two gauge lines, the list's title and the status line.
const FIXED_LINES = 5;

export function isTooSmall(columns: number, rows: number): boolean {
	return columns < MIN_COLUMNS || rows < MIN_ROWS;
}

/** `extraLines`: lines the header adds (an error line). */
export function layoutFor(rows: number, findings: number, pools: number, extraLines = 0): Layout {
	const height = rows - 1;
	const isRoomy = height >= 30;
	const breakdownLines = height >= 20 ? 2 : 0;
	// One line per finding, plus one so the worst finding's next step is not cut off.
	const findingLines = findings === 0 ? 0 : Math.min(findings + 1, isRoomy ? 6 : 4);
	const poolLines = Math.min(pools, isRoomy ? 8 : 3);
	const listRows = Math.max(1, height - FIXED_LINES - extraLines - breakdownLines - findingLines - poolLines);
	return {height, findingLines, poolLines, breakdownLines, listRows};
}
