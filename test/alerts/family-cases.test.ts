// Each pool family, in its exporter's own names and labels, through the recording rules: the numbers
// lifeguard reads (max, busy, waiting), the pool key, and the saturation alert on a saturated pool;
// nothing at all on a quiet one.
import {test} from 'node:test';
import {assertPasses, unit} from './cases.js';
import {PROMTOOL_MISSING, type PromqlCase} from './promtool.js';
import {agroal, familyCases, held, jdbc, micrometerHikari, postgresExporter} from './series.js';

const byPool = (id: string, pool: string) => `{lifeguard_family="${id}",lifeguard_pool="${pool}"}`;

/** The recorded value of `name` for one pool at 30 s (absent when null). */
function recorded(name: string, id: string, pool: string, value: number | null): PromqlCase {
	return {
		expr: `max by (lifeguard_family, lifeguard_pool) (${name}{lifeguard_family="${id}"})`,
		eval_time: '30s',
		exp_samples: value === null ? [] : [{labels: byPool(id, pool), value}],
	};
}

/** The pools `alertname` fires for at `seconds`, and at how many severities (warning and critical: 2). */
function firingPools(alertname: string, seconds: number, pools: Array<[string, string]>, severities = 1): PromqlCase {
	return {
		expr: `count by (lifeguard_family, lifeguard_pool) (ALERTS{alertname="${alertname}",alertstate="firing"})`,
		eval_time: `${seconds}s`,
		exp_samples: pools.map(([id, pool]) => ({labels: byPool(id, pool), value: severities})),
	};
}

const nothingFires = (seconds: number): PromqlCase => ({expr: 'ALERTS{alertstate="firing"}', eval_time: `${seconds}s`, exp_samples: []});

test('every family: a saturated pool records its numbers under its pool key and fires LifeguardPoolSaturated; a quiet one fires nothing', {skip: PROMTOOL_MISSING}, async () => {
	const tests = familyCases().flatMap(({id, pool, saturated, quiet, expected}) => [
		unit(`${id} ${pool} saturated`, [...saturated, ...postgresExporter(held(6))], {fires: [
			recorded('lifeguard:pool_max', id, pool, expected.max),
			recorded('lifeguard:pool_active', id, pool, expected.active),
			recorded('lifeguard:pool_waiting', id, pool, expected.waiting),
			firingPools('LifeguardPoolSaturated', 45, [[id, pool]]),
		]}),
		unit(`${id} ${pool} quiet`, [...quiet, ...postgresExporter(held(6))], {fires: [nothingFires(60), nothingFires(165)]}),
	]);
	await assertPasses(tests);
});

test('families without a max or a waiting gauge: Agroal queues are "may be saturated", jdbc_* pools can only be busy', {skip: PROMTOOL_MISSING}, async () => {
	await assertPasses([
		unit('agroal', [...agroal(3, 4), ...postgresExporter(held(6))], {fires: [
			recorded('lifeguard:pool_max', 'agroal', 'default', null),
			recorded('lifeguard:pool_waiting', 'agroal', 'default', 4),
			firingPools('LifeguardPoolMaybeSaturated', 45, [['agroal', 'default']], 2),
			firingPools('LifeguardPoolSaturated', 45, []),
		]}),
		unit('jdbc alone', [...jdbc(10, 10), ...postgresExporter(held(6))], {fires: [
			recorded('lifeguard:pool_max', 'jdbc', 'dataSource', 10),
			recorded('lifeguard:pool_waiting', 'jdbc', 'dataSource', null),
			firingPools('LifeguardPoolBusy', 45, [['jdbc', 'dataSource']], 2),
		]}),
		// Spring exposes jdbc_* beside hikaricp_*: the same pool, read once (through hikaricp_*)
		unit('jdbc beside hikaricp', [...jdbc(10, 10), ...micrometerHikari('HikariPool-1', {max: held(10), active: held(10), pending: held(0)}), ...postgresExporter(held(6))], {fires: [
			recorded('lifeguard:pool_max', 'jdbc', 'dataSource', null),
			firingPools('LifeguardPoolBusy', 45, [['hikaricp', 'HikariPool-1']], 2),
		]}),
	]);
});
