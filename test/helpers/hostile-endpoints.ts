// Endpoints that behave as an attacker's would, on loopback: a Prometheus HTTP API that answers what it
// is told (100,000 series per family query, say) and records who asked with which credentials, and a
// PgBouncer admin console (the PostgreSQL wire protocol, no password asked) that streams rows of any
// size. Used by the tests of the caps and by bench/hostile-endpoints.ts, which measures what they cost.
import http from 'node:http';
import net from 'node:net';
import type {AddressInfo} from 'node:net';

export type ApiRequest = {path: string; authorization: string | undefined; query: string};

export type FakePrometheusApi = {
	/** http://127.0.0.1:PORT */
	url: string;
	port: number;
	requests: ApiRequest[];
	stop: () => Promise<void>;
};

async function listen(server: http.Server | net.Server): Promise<number> {
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	return (server.address() as AddressInfo).port;
}

/** A Prometheus `/api/v1/query` that answers every query with `body(query)` (a JSON text or bytes). */
export async function startPrometheusApi(body: (query: string) => string | Buffer): Promise<FakePrometheusApi> {
	const requests: ApiRequest[] = [];
	const server = http.createServer((request, response) => {
		let form = '';
		request.on('data', (chunk: Buffer) => {
			form += chunk.toString();
		});
		request.on('end', () => {
			const query = new URLSearchParams(form).get('query') ?? '';
			requests.push({path: request.url ?? '', authorization: request.headers.authorization, query});
			response.setHeader('content-type', 'application/json');
			// write, then end: chunked, with no Content-Length to refuse it by, as a stream would come
			response.write(body(query));
			response.end();
		});
		request.on('error', () => undefined);
		response.on('error', () => undefined);
	});
	const port = await listen(server);
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		requests,
		async stop() {
			server.closeAllConnections();
			await new Promise(resolve => {
				server.close(resolve);
			});
		},
	};
}

/**
 * A success answer of `instances` HikariCP instances of service `service`, one pool each (max 10,
 * `active` busy, `pending` waiting on instance 0 only): 5 series per instance, ~190 bytes each.
 */
export function hikariVector(instances: number, options: {service?: string; active?: number; pending?: number} = {}): string {
	const service = options.service ?? 'checkout';
	const gauges: Array<[string, (index: number) => number]> = [
		['hikaricp_connections_max', () => 10],
		['hikaricp_connections', () => 10],
		['hikaricp_connections_active', () => options.active ?? 4],
		['hikaricp_connections_idle', () => 10 - (options.active ?? 4)],
		['hikaricp_connections_pending', index => (index === 0 ? options.pending ?? 0 : 0)],
	];
	const result: string[] = [];
	for (let index = 0; index < instances; index++) {
		const instance = `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}:8080`;
		for (const [name, value] of gauges) {
			result.push(`{"metric":{"__name__":"${name}","instance":"${instance}","job":"kubernetes-pods","namespace":"shop","pool":"HikariPool-1","service":"${service}"},"value":[1796000000.123,"${value(index)}"]}`);
		}
	}

	return `{"status":"success","data":{"resultType":"vector","result":[${result.join(',')}]}}`;
}

// --- a PgBouncer admin console, as far as lifeguard's collector reads it ------------------------

const message = (type: string, payload: Buffer) => {
	const head = Buffer.alloc(5);
	head.write(type, 0, 'latin1');
	head.writeInt32BE(payload.length + 4, 1);
	return Buffer.concat([head, payload]);
};

const cstring = (text: string) => Buffer.from(`${text}\u0000`, 'utf8');
const int16 = (value: number) => {
	const buffer = Buffer.alloc(2);
	buffer.writeInt16BE(value);
	return buffer;
};

const int32 = (value: number) => {
	const buffer = Buffer.alloc(4);
	buffer.writeInt32BE(value);
	return buffer;
};

