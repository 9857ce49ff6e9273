// Text helpers for the screen. Glyphs carry every value, so the screen reads the same without colour.
import {fitCells} from '../text/width.js';
import {compactAge} from '../text/words.js';

/** "just now", "12s ago" → "10s ago", "3m ago": as coarse as compactAge. */
export function ageText(fromMs: number, nowMs: number): string {
	const seconds = Math.max(0, (nowMs - fromMs) / 1000);
	return seconds < 2 ? 'just now' : `${compactAge(seconds)} ago`;
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
