// One helper for each way lifeguard writes a count, a share, a duration or an error.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {compactAge, errorLine, findingDuration, oneLine, percent, plural, settingDuration} from '../../source/text/words.js';

describe('findingDuration: how long a finding has lasted, coarse past ten seconds', () => {
	const cases: Array<[number, string]> = [
		[0, '0 s'],
		[5.5, '5.5 s'],
		// Cut, not rounded: beside a pool row's "2s" a finding never says "3.0 s".
		[2.96, '2.9 s'],
		[9.99, '9.9 s'],
		[9, '9 s'],
		[42.7, '40 s'],
		[61, '1 min'],
		[312, '5 min'],
		[3700, '1 h 1 min'],
	];
	for (const [seconds, expected] of cases) {
		test(`${seconds} → ${expected}`, () => {
			assert.equal(findingDuration(seconds), expected);
		});
	}
});

describe('settingDuration: a setting\'s value exactly, as the doctor quotes it', () => {
	const cases: Array<[number, string]> = [
		[0, '0 (off)'],
		[-1, '0 (off)'],
		[0.5, '500 ms'],
		[0.0003, '0.3 ms'],
		[90, '1 min 30 s'],
		[7875, '2 h 11 min 15 s'],
		[3600, '1 h'],
		[59.6, '1 min'],
	];
	for (const [seconds, expected] of cases) {
		test(`${seconds} s → ${expected}`, () => {
			assert.equal(settingDuration(seconds), expected);
		});
	}
});

test('compactAge: a screen column\'s age, coarse past a few seconds, so a steady screen is not redrawn every second', () => {
	assert.deepEqual([0.42, 7.9, 42, 44, 45, 312, 7380, 100_000, null, Number.NaN].map(value => compactAge(value)), ['0s', '7s', '40s', '40s', '45s', '5m', '2h03m', '1d03h', '-', '-']);
});

test('plural and percent', () => {
	assert.deepEqual([0, 1, 2].map(count => plural(count, 'session')), ['0 sessions', '1 session', '2 sessions']);
	assert.equal(plural(2, 'query', 'queries'), '2 queries');
	assert.deepEqual([0, 0.424, 0.995, 1.2].map(ratio => percent(ratio)), ['0%', '42%', '100%', '120%']);
});

test('oneLine puts text on one line; errorLine keeps the first line of what went wrong', () => {
	assert.equal(oneLine('  no pool "a\nb"\t in   response '), 'no pool "a b" in response');
	assert.equal(errorLine(new Error('permission denied to terminate\nDETAIL: only superusers')), 'permission denied to terminate');
	assert.equal(errorLine(new Error('')), 'unknown error');
	assert.equal(errorLine('timeout'), 'timeout');
});
