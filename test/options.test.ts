// Flags -> Options: every bad command line is one OptionsError line naming the flag; good ones give
// the values and defaults documented in --help. The CLI's exit code 2 is tested in test/cli/bad-input.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {COMMANDS} from '../source/commands/index.js';
import {OptionsError, parseCommandLine as parse} from '../source/options.js';

const parseCommandLine = (argv: readonly string[], env: Record<string, string | undefined>) => parse(argv, env, COMMANDS);

const CONTROL = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

describe('bad command lines: one line naming the flag', () => {
	const cases: Array<{argv: string[]; env?: Record<string, string>; message: string}> = [
		// Repeated single-value flags (meow printed a stack trace)
		// Several servers: names unique, each with a URL, at most 8, one for doctor
		{argv: ['--db', 'a=postgres://a@h/x', '--db', 'a=postgres://b@h/y'], message: '--db: the name "a" is given twice; each server needs its own'},
		{argv: ['--db', 'primary='], message: '--db: "primary" has no URL (use --db NAME=postgres://…)'},
		{argv: Array.from({length: 9}, (_, index) => `--db=s${index}=postgres://h/x`), message: '--db: given 9 times; at most 8 servers fit one screen'},
		{argv: ['doctor', '--db', 'postgres://a@h/x', '--db', 'postgres://b@h/y'], message: '--db: doctor reviews one server at a time; give one --db'},
		{argv: ['--interval', '1', '--interval=2'], message: '--interval: given 2 times; give it once'},
		{argv: ['--log', 'a', '--log', 'b', '--log', 'c'], message: '--log: given 3 times; give it once'},
		// --log where no log is kept: refused, not ignored
		{argv: ['check', '--log', '/nonexistent/x'], message: '--log: only the live screen keeps an incident log; check prints one report and writes none'},
		{argv: ['--json', '--log', 'x'], message: '--log: only the live screen keeps an incident log; --json prints one report and writes none'},
		// A flag its command does not take: the first one given, naming who takes it
		{argv: ['check', '--json', '--log', 'x'], message: '--json: only for lifeguard --json, lifeguard doctor, lifeguard timeline and lifeguard demo --doctor'},
		{argv: ['check', '--interval', '5'], message: '--interval: only with --sample for lifeguard check (one reading has no interval)'},
		{argv: ['check', '--sample', '0s'], message: '--sample: 0s is out of range (1s to 10m)'},
		{argv: ['--json', '--sample', 'soon'], message: '--sample: "soon" is not a duration (use e.g. 30s, 5m or 1h)'},
		{argv: ['--json', '--sample', '11m'], message: '--sample: 11m is out of range (1s to 10m)'},
		{argv: ['--sample', '40s'], message: '--sample: only for lifeguard --json and lifeguard check'},
		{argv: ['--json', '--read-only'], message: '--read-only: only for the live screen and lifeguard demo'},
		{argv: ['doctor', '--critical', '90'], message: '--critical: only for the live screen, lifeguard --json, lifeguard check, lifeguard demo, lifeguard alerts, lifeguard record and lifeguard report --prometheus'},
		{argv: ['timeline', 'f.jsonl', '--pool', 'http://a/m'], message: '--pool: only for the live screen, lifeguard --json, lifeguard check, lifeguard doctor and lifeguard record'},
		{argv: ['demo', '--db', 'postgres://h/x'], message: '--db: only for the live screen, lifeguard --json, lifeguard check, lifeguard doctor and lifeguard record'},
		{argv: ['demo', '--json'], message: '--json: only for lifeguard --json, lifeguard doctor, lifeguard timeline and lifeguard demo --doctor'},
		{argv: ['demo', '--markdown'], message: '--markdown: only for lifeguard doctor, lifeguard timeline and lifeguard demo --doctor'},
		{argv: ['check', '--doctor'], message: '--doctor: only for lifeguard demo; use lifeguard doctor'},
		{argv: ['doctor', '--no-endpoint'], message: '--no-endpoint: only for lifeguard demo'},
		{argv: ['doctor', '--log', 'x'], message: '--log: only the live screen keeps an incident log; doctor prints one report and writes none'},
		{argv: ['timeline', 'f.jsonl', '--log', 'x'], message: '--log: only the live screen keeps an incident log; timeline prints one report and writes none'},
		{argv: ['demo', '--doctor', '--log', 'x'], message: '--log: only the live screen keeps an incident log; demo --doctor prints one report and writes none'},
		{argv: ['--warn', '50', '--warn', '60'], message: '--warn: given 2 times; give it once'},
		// Empty and missing values (--db '' fell back to the PG* variables, --pool '' was ignored)
		{argv: ['--db', ''], message: '--db: empty value'},
		{argv: ['--db='], message: '--db: empty value'},
		{argv: ['--db', '  '], message: '--db: empty value'},
		{argv: ['--pool', ''], message: '--pool: empty value'},
		{argv: ['--pool', 'http://a/m', '--pool='], message: '--pool: empty value'},
		{argv: ['--log', ''], message: '--log: empty value'},
		{argv: ['--idle-after', ''], message: '--idle-after: empty value'},
		{argv: ['--interval', ''], message: '--interval: empty value'},
		{argv: ['--db'], message: '--db: missing value'},
		{argv: ['--interval', '--db', 'postgres://h/x'], message: '--interval: missing value'},
		// Numbers
		{argv: ['--interval', 'abc'], message: '--interval: "abc" is not a number'},
		{argv: ['--interval', 'Infinity'], message: '--interval: "Infinity" is not a number'},
		{argv: ['--interval', 'NaN'], message: '--interval: "NaN" is not a number'},
		{argv: ['--interval', '1e1'], message: '--interval: "1e1" is not a number'},
		{argv: ['--interval', '0x10'], message: '--interval: "0x10" is not a number'},
		{argv: ['--interval', '2s'], message: '--interval: "2s" is not a number'},
		{argv: ['--interval', '-1'], message: '--interval: -1 is out of range (0.2 to 60 seconds)'},
		{argv: ['--interval', '0'], message: '--interval: 0 is out of range (0.2 to 60 seconds)'},
		{argv: ['--interval', '100'], message: '--interval: 100 is out of range (0.2 to 60 seconds)'},
		{argv: ['--pool-timeout', '0'], message: '--pool-timeout: 0 is out of range (0.1 to 60 seconds)'},
		{argv: ['--warn', '0'], message: '--warn: 0 is out of range (1 to 100 percent)'},
		{argv: ['--critical', '101'], message: '--critical: 101 is out of range (1 to 100 percent)'},
		{argv: ['--warn', 'high'], message: '--warn: "high" is not a number'},
		{argv: ['--warn', '90', '--critical', '80'], message: '--critical: 80 is below --warn 90'},
		{argv: ['--warn', '96'], message: '--critical: 95 is below --warn 96'},
		// Durations
		{argv: ['--idle-after', '5x'], message: '--idle-after: "5x" is not a duration (use e.g. 30s, 5m or 1h)'},
		{argv: ['--idle-after', '-5s'], message: '--idle-after: "-5s" is not a duration (use e.g. 30s, 5m or 1h)'},
		{argv: ['--idle-in-transaction-after', 'soon'], message: '--idle-in-transaction-after: "soon" is not a duration (use e.g. 30s, 5m or 1h)'},
		// Switches
		{argv: ['--json=abc'], message: '--json: takes no value (got "abc")'},
		{argv: ['--no-bell=1'], message: '--no-bell: takes no value (got "1")'},
		{argv: ['--bell', '--no-bell'], message: '--bell and --no-bell: give one'},
		// Unknown flags, commands and arguments
		{argv: ['--bogus'], message: 'unknown flag --bogus (see lifeguard --help)'},
		{argv: ['--colour=always', '-x'], message: 'unknown flags --colour, -x (see lifeguard --help)'},
		{argv: ['frobnicate'], message: 'unknown command "frobnicate" (use check, doctor, timeline FILE, demo, alerts, record or report FILE; the target goes in --db)'},
		{argv: ['postgres://h/db'], message: 'unknown command "postgres://h/db" (use check, doctor, timeline FILE, demo, alerts, record or report FILE; the target goes in --db)'},
		{argv: ['check', 'extra'], message: 'unexpected argument "extra"'},
		{argv: ['timeline'], message: 'usage: lifeguard timeline FILE [--json]'},
		{argv: ['timeline', 'a', 'b'], message: 'usage: lifeguard timeline FILE [--json]'},
		{argv: ['timeline', ''], message: 'timeline: empty FILE'},
		{argv: ['--scenario', 'server-full'], message: '--scenario: only for lifeguard demo'},
		{argv: ['demo', '--scenario', ''], message: '--scenario: empty value'},
		// A flag the command does not take is named before its value is read.
		{argv: ['check', '--for', 'abc'], message: '--for: only for lifeguard record'},
		{argv: ['timeline', 'f.jsonl', '--rule-interval', '1.5'], message: '--rule-interval: only for lifeguard alerts'},
		// Pools: named by their source, masked
		{argv: ['--pool', 'ftp://x'], message: '--pool "ftp://x": unsupported scheme "ftp:" (use http(s)://, prom+http(s)://, json+http(s)://, actuator+http(s)://, pgbouncer://)'},
		{argv: ['--pool', 'http://u:hunter22@[::1'], message: '--pool "http://u:***@[::1": invalid URL'},
		{argv: [], env: {LIFEGUARD_POOLS: 'localhost:9090'}, message: 'LIFEGUARD_POOLS "localhost:9090": not a URL (use http(s)://, prom+http(s)://, json+http(s)://, actuator+http(s)://, pgbouncer://)'},
		// Prometheus: named by their source, masked (the URL's password and the token), one line
		{argv: ['--prometheus', 'prom:9090'], message: '--prometheus "prom:9090": not an http(s):// URL'},
		{argv: ['--prometheus', 'pgbouncer://u:hunter22@h/pgbouncer'], message: '--prometheus "pgbouncer://u:***@h/pgbouncer": not an http(s):// URL'},
		{argv: ['--prometheus', 'http://u:hunter22@prom:9090/?x=1'], message: '--prometheus "http://u:***@prom:9090/?x=1": no query or fragment (use --prometheus-selector to narrow the series)'},
		{argv: ['--prometheus', ''], message: '--prometheus: empty value'},
		{argv: [], env: {LIFEGUARD_PROMETHEUS: 'prom:9090'}, message: 'LIFEGUARD_PROMETHEUS "prom:9090": not an http(s):// URL'},
		{argv: ['--prometheus', 'http://p:9090', '--prometheus-selector', 'up'], message: '--prometheus-selector: "up" is not a list of label matchers (use e.g. \'{namespace="shop"}\')'},
		{argv: ['--prometheus', 'http://p:9090', '--prometheus-selector', '{namespace="shop"'], message: '--prometheus-selector: "{namespace="shop"" is not a list of label matchers (use e.g. \'{namespace="shop"}\')'},
		{argv: ['--prometheus', 'http://p:9090', '--prometheus-selector', '{}'], message: '--prometheus-selector: "{}" is not a list of label matchers (use e.g. \'{namespace="shop"}\')'},
		{argv: ['--prometheus', 'http://p:9090', '--prometheus-selector', '{a="1"}', '--prometheus-selector', '{b="2"}'], message: '--prometheus-selector: given 2 times; give it once'},
		{argv: ['--prometheus-selector', '{namespace="shop"}'], message: '--prometheus-selector: only with --prometheus URL (or LIFEGUARD_PROMETHEUS)'},
		{argv: ['--prometheus'], message: '--prometheus: missing value'},
		// A %-escape that cannot be decoded: one line naming where it came from (it was "URI malformed",
		// exit 1, at start for --prometheus and on every poll for --pool)
		{argv: ['--prometheus', 'a=http://user:Pa%ss@host'], message: '--prometheus "a=http://user:***@host": malformed %-escape in the user or password (write a literal % as %25)'},
		{argv: ['--pool', 'b=http://user:hunter22%zz@host/metrics'], message: '--pool "b=http://user:***@host/metrics": malformed %-escape in the user or password (write a literal % as %25)'},
		{argv: ['--pool', 'actuator+http://us%er:hunter22@host/actuator'], message: '--pool "actuator+http://us%er:***@host/actuator": malformed %-escape in the user or password (write a literal % as %25)'},
		{argv: ['--pool', 'pgbouncer://stats:Pa%ss@bouncer:6432/pgbouncer'], message: '--pool "pgbouncer://stats:***@bouncer:6432/pgbouncer": malformed %-escape in the user or password (write a literal % as %25)'},
		{argv: ['--pool', 'pgbouncer://stats:hunter22@bouncer:6432/pg%bouncer'], message: '--pool "pgbouncer://stats:***@bouncer:6432/pg%bouncer": malformed %-escape in the database name (write a literal % as %25)'},
		{argv: [], env: {LIFEGUARD_POOLS: 'http://u:hunter22%@h/m'}, message: 'LIFEGUARD_POOLS "http://u:***@h/m": malformed %-escape in the user or password (write a literal % as %25)'},
		{argv: [], env: {LIFEGUARD_PROMETHEUS: 'http://u:hunter22%@h'}, message: 'LIFEGUARD_PROMETHEUS "http://u:***@h": malformed %-escape in the user or password (write a literal % as %25)'},
		// Tokens go to one endpoint each, never beside the URL's own credentials
		{argv: ['--prometheus', 'a=http://p1:9090', '--prometheus', 'http://p2:9090'], env: {LIFEGUARD_PROMETHEUS_TOKEN: 'hunter22'}, message: 'LIFEGUARD_PROMETHEUS_TOKEN: 2 --prometheus endpoints have no credentials of their own (a, http://p2:9090); it is sent to one only: name them (NAME=URL) and set LIFEGUARD_PROMETHEUS_TOKEN_NAME for each'},
		{argv: ['--prometheus', 'prod=http://u:hunter22@p1:9090'], env: {LIFEGUARD_PROMETHEUS_TOKEN_PROD: 'hunter22-token'}, message: '--prometheus prod: its URL holds a user and LIFEGUARD_PROMETHEUS_TOKEN_PROD is set; give one of the two'},
		{argv: ['--prometheus', 'eu-1=http://p1:9090', '--prometheus', 'eu.1=http://p2:9090'], message: '--prometheus: the names eu-1 and eu.1 both read LIFEGUARD_PROMETHEUS_TOKEN_EU_1; rename one'},
		// A named token that no endpoint reads: its endpoint would go without, silently
		{argv: ['--prometheus', 'eu-west=http://p1:9090', '--prometheus', 'us=http://p2:9090'], env: {LIFEGUARD_PROMETHEUS_TOKEN_EU_WST: 'eu-token'}, message: 'LIFEGUARD_PROMETHEUS_TOKEN_EU_WST: no --prometheus endpoint is named for it (the --prometheus names are eu-west, us); unset it or fix the name'},
		{argv: ['--prometheus', 'http://p1:9090'], env: {LIFEGUARD_PROMETHEUS_TOKEN_OTHER: 'x'}, message: 'LIFEGUARD_PROMETHEUS_TOKEN_OTHER: no --prometheus endpoint is named for it (no --prometheus endpoint has a name (NAME=URL)); unset it or fix the name'},
		{argv: ['check'], env: {LIFEGUARD_PROMETHEUS_TOKEN_PROD: 'x'}, message: 'LIFEGUARD_PROMETHEUS_TOKEN_PROD: no --prometheus endpoint is named for it (no --prometheus endpoint has a name (NAME=URL)); unset it or fix the name'},
		// Controls in what is echoed are shown, never sent
		{argv: ['--interval', '\u001B]0;pwned\u0007'], message: '--interval: "␛]0;pwned␇" is not a number'},
		{argv: ['\u001B[2Jx'], message: 'unknown command "␛[2Jx" (use check, doctor, timeline FILE, demo, alerts, record or report FILE; the target goes in --db)'},
		{argv: ['--\u009B31m'], message: 'unknown flag --\\x9b31m (see lifeguard --help)'},
		{argv: ['--interval', 'x'.repeat(200)], message: `--interval: "${'x'.repeat(59)}…" is not a number`},
	];

	for (const {argv, env, message} of cases) {
		test(JSON.stringify(argv), () => {
			assert.throws(() => parseCommandLine(argv, env ?? {}), (error: unknown) => {
				assert.ok(error instanceof OptionsError, String(error));
				assert.equal(error.message, message);
				assert.doesNotMatch(error.message, CONTROL);
				assert.doesNotMatch(error.message, /hunter22/);
				return true;
			});
		});
	}
});

