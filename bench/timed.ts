// A command run to its exit, with its wall time and its own CPU (user + system, from GNU time, which
// writes them as the last line of stderr, after a marker, so no file is left behind).
import {spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import {open, readFile} from 'node:fs/promises';

const TIME = '/usr/bin/time';
const MARKER = 'lifeguard-bench-time';

export type Timed = {wallMs: number; cpuMs: number | undefined; code: number | null; stdout: string; stderr: string};

const hasTime = () => existsSync(TIME);

/**
 * Run `argv` (killed after `timeoutMs`); `cpuMs` is undefined without /usr/bin/time. With `stdoutFile`,
 * the command writes its standard output to that file (as `> FILE` would), read back into `stdout`.
 */
export async function timed(argv: readonly string[], env: NodeJS.ProcessEnv, options: {timeoutMs?: number; stdoutFile?: string} = {}): Promise<Timed> {
	const file = options.stdoutFile === undefined ? undefined : await open(options.stdoutFile, 'w');
	try {
		const result = await run(argv, env, options.timeoutMs ?? 60_000, file?.fd);
		return options.stdoutFile === undefined ? result : {...result, stdout: await readFile(options.stdoutFile, 'utf8')};
	} finally {
		await file?.close();
	}
}

async function run(argv: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number, stdoutFd: number | undefined): Promise<Timed> {
	const isTimed = hasTime();
	const [command, ...args] = isTimed ? [TIME, '-f', `${MARKER} %U %S`, ...argv] : argv;
	const started = process.hrtime.bigint();
	return new Promise((resolve, reject) => {
		const child = spawn(command!, args, {env: {...process.env, ...env}, stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe']});
		const output = {stdout: '', stderr: ''};
		child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
			output.stdout += chunk;
		});
		child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
			output.stderr += chunk;
		});
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('error', reject);
		child.on('close', code => {
			clearTimeout(timer);
			const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
			const at = isTimed ? output.stderr.lastIndexOf(MARKER) : -1;
			const [user, system] = at === -1 ? [] : output.stderr.slice(at + MARKER.length).trim().split(' ').map(Number);
			const cpuMs = Number.isFinite(user) && Number.isFinite(system) ? (user! + system!) * 1000 : undefined;
			resolve({wallMs, cpuMs, code, stdout: output.stdout, stderr: at === -1 ? output.stderr : output.stderr.slice(0, at)});
		});
	});
}
