// Grouping a Prometheus answer into service pools, on hand-made vectors for the cases a live fleet
// rarely shows at once: instances with different maxes, a family without a max, non-finite values,
// series without an instance, the service label's precedence. The live path is prometheus-api.test.ts.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {fleetPools, MAX_MEMBERS, type VectorSample} from '../../../source/collectors/pools/prometheus-fleet.js';

const at = (name: string, labels: Record<string, string>, value: string): VectorSample => ({metric: {__name__: name, ...labels}, value: [1_796_000_000, value]});
const rate = (counter: string, labels: Record<string, string>, value: string): VectorSample => ({metric: {lifeguard_rate: counter, ...labels}, value: [1_796_000_000, value]});

test('instances with different maxes: sums, no single max per instance, at-max counted per instance', () => {
	const job = {job: 'orders'};
	const [pool] = fleetPools([
		at('hikaricp_connections_max', {...job, instance: 'a', pool: 'P'}, '10'),
		at('hikaricp_connections_active', {...job, instance: 'a', pool: 'P'}, '10'),
		at('hikaricp_connections_pending', {...job, instance: 'a', pool: 'P'}, '0'),
		at('hikaricp_connections_max', {...job, instance: 'b', pool: 'P'}, '20'),
		at('hikaricp_connections_active', {...job, instance: 'b', pool: 'P'}, '5'),
		at('hikaricp_connections_pending', {...job, instance: 'b', pool: 'P'}, 'NaN'),
		rate('hikaricp_connections_timeout_total', {...job, instance: 'b', pool: 'P'}, '0.5'),
	]);
	assert.equal(pool!.label, 'orders/P');
	assert.deepEqual([pool!.max, pool!.active, pool!.waiting], [30, 15, 0], 'NaN is not exposed, not 0');
	assert.deepEqual([pool!.fleet!.instances, pool!.fleet!.atMax, pool!.fleet!.maxPerInstance], [2, 1, null]);
	assert.deepEqual(pool!.fleet!.members.map(member => [member.instance, member.waiting, member.isAtMax]), [['a', 0, true], ['b', null, false]]);
	assert.deepEqual(pool!.sourceRates, {waitsPerSecond: null, waitingAverage: null, timeoutsPerMinute: 30});
});

test('a family without a max: at-max is unknown (null), not 0; the service label wins over app and job; no instance label; an impossible +Inf makes that instance no numbers', () => {
	const pools = fleetPools([
		at('agroal_active_count', {job: 'pods', app: 'web', service: 'billing', datasource: 'default'}, '3'),
		at('agroal_awaiting_count', {job: 'pods', app: 'web', service: 'billing', datasource: 'default'}, '+Inf'),
		at('agroal_active_count', {job: 'pods', app: 'web', datasource: 'default', pod: 'web-1'}, '2'),
	]);
	assert.deepEqual(pools.map(pool => [pool.label, pool.max, pool.active, pool.waiting, pool.fleet!.atMax, pool.fleet!.instances, pool.fleet!.worst.instance]), [
		['billing/default', null, null, null, null, 1, ''],
		['web/default', null, 2, null, null, 1, 'web-1'],
	]);
});

test('outside text in labels is made safe where it enters the model', () => {
	const [pool] = fleetPools([at('hikaricp_connections_active', {job: 'j\u001B[2J', instance: 'i\u009B1m', pool: 'p'}, '1')]);
	for (const text of [pool!.fleet!.service, pool!.fleet!.worst.instance, pool!.fleet!.members[0]!.instance]) {
		assert.doesNotMatch(text, /[\u0000-\u001F\u007F-\u009F]/);
	}
});

test('an instance with only counter rates left (its gauges stale, rate()\'s window not yet) stopped reporting: not counted, not listed', () => {
	const job = {job: 'orders', pool: 'P'};
	const [pool] = fleetPools([
		at('hikaricp_connections_max', {...job, instance: 'a'}, '10'),
		at('hikaricp_connections_active', {...job, instance: 'a'}, '4'),
		rate('hikaricp_connections_timeout_total', {...job, instance: 'a'}, '0'),
		rate('hikaricp_connections_timeout_total', {...job, instance: 'gone'}, '0.1'),
	]);
	assert.deepEqual([pool!.fleet!.instances, pool!.max, pool!.fleet!.maxPerInstance], [1, 10, 10]);
	assert.deepEqual(pool!.fleet!.members.map(member => member.instance), ['a']);
	assert.equal(pool!.sourceRates!.timeoutsPerMinute, 0, 'the gone instance\'s rate is not the fleet\'s');
});

test('a fleet of 1,000 instances keeps the 200 worst as members and counts the rest; sums, counts and at-max cover all 1,000', () => {
	const samples: VectorSample[] = [];
	for (let index = 0; index < 1000; index++) {
		const labels = {job: 'orders', pool: 'P', instance: `pod-${String(index).padStart(4, '0')}`};
		// pod-0000…pod-0099 queue (the more the higher the index), the rest are calm
		samples.push(at('hikaricp_connections_max', labels, '10'), at('hikaricp_connections_active', labels, index < 100 ? '10' : '2'), at('hikaricp_connections_pending', labels, index < 100 ? String(index + 1) : '0'));
	}

	const [pool] = fleetPools(samples);
	const fleet = pool!.fleet!;
	assert.deepEqual([fleet.instances, fleet.members.length, fleet.omittedMembers, fleet.atMax], [1000, MAX_MEMBERS, 800, 100]);
	assert.equal(MAX_MEMBERS, 200);
	assert.deepEqual([pool!.max, pool!.active, pool!.waiting], [10_000, 100 * 10 + 900 * 2, (100 * 101) / 2]);
	assert.deepEqual(fleet.members.slice(0, 3).map(member => [member.instance, member.waiting]), [['pod-0099', 100], ['pod-0098', 99], ['pod-0097', 98]]);
	assert.ok(fleet.members.slice(0, 100).every(member => member.isAtMax), 'every queueing instance is among the kept');
	assert.equal(fleet.worst.instance, 'pod-0099');
	// At the cap exactly, nothing is left out and nothing is said.
	assert.equal(fleetPools(samples.slice(0, 3 * MAX_MEMBERS))[0]!.fleet!.omittedMembers, undefined);
});

test('values are read as Prometheus writes them: hex or garbage in an answer is no value, not a number', () => {
	const labels = {job: 'orders', pool: 'P', instance: 'a'};
	const [pool] = fleetPools([at('hikaricp_connections_max', labels, '0x10'), at('hikaricp_connections_active', labels, '4'), at('hikaricp_connections_pending', labels, '1e400')]);
	assert.deepEqual([pool!.max, pool!.active, pool!.waiting], [null, 4, null]);
});
