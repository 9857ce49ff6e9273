// Issue 10, the screen frame: each hostile string goes in where others control text (a real
// PostgreSQL session's query text, role name and application name; a Prometheus pool label and a
// JSON pool name served over loopback HTTP), through the real collectors, the real model
// (`update` with server-polled / pool-polled) and the real frame (`Dashboard`, drawn by Ink's
// renderToString without colour). The frame holds no C0, C1 or bidi control, has exactly rows − 1
// lines, no line wider than the terminal in cells, and the attempt stays visible.
import assert from 'node:assert/strict';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import process from 'node:process';
import {after, before, describe, test} from 'node:test';
import {renderToString} from 'ink';
import pg from 'pg';
import {createPostgresSource, type PostgresSource} from '../../source/collectors/postgres-activity.js';
import {createPoolCollector} from '../../source/collectors/pools/create-collector.js';
import {openMonitorClient} from '../../source/connection/monitor-client.js';
import {resolveTarget} from '../../source/connection/target.js';
import {type DashboardState, initialState, update} from '../../source/screen/board.js';
import type {PoolEndpoint, PoolReading, ServerReading} from '../../source/readings/types.js';
import {safeQueryText, safeText} from '../../source/text/sanitize.js';
import {cellWidth, sliceCells} from '../../source/text/width.js';
import {Dashboard} from '../../source/ui/components/dashboard.js';
import {ThemeContext} from '../../source/ui/theme.js';
import {withAdmin} from '../cli/helpers.js';
import {cutUtf8, HOSTILE, TERMINAL_CONTROL} from '../helpers/hostile.js';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {defaultThresholds, serverSnapshot} from '../helpers/snapshots.js';

const PASSWORD = 'hostile-frame-pw';
const SIZES = [{columns: 80, rows: 24}, {columns: 120, rows: 40}] as const;
const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;
/** A Prometheus label value: `\`, `"` and line feeds escaped, everything else as it is. */
const promLabel = (text: string) => text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');

function frame(state: DashboardState, columns: number, rows: number): string {
	return renderToString(
		<ThemeContext.Provider value={{isColor: false}}>
			<Dashboard state={state} target="postgres://lifeguard@127.0.0.1/postgres" columns={columns} rows={rows}/>
		</ThemeContext.Provider>,
		{columns},
	);
}

type Case = {name: string; text: string; role: string; query: string; client?: pg.Client; pid?: number};

