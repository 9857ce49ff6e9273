// What every long benchmark needs: cleanup that runs once on every way out (normal end, error, Ctrl-C,
// SIGTERM, SIGHUP, the watchdog), a watchdog, and the sessions child process.
import {type ChildProcess, fork} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type pg from 'pg';
import type {SessionsMode, SessionsReply, SessionsRequest} from './sessions.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The built bin (dist/cli.js), run directly so its #! flags apply, as for an installed lifeguard. */
export const CLI = path.join(here, '..', 'cli.js');

/** The command line of a lifeguard bin: the bin itself (its #! line picks node and its flags), or `node FLAGS BIN`. */
export function binArgv(bin: string, nodeFlags: string | undefined): string[] {
	return nodeFlags === undefined ? [bin] : [process.execPath, ...nodeFlags.split(/\s+/).filter(Boolean), bin];
}

const cleanups: Array<() => Promise<void> | void> = [];
let cleaning: Promise<void> | undefined;

/** Register a cleanup step; they run last-registered first. */
export function onCleanup(step: () => Promise<void> | void): void {
	cleanups.push(step);
}

export async function cleanup(): Promise<void> {
	cleaning ??= (async () => {
		for (const step of cleanups.reverse()) {
			try {
				await step();
			} catch (error) {
				console.error(`cleanup: ${(error as Error).message}`);
			}
		}
	})();
	return cleaning;
}

/** Run `main` with a watchdog; whatever happens, clean up and exit. */
export async function runBounded(name: string, watchdogMs: number, main: () => Promise<void>): Promise<never> {
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.on(signal, () => {
			console.error(`\n${signal}: stopping ${name}, its programs and its server…`);
			cleanup().finally(() => process.exit(130));
		});
	}

	const watchdog = setTimeout(() => {
		console.error(`${name} exceeded ${(watchdogMs / 60_000).toFixed(0)} min: aborting`);
		cleanup().finally(() => process.exit(1));
	}, watchdogMs);
	watchdog.unref();
	let exitCode = 0;
	try {
		await main();
	} catch (error) {
		console.error(`${name} failed: ${(error as Error).stack ?? String(error)}`);
		exitCode = 1;
	} finally {
		clearTimeout(watchdog);
		await cleanup();
	}

	process.exit(exitCode);
}

/** The pids of the backends an application holds (by application_name), read over `admin`. */
export async function backendPids(admin: pg.Client, applicationName: string): Promise<number[]> {
	const {rows} = await admin.query<{pid: number}>('select pid from pg_stat_activity where application_name = $1', [applicationName]);
	return rows.map(row => row.pid);
}

/** `setMode` resolves, once the mode holds, with the number of sessions it plays. */
export type Sessions = {setMode: (mode: SessionsMode) => Promise<number>; count: number};

/** Fork bench/sessions.js on `url` and wait until its sessions are connected; stopped by cleanup(). */
export async function startSessions(url: string, options: {sessions: number; maxSeconds: number; churnPerSecond?: number}): Promise<Sessions> {
	// The password goes to the child in its environment, not on its command line (where `ps` shows it).
	const bare = new URL(url);
	const password = decodeURIComponent(bare.password);
	bare.password = '';
	const child: ChildProcess = fork(path.join(here, 'sessions.js'), [bare.href, String(options.sessions), String(options.maxSeconds), String(options.churnPerSecond ?? 5)], {
		env: {...process.env, PGPASSWORD: password},
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	const exited = new Promise<void>(resolve => {
		child.once('exit', () => {
			resolve();
		});
	});
	onCleanup(async () => {
		if (child.exitCode !== null || child.signalCode !== null) {
			return;
		}

		if (child.connected) {
			child.send({type: 'close'} satisfies SessionsRequest);
		} else {
			child.kill('SIGTERM');
		}

		const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
		await exited;
		clearTimeout(timer);
	});

	const next = async (timeoutMs: number) => new Promise<SessionsReply>((resolve, reject) => {
		const timer = setTimeout(() => {
			child.off('message', onMessage);
			reject(new Error(`the sessions child did not answer within ${timeoutMs} ms`));
		}, timeoutMs);
		const onMessage = (message: SessionsReply) => {
			clearTimeout(timer);
			child.off('message', onMessage);
			resolve(message);
		};

		child.on('message', onMessage);
		exited.then(() => {
			clearTimeout(timer);
			reject(new Error('the sessions child exited'));
		});
	});

	const ready = await next(120_000);
	if (ready.type !== 'ready') {
		throw new Error(`sessions: ${ready.type === 'failed' ? ready.error : ready.type}`);
	}

	return {
		count: ready.sessions,
		async setMode(mode) {
			const answer = next(60_000);
			child.send({type: 'mode', mode} satisfies SessionsRequest);
			const reply = await answer;
			if (reply.type !== 'mode-set') {
				throw new Error(`sessions: ${reply.type === 'failed' ? reply.error : reply.type}`);
			}

			return reply.sessions;
		},
	};
}
