// The demo's application against a real embedded server: 50 requests/s of 100–300 ms on a pool of max 5.
// `--json` and `check` read its pool twice (its usage counters become rates) and size it by Little's
// law: a suggested max between 10 and 25, never above the server's free slots, and the same number in
// the pool's advice, the saturated finding and `check`'s line.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {startSimulatedApp, type SimulatedApp} from '../../source/demo/simulated-app.js';
import {CHECKOUT_ACQUIRE_TIMEOUT_MS, CHECKOUT_REQUESTS_PER_SECOND} from '../../source/demo/scenarios.js';
import {ensureBuilt, runCli} from '../cli/helpers.js';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';

let server: TestServer | undefined;
let app: SimulatedApp | undefined;

before(async () => {
	ensureBuilt();
	server = await startEmbeddedPostgres();
});

after(async () => {
	await app?.stop();
	await server?.stop();
});

type Advice = {needed: number | null; suggested: number | null; arithmetic: string; limitedBy: string; text: string};
type JsonShot = {server: {freeConnections: number}; pools: Array<{name: string; max: number; waiting: number; advice: Advice | null}>; findings: Array<{code: string; message: string}>};

test('the demo\'s steady state: --json and check suggest a max of 10–25 within the free slots', async () => {
	app = await startSimulatedApp({
		url: server!.url,
		name: 'checkout',
		applicationName: 'checkout',
		max: 5,
		requestsPerSecond: () => CHECKOUT_REQUESTS_PER_SECOND,
		acquireTimeoutMs: CHECKOUT_ACQUIRE_TIMEOUT_MS,
		request: {sql: 'select pg_sleep($1)', params: () => [0.1 + (Math.random() * 0.2)]},
	});
	// Saturated and past the acquire timeout: requests are timing out, the queue is standing.
	await pollUntil(() => app!.waiting() > 50 && app!.timeouts() > 20, {timeoutMs: 20_000, what: 'the pool to queue and time out'});

	const json = await runCli(['--json', '--db', server!.url, '--pool', app.poolSpec!], {timeoutMs: 30_000});
	assert.equal(json.code, 0, json.stderr);
	const shot = JSON.parse(json.stdout) as JsonShot;
	const pool = shot.pools.find(each => each.name === 'checkout')!;
	const advice = pool.advice!;
	assert.equal(advice.limitedBy, 'demand', advice.text);
	assert.ok(advice.needed !== null && advice.needed >= 7 && advice.needed <= 13, advice.text);
	assert.ok(advice.suggested !== null && advice.suggested >= 10 && advice.suggested <= 25, advice.text);
	assert.ok(advice.suggested <= shot.server.freeConnections, `${advice.suggested} within ${shot.server.freeConnections} free`);
	assert.match(advice.text, new RegExp(`^checkout needs ~${advice.needed} connections \\(≈ \\d+ req/s × 0\\.\\d\\d s\\); set max ${advice.suggested} for headroom$`));
	const saturated = shot.findings.find(finding => finding.code === 'pool-saturated')!;
	assert.match(saturated.message, new RegExp(`free slots: needs ~${advice.needed} connections .*; set max ${advice.suggested} for headroom\\.$`));

	const check = await runCli(['check', '--db', server!.url, '--pool', app.poolSpec!], {timeoutMs: 30_000});
	assert.equal(check.code, 2, check.stdout);
	assert.match(check.stdout, /^LIFEGUARD CRITICAL - Pool checkout is saturated: .*: needs ~\d+ connections \(≈ \d+ req\/s × 0\.\d\d s\); set max \d+ for headroom\./);
});
