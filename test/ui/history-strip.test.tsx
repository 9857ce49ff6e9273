import assert from 'node:assert/strict';
import {test} from 'node:test';
import {pictureOf} from '../../source/model/picture.js';
import {appendTrend, emptyTrend} from '../../source/model/trend.js';
import {bucketed, historyView} from '../../source/ui/components/history-strip.js';
import {cellWidth} from '../../source/text/width.js';
import {baseTimeMs, defaultThresholds, observation, poolStatus, serverSnapshot} from '../helpers/snapshots.js';

const text = (line: ReturnType<typeof historyView>) => line.spans.map(part => part.text).join('');

function pictureAfter(samples: Array<{used: number; waiting: number}>) {
	let trend = emptyTrend;
	let picture = pictureOf(observation(), defaultThresholds);
	for (const [index, sample] of samples.entries()) {
		const atMs = baseTimeMs + index * 1000;
		picture = pictureOf(observation({atMs, server: serverSnapshot({takenAtMs: atMs, connections: sample.used}), pools: [poolStatus({metrics: {max: 5, active: 5, waiting: sample.waiting}, sampledAtMs: atMs})]}), defaultThresholds);
		trend = appendTrend(trend, picture, []);
	}

	return {...picture, trend};
}

test('the strip shows when the queue began and when a fix took, in plain glyphs, at 80 columns', () => {
	const calm = Array.from({length: 10}, () => ({used: 10, waiting: 0}));
	const incident = Array.from({length: 10}, () => ({used: 10, waiting: 800}));
	const line = text(historyView(pictureAfter([...calm, ...incident, ...calm]), 80));
	assert.equal(cellWidth(line), 80, line);
	assert.match(line, /^History slots ▁+ 10\/97 {2}api waiting (▁+)(█+)(▁+) 0 last 25s$/);
	const [, before, during, after] = /api waiting (▁+)(█+)(▁+)/.exec(line)!;
	assert.ok(before!.length >= 5 && during!.length >= 5 && after!.length >= 5, line);
});

test('the number beside a sparkline is the one the pool row shows', () => {
	const picture = pictureAfter([{used: 10, waiting: 147}]);
	const newer = {...picture, pools: picture.pools.map(pool => ({...pool, metrics: {...pool.metrics!, waiting: 148}}))};
	assert.match(text(historyView(newer, 80)), /api waiting .* 148 last/);
});

test('server slots at 0 %, 50 % and 100 % of usable read ▁, ▄ and █', () => {
	const line = text(historyView(pictureAfter([{used: 0, waiting: 0}, {used: 48, waiting: 0}, {used: 97, waiting: 0}]), 120));
	assert.match(line, /slots ·*▁▄█ 97\/97/);
});

test('bucketing keeps the spike: each cell is the largest sample it covers', () => {
	assert.deepEqual(bucketed([0, 0, 9, 0, 0, 0], 3), [0, 9, 0]);
	assert.deepEqual(bucketed([1, null, null, null], 2), [1, null]);
	assert.deepEqual(bucketed([1, 2], 5), [1, 2]);
});
