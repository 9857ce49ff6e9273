// The poll floor's processes (poll-floor-child.ts), started with the V8 flags and environment of a
// lifeguard bin's #! line: used by `--poll-floor` and by the paused phase of `--side-by-side`.
import {type ChildProcess, fork} from 'node:child_process';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {onCleanup} from './harness.js';

export const FLOOR_MODES = ['timer', 'select-1', 'snapshot', 'collect', 'model'] as const;
export type FloorMode = typeof FLOOR_MODES[number];

const here = path.dirname(fileURLToPath(import.meta.url));

/** The #! line's environment and node flags: `#!/usr/bin/env -S A=1 B=2 node --x --y`. */
export function shebang(bin: string): {env: Record<string, string>; flags: string[]} {
	const words = readFileSync(bin, 'utf8').split('\n', 1)[0]!.replace(/^#!\S*env -S /, '').split(/\s+/);
	const node = words.indexOf('node');
	return {
		env: Object.fromEntries(words.slice(0, node).map(word => word.split('=', 2) as [string, string])),
		flags: words.slice(node + 1),
	};
}

/** One floor process polling `url` (no password in it) once a second for `seconds`; stopped by cleanup(). */
export function startFloor(mode: FloorMode, options: {bin: string; url: string; password: string; seconds: number}): ChildProcess {
	const {env, flags} = shebang(options.bin);
	const child = fork(path.join(here, 'poll-floor-child.js'), [mode, options.url, String(options.seconds)], {
		execArgv: flags,
		// Their own application name, so no bench or screen takes them for lifeguard.
		env: {...process.env, ...env, PGPASSWORD: options.password, PGAPPNAME: `lifeguard-bench-floor-${mode}`},
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	onCleanup(() => {
		child.kill('SIGTERM');
	});
	return child;
}
