import assert from 'node:assert/strict';
import {test} from 'node:test';
import {pictureOf} from '../../source/judge/picture.js';
import {appendTrend, emptyTrend} from '../../source/judge/trend.js';
import {cellsOf, historyView} from '../../source/ui/components/history-strip.js';
import {appendSeries, emptySeries, type Series} from '../../source/judge/series.js';
import {cellWidth} from '../../source/text/width.js';
import {baseTimeMs, defaultThresholds, observation, poolStatus, serverSnapshot} from '../helpers/snapshots.js';

const text = (line: ReturnType<typeof historyView>) => line.spans.map(part => part.text).join('');

function pictureAfter(samples: Array<{used: number; waiting: number}>) {
	let trend = emptyTrend;
	let picture = pictureOf(observation(), defaultThresholds);
	for (const [index, sample] of samples.entries()) {
		const atMs = baseTimeMs + index * 10_000;
		picture = pictureOf(observation({atMs, server: serverSnapshot({takenAtMs: atMs, connections: sample.used}), pools: [poolStatus({metrics: {max: 5, active: 5, waiting: sample.waiting}, sampledAtMs: atMs})]}), defaultThresholds);
		trend = appendTrend(trend, picture, []);
	}

	return {...picture, trend};
}

test('the strip shows when the queue began and when a fix took, in plain glyphs, at 80 columns', () => {
	const calm = Array.from({length: 5}, () => ({used: 10, waiting: 0}));
	const incident = Array.from({length: 5}, () => ({used: 10, waiting: 800}));
	const line = text(historyView(pictureAfter([...calm, ...incident, ...calm]), 80));
	assert.ok(cellWidth(line) <= 80, line);
	assert.match(line, /^History slots [·▁]+ 10\/97 {2}api waiting ·*(▁+)(█+)(▁+) 0 last 2m$/);
	const [, before, during, after] = /api waiting ·*(▁+)(█+)(▁+)/.exec(line)!;
	assert.deepEqual([before!.length, during!.length, after!.length], [5, 5, 5], line);
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

test('one cell per 10 s bucket on the absolute time axis: a spike inside a bucket stays, a missing bucket is a gap', () => {
	let trend = appendTrend(emptyTrend, pictureOf(observation({atMs: baseTimeMs, server: serverSnapshot({connections: 1})}), defaultThresholds), []);
	trend = appendTrend(trend, pictureOf(observation({atMs: baseTimeMs + 1000, server: serverSnapshot({connections: 9})}), defaultThresholds), []);
	trend = appendTrend(trend, pictureOf(observation({atMs: baseTimeMs + 2000, server: serverSnapshot({connections: 2})}), defaultThresholds), []);
	trend = appendTrend(trend, pictureOf(observation({atMs: baseTimeMs + 30_000, server: serverSnapshot({connections: 4})}), defaultThresholds), []);
	assert.deepEqual(cellsOf(trend, 'server used', 5), [null, 9, null, null, 4]);
	assert.deepEqual(cellsOf(appendSeries(emptySeries(2), 0, {x: 1}), 'x', 0), []);
});

test('a steady screen: more samples in the same bucket change nothing on the strip', () => {
	let trend = emptyTrend;
	const lines = new Set<string>();
	for (let index = 0; index < 50; index++) {
		const atMs = baseTimeMs + 60_000 + index * 50;
		const picture = pictureOf(observation({atMs, server: serverSnapshot({takenAtMs: atMs, connections: 10})}), defaultThresholds);
		trend = appendTrend(trend, picture, []);
		lines.add(text(historyView({...picture, trend}, 80)));
	}

	assert.equal(lines.size, 1);
});

test('a trend seeded from before the start says so while its cells are in view, and the line still fits', () => {
	const startMs = baseTimeMs + (10 * 10_000);
	const seeded = pictureAfter([...Array.from({length: 10}, () => ({used: 10, waiting: 150})), {used: 10, waiting: 150}]);
	const picture = {...seeded, trend: {...seeded.trend, prior: {source: 'Prometheus', untilMs: startMs}}};
	for (const width of [80, 120]) {
		const line = text(historyView(picture, width));
		assert.ok(cellWidth(line) <= width, line);
		assert.match(line, /api waiting ·*█{8,} 150 Prometheus <12:01$/, line);
	}

	// 40 live buckets later, the seeded ones are out of an 80-column strip's view: no legend.
	let later: Series = picture.trend;
	for (let index = 1; index <= 40; index++) {
		later = appendSeries(later, startMs + (index * 10_000), {[`pool api waiting`]: 0, 'server used': 10});
	}

	assert.doesNotMatch(text(historyView({...picture, trend: later}, 80)), /Prometheus/);
});
