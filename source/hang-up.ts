// The terminal going away (an SSH drop, tmux closing the pane) or a reader that stops reading
// (`lifeguard --json | head -c1`) is a normal way to end, not a crash: no "write EIO" line, no stack
// trace, and no Node assertion. Node restores the modes of the standard streams that were terminals
// at start when it exits, and aborts when the terminal is gone (node::ResetStdio, fixed in Node 24:
// nodejs/node#58200); exitProcess first puts /dev/null in the place of a terminal that went away.
import {closeSync, openSync} from 'node:fs';
import process from 'node:process';
import tty from 'node:tty';

/** The standard descriptors that were terminals when lifeguard started (read when this module loads). */
const TERMINALS_AT_START = [0, 1, 2].filter(fd => tty.isatty(fd));

const outputLost = new Set<() => void>();
let isOutputLost = false;
let isGuarded = false;

/**
 * From now on an error on stdout or stderr (EPIPE, EIO: the other end is gone) is noted, never thrown:
 * what was to be printed has nowhere to go, and the exit status still says how the run went.
 */
export function guardOutput(): void {
	if (isGuarded) {
		return;
	}

	isGuarded = true;
	const onError = () => {
		isOutputLost = true;
		for (const listener of outputLost) {
			listener();
		}
	};

	process.stdout.on('error', onError);
	process.stderr.on('error', onError);
}

export type HangUp = {
	/** Calls back once on the first sign; at once (on the next turn) if it already came. Returns the unsubscribe. */
	subscribe(listener: () => void): () => void;
	/** No more callbacks. The signals stay caught: one more (a shell passing SIGHUP on) must not kill the exit under way. */
	dispose(): void;
};

const STOP_SIGNALS = ['SIGHUP', 'SIGTERM', 'SIGINT'] as const;
/** Closing the connections after a hang-up may wait on a dead network: the process ends by then. */
const EXIT_WITHIN_MS = 5000;

/**
 * What ends the live screen without a key: SIGHUP, SIGTERM or SIGINT, the terminal's input ending or
 * failing (a terminal that hung up reads as end of file or EIO), or the output lost.
 */
export function watchHangUp(): HangUp {
	guardOutput();
	let hasHappened = false;
	const listeners = new Set<() => void>();
	const fire = () => {
		if (hasHappened) {
			return;
		}

		hasHappened = true;
		setTimeout(() => exitProcess(0), EXIT_WITHIN_MS).unref();
		for (const listener of listeners) {
			listener();
		}

		listeners.clear();
	};

	for (const signal of STOP_SIGNALS) {
		process.on(signal, fire);
	}

	process.stdin.on('end', fire);
	process.stdin.on('error', fire);
	outputLost.add(fire);
	if (isOutputLost) {
		fire();
	}

	return {
		subscribe(listener) {
			if (hasHappened) {
				const immediate = setImmediate(listener);
				return () => {
					clearImmediate(immediate);
				};
			}

			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		dispose() {
			listeners.clear();
		},
	};
}

/**
 * Wait until what was written to stdout and stderr has been taken by their readers: a pipe holds what
 * its reader has not read yet in our memory, and exiting drops it (`--json | slow-reader` got the first
 * 128 KiB of a 2.6 MB document). An output that is lost (the reader went away) has nothing to wait for.
 */
export async function flushOutput(): Promise<void> {
	await Promise.all([process.stdout, process.stderr].map(async stream => new Promise<void>(resolve => {
		if (stream.destroyed || stream.writableLength === 0) {
			resolve();
			return;
		}

		// Called once everything written before it is out, or with the error that lost it.
		stream.write('', () => {
			resolve();
		});
	})));
}

/** process.exit, after giving back the terminal descriptors that went away, so that Node does not abort. */
export function exitProcess(code?: number): never {
	for (const fd of TERMINALS_AT_START) {
		// Still a terminal: Node restores it as it should. A terminal that hung up answers EIO instead.
		if (!tty.isatty(fd)) {
			try {
				closeSync(fd);
				// The lowest free descriptor: this one again, now a file Node did not record at start.
				openSync('/dev/null', fd === 0 ? 'r' : 'w');
			} catch {}
		}
	}

	// process.exit(undefined) would reset process.exitCode to 0: call it with no argument then.
	return code === undefined ? process.exit() : process.exit(code);
}
