// `lifeguard record` for 60 s against the demo's simulated application on a real embedded server
// (the built binary, no terminal), then `lifeguard report`: its peaks checked against what the pool
// endpoint showed meanwhile, exit 1 because the pool queued; the HTML page drawn by headless Chromium
// with marks in every chart. A quiet application's recording exits 0.
import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {describe, test} from 'node:test';
import {startDemo} from '../../source/demo/start-demo.js';
import {startSimulatedApp} from '../../source/demo/simulated-app.js';
import {COLORS, PLOT_FILL} from '../../source/report/html.js';
import {assertOneLineFailure, ensureBuilt, nonEmptyLines, runCli} from '../cli/helpers.js';
import {screenshot} from '../helpers/chromium.js';
import {decodePng, type Pixels} from '../helpers/png.js';
import {startEmbeddedPostgres} from '../helpers/postgres.js';

const RECORD_SECONDS = 60;
type Rgb = [number, number, number];
const rgb = (hex: string): Rgb => [1, 3, 5].map(index => Number.parseInt(hex.slice(index, index + 2), 16)) as Rgb;
const near = (a: Rgb, b: Rgb) => Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2]) < 60;

/** The charts' plot panels on a screenshot: the row spans filled with PLOT_FILL (a line crossing one is a short gap). */
type Panel = {top: number; bottom: number; left: number};

function panels(pixels: Pixels): Panel[] {
	const fill = rgb(PLOT_FILL);
	const found: Array<{top: number; bottom: number}> = [];
	for (let y = 0; y < pixels.height; y++) {
		let count = 0;
		for (let x = 0; x < pixels.width; x += 2) {
			count += pixels.at(x, y).join() === fill.join() ? 1 : 0;
		}

		if (count > 200) {
			const last = found.at(-1);
			if (last && y - last.bottom <= 8) {
				last.bottom = y;
			} else {
				found.push({top: y, bottom: y});
			}
		}
	}

	// Where each panel begins: its y-axis labels, left of it, are no marks.
	return found.filter(panel => panel.bottom - panel.top > 40).map(panel => {
		let left = pixels.width;
		for (let y = panel.top; y <= panel.bottom; y++) {
			let x = 0;
			while (x < left && pixels.at(x, y).join() !== fill.join()) {
				x++;
			}

			left = Math.min(left, x);
		}

		return {...panel, left};
	});
}

/** Pixels of `color` in a panel (rows top..bottom, from its left edge): what a series drew there. */
function marks(pixels: Pixels, {top, bottom, left}: Panel, color: string): number {
	const wanted = rgb(color);
	let count = 0;
	for (let y = top; y <= bottom; y++) {
		for (let x = left; x < pixels.width; x++) {
			count += near(pixels.at(x, y), wanted) ? 1 : 0;
		}
	}

	return count;
}

/** The Markdown table row of `pool`, cells trimmed. */
function poolRow(markdown: string, pool: string): string[] {
	const line = markdown.split('\n').find(row => row.startsWith(`| ${pool} |`));
	assert.ok(line, `a row for ${pool} in:\n${markdown}`);
	return line.split('|').slice(1, -1).map(cell => cell.trim());
}

