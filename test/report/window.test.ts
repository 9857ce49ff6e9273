// The window of `report --prometheus`: the times users write, and a step Prometheus accepts.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {instantMs, parseInstant, REPORT_MAX_POINTS, reportStartMs, reportStepMs} from '../../source/report/window.js';

const NOW = Date.parse('2026-12-07T20:30:00Z');

test('relative, unix and RFC 3339 times; anything else (and a time without a zone) is refused', () => {
	const cases: Array<[string, number | null]> = [
		['now', NOW],
		['NOW', NOW],
		['-30m', NOW - (30 * 60_000)],
		['now-90s', NOW - 90_000],
		['now - 2h', NOW - (2 * 3_600_000)],
		['-1d', NOW - 86_400_000],
		['-1.5h', NOW - 5_400_000],
		['1796675400', Date.parse('2026-12-07T20:30:00Z')],
		['1796675400.25', Date.parse('2026-12-07T20:30:00.250Z')],
		['2026-12-07T20:00:00Z', Date.parse('2026-12-07T20:00:00Z')],
		['2026-12-07T21:00:00+01:00', Date.parse('2026-12-07T20:00:00Z')],
		['2026-12-07 20:00:00.5z', Date.parse('2026-12-07T20:00:00.500Z')],
		['2026-12-07T20:00', null],
		['2026-12-07T20:00:00', null],
		['2026-12-07', null],
		['30m', null],
		['+30m', null],
		['yesterday', null],
		['', null],
		['17', null],
		['2026-13-45T20:00:00Z', null],
	];
	for (const [text, expected] of cases) {
		const instant = parseInstant(text);
		assert.equal(instant === null ? null : instantMs(instant, NOW), expected, text);
	}
});

test('the step: whole seconds, 1 s up to an hour, then at most REPORT_MAX_POINTS steps (under Prometheus\' 11,000)', () => {
	assert.equal(reportStepMs(NOW - 60_000, NOW), 1000);
	assert.equal(reportStepMs(NOW - 3_600_000, NOW), 1000);
	assert.equal(reportStepMs(NOW - 3_601_000, NOW), 2000);
	for (const spanMs of [3_600_001, 86_400_000, 7 * 86_400_000, 7 * 86_400_000 - 1]) {
		const stepMs = reportStepMs(NOW - spanMs, NOW);
		assert.equal(stepMs % 1000, 0);
		assert.ok(spanMs / stepMs <= REPORT_MAX_POINTS, `${spanMs} ms in steps of ${stepMs} ms`);
		assert.ok((spanMs / stepMs) + 1 <= 11_000);
	}
});

test('the start: on a multiple of the step (where VictoriaMetrics answers a long range), never later, less than a step earlier', () => {
	assert.equal(reportStartMs(1_733_600_001_000, 1000), 1_733_600_001_000);
	assert.equal(reportStartMs(1_733_600_001_000, 2000), 1_733_600_000_000);
	assert.equal(reportStartMs(1_733_600_000_000, 2000), 1_733_600_000_000);
	assert.equal(reportStartMs(1_733_600_007_000, 7000), 1_733_600_001_000);
	assert.equal(reportStartMs(1_733_600_001_000, 7000), 1_733_600_001_000);
	assert.equal(reportStartMs(1_733_600_000_000, 7000), 1_733_599_994_000);
});
