// Credentials through the built binary (issue 19): passwords holding '@' (a URL's userinfo ends at its
// LAST '@') and a bad %-escape, over every kind of URL (--db, --pool http, pgbouncer://, --prometheus)
// and every channel that shows one: the live screen, --json, the plain summary, check, the findings,
// the log, timeline and doctor --markdown. And each --prometheus endpoint's own credentials, on two
// fake Prometheus servers on loopback: a token only where it is meant, basic auth from the userinfo.
import assert from 'node:assert/strict';
import {existsSync, readFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {after, afterEach, before, describe, test} from 'node:test';
import {hikariVector, startPrometheusApi, type FakePrometheusApi} from '../helpers/hostile-endpoints.js';
import {freePort, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {hasTmux, TmuxRun} from '../helpers/terminal.js';
import {assertOneLineFailure, CLI, cleanEnv, ensureBuilt, hasScript, PtyRun, runCli, withAdmin, type CliResult} from './helpers.js';

/** A password with '@' in it: masked only to its first '@', it showed `puser:***@ss1Tail@host`. */
const PASSWORD = 'Pa@ss1Tail';
const LEAK = /ss1Tail|Pa%40ss|Pa@ss/;
const USER = 'puser';
const HIKARI = '# TYPE hikaricp_connections_max gauge\nhikaricp_connections_max{pool="p"} 10\n# TYPE hikaricp_connections_active gauge\nhikaricp_connections_active{pool="p"} 2\n# TYPE hikaricp_connections_pending gauge\nhikaricp_connections_pending{pool="p"} 0\n';

const context = (result: CliResult) => `exit ${String(result.code)}, stdout ${result.stdout.slice(0, 3000)}, stderr ${JSON.stringify(result.stderr)}`;

function assertNoLeak(text: string, where: string): void {
	const match = LEAK.exec(text);
	assert.equal(match, null, `${where} shows the password: …${match ? text.slice(Math.max(0, match.index - 80), match.index + 40) : ''}…`);
}

/** An HTTP pool endpoint that answers only with basic auth `puser` / `Pa@ss1Tail`. */
async function startBasicAuthEndpoint(): Promise<{port: number; stop: () => Promise<void>}> {
	const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
	const server = http.createServer((request, response) => {
		if (request.headers.authorization === expected) {
			response.setHeader('content-type', 'text/plain; version=0.0.4');
			response.end(HIKARI);
		} else {
			response.statusCode = 401;
			response.end();
		}
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	return {
		port: (server.address() as {port: number}).port,
		async stop() {
			server.closeAllConnections();
			await new Promise(resolve => {
				server.close(resolve);
			});
		},
	};
}

describe('a password with @ in every kind of URL, on every channel', () => {
	let server: TestServer;
	let dir = '';
	let role = '';
	let endpoint: {port: number; stop: () => Promise<void>};
	let run: PtyRun | undefined;
	let flags: string[] = [];
	/** What each URL must look like wherever it is shown. */
	let masked: Record<'db' | 'down' | 'bouncer' | 'fleet', string>;

	before(async () => {
		ensureBuilt();
		dir = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-cli-credentials-'));
		server = await startEmbeddedPostgres();
		role = `${USER}_${process.pid}`;
		await withAdmin(server, async admin => {
			await admin.query(`create role ${role} login superuser password '${PASSWORD}'`);
		});
		endpoint = await startBasicAuthEndpoint();
		// Nothing listens on these: the endpoints are down, so every finding and log line names their URL.
		const [down, bouncer, fleet] = [await freePort(), await freePort(), await freePort()];
		const at = (port: number) => `${USER}:${PASSWORD}@127.0.0.1:${port}`;
		flags = [
			'--db', `postgres://${role}:${PASSWORD}@127.0.0.1:${server.port}/postgres`,
			'--pool', `up=http://${at(endpoint.port)}/metrics`,
			'--pool', `down=http://${at(down)}/metrics`,
			'--pool', `bouncer=pgbouncer://${at(bouncer)}/pgbouncer`,
			'--prometheus', `fleet=http://${at(fleet)}`,
		];
		masked = {
			db: `postgres://${role}:***@127.0.0.1:${server.port}/postgres`,
			down: `http://${USER}:***@127.0.0.1:${down}/metrics`,
			bouncer: `pgbouncer://${USER}:***@127.0.0.1:${bouncer}/pgbouncer`,
			fleet: `http://${USER}:***@127.0.0.1:${fleet}`,
		};
	});

	afterEach(async () => {
		await run?.stop();
		run = undefined;
	});

	after(async () => {
		await endpoint?.stop();
		await server?.stop();
		await rm(dir, {recursive: true, force: true});
	});

	test('--json: every endpoint and finding masked whole; the endpoint behind basic auth answers (the password decoded)', async () => {
		const result = await runCli([...flags, '--json']);
		assert.equal(result.code, 0, context(result));
		assertNoLeak(result.stdout + result.stderr, '--json');
		const json = JSON.parse(result.stdout) as {target: string; pools: Array<{name: string; endpoint: string; error: string | null}>; findings: Array<{message: string}>};
		assert.equal(json.target, masked.db);
		const endpoints = new Map(json.pools.map(pool => [pool.name, pool]));
		assert.deepEqual([endpoints.get('down')?.endpoint, endpoints.get('bouncer')?.endpoint, endpoints.get('fleet')?.endpoint], [masked.down, masked.bouncer, masked.fleet]);
		assert.equal(endpoints.get('up')?.error, null, 'basic auth with the decoded password');
		const messages = json.findings.map(finding => finding.message).join('\n');
		for (const url of [masked.down, masked.bouncer, masked.fleet]) {
			assert.ok(messages.includes(url), `no finding names ${url}: ${messages}`);
		}
	});

	test('the plain summary and check', async () => {
		const summary = await runCli(flags);
		assert.equal(summary.code, 0, context(summary));
		assertNoLeak(summary.stdout + summary.stderr, 'the summary');
		for (const url of [masked.db, masked.down, masked.bouncer, masked.fleet]) {
			assert.ok(summary.stdout.includes(url), `the summary does not show ${url}: ${summary.stdout}`);
		}

		const check = await runCli(['check', ...flags]);
		assertNoLeak(check.stdout + check.stderr, 'check');
		assert.match(check.stdout, /^LIFEGUARD (OK|WARNING|CRITICAL)/);
	});

	test('the live screen and --log, then timeline of that log', {skip: hasScript() ? false : 'util-linux `script` is not installed'}, async () => {
		const log = path.join(dir, 'incident.jsonl');
		run = new PtyRun([...flags, '--log', log], {columns: 220, rows: 50});
		await run.waitForText(new RegExp(`answers at ${masked.down.replaceAll('*', String.raw`\*`).replaceAll('.', String.raw`\.`)}`), 20_000);
		await run.waitForText(/pgbouncer:\/\/puser:\*\*\*@/, 20_000);
		run.write('q');
		await run.exited;
		assertNoLeak(run.output, 'the screen');
		assert.ok(run.text.includes(masked.db), 'the header names the server, masked');

		const written = readFileSync(log, 'utf8');
		assertNoLeak(written, 'the log');
		for (const url of [masked.db, masked.down, masked.bouncer, masked.fleet]) {
			assert.ok(written.includes(url), `the log does not name ${url}`);
		}

		const timeline = await runCli(['timeline', log]);
		assert.equal(timeline.code, 0, context(timeline));
		assertNoLeak(timeline.stdout + timeline.stderr, 'timeline');
		// Markdown: the mask's asterisks are escaped, never the password shown.
		assert.ok(timeline.stdout.includes(markdown(masked.down)), timeline.stdout);
	});

	test('doctor --markdown', async () => {
		const result = await runCli(['doctor', '--markdown', ...flags]);
		assert.ok(result.code !== null && result.code <= 3, context(result));
		assertNoLeak(result.stdout + result.stderr, 'doctor --markdown');
		assert.ok(result.stdout.includes(masked.db) && result.stdout.includes(markdown(masked.bouncer)), result.stdout);
	});
});

/** A masked URL as Markdown text shows it: the mask's asterisks escaped. */
function markdown(url: string): string {
	return url.replaceAll('*', String.raw`\*`);
}

describe('a bad %-escape in any URL flag: one line naming the flag, exit 2, in every mode', () => {
	before(() => {
		ensureBuilt();
	});

	const bad = 'Pa%ss1Tail';
	const cases: Array<[flag: string, value: string, line: RegExp]> = [
		['--db', `postgres://u:${bad}@127.0.0.1:1/postgres`, /^lifeguard: --db: invalid connection URL "postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/postgres": malformed %-escape$/],
		['--pool', `b=http://u:${bad}@127.0.0.1:1/metrics`, /^lifeguard: --pool "b=http:\/\/u:\*\*\*@127\.0\.0\.1:1\/metrics": malformed %-escape in the user or password \(write a literal % as %25\)$/],
		['--pool', `c=pgbouncer://u:${bad}@127.0.0.1:1/pgbouncer`, /^lifeguard: --pool "c=pgbouncer:\/\/u:\*\*\*@127\.0\.0\.1:1\/pgbouncer": malformed %-escape in the user or password/],
		['--prometheus', `a=http://u:${bad}@127.0.0.1:1`, /^lifeguard: --prometheus "a=http:\/\/u:\*\*\*@127\.0\.0\.1:1": malformed %-escape in the user or password/],
	];
	for (const [flag, value, line] of cases) {
		test(`${flag} ${value.split(':')[0]!}: --json, the summary, check, doctor --markdown`, async () => {
			// The server named needs no answer: the flag is refused before anything connects.
			const db = flag === '--db' ? [] : ['--db', 'postgres://u@127.0.0.1:1/postgres'];
			for (const mode of [['--json'], [], ['check'], ['doctor', '--markdown']]) {
				const result = await runCli([...mode, ...db, flag, value]);
				assertOneLineFailure(result, 2, line);
				assertNoLeak(result.stdout + result.stderr, `${flag} ${mode.join(' ')}`);
			}
		});
	}

	test('the live screen never starts, and no log is written', {skip: hasScript() ? false : 'util-linux `script` is not installed'}, async () => {
		const dir = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-cli-credentials-'));
		try {
			const log = path.join(dir, 'never.jsonl');
			const run = new PtyRun(['--db', 'postgres://u@127.0.0.1:1/postgres', '--log', log, '--prometheus', `a=http://u:${bad}@127.0.0.1:1`]);
			const exit = await run.exited;
			assert.equal(exit.code, 2, run.text);
			assert.match(run.text, /lifeguard: --prometheus "a=http:\/\/u:\*\*\*@127\.0\.0\.1:1": malformed %-escape/);
			assertNoLeak(run.output, 'the terminal');
			assert.equal(existsSync(log), false);
		} finally {
			await rm(dir, {recursive: true, force: true});
		}
	});
});

describe('each --prometheus endpoint its own credentials (two fake Prometheus servers on loopback)', () => {
	let server: TestServer;
	let tokenOnly: FakePrometheusApi;
	let basicOnly: FakePrometheusApi;
	const body = hikariVector(3);

	before(async () => {
		ensureBuilt();
		server = await startEmbeddedPostgres();
		tokenOnly = await startPrometheusApi(() => body);
		basicOnly = await startPrometheusApi(() => body);
	});

	after(async () => {
		await tokenOnly?.stop();
		await basicOnly?.stop();
		await server?.stop();
	});

	const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

	for (const [what, env] of [
		['LIFEGUARD_PROMETHEUS_TOKEN goes to the one endpoint without userinfo', {LIFEGUARD_PROMETHEUS_TOKEN: 'tok-shared-123'}],
		['LIFEGUARD_PROMETHEUS_TOKEN_<NAME> goes to the endpoint NAME', {LIFEGUARD_PROMETHEUS_TOKEN_TOKEN_ONLY: 'tok-shared-123'}],
	] as const) {
		test(`${what}; the other gets basic auth from its userinfo and no token`, async () => {
			tokenOnly.requests.length = 0;
			basicOnly.requests.length = 0;
			const result = await runCli(['--json', '--db', server.url, '--prometheus', `token-only=${tokenOnly.url}`, '--prometheus', `basic-only=http://${USER}:${PASSWORD}@127.0.0.1:${basicOnly.port}`], {env});
			assert.equal(result.code, 0, context(result));
			assert.ok(tokenOnly.requests.length > 0 && basicOnly.requests.length > 0, 'both were asked');
			assert.deepEqual([...new Set(tokenOnly.requests.map(request => request.authorization))], ['Bearer tok-shared-123']);
			assert.deepEqual([...new Set(basicOnly.requests.map(request => request.authorization))], [basic]);
			assert.doesNotMatch(result.stdout + result.stderr, /tok-shared-123/);
			assertNoLeak(result.stdout + result.stderr, '--json');
			const pools = (JSON.parse(result.stdout) as {pools: Array<{name: string; error: string | null}>}).pools;
			assert.deepEqual(pools.map(pool => [pool.name, pool.error]).sort(), [['basic-only', null], ['token-only', null]]);
		});
	}

	test('a shared token with two endpoints that could take it: refused, exit 2, nothing sent', async () => {
		tokenOnly.requests.length = 0;
		const result = await runCli(['--json', '--db', server.url, '--prometheus', `a=${tokenOnly.url}`, '--prometheus', `b=${tokenOnly.url}/prometheus`], {env: {LIFEGUARD_PROMETHEUS_TOKEN: 'tok-shared-123'}});
		assertOneLineFailure(result, 2, /^lifeguard: LIFEGUARD_PROMETHEUS_TOKEN: 2 --prometheus endpoints have no credentials of their own \(a, b\)/);
		assert.equal(tokenOnly.requests.length, 0);
	});

	test('a token over plain http to a host that is not loopback: one warning on stderr before anything else', async () => {
		// 0.0.0.0 is no loopback name (so the warning is due), yet Linux connects it to this machine.
		const port = await freePort();
		const result = await runCli(['--json', '--db', server.url, '--prometheus', `http://0.0.0.0:${port}`], {env: {LIFEGUARD_PROMETHEUS_TOKEN: 'tok-shared-123'}});
		assert.equal(result.code, 0, context(result));
		assert.equal(result.stderr, `lifeguard: warning: plain http sends a bearer token to http://0.0.0.0:${port} readable by anyone on the network; use https://\n`);
	});

	test('the same warning on the live screen: the status line shows it at start (stderr is soon drawn over)', {skip: hasTmux() ? false : 'tmux is not installed'}, async () => {
		const port = await freePort();
		const run = new TmuxRun([process.execPath, CLI, '--db', server.url, '--prometheus', `http://0.0.0.0:${port}`], {columns: 120, rows: 30, env: cleanEnv({TERM: 'xterm-256color', LIFEGUARD_PROMETHEUS_TOKEN: 'tok-shared-123'})});
		try {
			const screen = await run.waitFor(/^lifeguard {2}PG /m, 'the first frame');
			const status = screen.filter(line => line.trim() !== '').at(-1) ?? '';
			assert.match(status, new RegExp(`^warning: plain http sends a bearer token to http://0\\.0\\.0\\.0:${port} readable by anyone on the network`), screen.join('\n'));
			assert.doesNotMatch(screen.join('\n'), /tok-shared-123/);
			run.keys('q');
		} finally {
			run.close();
		}
	});

	test('a LIFEGUARD_PROMETHEUS_TOKEN_<NAME> no endpoint is named for: refused, exit 2, nothing sent', async () => {
		tokenOnly.requests.length = 0;
		const result = await runCli(['--json', '--db', server.url, '--prometheus', `prod=${tokenOnly.url}`], {env: {LIFEGUARD_PROMETHEUS_TOKEN_PRDO: 'tok-typo-123'}});
		assertOneLineFailure(result, 2, /^lifeguard: LIFEGUARD_PROMETHEUS_TOKEN_PRDO: no --prometheus endpoint is named for it \(the --prometheus names are prod\); unset it or fix the name$/);
		assert.equal(tokenOnly.requests.length, 0);
	});
});