describe('lifeguard record and report against the demo', {concurrency: false}, () => {
	test(`${RECORD_SECONDS} s of pool-too-small: the report's peaks are the endpoint's, exit 1, every chart drawn`, {timeout: 240_000}, async t => {
		ensureBuilt();
		const dir = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-record-demo-'));
		const demo = await startDemo('pool-too-small', {handleSignals: false});
		try {
			const file = path.join(dir, 'load-test.jsonl');
			const timeoutsBefore = demo.app.timeouts();
			const recording = runCli(['record', '--for', `${RECORD_SECONDS}s`, '--interval', '1', '--out', file, '--db', demo.postgresUrl, '--pool', demo.poolSpec!], {timeoutMs: (RECORD_SECONDS + 30) * 1000});
			// What the endpoint shows meanwhile, read on its own, until the recorder has finished.
			const seen = {waiting: 0, active: 0, max: 0, reads: 0};
			let isDone = false;
			void recording.finally(() => {
				isDone = true;
			});
			while (!isDone) {
				const reading = await demo.poolCollectors[0]!.collect(2000);
				if (reading.ok) {
					const [pool] = reading.pools;
					seen.waiting = Math.max(seen.waiting, pool!.waiting ?? 0);
					seen.active = Math.max(seen.active, pool!.active ?? 0);
					seen.max = Math.max(seen.max, pool!.max ?? 0);
					seen.reads++;
				}

				await Promise.race([recording, new Promise(resolve => {
					setTimeout(resolve, 500);
				})]);
			}

			const recorded = await recording;
			const timeouts = demo.app.timeouts() - timeoutsBefore;
			assert.equal(recorded.code, 0, recorded.stderr);
			assert.equal(recorded.stderr, '');
			assert.match(recorded.stdout, new RegExp(`^lifeguard record: ${RECORD_SECONDS} samples written to `));
			assert.equal((await stat(file)).mode & 0o777, 0o600);
			assert.ok(!(await readFile(file, 'utf8')).includes(demo.password), 'the password never reaches the recording');
			t.diagnostic(`endpoint over ${seen.reads} reads: peak ${seen.active}/${seen.max} busy, ${seen.waiting} waiting; ${timeouts} timeouts; recording ${(await stat(file)).size} bytes`);

			const html = path.join(dir, 'report.html');
			const report = await runCli(['report', file, '--html', html]);
			assert.equal(report.code, 1, report.stderr);
			const [verdict] = nonEmptyLines(report.stderr);
			assert.match(verdict!, /^lifeguard report: FAIL: pool queued: checkout peak 5\/5 busy, \d+ waiting, \d+ timeouts; server peak \d+\/97 used \(\d+%\), under --warn 80%$/);
			const [, busy, headroom, waiting, recordedTimeouts] = poolRow(report.stdout, 'checkout');
			t.diagnostic(`report: busy ${busy}, waiting ${waiting}, timeouts ${recordedTimeouts}`);
			assert.match(busy!, new RegExp(`^${seen.active}/${seen.max} at `));
			assert.equal(headroom, '0');
			// The two read the same queue at different instants: its peak agrees within 10%.
			const peakWaiting = Number(/^(\d+) at /.exec(waiting!)?.[1]);
			assert.ok(Math.abs(peakWaiting - seen.waiting) <= Math.max(5, seen.waiting * 0.1), `recorded peak ${peakWaiting}, endpoint peak ${seen.waiting}`);
			assert.ok(peakWaiting >= 100, 'the demo\'s queue reaches its plateau');
			// The recording's first and last samples lie inside the window the application counted.
			const counted = Number(recordedTimeouts);
			assert.ok(counted <= timeouts && counted >= timeouts * 0.8, `recorded ${counted} timeouts, the application counted ${timeouts}`);
			assert.match(report.stdout, /^\| critical \| pool-saturated \| checkout \| /m);
			// The sizing advice from the pool's own served count and hold time (Little's law): the demo's
			// 50 requests a second of 100–300 ms need about 10 connections, never a number from the queue.
			const advice = /^- checkout needs \\?~(\d+) connections \(≈ [\d.]+ req\/s × [\d.]+ s\); set max (\d+) for headroom/m.exec(report.stdout);
			assert.ok(advice, `a sizing advice line in:\n${report.stdout}`);
			assert.ok(Number(advice[1]) >= 7 && Number(advice[1]) <= 15 && Number(advice[2]) >= 10 && Number(advice[2]) <= 25, advice[0]);

			const pixels = decodePng(await screenshot(html, {width: 1000, height: 1700}));
			const found = panels(pixels);
			// The server's slots; the pool's busy and max, then its waiting.
			assert.equal(found.length, 3, JSON.stringify(found));
			assert.ok(marks(pixels, found[0]!, COLORS.busy) > 300, 'the server chart draws its used slots');
			assert.ok(marks(pixels, found[1]!, COLORS.busy) + marks(pixels, found[1]!, COLORS.max) > 300, 'the pool chart draws busy and max');
			assert.ok(marks(pixels, found[2]!, COLORS.waiting) > 300, 'the pool chart draws its queue');
			assert.ok(marks(pixels, {top: found[2]!.bottom + 1, bottom: found[2]!.bottom + 40, left: found[2]!.left}, COLORS.critical) > 100, 'pool-saturated is marked on the time axis');
		} finally {
			await demo.stop();
			await rm(dir, {recursive: true, force: true});
		}
	});

	test('a quiet application on a real server: no queue, the server under --warn, exit 0', {timeout: 120_000}, async () => {
		ensureBuilt();
		const dir = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-record-quiet-'));
		const server = await startEmbeddedPostgres();
		const app = await startSimulatedApp({url: server.url, name: 'quiet', applicationName: 'quiet', max: 10, requestsPerSecond: () => 5, request: {sql: 'select pg_sleep(0.05)'}});
		try {
			const file = path.join(dir, 'quiet.jsonl');
			const recorded = await runCli(['record', '--for', '6s', '--out', file, '--db', server.url, '--pool', app.poolSpec!], {timeoutMs: 40_000});
			assert.equal(recorded.code, 0, recorded.stderr);
			const report = await runCli(['report', file]);
			assert.equal(report.code, 0, `${report.stderr}\n${report.stdout}`);
			assert.match(nonEmptyLines(report.stderr)[0]!, /^lifeguard report: OK: no pool queued: quiet peak \d+\/10 busy, 0 waiting, 0 timeouts; server peak \d+\/\d+ used \(\d+%\), under --warn 80%$/);
			await writeFile(path.join(dir, 'not-a-recording.jsonl'), 'x\n');
			assertOneLineFailure(await runCli(['report', path.join(dir, 'not-a-recording.jsonl')]), 2);
		} finally {
			await app.stop();
			await server.stop();
			await rm(dir, {recursive: true, force: true});
		}
	});
});
