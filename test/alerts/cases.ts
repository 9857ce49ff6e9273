// Builders for promtool unit-test cases: which alerts fire at a time (read from the ALERTS series, so
// several alerts and severities are checked at once) and what a firing alert says (alert_rule_test,
// which compares the annotations in full).
import assert from 'node:assert/strict';
import {alertRules} from '../../source/alerts/rules.js';
import type {AlertCase, InputSeries, PromqlCase, UnitTest} from './promtool.js';
import {series, testRules} from './promtool.js';
import {APP} from './series.js';

/** The rule file at the screen's default thresholds and the default 15 s interval. */
export const RULES = alertRules({warnRatio: 0.8, criticalRatio: 0.95});
/** The labels of micrometerHikari's pool, as its alerts carry them. */
export const HIKARI = {...APP, application: 'orders', pool: 'HikariPool-1', lifeguard_pool: 'HikariPool-1', lifeguard_family: 'hikaricp'};

/** promtool runs these unit tests on the rule file and they pass (else its report is the message). */
export async function assertPasses(tests: UnitTest[], ruleFile = RULES, evaluationInterval = '15s'): Promise<void> {
	const result = await testRules(ruleFile, tests, evaluationInterval);
	assert.ok(result.ok, result.output);
}

export type Firing = {labels: Record<string, string>; severity: string};

/** Exactly these alerts of `alertname` fire at `seconds` (none: it stays quiet). */
export function firingAt(seconds: number, alertname: string, alerts: readonly Firing[]): PromqlCase {
	return {
		expr: `ALERTS{alertname="${alertname}",alertstate="firing"}`,
		eval_time: `${seconds}s`,
		exp_samples: alerts.map(alert => ({labels: series('ALERTS', {...alert.labels, alertname, alertstate: 'firing', severity: alert.severity}), value: 1})),
	};
}

/** The alerts of `alertname` at `seconds`, each with its summary and description. */
export function saysAt(seconds: number, alertname: string, alerts: ReadonlyArray<Firing & {summary: string; description: string}>): AlertCase {
	return {
		eval_time: `${seconds}s`,
		alertname,
		exp_alerts: alerts.map(alert => ({exp_labels: {...alert.labels, severity: alert.severity}, exp_annotations: {summary: alert.summary, description: alert.description}})),
	};
}

export function unit(name: string, input: InputSeries[], checks: {fires?: PromqlCase[]; says?: AlertCase[]; interval?: string}): UnitTest {
	return {
		name,
		interval: checks.interval ?? '15s',
		input_series: input,
		...(checks.fires ? {promql_expr_test: checks.fires} : {}),
		...(checks.says ? {alert_rule_test: checks.says} : {}),
	};
}