describe('hostile strings on the screen frame', () => {
	let server: TestServer;
	let source: PostgresSource;
	let endpoints: http.Server;
	let base = '';
	let serverReading: ServerReading;
	const cases: Case[] = HOSTILE.map(({name, text}, index) => ({
		name,
		text,
		role: cutUtf8(`lg${index}_${text}`, 63),
		query: `select '${text}' as hostile_${index}`,
	}));

	before(async () => {
		server = await startEmbeddedPostgres();
		await withAdmin(server, async admin => {
			for (const entry of cases) {
				assert.ok(!entry.text.includes("'"), 'the query quotes the text as a literal');
				await admin.query(`create role ${quoteIdentifier(entry.role)} login password '${PASSWORD}'`);
			}
		});
		for (const entry of cases) {
			const client = new pg.Client({host: server.host, port: server.port, user: entry.role, password: PASSWORD, database: 'postgres', application_name: entry.text});
			client.on('error', () => undefined);
			await client.connect();
			entry.client = client;
			entry.pid = (await client.query<{pid: number}>('select pg_backend_pid() as pid')).rows[0]!.pid;
			await client.query(entry.query);
		}

		const target = resolveTarget(server.url, {HOME: '/nonexistent'});
		source = createPostgresSource(target, await openMonitorClient(target), () => Date.now());
		serverReading = await pollUntil(async () => {
			const reading = await source.poll();
			assert.ok(reading.ok, reading.ok ? '' : reading.error);
			return cases.every(entry => reading.snapshot.sessions.some(session => session.pid === entry.pid && session.query === safeQueryText(entry.query))) ? reading : undefined;
		}, {what: 'every hostile session, idle after its query'});

		// /prom/N and /json/N: one pool named with hostile string N, saturated so its row is drawn.
		endpoints = http.createServer((request, response) => {
			const match = /^\/(prom|json)\/(\d+)$/.exec(request.url ?? '');
			const entry = match ? cases[Number(match[2])] : undefined;
			if (!match || !entry) {
				response.writeHead(404).end();
				return;
			}

			if (match[1] === 'prom') {
				const label = promLabel(entry.text);
				response.writeHead(200, {'content-type': 'text/plain; version=0.0.4'});
				response.end(['hikaricp_connections_max', 'hikaricp_connections_active', 'hikaricp_connections_pending']
					.map(family => `${family}{pool="${label}",} ${family.endsWith('pending') ? 7 : 10}.0`)
					.join('\n') + '\n');
			} else {
				response.writeHead(200, {'content-type': 'application/json'});
				response.end(JSON.stringify({pools: [{name: entry.text, max: 5, total: 5, idle: 0, waiting: 3}]}));
			}
		});
		await new Promise<void>(resolve => {
			endpoints.listen(0, '127.0.0.1', resolve);
		});
		base = `http://127.0.0.1:${(endpoints.address() as AddressInfo).port}`;
	});

	after(async () => {
		await source?.close();
		await Promise.all(cases.map(async entry => entry.client?.end().catch(() => undefined)));
		endpoints?.closeAllConnections();
		await new Promise(resolve => {
			if (endpoints) {
				endpoints.close(resolve);
			} else {
				resolve(undefined);
			}
		});
		await server?.stop();
	});

	async function collect(url: string): Promise<{endpoint: PoolEndpoint; reading: PoolReading}> {
		const endpoint: PoolEndpoint = {id: url, name: null, url, maskedUrl: url, kind: 'http', forcedFormat: null};
		const collector = createPoolCollector(endpoint);
		try {
			return {endpoint, reading: await collector.collect(5000)};
		} finally {
			await collector.close();
		}
	}

	for (const [index, {name, text}] of HOSTILE.entries()) {
		test(name, async () => {
			const atMs = Date.now();
			let state = initialState(defaultThresholds, {pools: []});
			state = update(state, {type: 'server-polled', reading: serverReading, atMs}).state;
			for (const kind of ['prom', 'json'] as const) {
				const {endpoint, reading} = await collect(`${base}/${kind}/${index}`);
				assert.ok(reading.ok, reading.ok ? '' : reading.error);
				assert.equal(reading.pools[0]!.label, text, `${kind}: the collector keeps the exact label`);
				state = update(state, {type: 'pool-polled', endpoint, reading, atMs}).state;
			}

			const safe = safeText(text);
			const safeRole = safeText(cases[index]!.role);
			const session = state.server!.sessions.find(candidate => candidate.pid === cases[index]!.pid)!;
			// (PostgreSQL itself cleans application_name to printable ASCII: `\x1b`, not ESC.)
			assert.equal(session.user, safeRole, 'the session reached the model');
			assert.deepEqual(state.watch.pools.map(pool => pool.name), [safe, safe], 'both pools reached the model');

			for (const {columns, rows} of SIZES) {
				const shown = frame(state, columns, rows);
				const lines = shown.split('\n');
				const where = `${columns}×${rows}`;
				assert.equal(lines.length, rows - 1, `${where}: rows − 1 lines\n${shown}`);
				for (const [number, line] of lines.entries()) {
					assert.doesNotMatch(line, TERMINAL_CONTROL, `${where} line ${number + 1}: ${JSON.stringify(line)}`);
					assert.ok(cellWidth(line) <= columns, `${where} line ${number + 1} is ${cellWidth(line)} cells: ${JSON.stringify(line)}`);
				}

				// The attempt stays visible: both pool rows start with the name (its first cells, where the
				// column is narrower), and a session row shows the role (at 80×24 the list has room for 10
				// of the 11 hostile sessions; at 120×40 for all).
				const start = sliceCells(safe, 8);
				assert.equal(lines.filter(line => line.startsWith('Pool ') && line.includes(start)).length, 2, `${where}: "${start}" in both pool rows\n${shown}`);
				if (rows >= 40) {
					const row = lines.find(line => new RegExp(`^[> ] +${session.pid} `).test(line));
					assert.ok(row, `${where}: the session row of pid ${session.pid}\n${shown}`);
					// Where a control was replaced, its stand-in is on the row (at the cut of the USER column).
					if (safeRole !== cases[index]!.role) {
						assert.ok(row.includes(sliceCells(safeRole, 8)), `${where}: "${sliceCells(safeRole, 8)}" on the row ${JSON.stringify(row)}`);
					}
				}

				if (process.env['SHOW_FRAMES']) {
					console.log(`${name} ${where}\n${shown}`);
				}
				if (name === 'OSC title') {
					assert.match(shown, /␛\]0;pwned␇/, `${where}: the OSC title attempt is visible`);
				}
			}
		});
	}
});

