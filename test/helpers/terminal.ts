// A real terminal emulator for tests that must know what a terminal draws, not what string-width
// thinks it draws: tmux, on a socket in this process's own temporary directory. Two uses:
// - `terminalCells`: how many cells the terminal gives each string (it prints the string at column 1
//   and asks the terminal where the cursor is, with the standard cursor position report);
// - `TmuxRun`: a command on a pane of a given size, and what the pane shows.
// Every command runs under `timeout`, so nothing outlives a test run that was killed; the server is
// killed when the test is done and, at the latest, when the test process exits.
import {spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {pollUntil} from './postgres.js';
import {RUN_DIR} from './test-tmp.js';

const BOUND_SECONDS = 120;

export function hasTmux(): boolean {
	return spawnSync('tmux', ['-V'], {stdio: 'ignore'}).status === 0 && spawnSync('timeout', ['--version'], {stdio: 'ignore'}).status === 0;
}

const quote = (text: string) => `'${text.replaceAll("'", String.raw`'\''`)}'`;
const sockets = new Set<string>();

function tmux(socket: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
	const result = spawnSync('tmux', ['-S', socket, '-f', '/dev/null', ...args], {encoding: 'utf8', env});
	if (result.status !== 0) {
		throw new Error(`tmux ${args[0]}: ${result.stderr.trim()}`);
	}

	return result.stdout;
}

function killServer(socket: string): void {
	spawnSync('tmux', ['-S', socket, 'kill-server'], {stdio: 'ignore'});
	sockets.delete(socket);
}

process.on('exit', () => {
	for (const socket of sockets) {
		killServer(socket);
	}
});

/** A command on a tmux pane of `columns` × `rows`: what the pane shows, keys, the end. */
export class TmuxRun {
	private readonly socket = path.join(RUN_DIR, `tmux-${randomBytes(4).toString('hex')}`);

	/** `env`: the whole environment of the command (the server starts with it); the test's by default. */
	constructor(command: readonly string[], {columns, rows, env = process.env}: {columns: number; rows: number; env?: NodeJS.ProcessEnv}) {
		sockets.add(this.socket);
		// The session, and with it the server, ends with the command.
		tmux(this.socket, ['new-session', '-d', '-x', String(columns), '-y', String(rows), `exec timeout ${BOUND_SECONDS} ${command.map(arg => quote(arg)).join(' ')}`], env);
	}

	/** The pane's lines, as the terminal shows them (wide characters once, no attributes). */
	screen(): string[] {
		return tmux(this.socket, ['capture-pane', '-p']).replace(/\n$/, '').split('\n');
	}

	async waitFor(pattern: RegExp, what = String(pattern)): Promise<string[]> {
		return pollUntil(() => {
			const lines = this.screen();
			return pattern.test(lines.join('\n')) && lines;
		}, {what, timeoutMs: 15_000, everyMs: 100});
	}

	keys(...keys: string[]): void {
		tmux(this.socket, ['send-keys', ...keys]);
	}

	close(): void {
		killServer(this.socket);
	}
}

// Prints each string at column 1 and asks for the cursor position (CSI 6 n); the terminal answers
// on the program's input with CSI row ; column R.
const PROBE = `
import fs from 'node:fs';
const [input, output] = process.argv.slice(2);
const strings = JSON.parse(fs.readFileSync(input, 'utf8'));
const cells = [];
let answer = '';
process.stdin.setRawMode(true);
const ask = () => {
	if (cells.length === strings.length) {
		fs.writeFileSync(output + '.part', JSON.stringify(cells));
		fs.renameSync(output + '.part', output);
		process.exit(0);
	}
	process.stdout.write('\\r\\u001B[2K' + strings[cells.length] + '\\u001B[6n');
};
process.stdin.on('data', chunk => {
	answer += chunk.toString('latin1');
	const match = /\\u001B\\[\\d+;(\\d+)R/.exec(answer);
	if (match) {
		answer = '';
		cells.push(Number(match[1]) - 1);
		ask();
	}
});
ask();
`;

/**
 * The cells tmux draws each string in (one line each; no control characters, fewer than 2000 cells).
 * About 4000 strings a second; at most 50,000 at a time.
 */
export async function terminalCells(strings: readonly string[]): Promise<number[]> {
	const id = randomBytes(4).toString('hex');
	const files = {probe: path.join(RUN_DIR, `probe-${id}.mjs`), input: path.join(RUN_DIR, `probe-${id}.json`), output: path.join(RUN_DIR, `probe-${id}.out.json`)};
	writeFileSync(files.probe, PROBE);
	writeFileSync(files.input, JSON.stringify(strings));
	const run = new TmuxRun([process.execPath, files.probe, files.input, files.output], {columns: 2000, rows: 5});
	try {
		const text = await pollUntil(() => {
			try {
				return readFileSync(files.output, 'utf8');
			} catch {
				return undefined;
			}
		}, {what: 'the terminal probe', timeoutMs: 15_000 + (strings.length * 2), everyMs: 50});
		return JSON.parse(text) as number[];
	} finally {
		run.close();
	}
}
