import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {appendSeries, emptySeries, seriesValues, type Series} from '../../source/judge/series.js';
import {baseTimeMs} from '../helpers/snapshots.js';

function fill(series: Series, readings: Array<Record<string, number | null>>): Series {
	return readings.reduce((current, reading, index) => appendSeries(current, baseTimeMs + (index * 1000), reading), series);
}

describe('series', () => {
	test('keeps the last `capacity` samples on one time axis', () => {
		const series = fill(emptySeries(3), [{used: 1}, {used: 2}, {used: 3}, {used: 4}, {used: 5}]);
		assert.deepEqual(series.times, [baseTimeMs + 2000, baseTimeMs + 3000, baseTimeMs + 4000]);
		assert.deepEqual(seriesValues(series, 'used'), [3, 4, 5]);
	});

	test('a key missing from a sample gets null; a new key is padded for the past', () => {
		const series = fill(emptySeries(4), [{used: 1}, {used: 2, checkout: 5}, {checkout: 6}]);
		assert.deepEqual(seriesValues(series, 'used'), [1, 2, null]);
		assert.deepEqual(seriesValues(series, 'checkout'), [null, 5, 6]);
		assert.deepEqual(seriesValues(series, 'unknown'), []);
	});

	test('a key with nothing left in the window is dropped: memory stays bounded however many keys come and go', () => {
		let series = emptySeries(2);
		for (let index = 0; index < 1000; index++) {
			series = appendSeries(series, baseTimeMs + index, {[`app-${index}`]: index});
		}

		assert.deepEqual([...series.values.keys()], ['app-998', 'app-999']);
		assert.deepEqual(seriesValues(series, 'app-999'), [null, 999]);
	});

	test('appending does not change the previous value', () => {
		const before = fill(emptySeries(2), [{used: 1}, {used: 2}]);
		appendSeries(before, baseTimeMs + 5000, {used: 3});
		assert.deepEqual(seriesValues(before, 'used'), [1, 2]);
		assert.equal(before.times.length, 2);
	});
});
