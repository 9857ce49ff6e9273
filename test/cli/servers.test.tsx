// Several servers at once, for real: the embedded PostgreSQL 18 and the machine's PostgreSQL 15
// (LIFEGUARD_TEST_DATABASE_URL), through --json, check and the live screen, and one of them dropping.
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {after, before, describe, test} from 'node:test';
import {createPostgresSource, type PostgresSource} from '../../source/collectors/postgres-activity.js';
import {openMonitorClient} from '../../source/connection/monitor-client.js';
import {resolveTarget} from '../../source/connection/target.js';
import {initialState} from '../../source/screen/board.js';
import {deskOf} from '../../source/screen/desk.js';
import {liveSources} from '../../source/watch.js';
import {renderApp} from '../helpers/render-app.js';
import {externalServer, freePort, Sessions, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {defaultThresholds} from '../helpers/snapshots.js';
import {assertOneLineFailure, ensureBuilt, runCli} from './helpers.js';

const external = externalServer();
const skip = external ? false : 'LIFEGUARD_TEST_DATABASE_URL is not set: two servers need the machine\'s PostgreSQL besides the embedded one';

type ServersJson = {
	targets: string[];
	server: {version: string} | null;
	servers: Array<{name: string; target: string; level: string; error: string | null; version?: string; connections?: number; usableConnections?: number}>;
	findings: Array<{code: string; server: string | null; message: string}>;
};

describe('two real servers at once', {skip}, () => {
	let embedded: TestServer;
	// Each server gets sessions only it has, so a list can only show them if it reads that server.
	const tag = `s${randomBytes(2).toString('hex')}`;
	let onEmbedded: Sessions;
	let onExternal: Sessions;

	before(async () => {
		ensureBuilt();
		// 20 slots, 3 reserved: 17 usable, so 16 idle sessions make it critical.
		embedded = await startEmbeddedPostgres({maxConnections: 20, superuserReserved: 3});
		onEmbedded = new Sessions(embedded.url);
		onExternal = new Sessions(external!.url);
		await onEmbedded.open(`${tag}-on18`);
		await onExternal.open(`${tag}-on15`);
	});

	after(async () => {
		await onEmbedded?.closeAll();
		await onExternal?.closeAll();
		await embedded?.stop();
	});

	test('--json: targets, and servers[] with each server\'s own version and counts; no password anywhere', async () => {
		const result = await runCli(['--json', '--db', `new=${embedded.url}`, '--db', `old=${external!.url}`]);
		assert.equal(result.code, 0, result.stderr);
		assert.doesNotMatch(result.stdout, new RegExp(embedded.password));
		const json = JSON.parse(result.stdout) as ServersJson;
		assert.deepEqual(json.targets, ['new', 'old']);
		assert.deepEqual(json.servers.map(server => [server.name, server.version?.split('.')[0], server.error]), [['new', '18', null], ['old', '15', null]]);
		assert.equal(json.servers[0]!.usableConnections, 17);
		assert.match(json.servers[0]!.target, /^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres$/);
		// `server` stays the first server's, as for one target.
		assert.equal(json.server?.version.split('.')[0], '18');
	});

	test('check reports the worst server by name; a server that is down makes it UNKNOWN, naming it', async () => {
		const filler = new Sessions(embedded.url);
		try {
			for (let index = 0; index < 15; index++) {
				await filler.open(`${tag}-fill-${index}`);
			}

			const full = await runCli(['check', '--db', `new=${embedded.url}`, '--db', `old=${external!.url}`]);
			assert.equal(full.code, 2, full.stdout);
			assert.match(full.stdout, /^LIFEGUARD CRITICAL - new: Server at \d+% of usable connections \(1[67]\/17\).*; old (OK|WARNING) \| .*'new_connections'=1[67];.*'old_connections'=\d+;/);
		} finally {
			await filler.closeAll();
		}

		const port = await freePort();
		const down = await runCli(['check', '--db', `old=${external!.url}`, '--db', `gone=postgres://postgres@127.0.0.1:${port}/postgres`]);
		assert.equal(down.code, 3, down.stdout);
		assert.match(down.stdout, new RegExp(`^LIFEGUARD UNKNOWN - gone: cannot connect to postgres://postgres@127\\.0\\.0\\.1:${port}/postgres: .*; old (OK|WARNING)`));
		const json = await runCli(['--json', '--db', `old=${external!.url}`, '--db', `gone=postgres://postgres@127.0.0.1:${port}/postgres`]);
		assert.equal(json.code, 1, 'partial data: the script must know a server was not read');
		const parsed = JSON.parse(json.stdout) as ServersJson;
		assert.deepEqual(parsed.servers.map(server => [server.name, server.level, server.error === null]), [['old', 'ok', true], ['gone', 'unknown', false]]);
	});

	test('the live screen: Tab shows the other server\'s sessions; a server that drops does not stop the other', async () => {
		const open = async (url: string) => {
			const target = resolveTarget(url, {HOME: '/nonexistent'});
			return createPostgresSource(target, await openMonitorClient(target), () => Date.now());
		};

		const sources: PostgresSource[] = [await open(embedded.url), await open(external!.url)];
		const boards = sources.map(() => initialState(defaultThresholds, {hasServers: true}));
		const app = await renderApp({
			columns: 120,
			rows: 40,
			desk: deskOf(boards, ['new', 'old']),
			targets: ['postgres://postgres:***@127.0.0.1/new', 'postgres://postgres:***@127.0.0.1/old'],
			...liveSources(sources, []),
			ready: new RegExp(`${tag}-on18`),
		});
		try {
			assert.match(app.frame(), /PID .*▸ new$/m);
			assert.doesNotMatch(app.frame(), new RegExp(`${tag}-on15`));
			const switched = await app.press('\t', new RegExp(`${tag}-on15`));
			assert.match(switched, /PID .*▸ old$/m);
			assert.doesNotMatch(switched, new RegExp(`${tag}-on18`));
			assert.match(switched, /^ new +\[.*\] \d+\/17 /m);

			await embedded.stop();
			await app.waitFor(/^ new +DISCONNECTED, retrying/m, 'the stopped server shown down');
			// The other server still refreshes: a session that connects now appears in its list.
			await onExternal.open(`${tag}-later`);
			await app.waitFor(new RegExp(`${tag}-later`), 'a new session on the server that stayed up');
		} finally {
			app.close();
			await Promise.all(sources.map(async source => source.close()));
		}
	});
});

test('several servers and none answers: one line naming each, exit 1 (the plain summary and --json alike)', async () => {
	ensureBuilt();
	const [first, second] = [await freePort(), await freePort()];
	for (const mode of [[], ['--json']]) {
		const result = await runCli([...mode, '--db', `a=postgres://u:hunter2@127.0.0.1:${first}/x`, '--db', `b=postgres://u@127.0.0.1:${second}/x`]);
		assertOneLineFailure(result, 1, new RegExp(`^lifeguard: no server answered: a: cannot connect to postgres://u:\\*\\*\\*@127\\.0\\.0\\.1:${first}/x: .*; b: cannot connect to postgres://u@127\\.0\\.0\\.1:${second}/x: `));
		assert.doesNotMatch(result.stderr + result.stdout, /hunter2/);
	}
});