// Absurd numbers from an endpoint: the real collector turns each bad pool into an error, the model
// and the frame take it without a crash, and no impossible number reaches the screen.
describe('absurd endpoint numbers on the screen frame', () => {
	let endpoints: http.Server;
	let base = '';
	const families = ['hikaricp_connections_max', 'hikaricp_connections_active', 'hikaricp_connections_idle', 'hikaricp_connections_pending'];
	const bad: Array<{pool: string; family: string; value: string}> = [
		{pool: 'negative', family: 'hikaricp_connections_pending', value: '-5'},
		{pool: 'huge', family: 'hikaricp_connections_active', value: '1e308'},
		{pool: 'infinite', family: 'hikaricp_connections_max', value: '+Inf'},
		{pool: 'zero-max', family: 'hikaricp_connections_max', value: '0'},
		{pool: 'fraction', family: 'hikaricp_connections_idle', value: '2.5'},
	];
	const exposition = [
		...families.flatMap(family => bad.map(({pool, family: badFamily, value}) => `${family}{pool="${pool}",} ${family === badFamily ? value : family.endsWith('max') ? 10 : 1}`)),
		'hikaricp_connections_max{pool="twice",} 10',
		'hikaricp_connections_max{pool="twice",} 20',
		'',
	].join('\n');

	before(async () => {
		endpoints = http.createServer((_request, response) => {
			response.writeHead(200, {'content-type': 'text/plain; version=0.0.4'});
			response.end(exposition);
		});
		await new Promise<void>(resolve => {
			endpoints.listen(0, '127.0.0.1', resolve);
		});
		base = `http://127.0.0.1:${(endpoints.address() as AddressInfo).port}/metrics`;
	});

	after(async () => {
		endpoints?.closeAllConnections();
		await new Promise(resolve => {
			endpoints.close(resolve);
		});
	});

	test('each bad pool is an error; the frame keeps its shape and shows none of the numbers', async () => {
		const endpoint: PoolEndpoint = {id: base, name: null, url: base, maskedUrl: base, kind: 'http', forcedFormat: null};
		const collector = createPoolCollector(endpoint);
		let reading: PoolReading;
		try {
			reading = await collector.collect(5000);
		} finally {
			await collector.close();
		}

		assert.ok(reading.ok, reading.ok ? '' : reading.error);
		assert.deepEqual(reading.pools.map(pool => [pool.label, pool.error]), [
			['fraction', 'invalid value 2.5 for idle (hikaricp_connections_idle)'],
			['huge', 'invalid value 1e+308 for active (hikaricp_connections_active)'],
			['infinite', 'invalid value +Inf for max (hikaricp_connections_max)'],
			['negative', 'invalid value -5 for waiting (hikaricp_connections_pending)'],
			['twice', 'duplicate series hikaricp_connections_max'],
			['zero-max', 'invalid value 0 for max'],
		]);
		const atMs = Date.now();
		let state = initialState(defaultThresholds, {pools: []});
		state = update(state, {type: 'server-polled', reading: {ok: true, snapshot: serverSnapshot({takenAtMs: atMs}), isReconnected: false}, atMs}).state;
		state = update(state, {type: 'pool-polled', endpoint, reading, atMs}).state;
		for (const {columns, rows} of SIZES) {
			const lines = frame(state, columns, rows).split('\n');
			if (process.env['SHOW_FRAMES']) {
				console.log(lines.join('\n'));
			}

			assert.equal(lines.length, rows - 1);
			for (const line of lines) {
				assert.ok(cellWidth(line) <= columns, `${cellWidth(line)} cells: ${line}`);
				if (line.startsWith('Pool ')) {
					// The reason may quote the value; the row never shows it as a number.
					const numbers = line.replace(/impossible reading: .*$/, '');
					assert.doesNotMatch(numbers, /-5|1e\+308|Infinity|\/0\b|2\.5|\/30/, line);
					assert.match(line, /^Pool {4}BAD |^Pool {4}\S+ .*\d+\/\d+|^ *\+\d+ more/, line);
				}
			}
		}
	});
});
