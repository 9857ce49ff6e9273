// Process-level helpers: run the BUILT binary (dist/cli.js) with a clean environment, and drive it
// under a real pseudo-terminal (util-linux `script`).
import assert from 'node:assert/strict';
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {existsSync, readdirSync, statSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import pg from 'pg';
import {after, afterEach, before} from 'node:test';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

function newestMtimeMs(entry: string): number {
	const stat = statSync(entry);
	if (!stat.isDirectory()) {
		return /\.tsx?$/.test(entry) ? stat.mtimeMs : 0;
	}

	let newest = 0;
	for (const name of readdirSync(entry)) {
		newest = Math.max(newest, newestMtimeMs(path.join(entry, name)));
	}

	return newest;
}

/**
 * dist/cli.js, rebuilt when missing or older than a source file. The test script usually builds
 * first; this keeps a single file runnable on its own. The build (scripts/build.mjs: tsc, then the
 * esbuild bundle) bundles even with type errors elsewhere, so only a missing binary is fatal.
 */
export function ensureBuilt(): void {
	const sources = Math.max(newestMtimeMs(path.join(REPO_ROOT, 'cli.tsx')), newestMtimeMs(path.join(REPO_ROOT, 'source')));
	if (existsSync(CLI) && statSync(CLI).mtimeMs >= sources) {
		return;
	}

	spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build.mjs')], {cwd: REPO_ROOT, stdio: 'ignore'});
	assert.ok(existsSync(CLI), `${CLI} is missing: npm run build failed`);
}

/** The environment of the test process without anything that would pick a target on its own. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (/^PG/.test(key) || key === 'DATABASE_URL' || key.startsWith('LIFEGUARD_') || key === 'NO_COLOR' || key === 'FORCE_COLOR') {
			continue;
		}

		env[key] = value;
	}

	// A ~/.pgpass of the machine must not answer for a test: point libpq's lookup at nothing.
	env['PGPASSFILE'] = '/nonexistent/lifeguard-test-pgpass';
	return {...env, ...extra};
}

export type CliResult = {code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; durationMs: number; exitedAtMs: number; isTimedOut: boolean};

/** Which bundle to run, and where (default: this repository's dist/cli.js, in the repository). */
type Place = {cli?: string; cwd?: string};

/** Run `node dist/cli.js ...args`, stdin closed, stdout/stderr pipes; killed after `timeoutMs`. */
export async function runCli(args: readonly string[], options: {env?: Record<string, string>; timeoutMs?: number} & Place = {}): Promise<CliResult> {
	const started = Date.now();
	const child = spawn(process.execPath, [options.cli ?? CLI, ...args], {cwd: options.cwd ?? REPO_ROOT, env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
		stdout += chunk;
	});
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
		stderr += chunk;
	});
	let isTimedOut = false;
	const timer = setTimeout(() => {
		isTimedOut = true;
		child.kill('SIGKILL');
	}, options.timeoutMs ?? 20_000);
	const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
		child.on('error', reject);
		child.on('close', (exitCode, exitSignal) => {
			resolve([exitCode, exitSignal]);
		});
	});
	clearTimeout(timer);
	const exitedAtMs = Date.now();
	return {code, signal, stdout, stderr, durationMs: exitedAtMs - started, exitedAtMs, isTimedOut};
}

export function nonEmptyLines(text: string): string[] {
	return text.split(/\r?\n/).filter(line => line.trim() !== '');
}

/** Exactly one non-empty line on stderr, `lifeguard: ...`, no stack trace, the given exit code. */
export function assertOneLineFailure(result: CliResult, exitCode: number, pattern?: RegExp): string {
	const context = `exit ${String(result.code)}, stdout ${JSON.stringify(result.stdout)}, stderr ${JSON.stringify(result.stderr)}`;
	assert.equal(result.isTimedOut, false, `timed out: ${context}`);
	const lines = nonEmptyLines(result.stderr);
	assert.equal(lines.length, 1, `expected one line on stderr: ${context}`);
	const line = lines[0]!;
	assert.match(line, /^lifeguard: \S/, context);
	assert.doesNotMatch(result.stderr, /\n\s+at /, `stack trace: ${context}`);
	assert.doesNotMatch(result.stderr, /^\s+at /m, `stack trace: ${context}`);
	assert.equal(result.code, exitCode, context);
	if (pattern) {
		assert.match(line, pattern, context);
	}

	return line;
}

// ---------------------------------------------------------------------------------------------
// Roles

export type TestRole = {name: string; password: string; url: string; drop: () => Promise<void>};

/** A LOGIN role with a random suffix; `drop()` terminates its sessions first. */
export async function createRole(server: TestServer, prefix: string, grants: readonly string[] = []): Promise<TestRole> {
	const name = `${prefix}_${randomBytes(4).toString('hex')}`;
	const password = `pw-${randomBytes(6).toString('hex')}`;
	await withAdmin(server, async admin => {
		await admin.query(`create role ${name} login password '${password}'`);
		for (const grant of grants) {
			await admin.query(`grant ${grant} to ${name}`);
		}
	});
	return {
		name,
		password,
		url: `postgres://${name}:${password}@${server.host}:${server.port}/postgres`,
		async drop() {
			await withAdmin(server, async admin => {
				await admin.query('select pg_terminate_backend(pid, 5000) from pg_stat_activity where usename = $1', [name]);
				await admin.query(`drop role if exists ${name}`);
			});
		},
	};
}