const LOGIN = Buffer.concat([
	message('R', int32(0)), // AuthenticationOk: no password asked
	message('S', Buffer.concat([cstring('server_version'), cstring('1.22.1/bouncer')])),
	message('K', Buffer.concat([int32(4242), int32(1)])),
	message('Z', Buffer.from('I')),
]);
const COLUMNS = ['database', 'user', 'cl_active', 'cl_waiting', 'sv_active', 'sv_idle', 'sv_used', 'maxwait'];
const ROW_DESCRIPTION = message('T', Buffer.concat([
	int16(COLUMNS.length),
	// name, table oid, column number, type oid (25 text), type size, type modifier, format (text)
	...COLUMNS.map(name => Buffer.concat([cstring(name), int32(0), int16(0), int32(25), int16(-1), int32(-1), int16(0)])),
]));

/** One SHOW POOLS row whose database name holds `bytes` bytes. */
function dataRow(bytes: number, index: number): Buffer {
	const values = [`db${index}-${'x'.repeat(Math.max(0, bytes))}`, 'app', '0', '0', '1', '1', '0', '0'];
	return message('D', Buffer.concat([int16(values.length), ...values.flatMap(value => {
		const text = Buffer.from(value);
		return [int32(text.length), text];
	})]));
}

export type FakeConsole = {
	port: number;
	/** Bytes written to clients so far, and how many of their sockets have closed. */
	stats: () => {bytesSent: number; connections: number; closed: number};
	stop: () => Promise<void>;
};

/**
 * A console that answers every query (or only the command `only`; others get no rows) with rows of
 * `rowBytes` bytes, `rows` of them (default: without end), as fast as the client reads them, for at
 * most `maxSeconds` per answer (every load loop ends).
 */
export async function startFakeConsole(options: {rowBytes: number; rows?: number; only?: string; maxSeconds?: number}): Promise<FakeConsole> {
	const rowCount = options.rows ?? Number.POSITIVE_INFINITY;
	const maxMs = (options.maxSeconds ?? 30) * 1000;
	const row = dataRow(options.rowBytes, 0);
	let bytesSent = 0;
	let connections = 0;
	let closed = 0;
	const sockets = new Set<net.Socket>();
	const stream = async (socket: net.Socket, query: string) => {
		const until = Date.now() + maxMs;
		const rows = options.only === undefined || query === options.only ? rowCount : 0;
		socket.write(ROW_DESCRIPTION);
		for (let index = 0; index < rows && !socket.destroyed && Date.now() < until; index++) {
			bytesSent += row.length;
			if (!socket.write(row)) {
				await new Promise<void>(resolve => {
					const done = () => {
						socket.off('drain', done);
						socket.off('close', done);
						resolve();
					};

					socket.on('drain', done);
					socket.on('close', done);
				});
			}
		}

		if (!socket.destroyed) {
			socket.write(Buffer.concat([message('C', cstring('SHOW')), message('Z', Buffer.from('I'))]));
		}
	};

	const server = net.createServer(socket => {
		connections++;
		sockets.add(socket);
		socket.on('error', () => undefined);
		socket.on('close', () => {
			closed++;
			sockets.delete(socket);
		});
		let pending = Buffer.alloc(0);
		let isStarted = false;
		socket.on('data', (chunk: Buffer) => {
			pending = Buffer.concat([pending, chunk]);
			for (;;) {
				if (!isStarted) {
					if (pending.length < 8) {
						return;
					}

					const length = pending.readInt32BE(0);
					const code = pending.readInt32BE(4);
					pending = pending.subarray(length);
					if (code === 80_877_103 || code === 80_877_104) {
						socket.write('N'); // no SSL, no GSS encryption
						continue;
					}

					isStarted = true;
					socket.write(LOGIN);
					continue;
				}

				if (pending.length < 5) {
					return;
				}

				const type = String.fromCodePoint(pending[0]!);
				const length = pending.readInt32BE(1);
				if (pending.length < length + 1) {
					return;
				}

				const body = pending.subarray(5, length + 1);
				pending = pending.subarray(length + 1);
				if (type === 'X') {
					socket.end();
					return;
				}

				if (type === 'Q') {
					void stream(socket, body.toString('utf8').replace(/\0$/, '').trim());
				}
			}
		});
	});
	const port = await listen(server);
	return {
		port,
		stats: () => ({bytesSent, connections, closed}),
		async stop() {
			for (const socket of sockets) {
				socket.destroy();
			}

			await new Promise(resolve => {
				server.close(resolve);
			});
		},
	};
}