describe('good command lines', () => {
	test('--db NAME=URL, repeated: several servers in order; a connection string is not a name', () => {
		const options = parseCommandLine(['--db', 'primary=postgres://u@h1/d', '--db=replica-1=postgresql://u@h2/d?sslmode=require', '--db', 'host=h3 dbname=d', '--db', 'postgres://h4/d'], {});
		assert.deepEqual(options.dbs, [
			{name: 'primary', text: 'postgres://u@h1/d'},
			{name: 'replica-1', text: 'postgresql://u@h2/d?sslmode=require'},
			{name: null, text: 'host=h3 dbname=d'},
			{name: null, text: 'postgres://h4/d'},
		]);
	});

	test('defaults', () => {
		const options = parseCommandLine([], {});
		assert.equal(options.command, 'watch');
		assert.deepEqual(options.dbs, []);
		assert.equal(options.intervalMs, 1000);
		assert.equal(options.poolTimeoutMs, 2000);
		assert.deepEqual(options.thresholds, {warnRatio: 0.8, criticalRatio: 0.95, idleInTransactionSeconds: 60});
		assert.equal(options.idleAfterSeconds, 300);
		assert.equal(options.isJson, false);
		assert.equal(options.isReadOnly, false);
		assert.equal(options.isBell, true);
		assert.deepEqual(options.pools, []);
	});

	test('every flag, in both spellings', () => {
		const options = parseCommandLine([
			'--db=postgres://u@h/d', '--interval', '0.5', '--pool', 'a=http://a/m', '--pool=http://b/m',
			'--pool-timeout', '1.5', '--warn=70', '--critical', '90', '--idle-after', '10m', '--idle-in-transaction-after=30s',
			'--read-only', '--no-bell', '--log=x.jsonl',
		], {});
		assert.equal(options.command, 'watch');
		assert.deepEqual(options.dbs, [{name: null, text: 'postgres://u@h/d'}]);
		assert.equal(options.intervalMs, 500);
		assert.deepEqual(options.pools.map(pool => pool.name), ['a', null]);
		assert.equal(options.poolTimeoutMs, 1500);
		assert.deepEqual(options.thresholds, {warnRatio: 0.7, criticalRatio: 0.9, idleInTransactionSeconds: 30});
		assert.equal(options.idleAfterSeconds, 600);
		assert.equal(options.isReadOnly, true);
		assert.equal(options.isBell, false);
		assert.equal(options.logFile, 'x.jsonl');
		assert.equal(parseCommandLine(['--log', 'x.jsonl'], {}).logFile, 'x.jsonl');
		// The one-shot commands: --json, check, doctor's formats.
		const json = parseCommandLine(['--json', '--db', 'postgres://u@h/d', '--warn', '70'], {});
		assert.deepEqual([json.command, json.isJson, json.thresholds.warnRatio], ['json', true, 0.7]);
		assert.equal(parseCommandLine(['check', '--critical=90', '--pool-timeout', '3'], {}).command, 'check');
		const doctor = parseCommandLine(['doctor', '--markdown', '--json'], {});
		assert.deepEqual([doctor.command, doctor.isMarkdown, doctor.isJson], ['doctor', true, true]);
		assert.equal(parseCommandLine(['demo', '--doctor', '--json', '--markdown'], {}).command, 'demo-doctor');
		assert.equal(parseCommandLine(['demo', '--no-endpoint', '--interval', '2', '--log', 'x'], {}).command, 'demo');
	});

	test('a value may start with one dash; camelCase flags as meow read them; repeated switches agree', () => {
		assert.equal(parseCommandLine(['--log', '-odd-name.jsonl'], {}).logFile, '-odd-name.jsonl');
		assert.equal(parseCommandLine(['--idleAfter', '2m'], {}).idleAfterSeconds, 120);
		assert.equal(parseCommandLine(['--json', '--json'], {}).isJson, true);
		assert.equal(parseCommandLine(['--warn', '95', '--critical', '95'], {}).thresholds.criticalRatio, 0.95);
	});

	test('timeline FILE and demo --scenario', () => {
		assert.equal(parseCommandLine(['timeline', 'incident.jsonl'], {}).argument, 'incident.jsonl');
		assert.equal(parseCommandLine(['timeline', '--', '--odd.jsonl'], {}).argument, '--odd.jsonl');
		assert.equal(parseCommandLine(['demo', '--scenario', 'server-full'], {}).scenario, 'server-full');
	});

	test('--prometheus (repeatable, NAME=URL) and LIFEGUARD_PROMETHEUS: pool endpoints with the selector', () => {
		const options = parseCommandLine(
			['--pool', 'http://a/m', '--prometheus', 'prod=https://u:hunter22@prom.example/prometheus', '--prometheus=http://thanos:9090', '--prometheus-selector', ` {namespace="shop", env=~"prod|eu",} `],
			{LIFEGUARD_PROMETHEUS: 'http://thanos:9090 http://mimir:8080'},
		);
		assert.deepEqual(options.pools.map(pool => [pool.kind, pool.name, pool.maskedUrl]), [
			['http', null, 'http://a/m'],
			['prometheus', 'prod', 'https://u:***@prom.example/prometheus'],
			['prometheus', null, 'http://thanos:9090'],
			['prometheus', null, 'http://mimir:8080'],
		]);
		assert.ok(options.pools.slice(1).every(pool => pool.selector === 'namespace="shop", env=~"prod|eu"' && pool.bearerToken === null));
		assert.doesNotMatch(JSON.stringify(options.pools.map(pool => pool.maskedUrl)), /hunter22/);
		const bare = parseCommandLine(['--prometheus', 'http://p:9090', '--prometheus-selector', `job='checkout'`], {});
		assert.deepEqual([bare.pools[0]!.selector, bare.pools[0]!.bearerToken], [`job='checkout'`, null]);
	});

	test('tokens: LIFEGUARD_PROMETHEUS_TOKEN_<NAME> for the endpoint NAME, LIFEGUARD_PROMETHEUS_TOKEN for the one without credentials, none beside userinfo', () => {
		const tokens = (argv: string[], env: Record<string, string>) => parseCommandLine(argv, env).pools.map(pool => [pool.name, pool.bearerToken]);
		// The shared token goes to the one endpoint without userinfo; the other keeps its basic auth alone.
		assert.deepEqual(tokens(['--prometheus', 'a=http://u:pw@p1:9090', '--prometheus', 'b=http://p2:9090'], {LIFEGUARD_PROMETHEUS_TOKEN: 'shared'}), [['a', null], ['b', 'shared']]);
		// Named tokens, per endpoint (names upper-cased, - and . as _); the shared one then fits the remaining one.
		assert.deepEqual(
			tokens(['--prometheus', 'eu-west=http://p1:9090', '--prometheus', 'us=http://p2:9090', '--prometheus', 'http://p3:9090'], {LIFEGUARD_PROMETHEUS_TOKEN_EU_WEST: 'eu', LIFEGUARD_PROMETHEUS_TOKEN_US: 'us', LIFEGUARD_PROMETHEUS_TOKEN: 'shared'}),
			[['eu-west', 'eu'], ['us', 'us'], [null, 'shared']],
		);
		// Every endpoint has its own credentials: the shared token goes nowhere.
		assert.deepEqual(tokens(['--prometheus', 'a=http://u:pw@p1:9090'], {LIFEGUARD_PROMETHEUS_TOKEN: 'shared'}), [['a', null]]);
		// An empty one is no token; a command that reads no endpoint (timeline) does not look at them.
		assert.deepEqual(tokens(['--prometheus', 'http://p1:9090'], {LIFEGUARD_PROMETHEUS_TOKEN_OTHER: ' '}), [[null, null]]);
		assert.equal(parseCommandLine(['timeline', 'incident.jsonl'], {LIFEGUARD_PROMETHEUS_TOKEN_OTHER: 'x'}).command, 'timeline');
	});

	test('one warning when a token or a password would go over plain http to a host that is not loopback', () => {
		const warnings = (argv: string[], env: Record<string, string> = {}) => parseCommandLine(argv, env).warnings;
		assert.deepEqual(warnings(['--prometheus', 'http://prom.example:9090', '--pool', 'b=http://u:hunter22@app.example/metrics'], {LIFEGUARD_PROMETHEUS_TOKEN: 'hunter22-token'}), [
			'plain http sends a password to http://u:***@app.example/metrics, a bearer token to http://prom.example:9090 readable by anyone on the network; use https://',
		]);
		assert.deepEqual(warnings(['--pool', 'actuator+http://u:hunter22@app.example/actuator']), ['plain http sends a password to actuator+http://u:***@app.example/actuator readable by anyone on the network; use https://']);
		// A PgBouncer console without TLS: its login crosses unencrypted (auth_type plain sends the password as it is).
		assert.deepEqual(warnings(['--pool', 'pgbouncer://u:hunter22@bouncer.example:6432/pgbouncer', '--pool', 'b=http://u:hunter22@app.example/metrics']), [
			'plain http sends a password to http://u:***@app.example/metrics readable by anyone on the network; use https://; pgbouncer:// without TLS logs in to pgbouncer://u:***@bouncer.example:6432/pgbouncer unencrypted (the password in clear under auth_type plain); add ?sslmode=require',
		]);
		// https, TLS, loopback, or no secret: no warning
		assert.deepEqual(warnings(['--prometheus', 'https://prom.example'], {LIFEGUARD_PROMETHEUS_TOKEN: 't'}), []);
		assert.deepEqual(warnings(['--prometheus', 'http://127.0.0.1:9090', '--pool', 'http://u:p@localhost/m', '--pool', 'http://u:p@[::1]/m'], {LIFEGUARD_PROMETHEUS_TOKEN: 't'}), []);
		assert.deepEqual(warnings(['--pool', 'http://u@app.example/m', '--pool', 'http://app.example/m']), []);
		assert.deepEqual(warnings(['--pool', 'pgbouncer://u:p@bouncer.example:6432/pgbouncer?sslmode=require', '--pool', 'pgbouncer://u:p@127.0.0.1:6432/pgbouncer', '--pool', 'pgbouncer://u@bouncer.example:6432/pgbouncer']), []);
	});

	test('a command that reads no pools reads no pool variables: alerts leaves LIFEGUARD_POOLS alone, timeline a broken one', () => {
		const alerts = parseCommandLine(['alerts', '--prometheus', 'http://prom:9090'], {LIFEGUARD_POOLS: 'http://app/metrics'});
		assert.deepEqual(alerts.pools.map(pool => pool.kind), ['prometheus']);
		assert.deepEqual(parseCommandLine(['timeline', 'f.jsonl'], {LIFEGUARD_POOLS: 'localhost:9090', LIFEGUARD_PROMETHEUS: 'nope'}).pools, []);
		assert.deepEqual(parseCommandLine(['timeline', 'f.jsonl'], {LIFEGUARD_POOLS: 'http://app.example/metrics'}).warnings, []);
	});

	test('--pool and LIFEGUARD_POOLS merge; an empty LIFEGUARD_POOLS is no pool', () => {
		assert.equal(parseCommandLine(['--pool', 'http://a/m'], {LIFEGUARD_POOLS: 'http://a/m http://b/m'}).pools.length, 2);
		assert.deepEqual(parseCommandLine([], {LIFEGUARD_POOLS: '  '}).pools, []);
	});
});

test('--no-endpoint: the demo publishes no pool endpoint; default publishes; other commands refuse it', () => {
	assert.equal(parseCommandLine(['demo'], {}).hasDemoEndpoint, true);
	assert.equal(parseCommandLine(['demo', '--no-endpoint'], {}).hasDemoEndpoint, false);
	assert.throws(() => parseCommandLine(['--no-endpoint'], {}), (error: unknown) => error instanceof OptionsError && error.message === '--no-endpoint: only for lifeguard demo');
});