export async function withAdmin<T>(server: TestServer, body: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({connectionString: server.url, application_name: 'lifeguard-cli-test-admin'});
	client.on('error', () => undefined);
	await client.connect();
	try {
		return await body(client);
	} finally {
		await client.end().catch(() => undefined);
	}
}

// ---------------------------------------------------------------------------------------------
// A real pseudo-terminal: util-linux `script` runs the command on a pty and copies it to stdout.

export function hasScript(): boolean {
	const result = spawnSync('script', ['--version'], {stdio: 'ignore'});
	return result.status === 0;
}

export function shellQuote(text: string): string {
	return `'${text.replaceAll("'", "'\\''")}'`;
}

const ANSI = /\u001B(?:\[[\d;?]*[ -/]*[@-~]|\][^\u0007\u001B]*(?:\u0007|\u001B\\)|[()][0-9A-Za-z]|[=>78DEHMc])/g;

export function stripAnsi(text: string): string {
	return text.replaceAll(ANSI, '');
}

export class PtyRun {
	readonly child: ChildProcess;
	/** pid of the node process (the shell `exec`s it). */
	nodePid: number | undefined;
	output = '';
	readonly exited: Promise<{code: number | null; signal: NodeJS.Signals | null; atMs: number}>;

	/**
	 * `program`: what runs `args` (default: this node with dist/cli.js, or `cli`; the single executable
	 * for its test). `shell`: what the shell on the terminal runs, given the quoted command line; it must
	 * print `LGPID=<pid of the program>` first. By default it prints its own pid and `exec`s the program.
	 */
	constructor(args: readonly string[], options: {env?: Record<string, string>; columns?: number; rows?: number; program?: readonly string[]; shell?: (node: string) => string} & Place = {}) {
		const columns = options.columns ?? 80;
		const rows = options.rows ?? 24;
		const program = options.program ?? [process.execPath, options.cli ?? CLI];
		const node = [...program, ...args].map(arg => shellQuote(arg)).join(' ');
		const command = `stty cols ${columns} rows ${rows}; ${options.shell?.(node) ?? `echo "LGPID=$$"; exec ${node}`}`;
		this.child = spawn('script', ['-qfec', command, '/dev/null'], {
			cwd: options.cwd ?? REPO_ROOT,
			env: cleanEnv({TERM: 'xterm-256color', COLUMNS: String(columns), LINES: String(rows), SHELL: '/bin/sh', ...options.env}),
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		const collect = (chunk: string) => {
			this.output += chunk;
			if (this.nodePid === undefined) {
				const match = /LGPID=(\d+)/.exec(this.output);
				if (match) {
					this.nodePid = Number(match[1]);
				}
			}
		};

		this.child.stdout!.setEncoding('utf8').on('data', collect);
		this.child.stderr!.setEncoding('utf8').on('data', collect);
		this.exited = new Promise((resolve, reject) => {
			this.child.on('error', reject);
			this.child.on('close', (code, signal) => {
				resolve({code, signal, atMs: Date.now()});
			});
		});
	}

	/** The screen text so far, without escape sequences. */
	get text(): string {
		return stripAnsi(this.output);
	}

	/** Fails at once when the program exits without having shown `pattern` (a start-up error). */
	async waitForText(pattern: RegExp, timeoutMs = 10_000): Promise<void> {
		let hasExited = false;
		void this.exited.then(() => {
			hasExited = true;
		}, () => undefined);
		await pollUntil(() => pattern.test(this.text) || hasExited, {timeoutMs, what: `${String(pattern)} on the screen; got ${JSON.stringify(this.text.slice(-2000))}`});
		assert.match(this.text, pattern, `exited before ${String(pattern)} showed; screen: ${JSON.stringify(this.text.slice(-2000))}`);
	}

	write(text: string): void {
		this.child.stdin!.write(text);
	}

	/** Kill whatever is left (after a failed assertion); never throws. */
	async stop(): Promise<void> {
		if (this.child.exitCode !== null || this.child.signalCode !== null) {
			return;
		}

		if (this.nodePid !== undefined) {
			try {
				process.kill(this.nodePid, 'SIGKILL');
			} catch {}
		}

		this.child.kill('SIGKILL');
		await this.exited.catch(() => undefined);
	}
}

/** A process id that is gone (for asserting a child did not outlive the test). */
export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/**
 * The built CLI and one embedded server for the tests of the enclosing describe: started before them,
 * stopped after. Returns a getter (the server exists only once `before` ran).
 */
export function builtCliAndServer(): () => TestServer {
	let server: TestServer | undefined;
	before(async () => {
		ensureBuilt();
		server = await startEmbeddedPostgres();
	});
	after(async () => {
		await server?.stop();
	});
	return () => server!;
}

/**
 * For a describe of runs on a pseudo-terminal: the built CLI, one embedded server and a directory,
 * made before its tests and removed after them; the run a test keeps in `fixture.run` is stopped
 * after each test, however it ended.
 */
export function ptyFixture(prefix: string): {server: () => TestServer; dir: () => string; run: PtyRun | undefined} {
	let server: TestServer | undefined;
	let dir = '';
	const fixture = {server: () => server!, dir: () => dir, run: undefined as PtyRun | undefined};
	before(async () => {
		ensureBuilt();
		dir = await mkdtemp(path.join(os.tmpdir(), prefix));
		server = await startEmbeddedPostgres();
	});
	afterEach(async () => {
		await fixture.run?.stop();
		fixture.run = undefined;
	});
	after(async () => {
		await server?.stop();
		await rm(dir, {recursive: true, force: true});
	});
	return fixture;
}
