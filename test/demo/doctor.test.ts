// `lifeguard demo --doctor`: the pool-too-small scenario fails the capacity check with the right
// arithmetic, through the built binary, against the demo's own server and simulated pool.
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
		type Numbers = {usable: number; connections: number; free: number; poolMax: number; instances: number; inUse: number; waiting: number; suggestedMax: number};
		const {usable, connections, free, poolMax, instances, inUse, waiting, suggestedMax} = observed.numbers as unknown as Numbers;
		// The scenario: max_connections 100, 3 reserved for superusers; the checkout pool's max is 5.
		assert.equal(usable, 97);
		assert.equal(poolMax, 5);
		assert.equal(instances, 1);
		assert.equal(inUse, 5, 'the pool is at its max');
		assert.ok(waiting > 0, 'requests wait in the pool');
		assert.equal(free, usable - connections);
		assert.ok(free > 0, 'while the server has room');
		assert.equal(suggestedMax, poolMax + Math.min(waiting, Math.floor(free / instances)));
		assert.equal(observed.found, `checkout: 5 of max 5 × 1 instance in use, ${waiting} waiting; server ${connections} of 97 usable slots used, ${free} free: the pool is the bottleneck`);
		assert.match(observed.fix!, new RegExp(`^raise checkout max 5 → ${suggestedMax} \\(5 \\+ min\\(${waiting} waiting, ${free} free ÷ 1 instance\\)\\)`));
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
