// `--log FILE`: append one JSON line per event and write it at once, so a crash or a kill -9 loses
// nothing already written. Synchronous writes on an append descriptor are simplest. The file holds
// role names, client addresses and findings: a new one is created 0600, and only a regular file is
// written to (a symlink, FIFO, directory or device is refused). What it may grow by is bounded by
// judge/log-fold.ts: folded changes become one line, due at most a minute later, on a timer here.
import {closeSync, constants, fstatSync, lstatSync, openSync, type Stats, writeSync} from 'node:fs';
import {maskText} from '../connection/mask.js';
import {createLogFolder, type FoldLimits, type LogFolder} from '../judge/log-fold.js';
import type {LogEvent} from '../judge/log-events.js';

export type WriteResult = {ok: true} | {ok: false; error: string};

export type IncidentLog = {
	readonly path: string;
	write(event: LogEvent): WriteResult;
	close(): void;
};

export type IncidentLogOptions = {
	/** Known secrets (the password) to mask verbatim, beyond URL and keyword masking. */
	secrets?: ReadonlyArray<string | undefined>;
	/** The fold's budget and spans (tests shorten them). */
	foldLimits?: FoldLimits;
	now?: () => number;
};

/** The mode of a new log: it names roles, client addresses and findings. */
export const LOG_FILE_MODE = 0o600;

// O_NOFOLLOW: a symlink planted at the path is refused, not followed. O_NONBLOCK: a FIFO never blocks
// start-up waiting for a reader (it is refused below); on a regular file it changes nothing.
const OPEN_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const HOW = {append: {flags: constants.O_APPEND, words: 'for append'}, replace: {flags: constants.O_TRUNC, words: 'for writing'}} as const;

/** Open FILE for append, creating it 0600. Throws an Error with a one-line message naming the path. */
export function openIncidentLog(path: string, options: IncidentLogOptions = {}): IncidentLog {
	return new FileLog(path, openPrivateFile(path, 'the incident log'), options);
}

class FileLog implements IncidentLog {
	private fd: number | null;
	private timer: NodeJS.Timeout | undefined;
	/** Fold lines written at close carry the time of the last event, the log's own clock. */
	private lastAtMs: number | null = null;
	private readonly folder: LogFolder;
	private readonly secrets: ReadonlyArray<string | undefined>;
	private readonly now: () => number;

	constructor(readonly path: string, fd: number, options: IncidentLogOptions) {
		this.fd = fd;
		this.folder = createLogFolder(options.foldLimits);
		this.secrets = options.secrets ?? [];
		this.now = options.now ?? Date.now;
	}

	write(event: LogEvent): WriteResult {
		if (this.fd === null) {
			return {ok: false, error: 'the incident log is closed'};
		}

		const line = this.lineOf(event);
		const parsedMs = Date.parse(event.at);
		const atMs = Number.isNaN(parsedMs) ? this.now() : parsedMs;
		this.lastAtMs = Math.max(this.lastAtMs ?? atMs, atMs);
		const {before, isWritten} = this.folder.admit(event, atMs, Buffer.byteLength(line));
		const folds = this.appendAll(before);
		const result = isWritten ? this.append(line) : {ok: true} as const;
		this.arm();
		return folds.ok ? result : folds;
	}

	close(): void {
		clearTimeout(this.timer);
		this.timer = undefined;
		if (this.fd !== null) {
			this.appendAll(this.folder.flush(this.lastAtMs ?? this.now()));
			const closing = this.fd;
			this.fd = null;
			closeSync(closing);
		}
	}

	/** The last line of defence: callers mask already, but a log outlives the screen. */
	private lineOf(event: LogEvent): string {
		return `${JSON.stringify(maskStrings(event, this.secrets))}\n`;
	}

	private append(line: string): WriteResult {
		if (this.fd === null) {
			return {ok: false, error: 'the incident log is closed'};
		}

		try {
			writeAll(this.fd, line);
			return {ok: true};
		} catch (error) {
			return {ok: false, error: `Cannot write to the incident log ${this.path}: ${reason(error)}`};
		}
	}

