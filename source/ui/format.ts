// Text helpers for the screen. Glyphs carry every value, so the screen reads the same without colour.
import {fitCells} from '../text/width.js';

/**
 * An age at a coarseness that does not change every second once past a few seconds (7s, 45s, 3m,
 * 2h05m, 3d04h): a frame is drawn only when what it shows changes, so a steady screen costs nothing.
 * Fits a 6-character column.
 */
export function compactDuration(seconds: number | null): string {
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

/** "just now", "12s ago" → "10s ago", "3m ago": as coarse as compactDuration. */
export function ageText(fromMs: number, nowMs: number): string {
	const seconds = Math.max(0, (nowMs - fromMs) / 1000);
	return seconds < 2 ? 'just now' : `${compactDuration(seconds)} ago`;
}

export function percent(ratio: number): string {
	return `${Math.round(ratio * 100)}%`;
}

export type BarSegment = {count: number; glyph: string};

/**
 * A bar `width` cells wide for `total` slots: each segment takes cells in proportion, the rest is
 * free. A segment with at least one connection gets at least one cell, so 1 of 500 still shows.
 */
export function segmentedBar(segments: readonly BarSegment[], total: number, width: number, freeGlyph = '·'): string {
	if (width <= 0) {
		return '';
	}

	const used = segments.reduce((sum, segment) => sum + segment.count, 0);
	const scale = Math.max(total, used, 1);
	let cells = '';
	for (const segment of segments) {
		if (segment.count <= 0) {
			continue;
		}

		const size = Math.max(1, Math.round((segment.count / scale) * width));
		cells += segment.glyph.repeat(Math.min(size, width - cells.length));
	}

	return cells + freeGlyph.repeat(Math.max(0, width - cells.length));
}

/** Cut to `width` terminal cells with an ellipsis, pad to exactly `width` cells. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
	return fitCells(text, width, align);
}

export const LEVEL_TAG = {ok: 'OK', warning: 'WARN', critical: 'CRIT', unknown: 'DOWN'} as const;
