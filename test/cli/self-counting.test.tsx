// lifeguard's own connections are shown apart, never in the usage or the consumers, in every output:
// on a real server whose usable slots are full, with another lifeguard screen connected (in a reserved
// slot, as a superuser's is), `--json` and a frame drawn from a real poll tell the same numbers.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {renderToString} from 'ink';
import {createPostgresSource} from '../../source/collectors/postgres-activity.js';
import {openMonitorClient} from '../../source/connection/monitor-client.js';
import {resolveTarget} from '../../source/connection/target.js';
import {initialState} from '../../source/screen/board.js';
import {deskOf, updateDesk} from '../../source/screen/desk.js';
import {deskLines} from '../../source/ui/components/dashboard.js';
import {Lines} from '../../source/ui/lines.js';
import {ThemeContext} from '../../source/ui/theme.js';
import {pollUntil, Sessions, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {defaultThresholds} from '../helpers/snapshots.js';
import {ensureBuilt, runCli} from './helpers.js';

type JsonServer = {connections: number; ownConnections: number; usableConnections: number; freeConnections: number; usedRatio: number; states: Record<string, number>; hidden: number; selfPid: number};
type JsonOutput = {server: JsonServer; sessions: Array<{pid: number; application: string}>; findings: Array<{code: string; message: string}>};

// max_connections 8 with 3 reserved: 5 usable. 5 report-job connections fill them; another lifeguard
// screen and the one under test take reserved slots (they connect as the superuser postgres).
const JOBS = 5;

describe('lifeguard\'s own connections on a full server', () => {
	let server: TestServer | undefined;
	const sessions: Sessions[] = [];
	let screenPid = 0;

	before(async () => {
		ensureBuilt();
		server = await startEmbeddedPostgres({maxConnections: 8, superuserReserved: 3});
		const jobs = new Sessions(server.url);
		sessions.push(jobs);
		for (let index = 0; index < JOBS; index++) {
			await jobs.open('report-job');
		}

		const screen = new Sessions(server.url);
		sessions.push(screen);
		screenPid = (await screen.open('lifeguard')).pid;
	});

	after(async () => {
		await Promise.all(sessions.map(async each => each.closeAll()));
		await server?.stop();
	});

	test('--json: the usage is the jobs\', lifeguard\'s two connections apart, logins refused, no lifeguard consumer', async () => {
		// The helpers' setup sessions leave asynchronously: wait until only ours are there.
		const json = await pollUntil(async () => {
			const result = await runCli(['--json', '--db', server!.url]);
			assert.equal(result.code, 0, result.stderr);
			const parsed = JSON.parse(result.stdout) as JsonOutput;
			return parsed.server.connections === JOBS && parsed.server.ownConnections === 2 ? parsed : undefined;
		}, {timeoutMs: 15_000, everyMs: 200, what: `${JOBS} job connections and 2 of lifeguard's`});
		const {server: s} = json;
		assert.equal(s.usableConnections, 5);
		assert.equal(s.freeConnections, 0);
		assert.equal(s.usedRatio, 1);
		assert.equal(s.connections, Object.values(s.states).reduce((sum, count) => sum + count, 0) + s.hidden);
		assert.ok(!json.sessions.some(session => session.pid === screenPid || session.pid === s.selfPid), 'a lifeguard session is listed');
		const saturated = json.findings.find(finding => finding.code === 'server-saturated');
		assert.ok(saturated, JSON.stringify(json.findings));
		assert.match(saturated.message, /^Server at 100% of usable connections \(5\/5\); new connections are being refused: remaining slots are reserved\. Top consumers report-job 5 \(5 idle\); by user postgres 5\./);
		assert.doesNotMatch(saturated.message, /lifeguard/);
	});

	test('the live screen\'s frame from a real poll: the same numbers, lifeguard apart in every line', async () => {
		const target = resolveTarget(server!.url, {HOME: '/nonexistent'});
		const source = createPostgresSource(target, await openMonitorClient(target), () => Date.now());
		try {
			const reading = await pollUntil(async () => {
				const candidate = await source.poll();
				return candidate.ok && candidate.snapshot.connections === JOBS && candidate.snapshot.ownConnections === 2 ? candidate : undefined;
			}, {timeoutMs: 10_000, everyMs: 100, what: 'the poll to settle'});
			const desk = updateDesk(deskOf([initialState(defaultThresholds)]), {type: 'server-polled', server: 0, reading, atMs: Date.now()}).desk;
			const frame = renderToString(
				<ThemeContext.Provider value={{isColor: false}}>
					<Lines lines={deskLines({desk, targets: ['postgres://postgres:***@127.0.0.1/postgres'], columns: 120, rows: 40})} width={120}/>
				</ThemeContext.Provider>,
				{columns: 120},
			);
			assert.match(frame, /^Server +\[[^\]]+] 5\/5 100% {2}free 0 {2}CRIT/m, frame);
			assert.match(frame, /▪ lifeguard 2 /, frame);
			assert.match(frame, /^Apps +report-job 5 \(5 idle\) *$/m, frame);
			assert.match(frame, /^Users +postgres 5 {3}DBs postgres 5 *$/m, frame);
			assert.match(frame.replaceAll(/\s*\n\s*/g, ' '), /new connections are being refused: remaining slots are reserved/, frame);
			assert.doesNotMatch(frame, /^ +\d+ +postgres +lifeguard/m, 'a lifeguard session in the list');
		} finally {
			await source.close();
		}
	});
});
