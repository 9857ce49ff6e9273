import assert from 'node:assert/strict';
import {test} from 'node:test';
import {safeText} from '../../source/text/sanitize.js';
import {cellWidth, fitCells, fitCellsMiddle, sliceCells, sliceCellsEnd, truncateCells} from '../../source/text/width.js';
import {INVISIBLE_CHARACTERS} from '../helpers/hostile.js';

test('widths are terminal cells: wide characters two, zero-width none', () => {
	assert.equal(cellWidth('abc'), 3);
	assert.equal(cellWidth('注文'), 4);
	assert.equal(cellWidth('🐘'), 2);
	assert.equal(cellWidth('e\u0301'), 1);
	assert.equal(cellWidth('a\u200Bb'), 2);
});

test('fitCells pads and cuts to exactly the width, wide text included', () => {
	for (const text of ['short', 'a much longer text than fits', '注文サービスの長いクエリ', '🐘🐘🐘🐘🐘🐘', 'e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301']) {
		for (const width of [1, 2, 5, 9, 10]) {
			const fitted = fitCells(text, width);
			assert.equal(cellWidth(fitted), width, `${text} at ${width}: ${JSON.stringify(fitted)}`);
			assert.equal(cellWidth(fitCells(text, width, 'right')), width);
		}
	}

	assert.equal(fitCells('注文サービス', 7), '注文サ…');
	assert.equal(fitCells('注文サービス', 8), '注文サ… ');
	assert.equal(fitCells('abc', 5, 'right'), '  abc');
});

test('a cut never splits a grapheme', () => {
	assert.equal(sliceCells('e\u0301x', 1), 'e\u0301');
	assert.equal(sliceCells('👩‍👩‍👧x', 2), '👩‍👩‍👧');
	assert.equal(sliceCells('注文', 3), '注');
});

test('truncateCells never pads', () => {
	assert.equal(truncateCells('abc', 10), 'abc');
	assert.equal(truncateCells('注文サービス', 5), '注文…');
	assert.equal(truncateCells('anything', 0), '');
});

test('a name with any invisible or disputed-width character is measured as the terminal draws it once made safe', () => {
	// The stand-in is printable ASCII: one cell a character, in every terminal. (That tmux agrees:
	// terminal-width.test.ts.)
	for (const character of INVISIBLE_CHARACTERS) {
		const shown = safeText(`sx-${character.repeat(3)}`);
		const name = `U+${character.codePointAt(0)!.toString(16)}`;
		assert.match(shown, /^[\u0020-\u007E]+$/, name);
		assert.equal(cellWidth(shown), shown.length, name);
		for (const width of [4, 10]) {
			assert.equal(cellWidth(fitCells(shown, width)), width, `${name} fitted to ${width}`);
			assert.equal(cellWidth(fitCellsMiddle(shown, width)), width, `${name} fitted to ${width}`);
		}
	}
});

test('a cluster that terminals draw letter by letter is as wide as its letters', () => {
	// Conjuncts (a consonant, a virama, a consonant), Thai SARA AM, a skin tone: one grapheme each,
	// drawn in a cell per letter (two per emoji) by tmux, xterm and VTE.
	assert.equal(cellWidth('क्ष'), 2);
	assert.equal(cellWidth('स्त्री'), 4);
	assert.equal(cellWidth('ক্ষ'), 2);
	assert.equal(cellWidth('กำลัง'), 4);
	assert.equal(cellWidth('👍🏽'), 4);
	// What string-width already counts stays counted once.
	assert.equal(cellWidth('각'), 2);
	assert.equal(cellWidth('ｶﾞ'), 2);
	assert.equal(cellWidth('कि'), 2);
	assert.equal(cellWidth('🇺🇸'), 2);
	// Cuts keep to the same widths.
	assert.equal(sliceCells('क्षक्ष', 3), 'क्ष');
	assert.equal(sliceCellsEnd('क्षक्ष', 3), 'क्ष');
	assert.equal(cellWidth(fitCells('क्षत्रिय क्षत्रिय', 7)), 7);
});
