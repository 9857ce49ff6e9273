// What one sample of a recording weighs, measured on pictures the judge really derives: the busiest
// case (40 saturated pools, 200 client groups, many findings) and the hostile one (every name at the
// cap, made of characters JSON must escape). The README's bytes per hour are these numbers × 3600.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {parsePoolSpec} from '../../source/connection/pool-endpoint.js';
import {placeholderPool} from '../../source/judge/pool-status.js';
import {emptyWatch, judgePoolReading, judgeServerReading} from '../../source/judge/watch.js';
import {recordingSample, SAMPLE_CAPS} from '../../source/report/recording.js';
import {safeJson} from '../../source/text/sanitize.js';
import {baseTimeMs, clientGroup, defaultThresholds, poolMetrics, serverSnapshot} from '../helpers/snapshots.js';

/** The README's promise: a sample of the busiest kind stays under this many bytes, a hostile one under the second. */
const BUSY_SAMPLE_BYTES = 8 * 1024;
const HOSTILE_SAMPLE_BYTES = 24 * 1024;

function sampleBytes(name: (index: number) => string, t: {diagnostic(message: string): void}, what: string): number {
	const endpoint = parsePoolSpec('json+http://127.0.0.1:9/pools');
	const groups = Array.from({length: 200}, (_, index) => clientGroup(name(index), `10.0.${Math.floor(index / 250)}.${index % 250}`, 5, 5, 1000 + (index * 5)));
	let watch = emptyWatch(defaultThresholds, {pools: [placeholderPool(endpoint)]});
	let line = '';
	// Three seconds: rates and timeouts need more than one reading.
	for (const second of [0, 1, 2]) {
		const atMs = baseTimeMs + (second * 1000);
		const snapshot = serverSnapshot({takenAtMs: atMs, connections: 96, states: {active: 90, idle: 6}, clientGroups: groups, lockWaiting: 12});
		watch = judgeServerReading(watch, {ok: true, snapshot, isReconnected: false}, atMs).watch;
		const pools = Array.from({length: 40}, (_, index) => poolMetrics({label: name(index), max: 10, active: 10, idle: 0, waiting: 150 + index, timeoutsTotal: 1000 * second, oldestWaitSeconds: 2.9}));
		watch = judgePoolReading(watch, endpoint, {ok: true, format: 'json', pools}, atMs).watch;
		line = `${safeJson(recordingSample(watch.live, null, atMs))}\n`;
	}

	const sample = JSON.parse(line) as ReturnType<typeof recordingSample>;
	const bytes = Buffer.byteLength(line);
	t.diagnostic(`${what}: ${bytes} bytes a sample (${sample.pools.length} pools + ${sample.poolsOmitted} omitted, ${sample.groups.length} groups + ${sample.groupsOmitted}, ${sample.findings.length} findings + ${sample.findingsOmitted}); ${(bytes * 3600 / 1024 / 1024).toFixed(1)} MiB an hour at --interval 1`);
	assert.equal(sample.pools.length, SAMPLE_CAPS.pools);
	assert.equal(sample.groups.length, SAMPLE_CAPS.groups);
	assert.equal(sample.poolsOmitted, 20);
	assert.ok(sample.findings.length > 1, 'the judge found the saturated pools');
	return bytes;
}

describe('recording size', () => {
	test('the busiest sample: 40 saturated pools, 200 client groups', t => {
		assert.ok(sampleBytes(index => `checkout-service-pool-${index}`, t, 'busy') <= BUSY_SAMPLE_BYTES);
	});

	test('the hostile sample: every name long and escaped', t => {
		// A C1 control is written as a six-byte \u escape: the most bytes a code point costs in safeJson's output.
		const hostile = (index: number) => `${index}${'\u0085'.repeat(500)}`;
		assert.ok(sampleBytes(hostile, t, 'hostile') <= HOSTILE_SAMPLE_BYTES);
	});
});
