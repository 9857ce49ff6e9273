#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=131072 MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=1 --heap-growing-percent=20 --no-memory-reducer --single-threaded
// (A 1 MB young generation: a dashboard allocates little per frame, and the default 16 MB costs
// ~30 MB of resident memory for nothing. The old generation grows 20 % past what survived the last
// collection instead of up to 4×: 150 -> 100 MB at --interval 0.2. No memory reducer: its idle-time
// collections cost a paused screen 0.24 instead of 0.14 s CPU a minute. Two malloc arenas (glibc), not
// one per thread: 6 MB less; freed malloc memory above 128 kB goes back to the system instead of
// staying as the heap's high-water mark (compiler zones: [heap] 15 -> 9 MB). V8 single-threaded: its
// collector and compiler run on the main thread, which holds 3-5 MB less, for no more CPU on a screen
// this small. Measured in bench/README.md.)
// Composition root: flags -> options -> the command's runner -> its exit code, printed output flushed.
import './source/runtime-env.js';
import process from 'node:process';
import {CommandError} from './source/commands/command.js';
import {helpText} from './source/commands/help.js';
import {commandNamed, COMMANDS} from './source/commands/index.js';
import {maskText} from './source/connection/mask.js';
import {exitProcess, flushOutput, guardOutput, outputFailure} from './source/hang-up.js';
import {OptionsError, parseCommandLine, type Options} from './source/options.js';
import {safeText} from './source/text/sanitize.js';
import {packageInfo} from './source/version.js';

// `--help` or `--version` alone is meow's to answer (the build's version line, with its commit: no
// package.json is read); anywhere else they are flags options.ts accepts and ignores. Loaded only
// then, so every other command starts without it.
const alone = process.argv.length === 3 ? process.argv[2] : undefined;
if (alone === '--help' || alone === '--version') {
	const {default: meow} = await import('meow');
	meow(helpText(COMMANDS), {importMeta: import.meta, pkg: packageInfo, allowUnknownFlags: true});
}

function fail(message: string, exitCode: number): never {
	// One printable line, whatever the message quotes.
	console.error(`lifeguard: ${safeText(message)}`);
	return exitProcess(exitCode);
}

let options: Options;
try {
	options = parseCommandLine(process.argv.slice(2), process.env, COMMANDS);
} catch (error) {
	fail(error instanceof OptionsError ? error.message : String(error), 2);
}

// A reader that stops reading (`| head -c1`) or a terminal that went away is no error of ours.
guardOutput();

for (const warning of options.warnings) {
	// Once, before the screen: it stays in the terminal's scrollback above the first frame.
	console.error(`lifeguard: warning: ${safeText(warning)}`);
}

process.on('uncaughtException', error => {
	// Never a stack trace on the operator's screen; the message is masked like everything else.
	fail(maskText(error.message), 1);
});

const command = commandNamed(options.command);
process.exitCode = await command.run(options)
	.catch((error: Error) => fail(maskText(error.message), error instanceof CommandError ? error.exitCode : 1));
// What was printed reaches a slow reader whole; sockets of slow endpoints may linger, the work is done.
await flushOutput();
// A reader that went away is no failure; output that could not be written (a full disk) is one.
const failure = outputFailure();
if (failure) {
	fail(failure, command.failureExitCode ?? 1);
}

exitProcess();
