// Sparklines in plain glyphs: the height of each cell carries the value, so the strip reads right
// without colour (NO_COLOR, SSH, projectors). Pure: values in, a string of exactly `width` cells out.

/** One eighth to eight eighths. ▄ is exactly half, █ full; ▁ is the floor, so 0 still shows. */
export const SPARK_GLYPHS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
/** No sample at that moment (disconnected, not yet started): visibly not a zero. */
export const SPARK_GAP = '·';

export type SparklineOptions = {
	/** The glyph for a missing value; '·' unless told (' ' for a quieter strip). */
	gap?: string;
};

/**
 * The last `width` values, oldest left, newest in the rightmost cell; fewer values than cells are
 * padded on the left with gaps. A value is drawn in eighths of `max`, rounded up so any value above
 * an eighth rises above the floor: 0 → ▁, 50 % → ▄, 100 % (or more) → █. null, NaN: a gap.
 */
export function sparkline(values: ReadonlyArray<number | null | undefined>, max: number, width: number, options: SparklineOptions = {}): string {
	const gap = options.gap ?? SPARK_GAP;
	const cells = Math.max(0, Math.floor(width));
	const shown = values.slice(Math.max(0, values.length - cells));
	const glyphs = shown.map(value => glyph(value, max, gap));
	return gap.repeat(cells - glyphs.length) + glyphs.join('');
}

function glyph(value: number | null | undefined, max: number, gap: string): string {
	if (value === null || value === undefined || Number.isNaN(value)) {
		return gap;
	}

	const ratio = max > 0 ? value / max : (value > 0 ? 1 : 0);
	const eighths = Math.min(8, Math.max(1, Math.ceil((ratio * 8) - 1e-9)));
	return SPARK_GLYPHS[eighths - 1]!;
}

/** A scale for a count with no natural maximum (waiting): the largest value shown, at least `floor`. */
export function autoMax(values: ReadonlyArray<number | null | undefined>, floor = 1): number {
	let max = floor;
	for (const value of values) {
		if (typeof value === 'number' && value > max) {
			max = value;
		}
	}

	return max;
}
