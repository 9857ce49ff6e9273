import assert from 'node:assert/strict';
import {test} from 'node:test';
import {cellWidth, fitCells, sliceCells, truncateCells} from '../../source/text/width.js';

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
