// What a port answers to a client that takes it for a PgBouncer admin console, recorded as it is:
// the login as lifeguard's console collector makes it (user and database only, simple queries),
// the rows or error of each command, and the raw first reply to a bare startup packet.
import net from 'node:net';
import pg from 'pg';

/** An ErrorResponse's fields as node-postgres parses them (line numbers left out: they change per build). */
export type ErrorFields = {severity?: string; code?: string; message: string; detail?: string; hint?: string; file?: string; routine?: string};

export type ConsoleRows = {columns: string[]; rows: Array<Record<string, unknown>>};

export type ConsoleProbe = {
	/** The login's outcome: null when it succeeded. */
	loginError: ErrorFields | null;
	/** ParameterStatus messages received at login (server_version, application_name, …). */
	parameters: Record<string, string>;
	commands: Record<string, ConsoleRows | {error: ErrorFields}>;
};

/** The commands lifeguard's console collector sends, and those that tell the poolers apart. */
export const CONSOLE_COMMANDS = ['SHOW VERSION', 'SHOW POOLS', 'SHOW DATABASES', 'SHOW USERS', 'SHOW CONFIG', 'SHOW CLIENTS', 'SHOW STATS', 'SHOW POOL_VERSION', 'SHOW POOL_PROCESSES', 'SHOW POOL_POOLS'];

export function errorFields(error: unknown): ErrorFields {
	const fields = error as Partial<Record<keyof ErrorFields, string>>;
	const picked: ErrorFields = {message: error instanceof Error ? error.message : String(error)};
	for (const key of ['severity', 'code', 'detail', 'hint', 'file', 'routine'] as const) {
		if (typeof fields[key] === 'string') {
			picked[key] = fields[key];
		}
	}

	return picked;
}

export async function probeConsole(config: {host: string; port: number; user: string; password?: string; database: string}, commands = CONSOLE_COMMANDS): Promise<ConsoleProbe> {
	const client = new pg.Client({...config, connectionTimeoutMillis: 5000, query_timeout: 5000});
	// As the collector does: no startup parameters beyond user and database.
	const parameters = (client as unknown as {connectionParameters: Record<string, unknown>}).connectionParameters;
	parameters['options'] = undefined;
	parameters['application_name'] = undefined;
	const received: Record<string, string> = {};
	(client as unknown as {connection: NodeJS.EventEmitter}).connection.on('parameterStatus', (message: {parameterName: string; parameterValue: string}) => {
		received[message.parameterName] = message.parameterValue;
	});
	client.on('error', () => undefined);
	const probe: ConsoleProbe = {loginError: null, parameters: received, commands: {}};
	try {
		await client.connect();
	} catch (error) {
		probe.loginError = errorFields(error);
		await client.end().catch(() => undefined);
		return probe;
	}

	for (const command of commands) {
		try {
			const result = await client.query(command);
			probe.commands[command] = {columns: result.fields.map(field => field.name), rows: result.rows as Array<Record<string, unknown>>};
		} catch (error) {
			probe.commands[command] = {error: errorFields(error)};
		}
	}

	await client.end().catch(() => undefined);
	return probe;
}

/**
 * The first bytes a port sends back to a protocol-3.0 startup packet for `user` and `database`,
 * as text with non-printable bytes escaped (\xNN), until it closes, stops talking for 1 s, or 512 bytes.
 */
export async function rawStartupReply(port: number, user: string, database: string): Promise<string> {
	const body = Buffer.from(`user\0${user}\0database\0${database}\0\0`);
	const packet = Buffer.alloc(8 + body.length);
	packet.writeInt32BE(packet.length, 0);
	packet.writeInt32BE(196_608, 4); // protocol 3.0
	body.copy(packet, 8);
	const chunks: Buffer[] = [];
	await new Promise<void>(resolve => {
		const socket = net.connect(port, '127.0.0.1', () => socket.write(packet));
		let quiet: NodeJS.Timeout | undefined;
		const done = () => {
			clearTimeout(quiet);
			socket.destroy();
			resolve();
		};

		const wait = () => {
			clearTimeout(quiet);
			quiet = setTimeout(done, 1000);
		};

		wait();
		socket.on('data', (chunk: Buffer) => {
			chunks.push(chunk);
			if (Buffer.concat(chunks).length >= 512) {
				done();
			} else {
				wait();
			}
		});
		socket.on('error', done);
		socket.on('close', done);
	});
	return [...Buffer.concat(chunks).subarray(0, 512)].map(byte => (byte >= 0x20 && byte < 0x7F && byte !== 0x5C ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`)).join('');
}
