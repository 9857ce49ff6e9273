// `lifeguard doctor` through the built binary: exit codes 0/1/2/3, the --json contract, --markdown,
// plain text on a pipe, no control byte from the server on the output, no password anywhere.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import pg from 'pg';
import {freePort, pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {ensureBuilt, runCli, type CliResult} from '../cli/helpers.js';

const PASSWORD = 'doctor-cli-pw';

function context(result: CliResult): string {
	return `exit ${String(result.code)}, stdout ${result.stdout.slice(0, 3000)}, stderr ${JSON.stringify(result.stderr)}`;
}

type JsonReport = {target: string; checks: Array<{id: string; status: string; title: string; found: string; fix: string | null; numbers: Record<string, number | null>}>};

describe('lifeguard doctor (built binary)', () => {
	let server: TestServer;
	let admin: pg.Client;
	const sql = async (text: string) => admin.query(text);
	const monitorUrl = () => {
		const url = new URL(server.url);
		url.username = 'lg_cli_monitor';
		url.password = PASSWORD;
		return url.toString();
	};

	const reload = async (name: string, shown: string) => {
		await sql('select pg_reload_conf()');
		await pollUntil(async () => {
			const probe = new pg.Client({connectionString: server.url});
			await probe.connect();
			try {
				return (await probe.query<{v: string}>(`select current_setting('${name}') as v`)).rows[0]!.v === shown;
			} finally {
				await probe.end();
			}
		}, {what: `${name} = ${shown}`});
	};

	before(async () => {
		ensureBuilt();
		server = await startEmbeddedPostgres({maxConnections: 30});
		admin = new pg.Client({connectionString: server.url});
		await admin.connect();
		await sql(`create role lg_cli_monitor login password '${PASSWORD}'`);
	});

	after(async () => {
		await admin?.end().catch(() => undefined);
		await server?.stop();
	});

	test('exit 3 and one line on stderr when the server cannot be reached', async () => {
		const port = await freePort();
		const result = await runCli(['doctor', '--db', `postgres://lg:${PASSWORD}@127.0.0.1:${port}/postgres`]);
		assert.equal(result.code, 3, context(result));
		assert.equal(result.stdout, '');
		assert.match(result.stderr, /^lifeguard: cannot connect to postgres:\/\/lg:\*\*\*@127\.0\.0\.1:\d+\/postgres: connection refused/);
		assert.equal(result.stderr.trim().split('\n').length, 1);
		assert.doesNotMatch(result.stderr, new RegExp(PASSWORD));
	});

	test('exit 1 with warnings only, plain text on a pipe, the password masked', async () => {
		const result = await runCli(['doctor', '--db', server.url]);
		assert.equal(result.code, 1, context(result));
		assert.match(result.stdout, /^lifeguard doctor postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres\n/);
		assert.match(result.stdout, /^WARN {4}tcp-keepalive: TCP keepalive$/m);
		assert.match(result.stdout, /^PASS {4}visibility: Monitoring role sees every session$/m);
		assert.match(result.stdout, /\n\d+ warn \([a-z-]+(, [a-z-]+)*\), \d+ pass, \d+ skip: exit 1\n$/);
		assert.doesNotMatch(result.stdout + result.stderr, /secret-test-pw/);
		assert.doesNotMatch(result.stdout, /┌|│/, 'no table on a pipe');
	});

	test('exit 2 with a failure: a monitoring role without pg_monitor', async () => {
		const result = await runCli(['doctor', '--db', monitorUrl()]);
		assert.equal(result.code, 2, context(result));
		assert.match(result.stdout, /^FAIL {4}visibility: .*\n {8}found: lg_cli_monitor has no pg_read_all_stats: .*\n {8}fix: {3}GRANT pg_monitor TO "lg_cli_monitor";$/m);
	});

	test('--json: the stable contract, outside strings exact; text output shows no control byte', async () => {
		const evil = 'shop\u001B[2J\u0007';
		await sql(`create role ${admin.escapeIdentifier(evil)} login`);
		try {
			const json = await runCli(['doctor', '--json', '--db', server.url]);
			assert.equal(json.code, 1, context(json));
			const report = JSON.parse(json.stdout) as JsonReport;
			assert.deepEqual(Object.keys(report), ['target', 'checks', 'settings']);
			assert.match(report.target, /^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres$/);
			assert.equal(report.checks.length, 13);
			for (const check of report.checks) {
				assert.deepEqual(Object.keys(check), ['id', 'status', 'title', 'found', 'fix', 'numbers']);
				assert.ok(['pass', 'warn', 'fail', 'unknown', 'skip'].includes(check.status));
			}

			const statement = report.checks.find(check => check.id === 'statement-timeout')!;
			assert.equal(statement.status, 'warn');
			assert.ok(statement.found.includes(evil), 'the role name exactly as the server has it');
			assert.ok(statement.fix!.includes(String.raw`U&"shop\001B[2J\0007"`), 'in the SQL of the fix with U& escapes (fix-sql.test.ts runs it)');
			assert.equal(statement.numbers['serverMs'], 0);

			for (const [args, shown] of [[['doctor'], 'shop␛[2J␇'], [['doctor', '--markdown'], String.raw`shop␛\[2J␇`]] as const) {
				const text = await runCli([...args, '--db', server.url]);
				assert.equal(text.code, 1, context(text));
				assert.doesNotMatch(text.stdout, /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/, `${args.join(' ')}: no control byte but newlines`);
				assert.ok(text.stdout.includes(shown), `${args.join(' ')}: shown visibly`);
			}
		} finally {
			await sql(`drop role ${admin.escapeIdentifier(evil)}`);
		}
	});

	test('--markdown: a table for a postmortem', async () => {
		const result = await runCli(['doctor', '--markdown', '--db', server.url]);
		assert.equal(result.code, 1, context(result));
		const lines = result.stdout.trimEnd().split('\n');
		assert.match(lines[0]!, /^### Configuration review: `postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres`$/);
		assert.equal(lines[2], '| status | check | found | fix |');
		assert.equal(lines.filter(line => line.startsWith('| **')).length, 13);
		assert.match(result.stdout, /^\| \*\*WARN\*\* \| TCP keepalive \| tcp_keepalives_idle 7200 s/m);
	});

	test('exit 0 when everything passes (superuser, timeouts and keepalives set)', async () => {
		// lg_cli_monitor is a login role like an application's: it gets a statement_timeout too.
		await sql("alter role lg_cli_monitor set statement_timeout = '30s'");
		await sql("alter system set idle_in_transaction_session_timeout = '60s'");
		await sql('alter system set tcp_keepalives_idle = 60');
		await sql('alter system set tcp_keepalives_interval = 10');
		await sql('alter system set tcp_keepalives_count = 6');
		try {
			await reload('tcp_keepalives_count', '6');
			const result = await runCli(['doctor', '--db', server.url]);
			assert.equal(result.code, 0, context(result));
			assert.match(result.stdout, /\n\d+ pass, \d+ skip: exit 0\n$/);
		} finally {
			for (const name of ['idle_in_transaction_session_timeout', 'tcp_keepalives_idle', 'tcp_keepalives_interval', 'tcp_keepalives_count']) {
				await sql(`alter system reset ${name}`);
			}

			await reload('tcp_keepalives_count', '9');
			await sql('alter role lg_cli_monitor reset statement_timeout');
		}
	});

	test('flag errors: --markdown and --doctor belong to their commands (exit 2, one line)', async () => {
		const markdown = await runCli(['--markdown', '--db', server.url]);
		assert.equal(markdown.code, 2, context(markdown));
		assert.match(markdown.stderr, /^lifeguard: --markdown: only for lifeguard doctor/);
		const doctor = await runCli(['check', '--doctor', '--db', server.url]);
		assert.equal(doctor.code, 2, context(doctor));
		assert.match(doctor.stderr, /^lifeguard: --doctor: only for lifeguard demo/);
	});
});
