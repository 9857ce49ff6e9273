// Issue 19: role names with characters that terminals draw at widths of their own (Hangul fillers,
// zero-width and format characters, separators, variation selectors…), on a real PostgreSQL, through
// the real collector and the real App (ink-testing-library), and through the built binary on a real
// terminal (tmux) at 80×24. One `sx-` + 19 × U+3164 role was enough to make one session row take
// several lines: the header scrolled off the top; so was `ml-` + U+0D4E (a Prepend letter) as many
// times as a name holds. Each frame line is measured by a terminal.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import pg from 'pg';
import {createPostgresSource, type PostgresSource} from '../../source/collectors/postgres-activity.js';
import {openMonitorClient} from '../../source/connection/monitor-client.js';
import {resolveTarget} from '../../source/connection/target.js';
import {cellWidth} from '../../source/text/width.js';
import {liveSources} from '../../source/watch.js';
import {CLI, cleanEnv, ensureBuilt, withAdmin} from '../cli/helpers.js';
import {cutUtf8, INVISIBLE, NAMED_INVISIBLE, standIn, TERMINAL_CONTROL} from '../helpers/hostile.js';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {renderApp} from '../helpers/render-app.js';
import {hasTmux, terminalCells, TmuxRun} from '../helpers/terminal.js';

const PASSWORD = 'invisible-frame-pw';
const HANGUL_ROLE = `sx-${'\u3164'.repeat(19)}`;
/** PostgreSQL keeps 63 bytes of a name: `ml-` and 20 × U+0D4E. */
const PREPEND_ROLE = cutUtf8(`ml-${'\u0D4E'.repeat(60)}`, 63);
/** One role per character, `x` and the character: its escape fits the USER column (10 cells). */
const roles = NAMED_INVISIBLE.map(character => ({character, name: `x${character}`}));
const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
const HEADER = /^lifeguard {2}PG \d+/;

describe('roles with invisible and disputed-width characters on the screen', {skip: hasTmux() ? false : 'tmux is not installed'}, () => {
	let server: TestServer;
	const clients: pg.Client[] = [];
	const pids: number[] = [];
	let source: PostgresSource | undefined;

	before(async () => {
		server = await startEmbeddedPostgres({maxConnections: 60});
		await withAdmin(server, async admin => {
			for (const name of [HANGUL_ROLE, PREPEND_ROLE, ...roles.map(role => role.name)]) {
				await admin.query(`create role ${quoted(name)} login password '${PASSWORD}'`);
			}
		});
		for (const name of [HANGUL_ROLE, PREPEND_ROLE, ...roles.map(role => role.name)]) {
			const client = new pg.Client({host: server.host, port: server.port, user: name, password: PASSWORD, database: 'postgres', application_name: 'idle'});
			client.on('error', () => undefined);
			await client.connect();
			clients.push(client);
			pids.push((await client.query<{pid: number}>('select pg_backend_pid() as pid')).rows[0]!.pid);
		}
	});

	after(async () => {
		await source?.close();
		await Promise.all(clients.map(async client => client.end().catch(() => undefined)));
		await server?.stop();
	});

	/** Each line of a frame fits the terminal as lifeguard counts it and as tmux draws it. */
	async function assertFits(lines: readonly string[], columns: number, where: string): Promise<void> {
		const drawn = await terminalCells(lines);
		for (const [index, line] of lines.entries()) {
			assert.doesNotMatch(line, TERMINAL_CONTROL, `${where} line ${index + 1}: ${JSON.stringify(line)}`);
			assert.doesNotMatch(line, INVISIBLE, `${where} line ${index + 1}: ${JSON.stringify(line)}`);
			assert.ok(cellWidth(line) <= columns, `${where} line ${index + 1} counts ${cellWidth(line)} cells: ${JSON.stringify(line)}`);
			assert.ok(drawn[index]! <= columns, `${where} line ${index + 1} is drawn in ${drawn[index]} cells: ${JSON.stringify(line)}`);
		}
	}

	test('the real App: every character shown as its escape on its own row, every line fits, the header on line 1', async () => {
		const target = resolveTarget(server.url, {HOME: '/nonexistent'});
		source = createPostgresSource(target, await openMonitorClient(target), () => Date.now());
		// Ready when the last role's session has its row.
		const app = await renderApp({columns: 120, rows: 60, ...liveSources([source], []), target: target.display, ready: new RegExp(`^[> ] +${pids.at(-1)} `, 'm')});
		try {
			for (const [columns, rows] of [[120, 60], [80, 24]] as const) {
				app.resize(columns, rows);
				const frame = await pollUntil(() => app.frame().split('\n').length === rows - 1 && app.frame(), {what: `a frame of ${rows - 1} lines`});
				const lines = frame.split('\n');
				const where = `${columns}×${rows}`;
				assert.equal(lines.length, rows - 1, `${where}: rows − 1 lines\n${frame}`);
				assert.match(lines[0]!, HEADER, `${where}: the header on line 1\n${frame}`);
				await assertFits(lines, columns, where);
				if (rows === 60) {
					for (const {character, name} of roles) {
						const shown = `x${standIn(character)}`;
						assert.ok(lines.some(line => / {2,}\d+ /.test(line) && line.includes(shown)), `${where}: a row with ${shown} (role ${JSON.stringify(name)})\n${frame}`);
					}
				}
			}
		} finally {
			app.close();
		}
	});

	test('the built binary in a terminal of 80×24: the Hangul-filler and Prepend roles leave the header on line 1', async () => {
		ensureBuilt();
		const run = new TmuxRun([process.execPath, CLI, '--db', server.url], {columns: 80, rows: 24, env: cleanEnv({TERM: 'xterm-256color'})});
		try {
			// The session list is sorted by time in state: the Hangul role, connected first, leads it, then the Prepend role.
			const screen = await run.waitFor(new RegExp(`^[> ] +${pids[0]} [^]*^[> ] +${pids[1]} `, 'm'), 'the rows of the Hangul-filler and Prepend roles');
			assert.match(screen[0]!, HEADER, `line 1 is the header:\n${screen.join('\n')}`);
			assert.ok(screen.some(line => line.startsWith('Server ')), `the gauge is on screen:\n${screen.join('\n')}`);
			assert.match(screen.find(line => line.includes(` ${pids[0]} `)) ?? '', /^[> ] +\d+ sx-\\u3164… +idle +idle +\S+ select pg_backend_pid\(\)/, 'one row, the name cut in its column');
			assert.match(screen.find(line => line.includes(` ${pids[1]} `)) ?? '', /^[> ] +\d+ ml-\\u0d4e… +idle +idle +\S+ select pg_backend_pid\(\)/, 'one row, the name cut in its column');
			run.keys('q');
		} finally {
			run.close();
		}
	});
});
