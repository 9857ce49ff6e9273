// Widths in terminal cells, not UTF-16 units: a CJK character takes two cells, a combining mark or a
// zero-width joiner none. Every cut and pad on screen goes through here, so a row never wraps.
import stringWidth from 'string-width';

const PRINTABLE_ASCII = /^[\u0020-\u007E]*$/;
const graphemes = new Intl.Segmenter(undefined, {granularity: 'grapheme'});

export function cellWidth(text: string): number {
	return PRINTABLE_ASCII.test(text) ? text.length : stringWidth(text);
}

/** The longest prefix of `text` that fits `width` cells, cut at a grapheme boundary. */
export function sliceCells(text: string, width: number): string {
	if (width <= 0) {
		return '';
	}

	if (PRINTABLE_ASCII.test(text)) {
		return text.slice(0, width);
	}

	let used = 0;
	let end = 0;
	for (const {segment, index} of graphemes.segment(text)) {
		const size = stringWidth(segment);
		if (used + size > width) {
			break;
		}

		used += size;
		end = index + segment.length;
	}

	return text.slice(0, end);
}

/** Cut to `width` cells with an ellipsis when too long, then pad with spaces to exactly `width` cells. */
export function fitCells(text: string, width: number, align: 'left' | 'right' = 'left'): string {
	if (width <= 0) {
		return '';
	}

	const size = cellWidth(text);
	const cut = size > width ? `${sliceCells(text, width - 1)}…` : text;
	const padding = ' '.repeat(Math.max(0, width - cellWidth(cut)));
	return align === 'left' ? cut + padding : padding + cut;
}

/** Cut to at most `width` cells with an ellipsis; never padded. */
export function truncateCells(text: string, width: number): string {
	if (width <= 0) {
		return '';
	}

	return cellWidth(text) > width ? `${sliceCells(text, width - 1)}…` : text;
}
