// The rules and the live screen must read the same numbers from the same exporter. Every Prometheus
// text fixture of the pool tests (hand-written ones and the corpus captured from real exporters) goes
// through lifeguard's recognizers and, as scraped series, through the recording rules in promtool:
// each pool's max, busy, waiting and oldest wait must agree, under the same pool key.
import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {parsePrometheusText} from '../../source/collectors/pools/prometheus-text.js';
import {poolsFromExposition} from '../../source/collectors/pools/prometheus-pools.js';
import {alertRules} from '../../source/alerts/rules.js';
import type {PoolMetrics} from '../../source/readings/types.js';
import {unit} from './cases.js';
import {type InputSeries, PROMTOOL_MISSING, type PromqlCase, series, testRules} from './promtool.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures');
const files = [
	...['pools', 'pools/corpus', 'lookalikes'].flatMap(directory => readdirSync(path.join(FIXTURES, directory))
		.filter(name => /\.(?:prom|om)$/.test(name) && name !== 'edge-cases.prom')
		.map(name => path.join(directory, name))),
];

const FIELDS: Array<[keyof PoolMetrics & ('max' | 'active' | 'waiting' | 'oldestWaitSeconds'), string]> = [
	['max', 'lifeguard:pool_max'],
	['active', 'lifeguard:pool_active'],
	['waiting', 'lifeguard:pool_waiting'],
	['oldestWaitSeconds', 'lifeguard:pool_oldest_wait_seconds'],
];

/** The exposition as a scrape stores it: the target's job and instance added, five samples 15 s apart. */
function scraped(text: string): InputSeries[] {
	const target = {job: 'app', instance: '127.0.0.1:8080'};
	return parsePrometheusText(text).samples
		.filter(sample => Number.isFinite(sample.value))
		.map(sample => ({series: series(sample.name, {...sample.labels, ...target}), values: `${sample.value}x4`}));
}

function expectations(pools: readonly PoolMetrics[]): PromqlCase[] {
	return FIELDS.map(([field, name]) => ({
		expr: `sum by (lifeguard_pool) (${name})`,
		eval_time: '30s',
		exp_samples: pools
			.filter(pool => pool[field] !== null)
			.map(pool => ({labels: pool.label === null ? '{}' : series('', {lifeguard_pool: pool.label}), value: pool[field] as number})),
	}));
}

test('the recording rules read every fixture\'s pools as the recognizers do', {skip: PROMTOOL_MISSING}, async () => {
	const tests = files.flatMap(file => {
		const text = readFileSync(path.join(FIXTURES, file), 'utf8');
		const pools = poolsFromExposition(parsePrometheusText(text));
		return pools.length === 0 || pools.some(pool => pool.error !== undefined) ? [] : [unit(file, scraped(text), {fires: expectations(pools)})];
	});
	assert.ok(tests.length >= 12, `${tests.length} fixtures with pools`);
	const result = await testRules(alertRules({warnRatio: 0.8, criticalRatio: 0.95}), tests);
	assert.ok(result.ok, result.output);
});
