// `--log FILE`: append one JSON line per event and write it at once, so a crash or a kill -9 loses
// nothing already seen. A few lines a minute: synchronous writes on an 'a' descriptor are simplest.
import {closeSync, openSync, writeSync} from 'node:fs';
import {maskText} from '../connection/mask.js';
import type {LogEvent} from '../model/log-events.js';

export type WriteResult = {ok: true} | {ok: false; error: string};

export type IncidentLog = {
	readonly path: string;
	write(event: LogEvent): WriteResult;
	close(): void;
};

export type IncidentLogOptions = {
	/** Known secrets (the password) to mask verbatim, beyond URL and keyword masking. */
	secrets?: ReadonlyArray<string | undefined>;
};

/** Open FILE for append, creating it. Throws an Error with a one-line message when it cannot. */
export function openIncidentLog(path: string, options: IncidentLogOptions = {}): IncidentLog {
	let fd: number | null;
	try {
		fd = openSync(path, 'a');
	} catch (error) {
		throw new Error(`Cannot open the incident log ${path} for append: ${reason(error)}`);
	}

	const secrets = options.secrets ?? [];
	return {
		path,
		write(event) {
			if (fd === null) {
				return {ok: false, error: 'the incident log is closed'};
			}

			try {
				// The last line of defence: callers mask already, but a log outlives the screen.
				const line = `${JSON.stringify(maskStrings(event, secrets))}\n`;
				const bytes = Buffer.from(line, 'utf8');
				let written = 0;
				while (written < bytes.length) {
					written += writeSync(fd, bytes, written, bytes.length - written);
				}

				return {ok: true};
			} catch (error) {
				return {ok: false, error: `Cannot write to the incident log ${path}: ${reason(error)}`};
			}
		},
		close() {
			if (fd !== null) {
				const open = fd;
				fd = null;
				closeSync(open);
			}
		},
	};
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

function reason(error: unknown): string {
	const text = error instanceof Error ? error.message : String(error);
	// "ENOENT: no such file or directory, open '/x/y'" → "no such file or directory": we name the path.
	const errno = /^[A-Z]+: ([^,\r\n]+),/.exec(text);
	return errno?.[1] ?? text.split(/\r?\n/)[0] ?? text;
}