	private appendAll(events: readonly LogEvent[]): WriteResult {
		let result: WriteResult = {ok: true};
		for (const event of events) {
			const each = this.append(this.lineOf(event));
			result = result.ok ? each : result;
		}

		return result;
	}

	/** A fold line is due even when nothing else happens: written by a timer, not kept for the next event. */
	private arm(): void {
		const dueMs = this.folder.nextDueMs();
		if (this.timer !== undefined || dueMs === null || this.fd === null) {
			return;
		}

		this.timer = setTimeout(() => {
			this.timer = undefined;
			this.appendAll(this.folder.due(this.now()));
			this.arm();
		}, Math.max(0, dueMs - this.now()));
		this.timer.unref();
	}
}

/**
 * A descriptor on a regular file that names roles, addresses and findings (the incident log, a
 * recording, a report): a new one is created 0600, a symlink, FIFO or device refused. `what` names it
 * in the one-line Error ("the incident log"); `replace` truncates an existing file instead of appending.
 */
export function openPrivateFile(path: string, what: string, how: keyof typeof HOW = 'append'): number {
	let fd: number;
	try {
		// Truncating before the check below is harmless: O_TRUNC changes nothing on a FIFO or a device.
		fd = openSync(path, OPEN_FLAGS | HOW[how].flags, LOG_FILE_MODE);
	} catch (error) {
		throw new Error(`Cannot open ${what} ${path} ${HOW[how].words}: ${notRegular(path) ?? reason(error)}`);
	}

	const stat = fstatSync(fd);
	if (!stat.isFile()) {
		closeSync(fd);
		throw new Error(`Cannot open ${what} ${path} ${HOW[how].words}: ${kindOf(stat)}, not a regular file`);
	}

	return fd;
}

/** Write all of `text` (UTF-8) at once; throws what writeSync throws. */
export function writeAll(fd: number, text: string): void {
	const bytes = Buffer.from(text, 'utf8');
	let written = 0;
	while (written < bytes.length) {
		written += writeSync(fd, bytes, written, bytes.length - written);
	}
}

/** What stands at the path when it is not a regular file ("is a symbolic link"), else null. */
function notRegular(path: string): string | null {
	try {
		const stat = lstatSync(path);
		return stat.isFile() ? null : `${kindOf(stat)}, not a regular file`;
	} catch {
		return null;
	}
}

function kindOf(stat: Stats): string {
	if (stat.isSymbolicLink()) {
		return 'it is a symbolic link';
	}

	if (stat.isFIFO()) {
		return 'it is a FIFO';
	}

	if (stat.isDirectory()) {
		return 'it is a directory';
	}

	if (stat.isCharacterDevice() || stat.isBlockDevice()) {
		return 'it is a device';
	}

	return stat.isSocket() ? 'it is a socket' : 'it is not a file';
}

/** A copy of a JSON-like value with every string (keys included) masked. */
export function maskStrings<T>(value: T, secrets: ReadonlyArray<string | undefined> = []): T {
	return mask(value, secrets) as T;
}

function mask(value: unknown, secrets: ReadonlyArray<string | undefined>): unknown {
	if (typeof value === 'string') {
		return maskText(value, secrets);
	}

	if (Array.isArray(value)) {
		return value.map(item => mask(item, secrets));
	}

	if (value !== null && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([key, item]) => [maskText(key, secrets), mask(item, secrets)]));
	}

	return value;
}

/** An error's reason in a few words: "no such file or directory", not the errno line. */
export function reason(error: unknown): string {
	const text = error instanceof Error ? error.message : String(error);
	// "ENOENT: no such file or directory, open '/x/y'" → "no such file or directory": we name the path.
	const errno = /^[A-Z]+: ([^,\r\n]+),/.exec(text);
	return errno?.[1] ?? text.split(/\r?\n/)[0] ?? text;
}
