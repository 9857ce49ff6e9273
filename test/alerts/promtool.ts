// Runs Debian's promtool (package `prometheus`) and vmalert (package `victoria-metrics`) on rule files
// written to the test run's temporary directory; unit tests for rules in promtool's own format.
import {spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {VMALERT} from '../helpers/monitoring.js';
import '../helpers/test-tmp.js';

export const PROMTOOL = '/usr/bin/promtool';
export const PROMTOOL_MISSING = existsSync(PROMTOOL) ? false : 'promtool not installed: apt-get install prometheus';

/** One series of a unit test: `name{labels}` and its values in promtool's notation (`1+0x10`, `_`, `stale`). */
export type InputSeries = {series: string; values: string};
export type ExpectedAlert = {exp_labels: Record<string, string>; exp_annotations?: Record<string, string>};
export type AlertCase = {eval_time: string; alertname: string; exp_alerts: ExpectedAlert[]};
export type PromqlCase = {expr: string; eval_time: string; exp_samples: Array<{labels: string; value: number}>};
export type UnitTest = {name?: string; interval: string; input_series: InputSeries[]; alert_rule_test?: AlertCase[]; promql_expr_test?: PromqlCase[]};

type Run = {ok: boolean; output: string};

function run(binary: string, args: string[], cwd: string): Run {
	const result = spawnSync(binary, args, {cwd, encoding: 'utf8', timeout: 60_000});
	const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
	return {ok: result.status === 0, output};
}

async function inDirectory<T>(work: (directory: string) => Promise<T> | T): Promise<T> {
	const directory = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-test-rules-'));
	try {
		return await work(directory);
	} finally {
		await rm(directory, {recursive: true, force: true});
	}
}

/** `promtool check rules` on the text of a rule file. */
export async function checkRules(rules: string): Promise<Run> {
	return inDirectory(async directory => {
		await writeFile(path.join(directory, 'rules.yml'), rules);
		return run(PROMTOOL, ['check', 'rules', 'rules.yml'], directory);
	});
}

/** `vmalert -dryRun`: parses the rules, their expressions (MetricsQL) and their templates. */
export async function vmalertDryRun(rules: string): Promise<Run> {
	return inDirectory(async directory => {
		await writeFile(path.join(directory, 'rules.yml'), rules);
		return run(VMALERT, ['-dryRun', '-rule', 'rules.yml', '-loggerLevel', 'ERROR'], directory);
	});
}

/** `promtool test rules` with these unit tests (JSON is YAML) against the rule file's text. */
export async function testRules(rules: string, tests: readonly UnitTest[], evaluationInterval = '15s'): Promise<Run> {
	return inDirectory(async directory => {
		await writeFile(path.join(directory, 'rules.yml'), rules);
		const file = {rule_files: ['rules.yml'], evaluation_interval: evaluationInterval, tests};
		await writeFile(path.join(directory, 'tests.yml'), JSON.stringify(file, null, 1));
		return run(PROMTOOL, ['test', 'rules', 'tests.yml'], directory);
	});
}

/** `name{a="b",c="d"}` for an input series or an expected sample's labels. */
export function series(name: string, labels: Record<string, string>): string {
	return `${name}{${Object.entries(labels).map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(',')}}`;
}
