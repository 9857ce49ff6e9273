// The incident log's ceiling on the built binary (issue 19): a real HTTP endpoint on loopback serves
// 200 saturated pools whose labels change on every scrape (each scrape 200 pools appear and 200 go, a
// level change each), lifeguard watches it for 60 s at --interval 0.5 with --log, and the log stays
// under 2 MB (it grew by ~1.1 GB in 90 s when every level line carried every pool's numbers), with a
// fold line that says how many changes it counted, which `lifeguard timeline` shows.
import assert from 'node:assert/strict';
import {statSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {type FixtureServer, hikariExposition, startFixtureServer} from '../helpers/prometheus.js';
import {ensureBuilt, hasScript, PtyRun, runCli} from './helpers.js';

const scriptMissing = hasScript() ? false : 'util-linux `script` is not installed (needed for a pseudo-terminal)';
const WATCH_MS = 60_000;
const POOLS = 200;
const CEILING_BYTES = 2 * 1000 * 1000;

describe('the incident log under a churning label set', {skip: scriptMissing}, () => {
	let server: TestServer | undefined;
	let endpoint: FixtureServer | undefined;
	let dir = '';
	let run: PtyRun | undefined;
	let scrapes = 0;

	before(async () => {
		ensureBuilt();
		dir = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-cli-log-ceiling-'));
		server = await startEmbeddedPostgres();
		endpoint = await startFixtureServer(() => {
			scrapes++;
			return hikariExposition(Array.from({length: POOLS}, (_, index) => ({pool: `p${index}-s${scrapes}`, max: 10, active: 10, idle: 0, pending: 5 + index})));
		});
	});

	after(async () => {
		await run?.stop();
		await endpoint?.stop();
		await server?.stop();
		await rm(dir, {recursive: true, force: true});
	});

	test(`60 s at --interval 0.5 keeps the log under 2 MB, with a fold line the timeline shows`, {timeout: WATCH_MS + 60_000}, async () => {
		const log = path.join(dir, 'churn.jsonl');
		run = new PtyRun(['--db', server!.url, '--pool', `churn=http://${endpoint!.target}/metrics`, '--interval', '0.5', '--log', log], {columns: 120, rows: 40});
		await run.waitForText(/churn\/p\d+-s\d+/, 20_000);
		const started = Date.now();
		const firstScrapes = scrapes;
		// The load runs for its whole span: the ceiling is per minute, so a minute is what is measured.
		await new Promise(resolve => {
			setTimeout(resolve, WATCH_MS);
		});
		const watchedScrapes = scrapes - firstScrapes;
		run.write('q');
		const exit = await Promise.race([run.exited, new Promise<never>((_resolve, reject) => {
			setTimeout(() => {
				reject(new Error('lifeguard still running 15 s after q'));
			}, 15_000).unref();
		})]);
		assert.equal(exit.code, 0, run.text.slice(-1500));
		const bytes = statSync(log).size;
		console.log(`churn: ${watchedScrapes} scrapes of ${POOLS} new pools in ${Date.now() - started} ms; log ${bytes} bytes`);
		// Enough scrapes that, unfolded, the log would be far over: each brings 400 level changes.
		assert.ok(watchedScrapes >= 30, `only ${watchedScrapes} scrapes`);
		assert.ok(bytes < CEILING_BYTES, `log ${bytes} bytes after 60 s`);

		const timeline = await runCli(['timeline', log], {timeoutMs: 30_000});
		assert.equal(timeline.code, 0, timeline.stderr);
		assert.match(timeline.stdout, /The log was over its budget: \d+ changes of (?:at least )?\d+ subjects from \d\d:\d\d:\d\d to \d\d:\d\d:\d\d UTC counted, not written \(e\.g\. pool churn\/p\d+-s\d+/);
		assert.doesNotMatch(timeline.stdout, /not a valid log event/);
	});
});
