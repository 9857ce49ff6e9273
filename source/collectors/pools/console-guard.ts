// Caps on what one answer of the PgBouncer admin console may cost: node-postgres keeps every row of a
// result, and its protocol parser buffers a whole message before it hands it over, so a console (or
// something posing as one) that streams rows would fill memory until the timeout. Counted on the
// socket itself, so a single huge message is cut as it arrives, not once it is whole.
import type {Socket} from 'node:net';
import type pg from 'pg';
import {formatBytes} from '../../connection/http.js';

/** SHOW POOLS is one row per database and user (~200 bytes); 10,000 pools is far past any real console. */
export const MAX_CONSOLE_ROWS = 10_000;
/** Bytes of one answer: 10,000 rows of SHOW POOLS are ~2.5 MB. */
export const MAX_CONSOLE_BYTES = 4 * 1024 * 1024;

export type ConsoleCaps = {maxRows?: number; maxBytes?: number};

export type ConsoleGuard = {
	/** A command is sent: its answer's rows and bytes count from zero. */
	begin(command: string): void;
	/** Why the socket was destroyed, or null while every answer stayed within the caps. */
	readonly reason: string | null;
};

type Internals = {connection: {stream: Socket; on(event: 'dataRow' | 'sslconnect', listener: () => void): void}};

/**
 * Watch one console client from before it connects: bytes on its socket (also while connecting, and
 * between commands) and DataRow messages, per answer. Past a cap the socket is destroyed at once,
 * the pending query fails, and `reason` says which cap and which command.
 */
export function guardConsole(client: pg.Client, caps: ConsoleCaps = {}): ConsoleGuard {
	const maxRows = caps.maxRows ?? MAX_CONSOLE_ROWS;
	const maxBytes = caps.maxBytes ?? MAX_CONSOLE_BYTES;
	const {connection} = client as unknown as Internals;
	let command = 'the login';
	let rows = 0;
	let bytes = 0;
	let reason: string | null = null;
	const trip = (why: string) => {
		if (reason === null) {
			reason = why;
			connection.stream.destroy();
		}
	};

	const count = (chunk: Buffer) => {
		bytes += chunk.length;
		if (bytes > maxBytes) {
			trip(`${command} answer over ${formatBytes(maxBytes)}; connection closed`);
		}
	};

	const watched = new Set<Socket>();
	const watch = () => {
		// TLS replaces the socket after the handshake: watch the new one too.
		if (!watched.has(connection.stream)) {
			watched.add(connection.stream);
			connection.stream.on('data', count);
		}
	};

	watch();
	connection.on('sslconnect', watch);
	connection.on('dataRow', () => {
		rows++;
		if (rows > maxRows) {
			trip(`${command} answer over ${maxRows} rows; connection closed`);
		}
	});
	return {
		begin(next) {
			watch();
			command = next;
			rows = 0;
			bytes = 0;
		},
		get reason() {
			return reason;
		},
	};
}
