// Key flows through stdin, on the real App, against a real PostgreSQL: what the operator does during
// an incident, and what the screen and the server show afterwards.
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {createPostgresSource, type PostgresSource} from '../../source/collectors/postgres-activity.js';
import {openMonitorClient} from '../../source/connection/monitor-client.js';
import {resolveTarget} from '../../source/connection/target.js';
import {liveSources} from '../../source/watch.js';
import {renderApp} from '../helpers/render-app.js';
import {pollUntil, Sessions, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {startWorkload, type Workload} from '../helpers/workload.js';

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

async function renderReal(options: {columns: number; rows: number; isReadOnly?: boolean; logFile?: string}) {
	const target = resolveTarget(server.url, {HOME: '/nonexistent'});
	const postgres = createPostgresSource(target, await openMonitorClient(target), () => Date.now());
	sources.push(postgres);
	return renderApp({...options, ...liveSources([postgres], []), target: target.display, secrets: [server.password], initial: {isReadOnly: options.isReadOnly}});
}

describe('the screen', () => {
	for (const [columns, rows] of [[80, 24], [120, 40]] as const) {
		test(`fits ${columns}×${rows}: never taller than rows - 1, no line wider than the terminal`, async () => {
			const app = await renderReal({columns, rows});
			try {
				const frame = await app.waitFor(new RegExp(`${workload.prefix}-waiter`));
				const lines = frame.split('\n');
				assert.equal(lines.length, rows - 1, 'exactly rows - 1: the status line sits at the bottom, the frame never scrolls');
				assert.match(lines.at(-1)!, /^sort: /);
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
		const app = await renderReal({columns: 80, rows: 24});
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

describe('key flows on a real server', () => {
	test('i marks idle sessions, t opens the dialog, n keeps them, t y terminates exactly them', async () => {
		const logFile = path.join(directory, 'terminate.jsonl');
		const app = await renderReal({columns: 120, rows: 40, logFile});
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

			app.stdin.write('n');
			await app.waitWithout(/Terminate 4 sessions\?/);
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
});
