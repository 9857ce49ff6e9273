// Key flows through stdin, on the real App, against a real PostgreSQL: what the operator does during
// an incident, and what the screen and the server show afterwards.
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {render} from 'ink-testing-library';
import {openIncidentLog} from '../../source/actions/incident-log.js';
import {createPostgresSource, type PostgresSource} from '../../source/collectors/postgres-activity.js';
import {openMonitorClient} from '../../source/connection/monitor-client.js';
import {resolveTarget} from '../../source/connection/target.js';
import {initialState} from '../../source/model/dashboard.js';
import {App} from '../../source/ui/app.js';
import {ThemeContext} from '../../source/ui/theme.js';
import {pollUntil, Sessions, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {defaultThresholds} from '../helpers/snapshots.js';
import {startWorkload, type Workload} from '../helpers/workload.js';

const ESC = '\u001B';
const ENTER = '\r';

let server: TestServer;
let workload: Workload;
const directory = mkdtempSync(path.join(os.tmpdir(), 'lifeguard-ui-'));
const sources: PostgresSource[] = [];

before(async () => {
	server = await startEmbeddedPostgres();
	workload = await startWorkload(server.url, {idle: 4});
});

after(async () => {
	await Promise.all(sources.map(async source => source.close()));
	await workload?.close();
	await server?.stop();
	rmSync(directory, {recursive: true, force: true});
});

async function renderApp(options: {columns: number; rows: number; isReadOnly?: boolean; logFile?: string}) {
	const target = resolveTarget(server.url, {HOME: '/nonexistent'});
	const postgres = createPostgresSource(target, await openMonitorClient(target), () => Date.now());
	sources.push(postgres);
	const log = options.logFile ? openIncidentLog(options.logFile, {secrets: [server.password]}) : undefined;
	const instance = render(
		<ThemeContext.Provider value={{isColor: false}}>
			<App
				initial={initialState(defaultThresholds, {isReadOnly: options.isReadOnly})}
				target={target.display}
				postgres={postgres}
				poolCollectors={[]}
				intervalMs={200}
				poolTimeoutMs={1000}
				idleAfterSeconds={0}
				now={() => Date.now()}
				log={log}
			/>
		</ThemeContext.Provider>,
	);
	const resize = (columns: number, rows: number) => {
		Object.defineProperty(instance.stdout, 'columns', {value: columns, configurable: true});
		Object.defineProperty(instance.stdout, 'rows', {value: rows, configurable: true});
		instance.stdout.emit('resize');
	};

	resize(options.columns, options.rows);
	const frame = () => instance.lastFrame() ?? '';
	const waitFor = async (pattern: RegExp, what = String(pattern)) => pollUntil(() => pattern.test(frame()) && frame(), {what, timeoutMs: 8000});
	const press = async (keys: string, then: RegExp) => {
		instance.stdin.write(keys);
		return waitFor(then, `${JSON.stringify(keys)} -> ${String(then)}`);
	};

	await waitFor(/Server {2}\[/);
	return {...instance, frame, waitFor, press, resize, close: () => {
		instance.unmount();
		log?.close();
	}};
}

describe('the screen', () => {
	for (const [columns, rows] of [[80, 24], [120, 40]] as const) {
		test(`fits ${columns}×${rows}: never taller than rows - 1, no line wider than the terminal`, async () => {
			const app = await renderApp({columns, rows});
			try {
				const frame = await app.waitFor(new RegExp(`${workload.prefix}-waiter`));
				const lines = frame.split('\n');
				assert.ok(lines.length <= rows - 1, `${lines.length} lines`);
				assert.ok(lines.every(line => line.length <= columns), lines.find(line => line.length > columns));
				assert.match(lines[0]!, /^lifeguard {2}PG \d+\.\d+ {2}updated .* postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/);
				assert.doesNotMatch(frame, /secret-test-pw/);
				assert.match(frame, /idle in tx 3 \(1 aborted\)/);
				assert.match(frame, /lock-waiting 1/);
				if (columns >= 120) {
					assert.match(frame, new RegExp(`${workload.prefix}-waiter .*Lock:\\S+ +${workload.blocker} `));
				}
			} finally {
				app.close();
			}
		});
	}

	test('a terminal too small gets a one-line notice, and the screen comes back when it grows', async () => {
		const app = await renderApp({columns: 80, rows: 24});
		try {
			app.resize(50, 10);
			const notice = await app.waitFor(/Too small/);
			assert.equal(notice.trim().split('\n').length, 1);
			assert.match(notice, /^Too small: 50×10, lifeguard needs 60×14$/m);
			app.resize(80, 24);
			await app.waitFor(/Server {2}\[/);
		} finally {
			app.close();
		}
	});
});

describe('key flows', () => {
	test('/ filters, Esc clears; s cycles the sort; ? shows help and closes', async () => {
		const app = await renderApp({columns: 120, rows: 40});
		try {
			await app.press('/', /Filter: █/);
			await app.press(`${workload.prefix}-idle`, new RegExp(`Filter: ${workload.prefix}-idle█`));
			const filtered = await app.press(ENTER, /filter: "/);
			const rows = filtered.split('\n').filter(line => /^[> ][* ]\s*\d+ /.test(line));
			assert.equal(rows.length, 4, filtered);
			await app.press(ESC, new RegExp(`${workload.prefix}-waiter`));
			await app.press('s', /sort: state/);
			await app.press('?', /Keys/);
			assert.match(app.frame(), /t {2}terminate the marked \(or selected\) sessions/);
			await app.press('?', /PID/);
		} finally {
			app.close();
		}
	});

	test('j/k move the selection; it stays on its pid', async () => {
		const app = await renderApp({columns: 120, rows: 40});
		try {
			const selected = (frame: string) => /^>\s+(\d+)/m.exec(frame)?.[1];
			const first = selected(app.frame());
			await app.press('j', /^>/m);
			const second = await pollUntil(() => selected(app.frame()) !== first && selected(app.frame()), {what: 'selection moved'});
			app.stdin.write('k');
			await pollUntil(() => selected(app.frame()) === first, {what: 'selection back'});
			assert.notEqual(second, first);
		} finally {
			app.close();
		}
	});

	test('i marks idle sessions, t opens the dialog, n keeps them, t y terminates exactly them', async () => {
		const logFile = path.join(directory, 'terminate.jsonl');
		const app = await renderApp({columns: 120, rows: 40, logFile});
		const watcher = await new Sessions(server.url).open('watcher');
		try {
			await app.press('/', /Filter:/);
			await app.press(`${workload.prefix}-idle`, /-idle█/);
			await app.press(ENTER, /filter: "/);
			await app.press('i', /4 marked/);
			const dialog = await app.press('t', /Terminate 4 sessions\?/);
			for (const pid of workload.idle) {
				assert.match(dialog, new RegExp(`pid ${pid} `));
			}

			await app.press('n', /4 marked/);
			const alive = async () => (await watcher.query<{n: number}>('select count(*)::int as n from pg_stat_activity where pid = any($1)', [workload.idle])).rows[0]!.n;
			assert.equal(await alive(), 4, 'No is the default: nothing was terminated');
			await app.press('t', /Terminate 4 sessions\?/);
			await app.press('y', /Terminated 4 of 4/);
			await pollUntil(async () => (await alive()) === 0, {what: 'sessions gone'});
			const others = await watcher.query<{n: number}>('select count(*)::int as n from pg_stat_activity where pid = any($1)', [[workload.blocker, workload.waiter, workload.active]]);
			assert.equal(others.rows[0]!.n, 3, 'the other sessions stay');
			const events = readFileSync(logFile, 'utf8').trim().split('\n').map(line => JSON.parse(line) as {type: string; sessions?: Array<{pid: number; outcome: string}>});
			const terminate = events.find(event => event.type === 'terminate');
			assert.deepEqual(terminate?.sessions?.map(entry => entry.outcome), ['done', 'done', 'done', 'done']);
			assert.doesNotMatch(readFileSync(logFile, 'utf8'), /secret-test-pw/);
		} finally {
			await watcher.end();
			app.close();
		}
	});

	test('a log write that fails is shown on screen, and the flag is still taken', async () => {
		const app = await renderApp({columns: 120, rows: 40, logFile: '/dev/full'});
		try {
			await app.press('f', /Flag note: █/);
			await app.press(`disk full${ENTER}`, /Cannot write to the incident log \/dev\/full: no space left on device/);
			assert.match(app.frame(), /flag .* ago: "disk full"/);
		} finally {
			app.close();
		}
	});

	test('read-only: t says read-only, help shows terminate disabled', async () => {
		const app = await renderApp({columns: 120, rows: 40, isReadOnly: true});
		try {
			await app.press('t', /read-only: terminate is disabled/);
			await app.press('?', /terminate the marked \(or selected\) sessions, after confirmation \(disabled: read-only\)/);
		} finally {
			app.close();
		}
	});

	test('f records a flag with the current numbers; Esc cancels a flag', async () => {
		const logFile = path.join(directory, 'flag.jsonl');
		const app = await renderApp({columns: 120, rows: 40, logFile});
		try {
			await app.press('f', /Flag note: █/);
			await app.press(ESC, /sort: /);
			await app.press('f', /Flag note: █/);
			// Typed fast or pasted, the note and Enter arrive in one chunk.
			await app.press(`bus is full${ENTER}`, /flag .* ago: "bus is full"/);
			const flags = readFileSync(logFile, 'utf8').trim().split('\n').map(line => JSON.parse(line) as {type: string; note?: string; numbers?: {server: {used: number; usable: number}}}).filter(event => event.type === 'flag');
			assert.equal(flags.length, 1);
			assert.equal(flags[0]!.note, 'bus is full');
			assert.ok((flags[0]!.numbers?.server.used ?? 0) > 5);
		} finally {
			app.close();
		}
	});
});
