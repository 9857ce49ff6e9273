// A load program (node, Python or Go) in a child process. Every one follows the same contract:
// - it runs until SIGTERM, until its own time limit, or until its stdin closes (this process is gone,
//   even by SIGKILL), whichever comes first, and ends its connections then;
// - it writes one JSON object per line on stdout: `{"ready": true, …}` once its load runs, then its
//   own counters (`{"at": …, …}`) every few hundred milliseconds;
// - passwords come by environment (PGPASSWORD), never on its command line.
import {spawn} from 'node:child_process';
import {pollUntil} from '../postgres.js';
import {ownProcess} from '../test-tmp.js';

export type LoadProcess<Status> = {
	pid: number;
	/** The first line: what the program says about itself once its load runs. */
	ready: Record<string, unknown>;
	/** The latest counters line, if one came yet. */
	latest: () => Status | undefined;
	/** Every counters line so far, oldest first. */
	history: () => Status[];
	/** Poll the counters lines until `predicate` holds for the latest one. */
	waitFor: (predicate: (status: Status) => boolean, options: {timeoutMs?: number; what: string}) => Promise<Status>;
	/** Everything it wrote to stderr, for failure messages. */
	log: () => string;
	/** SIGTERM, then SIGKILL after 3 s; resolves once it has exited. */
	stop: () => Promise<void>;
};

export type LoadProcessOptions = {
	/** Shown in errors: `the SQLAlchemy pool`. */
	what: string;
	env?: Record<string, string | undefined>;
	cwd?: string;
	readyTimeoutMs?: number;
};

export async function startLoadProcess<Status>(command: string, args: string[], options: LoadProcessOptions): Promise<LoadProcess<Status>> {
	const child = spawn(command, args, {
		cwd: options.cwd,
		// stdin stays open as a lifeline: it closes when this process exits however it exits.
		stdio: ['pipe', 'pipe', 'pipe'],
		env: {PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...options.env},
	});
	ownProcess(child);
	const lines: Array<Record<string, unknown>> = [];
	let partial = '';
	let errors = '';
	child.stdout.on('data', (chunk: Buffer) => {
		partial += chunk.toString();
		const complete = partial.split('\n');
		partial = complete.pop() ?? '';
		for (const line of complete.filter(text => text.trim() !== '')) {
			try {
				lines.push(JSON.parse(line) as Record<string, unknown>);
			} catch {
				errors += `(stdout) ${line}\n`;
			}
		}
	});
	child.stderr.on('data', (chunk: Buffer) => {
		errors += chunk.toString();
	});
	child.stdin.on('error', () => undefined);

	const stop = async () => {
		if (child.exitCode !== null || child.signalCode !== null) {
			return;
		}

		const exited = new Promise(resolve => {
			child.once('exit', resolve);
		});
		child.kill('SIGTERM');
		const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
		await exited;
		clearTimeout(killer);
	};

	const exitedEarly = () => {
		if (child.exitCode !== null || child.signalCode !== null) {
			throw new Error(`${options.what} exited with ${child.exitCode ?? child.signalCode}: ${errors.trim()}`);
		}
	};

	const statuses = () => lines.filter(line => line['ready'] === undefined) as Status[];
	try {
		const ready = await pollUntil(() => {
			exitedEarly();
			return lines.find(line => line['ready'] === true);
		}, {timeoutMs: options.readyTimeoutMs ?? 15_000, everyMs: 50, what: `${options.what} to start its load`});
		return {
			pid: child.pid!,
			ready,
			latest: () => statuses().at(-1),
			history: statuses,
			async waitFor(predicate, {timeoutMs = 10_000, what}) {
				return pollUntil(() => {
					const latest = statuses().at(-1);
					if (latest && predicate(latest)) {
						return latest;
					}

					exitedEarly();
					return undefined;
				}, {timeoutMs, everyMs: 50, what});
			},
			log: () => errors,
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}
