// Widths as a real terminal draws them (tmux, test/helpers/terminal.ts): a row that lifeguard
// measures narrower than the terminal draws it takes two lines, and the frame scrolls; wider, and a
// bordered table comes apart. Found by a sweep, not by a list of lifeguard's own: every code point
// from U+0020 to U+1FFFF and a sample beyond, in three places of a name, made safe as lifeguard makes
// outside text safe; and names in scripts whose clusters string-width measures differently from
// terminals.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {safeText} from '../../source/text/sanitize.js';
import {cellWidth, fitCells} from '../../source/text/width.js';
import {hasTmux, terminalCells} from '../helpers/terminal.js';

const NAMES = [
	'checkout', '注文サービス', 'ｶﾞｲﾄﾞ', '한국어 각', 'Привет', 'café e\u0301', 'שָׁלוֹם', 'مُحَمَّد',
	'क्षत्रिय', 'स्त्री', 'ক্ষমা', 'ക്ഷേത്രം', 'ញ្ញា', 'กำลัง', 'ລຳ', 'தமிழ்', 'ཀྵ',
	'🐘 pg', '🇺🇸🇯🇵', '👍🏽', '\u1100\u1161\u11A8 \u1100\u1161',
];

/** Every code point from U+0020 to U+1FFFF (surrogates aside), then every 97th up to U+10FFFF and some named ones. */
function sweptCodePoints(): number[] {
	const points: number[] = [];
	for (let code = 0x20; code <= 0x1_FF_FF; code++) {
		if (code < 0xD8_00 || code > 0xDF_FF) {
			points.push(code);
		}
	}

	for (let code = 0x2_00_00; code <= 0x10_FF_FF; code += 97) {
		points.push(code);
	}

	// CJK extensions B and G (wide) and H (Unicode 15), tags, a variation selector, private use.
	points.push(0x2_00_00, 0x2_A6_DF, 0x3_13_4A, 0x3_13_50, 0xE_00_01, 0xE_00_41, 0xE_01_00, 0xF_00_00, 0x10_FF_FD);
	return points;
}

/** A code point in a name: after a letter, three in a row (a run of marks, of prepends, of flags), first. */
const PLACES: ReadonlyArray<[string, (character: string) => string]> = [
	['after a letter', character => `x${character}`],
	['three in a row', character => `${character}${character}${character}`],
	['first', character => `${character}y`],
];

/** Rows of about `cells` cells: each name once, names apart by a space (a row of the session list). */
function rowsOf(names: readonly string[], cells: number): Array<{text: string; first: number; end: number}> {
	const rows: Array<{text: string; first: number; end: number}> = [];
	let first = 0;
	let width = 0;
	for (let index = 0; index <= names.length; index++) {
		const size = index < names.length ? cellWidth(names[index]!) + 1 : Number.POSITIVE_INFINITY;
		if (index > first && width + size > cells) {
			rows.push({text: names.slice(first, index).join(' '), first, end: index});
			first = index;
			width = 0;
		}

		width += size;
	}

	return rows;
}

describe('cell widths agree with a real terminal', {skip: hasTmux() ? false : 'tmux is not installed'}, () => {
	test('every code point to U+1FFFF, and a sample beyond, in three places of a name made safe: each row as many cells as lifeguard counts', async () => {
		const points = sweptCodePoints();
		const wrong: string[] = [];
		for (const [place, name] of PLACES) {
			const names = points.map(code => safeText(name(String.fromCodePoint(code))));
			// Many names per row (one tmux call for all rows); a row that differs is taken apart.
			const rows = rowsOf(names, 1000);
			const drawn = await terminalCells(rows.map(row => row.text));
			const differing = rows.filter((row, index) => drawn[index] !== cellWidth(row.text));
			const suspects = differing.flatMap(row => names.slice(row.first, row.end).map((text, offset) => ({text: `a ${text} b`, code: points[row.first + offset]!})));
			const alone = suspects.length > 0 ? await terminalCells(suspects.map(suspect => suspect.text)) : [];
			const culprits = suspects
				.map((suspect, index) => ({...suspect, drawn: alone[index]!, counted: cellWidth(suspect.text)}))
				.filter(suspect => suspect.drawn !== suspect.counted);
			wrong.push(...culprits.map(culprit => `U+${culprit.code.toString(16).toUpperCase()} ${place}: ${JSON.stringify(culprit.text)} drawn ${culprit.drawn}, counted ${culprit.counted}`));
			if (differing.length > 0 && culprits.length === 0) {
				wrong.push(`${place}: rows from U+${points[differing[0]!.first]!.toString(16).toUpperCase()} differ, no name alone does`);
			}
		}

		assert.deepEqual(wrong.slice(0, 30), [], `${wrong.length} differ`);
	});

	test('names in many scripts: as many cells as lifeguard counts, whole and cut', async () => {
		const texts = [...NAMES, ...NAMES.map(name => fitCells(name.repeat(3), 7)), ...NAMES.map(name => fitCells(name.repeat(3), 12))];
		const drawn = await terminalCells(texts);
		assert.deepEqual(texts.map(text => [text, cellWidth(text)]), texts.map((text, index) => [text, drawn[index]]));
	});
});
