// What a subcommand is: its declaration (the word that selects it, its usage line, the flags it
// takes: options.ts validates from it, --help and the README list it) and its runner. One file per
// command, one row in commands/index.ts.
import type {FlagName} from '../argv.js';
import type {CommandSpec, Options} from '../options.js';

export type Command = CommandSpec & {
	/** Does the command's work (prints to stdout) and returns the exit code; fails by throwing a CommandError. */
	run(options: Options): Promise<number>;
	/** The exit code when stdout cannot be written (a full disk): 1 unless 1 means something else here. */
	failureExitCode?: number;
};

/** A failure of a command: one line on stderr (`lifeguard: …`, masked and printable) and its exit code. */
export class CommandError extends Error {
	constructor(message: string, readonly exitCode: number) {
		super(message);
	}
}

/** The flags of every command that reads the servers and the pools once or live. */
export const READING_FLAGS: readonly FlagName[] = ['db', 'pool', 'prometheus', 'prometheus-selector', 'pool-timeout', 'warn', 'critical', 'idle-in-transaction-after'];

/** What a one-shot command (--json, check) adds: a window to observe before answering, polled at the interval. */
export const SAMPLE_FLAGS: readonly FlagName[] = ['sample', 'interval'];

/** What the live screen adds (the live screen, and the demo's). */
export const SCREEN_FLAGS: readonly FlagName[] = ['interval', 'idle-after', 'read-only', 'log', 'bell'];
