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

/** The longest suffix of `text` that fits `width` cells, cut at a grapheme boundary. */
export function sliceCellsEnd(text: string, width: number): string {
	if (width <= 0) {
		return '';
	}

	if (PRINTABLE_ASCII.test(text)) {
		return text.slice(Math.max(0, text.length - width));
	}

	const parts = [...graphemes.segment(text)].map(part => part.segment);
	let used = 0;
	let start = parts.length;
	while (start > 0) {
		const size = stringWidth(parts[start - 1]!);
		if (used + size > width) {
			break;
		}

		used += size;
		start--;
	}

	return parts.slice(start).join('');
}

/**
 * Cut to `width` cells with an ellipsis in the middle when too long, then pad: instance labels
 * (`checkout-7d9f8b6c5d-x2x9k`, `10.0.3.17:8080`) differ at their ends, so both ends stay.
 */
export function fitCellsMiddle(text: string, width: number): string {
	if (width <= 0) {
		return '';
	}

	if (cellWidth(text) <= width) {
		return fitCells(text, width);
	}

	const tail = sliceCellsEnd(text, Math.floor((width - 1) / 2));
	const head = sliceCells(text, width - 1 - cellWidth(tail));
	return fitCells(`${head}…${tail}`, width);
}
