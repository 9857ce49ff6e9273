// The recording expressions as VictoriaMetrics (Debian's 1.79) evaluates them: MetricsQL is not PromQL
// everywhere (rate, `or`, joins, count_values, label_join), so each family's expressions run as
// queries on the same series the promtool cases use and on every fixture the recognizers read, and
// must give the same numbers. (vmalert evaluating the whole file, with Alertmanager: live.test.ts.)
import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {parsePrometheusText} from '../../source/collectors/pools/prometheus-text.js';
import {poolsFromExposition} from '../../source/collectors/pools/prometheus-pools.js';
import {ALERT_FAMILIES, type PoolField} from '../../source/alerts/families.js';
import {missing, type Running, startVictoriaMetrics, VICTORIA_METRICS} from '../helpers/monitoring.js';
import {pollUntil} from '../helpers/postgres.js';
import {type InputSeries, series} from './promtool.js';
import {familyCases, postgresExporter, held} from './series.js';

const STEP_MS = 15_000;
const SAMPLES = 12;

/** promtool's value notation (`5x11`, `0+3x11`, `1 2 3`) as numbers. */
function expand(values: string): number[] {
	return values.split(' ').flatMap(token => {
		const run = /^(-?[\d.]+)(?:([+-][\d.]+))?x(\d+)$/.exec(token);
		if (!run) {
			return [Number(token)];
		}

		const [, start, step, count] = run;
		return Array.from({length: Number(count) + 1}, (_, index) => Number(start) + (index * Number(step ?? 0)));
	});
}

/** The series as Prometheus text with timestamps, ending one step before `endMs`. */
function importText(input: readonly InputSeries[], endMs: number): string {
	return input.flatMap(({series: name, values}) => expand(values).map((value, index) => `${name} ${value} ${endMs - ((SAMPLES - index) * STEP_MS)}`)).join('\n');
}

/** `sum by (labels) (query)` at `timeMs`, as `label values → value`. */
async function sums(url: string, query: string, by: string[], timeMs: number): Promise<Map<string, number>> {
	const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({query: `sum by (${by.join(', ')}) (${query})`, time: String(timeMs / 1000)}).toString()}`);
	const body = await response.json() as {status: string; error?: string; data?: {result: Array<{metric: Record<string, string>; value: [number, string]}>}};
	assert.equal(body.status, 'success', `${query}: ${body.error}`);
	return new Map(body.data!.result.map(({metric, value}) => [by.map(label => metric[label] ?? '').join('/'), Number(value[1])]));
}

const recording = (field: PoolField) => ALERT_FAMILIES.filter(family => family.fields[field]).map(family => ({id: family.id, expression: family.poolKey(family.fields[field]!({matchers: '', window: '1m'}))}));

describe('the recording expressions in VictoriaMetrics', {skip: missing(VICTORIA_METRICS), timeout: 120_000}, () => {
	let storage: Running;
	const endMs = Math.floor(Date.now() / 1000) * 1000;
	const atMs = endMs - STEP_MS;
	const cases = familyCases();
	const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures');
	const fixtures = ['pools', 'pools/corpus', 'lookalikes'].flatMap(directory => readdirSync(path.join(FIXTURES, directory))
		.filter(name => /\.(?:prom|om)$/.test(name) && name !== 'edge-cases.prom')
		.map(name => ({name: `${directory}/${name}`, text: readFileSync(path.join(FIXTURES, directory, name), 'utf8')})));

	before(async () => {
		storage = await startVictoriaMetrics([]);
		// Each family case and each fixture under a job of its own, so their pools stay apart.
		const input: InputSeries[] = [
			...cases.flatMap(({saturated}, index) => saturated.map(each => ({...each, series: each.series.replace(/job="[^"]*"/, `job="case-${index}"`)}))),
			...postgresExporter(held(6, SAMPLES)),
			...fixtures.flatMap(({text}, index) => parsePrometheusText(text).samples
				.filter(sample => Number.isFinite(sample.value))
				.map(sample => ({series: series(sample.name, {...sample.labels, job: `fixture-${index}`, instance: '127.0.0.1:8080'}), values: `${sample.value}x${SAMPLES - 1}`}))),
		];
		const response = await fetch(`${storage.url}/api/v1/import/prometheus`, {method: 'POST', body: importText(input, endMs)});
		assert.ok(response.ok, await response.text());
		await pollUntil(async () => (await sums(storage.url, 'pg_settings_max_connections', [], atMs)).size > 0, {timeoutMs: 30_000, everyMs: 200, what: 'the imported series'});
	});

	after(async () => {
		await storage?.stop();
	});

	test('each family case: max, busy and waiting per pool, as promtool records them', async () => {
		for (const field of ['max', 'active', 'waiting'] as const) {
			const got = new Map<string, number>();
			for (const {expression} of recording(field)) {
				for (const [key, value] of await sums(storage.url, expression, ['job', 'lifeguard_pool'], atMs)) {
					got.set(key, value);
				}
			}

			for (const [index, {id, pool, expected}] of cases.entries()) {
				assert.equal(got.get(`case-${index}/${pool}`) ?? null, expected[field], `${id} ${pool} ${field}`);
			}
		}
	});

	test('the wait counters of go_sql and pgxpool: rates per second over 1m', async () => {
		const rates = new Map<string, number>();
		for (const {expression} of recording('waitsRate')) {
			for (const [key, value] of await sums(storage.url, expression, ['job', 'lifeguard_pool'], atMs)) {
				rates.set(key, value);
			}
		}

		// +3 every 15 s
		for (const id of ['go_sql', 'pgxpool']) {
			const index = cases.findIndex(each => each.id === id);
			assert.equal(rates.get(`case-${index}/${cases[index]!.pool}`), 0.2, id);
		}
	});

	test('every fixture: the pools the recognizers read, with the same numbers', async () => {
		let compared = 0;
		for (const field of ['max', 'active', 'waiting', 'oldestWaitSeconds'] as const) {
			const got = new Map<string, number>();
			for (const {expression} of recording(field)) {
				for (const [key, value] of await sums(storage.url, expression, ['job', 'lifeguard_pool'], atMs)) {
					got.set(key, (got.get(key) ?? 0) + value);
				}
			}

			for (const [index, {name, text}] of fixtures.entries()) {
				const pools = poolsFromExposition(parsePrometheusText(text));
				if (pools.some(pool => pool.error !== undefined)) {
					continue;
				}

				for (const pool of pools) {
					assert.equal(got.get(`fixture-${index}/${pool.label ?? ''}`) ?? null, pool[field], `${name} ${pool.label} ${field}`);
					compared++;
				}
			}
		}

		assert.ok(compared >= 60, `${compared} numbers compared`);
	});
});
