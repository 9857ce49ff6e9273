// `lifeguard demo --doctor`: the pool-too-small scenario fails the capacity check with the right
// arithmetic (Little's law on the pool's usage counters), through the built binary, against the demo's own server and simulated pool.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {ensureBuilt, runCli} from '../cli/helpers.js';

type JsonReport = {target: string; checks: Array<{id: string; status: string; found: string; fix: string | null; numbers: Record<string, number | null>}>};

describe('lifeguard demo --doctor', () => {
	test('pool-too-small: capacity-observed fails: pool at max, waiters, the server with room; the fix adds up', async () => {
		ensureBuilt();
		const result = await runCli(['demo', '--doctor', '--json'], {timeoutMs: 90_000});
		assert.equal(result.code, 2, `stdout ${result.stdout}, stderr ${result.stderr}`);
		const report = JSON.parse(result.stdout) as JsonReport;
		assert.match(report.target, /^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres$/);
		const observed = report.checks.find(check => check.id === 'capacity-observed')!;
		assert.equal(observed.status, 'fail', observed.found);
		type Numbers = {usable: number; connections: number; free: number; poolMax: number; instances: number; inUse: number; waiting: number; neededMax: number; suggestedMax: number};
		const {usable, connections, free, poolMax, instances, inUse, waiting, neededMax, suggestedMax} = observed.numbers as unknown as Numbers;
		// The scenario: max_connections 100, 3 reserved for superusers; the checkout pool's max is 5.
		assert.equal(usable, 97);
		assert.equal(poolMax, 5);
		assert.equal(instances, 1);
		assert.equal(inUse, 5, 'the pool is at its max');
		assert.ok(waiting > 0, 'requests wait in the pool');
		assert.equal(free, usable - connections);
		assert.ok(free > 0, 'while the server has room');
		// Sized by demand, not by the queue: 50 requests/s of 0.1–0.3 s need ~10 connections.
		assert.ok(neededMax >= 8 && neededMax <= 12, `needed ${neededMax}`);
		assert.ok(suggestedMax >= 10 && suggestedMax <= 25, `suggested ${suggestedMax}`);
		assert.ok(suggestedMax <= free, `suggested ${suggestedMax} within ${free} free`);
		assert.equal(observed.found, `checkout: 5 of max 5 × 1 instance in use, ${waiting} waiting; server ${connections} of 97 usable slots used, ${free} free: the pool is the bottleneck`);
		// The arithmetic shown adds up: needed ≈ rate × hold (both rounded in the text), max with headroom.
		const shown = /^checkout needs ~(\d+) connections \(≈ (\d+) req\/s × (\d\.\d\d) s\); set max (\d+) for headroom; keep Σ max × instances ≤ 97$/.exec(observed.fix!);
		assert.ok(shown, observed.fix!);
		assert.deepEqual([Number(shown[1]), Number(shown[4])], [neededMax, suggestedMax]);
		const rate = Number(shown[2]);
		assert.ok(rate >= 40 && rate <= 60, `arrivals ${rate}/s: served + timed out + queue growth, not the 25/s served`);
		assert.ok(Math.abs((rate * Number(shown[3])) - neededMax) <= 1.5, observed.fix!);
		const total = report.checks.find(check => check.id === 'capacity-total')!;
		assert.equal(total.status, 'pass', 'not too much: 5 × 1 of 97');
		assert.match(result.stderr, /lifeguard demo pool-too-small: .*Starting PostgreSQL, then lifeguard doctor/);
	});

	test('--doctor belongs to demo, and the scenario name is checked first', async () => {
		const result = await runCli(['demo', '--doctor', '--scenario', 'nope']);
		assert.equal(result.code, 2);
		assert.match(result.stderr, /^lifeguard: unknown scenario "nope"/);
	});
});
