// Issue 19, `--json` through the built binary: role names with invisible, format and bidi characters
// on a real PostgreSQL, and a pool endpoint whose pool name holds a lone surrogate, a C1 control, a
// bidi override and a Hangul filler. The JSON is printable (every such character a \u escape), valid
// for a strict parser (no lone surrogate), and exact where the README says it is: the server's
// session text exactly, names from endpoints as lifeguard shows them.
import assert from 'node:assert/strict';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {after, before, describe, test} from 'node:test';
import pg from 'pg';
import {INVISIBLE, NAMED_INVISIBLE} from '../helpers/hostile.js';
import {startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {ensureBuilt, runCli, withAdmin} from './helpers.js';

const PASSWORD = 'json-hostile-pw';
const ROLE = `js-${NAMED_INVISIBLE.slice(0, 12).join('')}\u202E\u009B`;
const POOL = 'pool\uD800\u009B\u202E\u3164';
const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
/** A raw control (the line feeds of indentation aside), C1 control or invisible character. */
const RAW = new RegExp(`[\\u0000-\\u0009\\u000B-\\u001F\\u007F-\\u009F]|${INVISIBLE.source}`, 'u');

function strings(value: unknown): string[] {
	if (typeof value === 'string') {
		return [value];
	}

	return value !== null && typeof value === 'object' ? Object.entries(value).flatMap(([key, item]) => [key, ...strings(item)]) : [];
}

describe('--json with hostile names', () => {
	let server: TestServer;
	let client: pg.Client;
	let endpoint: http.Server;
	let poolUrl = '';

	before(async () => {
		ensureBuilt();
		server = await startEmbeddedPostgres();
		await withAdmin(server, async admin => admin.query(`create role ${quoted(ROLE)} login password '${PASSWORD}'`));
		client = new pg.Client({host: server.host, port: server.port, user: ROLE, password: PASSWORD, database: 'postgres'});
		client.on('error', () => undefined);
		await client.connect();
		endpoint = http.createServer((_request, response) => {
			response.writeHead(200, {'content-type': 'application/json'});
			// JSON.stringify writes the lone surrogate as the escape \ud800, as a careless endpoint would.
			response.end(JSON.stringify({pools: [{name: POOL, max: 5, total: 5, idle: 0, waiting: 3}]}));
		});
		await new Promise<void>(resolve => {
			endpoint.listen(0, '127.0.0.1', resolve);
		});
		poolUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/pools`;
	});

	after(async () => {
		await client?.end().catch(() => undefined);
		endpoint?.closeAllConnections();
		await new Promise(resolve => {
			endpoint?.close(resolve);
		});
		await server?.stop();
	});

	test('printable, strictly valid, the role exact, the pool name as shown', async () => {
		const result = await runCli(['--json', '--db', server.url, '--pool', poolUrl]);
		assert.equal(result.code, 0, result.stderr);
		assert.doesNotMatch(result.stdout, RAW);
		assert.doesNotMatch(result.stdout.replaceAll('\\\\', ''), /\\ud[89a-f][\da-f]{2}(?!\\ud[c-f])/i, 'no escape of a lone surrogate');
		const json = JSON.parse(result.stdout) as {sessions: Array<{user: string}>; pools: Array<{name: string}>};
		assert.ok(strings(json).every(text => !/\p{Cs}/u.test(text)), 'no lone surrogate in any string');
		assert.ok(json.sessions.some(session => session.user === ROLE), 'the role exactly, once parsed');
		assert.deepEqual(json.pools.map(pool => pool.name), [String.raw`pool\ud800\x9b\u202e\u3164`]);
	});
});
