import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {autoMax, sparkline} from '../../source/ui/sparkline.js';

describe('sparkline', () => {
	const table: Array<[string, Array<number | null>, number, number, string]> = [
		['0 % is the floor, not a gap', [0, 0, 0], 100, 3, '▁▁▁'],
		['50 % is exactly half a cell', [50], 100, 1, '▄'],
		['100 % is a full cell', [100], 100, 1, '█'],
		['above the max clamps to full', [250], 100, 1, '█'],
		['0 %, 50 %, 100 % side by side cannot look alike', [0, 50, 100], 100, 3, '▁▄█'],
		['every eighth', [1, 2, 3, 4, 5, 6, 7, 8], 8, 8, '▁▂▃▄▅▆▇█'],
		['just above a half rises above ▄', [51], 100, 1, '▅'],
		['gaps for missing samples', [10, null, Number.NaN, 10], 10, 4, '█··█'],
		['fewer values than cells: padded with gaps on the left, newest on the right', [0, 100], 100, 5, '···▁█'],
		['more values than cells: the newest ones', [0, 0, 0, 100, 50], 100, 2, '█▄'],
		['no values at all', [], 10, 4, '····'],
		['zero width', [1, 2], 10, 0, ''],
		['a max of 0: zero is the floor', [0, 0], 0, 2, '▁▁'],
	];
	for (const [name, values, max, width, expected] of table) {
		test(name, () => {
			const line = sparkline(values, max, width);
			assert.equal(line, expected);
			assert.equal([...line].length, width, 'exactly one glyph per cell');
		});
	}

	test('a space for gaps when asked', () => {
		assert.equal(sparkline([null, 4], 8, 3, {gap: ' '}), '  ▄');
	});

	test('autoMax: the largest value, at least the floor', () => {
		assert.equal(autoMax([null, 3, 12, 7]), 12);
		assert.equal(autoMax([0, null]), 1);
		assert.equal(autoMax([2], 10), 10);
	});
});
