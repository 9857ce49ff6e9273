// Widths in terminal cells, not UTF-16 units: a CJK character takes two cells, a combining mark
// none. Every cut and pad on screen goes through here, so a row never wraps. Characters that terminals
// draw at widths of their own (zero-width and format characters, Hangul fillers…) never get here:
// they are made visible where outside text enters (sanitize.ts).
import stringWidth from 'string-width';

const PRINTABLE_ASCII = /^[\u0020-\u007E]*$/;
const graphemes = new Intl.Segmenter(undefined, {granularity: 'grapheme'});
const MARK = /\p{M}/u;
/** Letters and skin tones: a terminal draws them in cells of their own, even inside a cluster. */
const JOINING = /[\p{L}\p{Emoji_Modifier}]/u;
/** Code points string-width already counts inside a cluster: Hangul jamo, half- and full-width forms. */
const COUNTED_IN_CLUSTER = /[\u1100-\u11FF\uA960-\uA97F\uD7B0-\uD7FF\uFF00-\uFFEF]/u;
/**
 * A letter continues a cluster only after a mark (a virama), or as Thai or Lao SARA AM; a skin tone
 * follows an emoji; regional indicators pair up.
 */
const MAY_JOIN_LETTERS = /\p{M}\p{L}|[\u0E33\u0EB3\p{Emoji_Modifier}\p{Regional_Indicator}]/u;
/** Two regional indicators: a flag (🇺🇸) or a pair no country has (🇦🇦); string-width counts the latter one cell. */
const REGIONAL_PAIR = /^\p{Regional_Indicator}{2}$/u;
/**
 * Hangul vowel and final jamo (the filler U+1160 is escaped at entry): terminals drawing code point by
 * code point (tmux, as wcwidth does) give them no cell, after a leading jamo or alone; string-width
 * counts one that does not follow a leading jamo as one cell. A leading jamo is drawn two cells wide
 * either way, so without them string-width counts what the terminal draws.
 */
const VOWEL_OR_FINAL_JAMO = /[\u1161-\u11FF\uD7B0-\uD7FF]/u;
const VOWEL_OR_FINAL_JAMO_ALL = new RegExp(VOWEL_OR_FINAL_JAMO.source, 'gu');

/** string-width, with Hangul vowel and final jamo drawn in no cell. */
function cells(text: string): number {
	return stringWidth(VOWEL_OR_FINAL_JAMO.test(text) ? text.replaceAll(VOWEL_OR_FINAL_JAMO_ALL, '') : text);
}

/**
 * The cells string-width leaves out of a grapheme cluster. It gives a cluster the width of its first
 * letter, but a conjunct (क्ष: a consonant, a virama, a consonant) or Thai SARA AM (กำ) is one cluster
 * that a terminal drawing code point by code point (tmux, as wcwidth does) draws letter by letter:
 * two cells. Every letter after the first adds its own width, and so does a skin tone after an emoji
 * (👍🏽: four cells in tmux); two regional indicators take two cells, a flag or not. Measured in tmux by test/text/terminal-width.test.ts.
 */
function extraLetterCells(cluster: string): number {
	if (cluster.length === 1 || (cluster.length === 2 && cluster.codePointAt(0)! > 0xFF_FF)) {
		return 0; // one code point
	}

	if (REGIONAL_PAIR.test(cluster)) {
		return 2 - stringWidth(cluster); // a terminal draws each indicator in a cell
	}

	let extra = 0;
	let hasBase = false;
	for (const character of cluster) {
		if (!hasBase) {
			hasBase = !MARK.test(character); // the base: counted by string-width
		} else if (JOINING.test(character) && !COUNTED_IN_CLUSTER.test(character)) {
			extra += stringWidth(character);
		}
	}

	return extra;
}

const clusterWidth = (cluster: string) => cells(cluster) + extraLetterCells(cluster);

export function cellWidth(text: string): number {
	if (PRINTABLE_ASCII.test(text)) {
		return text.length;
	}

	let width = cells(text);
	if (MAY_JOIN_LETTERS.test(text)) {
		for (const {segment} of graphemes.segment(text)) {
			width += extraLetterCells(segment);
		}
	}

	return width;
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
		const size = clusterWidth(segment);
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
		const size = clusterWidth(parts[start - 1]!);
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

/** Words into lines of at most `width` cells; a word longer than a line is cut. */
export function wrapCells(text: string, width: number): string[] {
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(' ').filter(Boolean)) {
		let rest = word;
		while (cellWidth(rest) > width) {
			if (line) {
				lines.push(line);
				line = '';
			}

			const head = sliceCells(rest, width);
			lines.push(head);
			rest = rest.slice(head.length);
		}

		if (!line) {
			line = rest;
		} else if (cellWidth(line) + 1 + cellWidth(rest) <= width) {
			line = `${line} ${rest}`;
		} else {
			lines.push(line);
			line = rest;
		}
	}

	if (line || lines.length === 0) {
		lines.push(line);
	}

	return lines;
}
