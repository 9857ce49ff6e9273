// `lifeguard alerts` through the built command line: the table's flags reach the rules, the rule file
// passes promtool as printed, and a Prometheus that cannot be asked is one line and exit 1.
import assert from 'node:assert/strict';
import {before, describe, test} from 'node:test';
import {ensureBuilt, runCli} from '../cli/helpers.js';
import {checkRules, PROMTOOL_MISSING} from './promtool.js';

describe('lifeguard alerts on the command line', () => {
	before(() => {
		ensureBuilt();
	});

	test('prints a rule file promtool accepts, with the given thresholds and interval', {skip: PROMTOOL_MISSING}, async () => {
		const result = await runCli(['alerts', '--warn', '70', '--critical', '90', '--rule-interval', '30']);
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /^# Thresholds: warn 70%, critical 90%\. Evaluated every 30s/m);
		assert.match(result.stdout, /^ {4}interval: 30s$/m);
		const checked = await checkRules(result.stdout);
		assert.ok(checked.ok, checked.output);
	});

	test('a Prometheus that does not answer: one masked line, exit 1, no rules printed', async () => {
		const result = await runCli(['alerts', '--prometheus', 'http://probe:s3cret@127.0.0.1:9']);
		assert.equal(result.code, 1);
		assert.equal(result.stdout, '');
		assert.match(result.stderr, /^lifeguard: prometheus: connection refused\n$/);
		assert.doesNotMatch(result.stderr, /s3cret/);
	});

	test('flags it does not take, and a fractional interval, are refused with exit 2', async () => {
		for (const [args, line] of [
			[['alerts', '--interval', '5'], /^lifeguard: --interval: only for/],
			[['alerts', '--rule-interval', '1.5'], /^lifeguard: --rule-interval: 1\.5 is not a whole number of seconds$/m],
			[['alerts', '--prometheus', 'http://127.0.0.1:1', '--prometheus', 'http://127.0.0.1:2'], /^lifeguard: alerts: --prometheus takes one URL here/],
		] as const) {
			const result = await runCli(args);
			assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
			assert.match(result.stderr, line);
		}
	});
});
