// Bad input: one line on stderr starting `lifeguard: `, exit code 2, no stack trace, nothing on stdout.
// No server needed: validation happens before any connection (the --db points at a closed port so a
// missed validation shows up as exit 1 "connection refused" instead of 2).
import assert from 'node:assert/strict';
import {before, describe, test} from 'node:test';
import {freePort} from '../helpers/postgres.js';
import {assertOneLineFailure, ensureBuilt, runCli} from './helpers.js';

describe('lifeguard with bad input', () => {
	let db = '';

	before(async () => {
		ensureBuilt();
		db = `postgres://postgres@127.0.0.1:${await freePort()}/postgres`;
	});

	const cases: Array<{name: string; args: () => string[]; pattern: RegExp}> = [
		{name: 'an unknown flag', args: () => ['--bogus', '--db', db], pattern: /--bogus/},
		{name: 'an unknown flag with a value', args: () => ['--colour=always', '--db', db], pattern: /--colour/},
		{name: '--interval 0', args: () => ['--interval', '0', '--db', db], pattern: /--interval/},
		{name: '--interval 100', args: () => ['--interval', '100', '--db', db], pattern: /--interval/},
		{name: '--interval abc', args: () => ['--interval', 'abc', '--db', db], pattern: /^lifeguard: --interval: "abc" is not a number$/},
		{name: '--warn 90 --critical 80', args: () => ['--warn', '90', '--critical', '80', '--db', db], pattern: /^lifeguard: --critical: 80 is below --warn 90$/},
		{name: '--warn 0', args: () => ['--warn', '0', '--db', db], pattern: /--warn/},
		{name: 'check --sample 0s', args: () => ['check', '--sample', '0s', '--db', db], pattern: /^lifeguard: --sample: 0s is out of range \(1s to 10m\)$/},
		{name: '--json --sample forty', args: () => ['--json', '--sample', 'forty', '--db', db], pattern: /^lifeguard: --sample: "forty" is not a duration/},
		{name: 'check --sample 2h', args: () => ['check', '--sample', '2h', '--db', db], pattern: /^lifeguard: --sample: 2h is out of range/},
		{name: '--json --sample without a value', args: () => ['--json', '--db', db, '--sample'], pattern: /^lifeguard: --sample: missing value$/},
		{name: 'check --interval without --sample', args: () => ['check', '--interval', '2', '--db', db], pattern: /^lifeguard: --interval: only with --sample for lifeguard check/},
		{name: '--sample on the live screen', args: () => ['--sample', '40s', '--db', db], pattern: /^lifeguard: --sample: only for lifeguard --json and lifeguard check$/},
		{name: '--idle-after 5x', args: () => ['--idle-after', '5x', '--db', db], pattern: /--idle-after: "5x"/},
		{name: '--idle-in-transaction-after soon', args: () => ['--idle-in-transaction-after', 'soon', '--db', db], pattern: /--idle-in-transaction-after/},
		{name: '--pool ftp://x', args: () => ['--pool', 'ftp://x', '--db', db], pattern: /ftp:/},
		{name: '--db notaurl', args: () => ['--db', 'notaurl'], pattern: /notaurl/},
		{name: '--db with a bad port', args: () => ['--db', 'postgres://u@127.0.0.1:99999/db'], pattern: /99999|invalid/},
		{name: 'an unknown command', args: () => ['frobnicate', '--db', db], pattern: /unknown command "frobnicate"/},
		{name: 'timeline without a file', args: () => ['timeline'], pattern: /timeline FILE/},
		{name: 'timeline with two files', args: () => ['timeline', 'a.jsonl', 'b.jsonl'], pattern: /timeline FILE/},
		{name: 'the same --db twice (meow printed its stack trace)', args: () => ['--db', db, '--db', db], pattern: /^lifeguard: --db: 127\.0\.0\.1:\d+\/postgres is given twice$/},
		{name: '--interval twice', args: () => ['--interval', '1', '--interval', '2', '--db', db], pattern: /^lifeguard: --interval: given 2 times/},
		{name: '--db with a malformed %-escape (was "URI malformed", exit 1)', args: () => ['--db', 'postgres://u@127.0.0.1/%E0%A4%A'], pattern: /^lifeguard: --db: invalid connection URL ".*": malformed %-escape$/},
		{name: "--db '' (fell back to the PG* variables)", args: () => ['--db', ''], pattern: /^lifeguard: --db: empty value$/},
		{name: "--pool '' (was ignored)", args: () => ['--pool', '', '--db', db], pattern: /^lifeguard: --pool: empty value$/},
		{name: '--db without a value', args: () => ['--db'], pattern: /^lifeguard: --db: missing value$/},
		{name: '--json=abc (was read as false)', args: () => ['--json=abc', '--db', db], pattern: /^lifeguard: --json: takes no value/},
		{name: '--scenario outside demo (was ignored)', args: () => ['--scenario', 'server-full', '--db', db], pattern: /^lifeguard: --scenario: only for lifeguard demo$/},
		{name: 'check with an extra argument', args: () => ['check', 'extra', '--db', db], pattern: /extra/},
	];

	for (const {name, args, pattern} of cases) {
		test(`${name}: one line, exit 2`, async () => {
			const result = await runCli(args());
			assertOneLineFailure(result, 2, pattern);
			assert.equal(result.stdout, '', 'nothing on stdout');
		});
	}

	test('a password in a bad --db is masked in the message', async () => {
		for (const url of ['postgres://u:hunter22@127.0.0.1:99999/db', 'postgres://u:hunter22%zz@127.0.0.1/db']) {
			const result = await runCli(['--db', url]);
			const line = assertOneLineFailure(result, 2, /^lifeguard: --db: /);
			assert.doesNotMatch(result.stdout + result.stderr, /hunter22/, line);
		}
	});

	test('DATABASE_URL with a malformed %-escape names DATABASE_URL: one line, exit 2', async () => {
		const result = await runCli([], {env: {DATABASE_URL: 'postgres://u:hunter22%zz@127.0.0.1/db'}});
		const line = assertOneLineFailure(result, 2, /^lifeguard: DATABASE_URL: invalid connection URL "postgres:\/\/u:\*\*\*@127\.0\.0\.1\/db": malformed %-escape$/);
		assert.doesNotMatch(result.stderr, /hunter22/, line);
	});

	test('control characters in a bad value are shown, never sent to the terminal', async () => {
		const result = await runCli(['--interval', '\u001B]0;pwned\u0007', '--db', db]);
		assertOneLineFailure(result, 2, /^lifeguard: --interval: "␛]0;pwned␇" is not a number$/);
		assert.doesNotMatch(result.stderr, /[\u0000-\u0009\u000B-\u001F]/);
	});

	test('PGCONNECT_TIMEOUT that is not a number: one line, exit 2', async () => {
		const result = await runCli(['--db', db], {env: {PGCONNECT_TIMEOUT: 'soon'}});
		assertOneLineFailure(result, 2, /connect_timeout/);
	});
});
