// Several servers on one screen: readings and keys reach the right board, effects name their server,
// the pause holds for all, and the banner names each finding's server.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {initialState} from '../../source/screen/board.js';
import {type Desk, deskFindings, deskOf, type DeskStep, updateDesk} from '../../source/screen/desk.js';
import {findingText, subjectKey} from '../../source/judge/subject.js';
import {bannerView} from '../../source/ui/components/findings-banner.js';
import {render} from 'ink-testing-library';
import {renderTimeline} from '../../source/output/timeline.js';
import {deskLines, deskListRows} from '../../source/ui/components/dashboard.js';
import {Lines} from '../../source/ui/lines.js';
import {baseTimeMs, command, defaultThresholds, poolStatus, serverSnapshot, session, typed} from '../helpers/snapshots.js';
import type {Command} from '../../source/keys/bindings.js';

function twoServers(): Desk {
	const board = () => initialState(defaultThresholds, {hasServers: true, idleAfterSeconds: 0});
	return deskOf([board(), board()], ['primary', 'replica']);
}

function polled(desk: Desk, server: number, connections: number, pid: number, atMs = baseTimeMs): DeskStep {
	const snapshot = serverSnapshot({takenAtMs: atMs, connections, states: {idle: connections - 1}, sessions: [session({pid, state: 'idle', stateSeconds: 600, backendStartMicros: `${pid}000`})]});
	return updateDesk(desk, {type: 'server-polled', server, reading: {ok: true, snapshot, isReconnected: false}, atMs});
}

/** The frame as the terminal shows it (Ink cuts long lines). */
function screen(desk: Desk): string {
	const lines = deskLines({desk, targets: ['postgres://u:***@p:5432/app', 'postgres://u:***@r:5432/app'], columns: 80, rows: 24});
	const instance = render(<Lines lines={lines} width={80}/>);
	const text = instance.lastFrame() ?? '';
	instance.unmount();
	return text;
}

/** A command on the desk, as the key edge sends it (test/ui/key-edge.test.ts has the keys). */
function send(desk: Desk, name: Command): DeskStep {
	return updateDesk(desk, command(name, {atMs: baseTimeMs + 1000}));
}

describe('a desk of several servers', () => {
	test('each reading lands on its own server; the list shows the selected one', () => {
		let desk = polled(twoServers(), 0, 13, 101).desk;
		desk = polled(desk, 1, 96, 202).desk;
		assert.equal(desk.boards[0]!.server?.connections, 13);
		assert.equal(desk.boards[1]!.server?.connections, 96);
		assert.equal(desk.boards[0]!.selectedPid, 101);
		assert.equal(desk.boards[1]!.selectedPid, 202);
		assert.equal(desk.selected, 0);
	});

	test('next-server and previous-server switch, wrapping around', () => {
		const desk = polled(polled(twoServers(), 0, 13, 101).desk, 1, 20, 202).desk;
		assert.equal(send(desk, 'next-server').desk.selected, 1);
		assert.equal(send(send(desk, 'next-server').desk, 'next-server').desk.selected, 0);
		assert.equal(send(desk, 'previous-server').desk.selected, 1);
	});

	test('Enter opens the pools where they are judged, on the first server, from whichever server is shown', () => {
		let desk = polled(polled(twoServers(), 0, 13, 101).desk, 1, 20, 202).desk;
		desk = updateDesk(desk, {type: 'pool-polled', endpoint: {id: 'endpoint-api', name: 'api', url: 'http://10.0.0.7:9090/metrics', maskedUrl: 'http://10.0.0.7:9090/metrics', kind: 'http', forcedFormat: null}, reading: {ok: true, format: 'prometheus', pools: [poolStatus().metrics!]}, atMs: baseTimeMs}).desk;
		desk = send(desk, 'next-server').desk;
		const opened = send(desk, 'pools').desk;
		assert.equal(opened.selected, 0);
		assert.equal(opened.boards[0]!.mode.kind, 'pools');
		assert.equal(opened.boards[1]!.mode.kind, 'list');
	});

	test('a lone server stays selected', () => {
		const lone = deskOf([initialState(defaultThresholds)]);
		assert.equal(send(lone, 'next-server').desk.selected, 0);
	});

	test('keys act on the selected server only: t confirms the replica\'s session, and the signal goes to the replica', () => {
		let desk = polled(polled(twoServers(), 0, 13, 101).desk, 1, 20, 202).desk;
		desk = send(desk, 'next-server').desk;
		desk = send(desk, 'terminate').desk;
		assert.equal(desk.boards[1]!.mode.kind, 'confirm');
		assert.equal(desk.boards[0]!.mode.kind, 'list');
		const step = send(desk, 'confirm');
		const signal = step.effects.find(effect => effect.type === 'signal');
		assert.deepEqual(signal && {server: signal.server, pids: signal.targets.map(target => target.pid)}, {server: 1, pids: [202]});
		const finished = updateDesk(step.desk, {type: 'signal-finished', server: 1, action: 'terminate', results: [{pid: 202, user: 'app', application: 'api', state: 'idle', outcome: 'terminated', detail: ''}], atMs: baseTimeMs + 2000});
		const log = finished.effects.find(effect => effect.type === 'log');
		assert.equal(log?.type === 'log' && log.event.server, 'replica');
		assert.deepEqual(finished.effects.find(effect => effect.type === 'refresh'), {type: 'refresh', server: 1});
	});

	test('p pauses every server at once, and resumes them together', () => {
		let desk = polled(polled(twoServers(), 0, 13, 101).desk, 1, 20, 202).desk;
		desk = send(desk, 'pause').desk;
		assert.deepEqual(desk.boards.map(board => board.isPaused), [true, true]);
		// A reading while paused changes the live picture, not the shown one.
		const paused = polled(desk, 1, 90, 202, baseTimeMs + 5000).desk;
		assert.equal(paused.boards[1]!.shown.server?.connections, 20);
		assert.equal(paused.boards[1]!.watch.live.server?.connections, 90);
		const resumed = send(send(paused, 'next-server').desk, 'pause').desk;
		assert.deepEqual(resumed.boards.map(board => board.isPaused), [false, false]);
		assert.equal(resumed.boards[1]!.shown.server?.connections, 90);
	});

	test('level changes are logged with the name of their server; pools go to the first server', () => {
		const step = polled(twoServers(), 1, 96, 202);
		const level = step.effects.find(effect => effect.type === 'log' && effect.event.type === 'level');
		assert.equal(level?.type === 'log' && level.event.server, 'replica');
		const pooled = updateDesk(step.desk, {type: 'pool-polled', endpoint: {id: 'endpoint-api', name: 'api', url: 'http://10.0.0.7:9090/metrics', maskedUrl: 'http://10.0.0.7:9090/metrics', kind: 'http', forcedFormat: null}, reading: {ok: true, format: 'prometheus', pools: [poolStatus().metrics!]}, atMs: baseTimeMs});
		assert.equal(pooled.desk.boards[0]!.watch.pools.length, 1);
		assert.equal(pooled.desk.boards[1]!.watch.pools.length, 0);
	});

	test('a flag holds every server\'s slots and open findings, and the timeline shows them', () => {
		let desk = polled(twoServers(), 0, 13, 101).desk;
		desk = polled(desk, 1, 96, 202).desk;
		desk = send(desk, 'flag').desk;
		desk = updateDesk(desk, typed('replica full')).desk;
		const step = updateDesk(desk, command('submit', {atMs: baseTimeMs + 2000}));
		const flag = step.effects.find(effect => effect.type === 'log' && effect.event.type === 'flag');
		assert.ok(flag?.type === 'log' && flag.event.type === 'flag');
		assert.deepEqual(flag.event.numbers.servers, [{name: 'primary', used: 13, usable: 97}, {name: 'replica', used: 96, usable: 97}]);
		assert.ok(flag.event.findings.some(finding => finding.level === 'critical' && finding.server === 'replica' && typeof finding.subject === 'object' && finding.subject.kind === 'server'));
		const {markdown} = renderTimeline(JSON.stringify(flag.event));
		assert.match(markdown, /primary: Flag: "replica full" \(primary 13\/97, replica 96\/97\); open findings: server-saturated \(replica: server\)/);
	});

	test('q and a hang-up both log quit with every server\'s open findings, then quit; the timeline lists them', () => {
		let desk = polled(twoServers(), 0, 13, 101).desk;
		desk = polled(desk, 1, 96, 202).desk;
		const quitting = [send(desk, 'quit'), updateDesk(desk, {type: 'hung-up', atMs: baseTimeMs + 1000})];
		for (const step of quitting) {
			assert.deepEqual(step.effects.map(effect => effect.type), ['log', 'quit']);
			const [log] = step.effects;
			assert.ok(log?.type === 'log' && log.event.type === 'quit');
			// The whole screen stopped: the line names no one server, its findings name theirs.
			assert.equal(log.event.server, undefined);
			assert.equal(log.event.at, '2025-03-14T12:00:01.000Z');
			assert.deepEqual(log.event.findings?.[0], {code: 'server-saturated', level: 'critical', subject: {kind: 'server'}, server: 'replica'});
			assert.ok(log.event.findings.every(finding => finding.server === 'primary' || finding.server === 'replica'), JSON.stringify(log.event.findings));
			assert.match(renderTimeline(JSON.stringify(log.event)).markdown, /Stopped watching; still open: server-saturated \(replica: server\)/);
		}
	});

	test('a lone server\'s quit lists its open findings too', () => {
		const lone = deskOf([initialState(defaultThresholds)]);
		const step = updateDesk(polled(lone, 0, 96, 101).desk, {type: 'hung-up', atMs: baseTimeMs + 1000});
		const [log] = step.effects;
		assert.ok(log?.type === 'log' && log.event.type === 'quit');
		assert.deepEqual(log.event.findings?.[0], {code: 'server-saturated', level: 'critical', subject: {kind: 'server'}});
	});

	test('the banner holds every server\'s findings, worst first, each naming its server', () => {
		let desk = polled(twoServers(), 0, 80, 101).desk;
		desk = polled(desk, 1, 96, 202).desk;
		const {findings, alarms} = deskFindings(desk);
		assert.deepEqual([findings[0]!.level, findings[0]!.server], ['critical', 'replica']);
		assert.ok(findings.some(finding => finding.level === 'warning' && finding.code === 'server-saturated' && finding.server === 'primary'));
		// The words name the server once, in front: the message itself names none.
		assert.ok(findings.every(finding => findingText(finding) === `${finding.server}: ${finding.message}` && !/^(primary|replica): /.test(finding.message)));
		// The banner finds when each began, under its server's key.
		assert.ok(findings.every(finding => alarms[subjectKey(finding.subject, finding.server)] !== undefined));
		const banner = bannerView({findings, alarms, maxLines: 4, width: 120}).map(line => line.spans.map(part => part.text).join('')).join('\n');
		assert.match(banner, /^ CRIT {2}since \d\d:\d\d:\d\d replica: Server at 99%/m);
		assert.match(banner, /^ WARN {2}since \d\d:\d\d:\d\d primary: Server at 82%/m);
	});

	test('PgDn moves by the rows the servers panel leaves the list', () => {
		let desk = polled(twoServers(), 0, 13, 101).desk;
		const sessions = Array.from({length: 40}, (_, index) => session({pid: 500 + index, state: 'idle', stateSeconds: 600 - index, backendStartMicros: String(index)}));
		desk = updateDesk(desk, {type: 'server-polled', server: 1, reading: {ok: true, snapshot: serverSnapshot({connections: 41, states: {idle: 40}, sessions}), isReconnected: false}, atMs: baseTimeMs}).desk;
		desk = send(desk, 'next-server').desk;
		const rows = deskListRows(desk, 80, 24);
		const shown = screen(desk).split('\n').filter(line => /^[> ] +5\d\d /.test(line)).length;
		assert.equal(rows, shown);
		// Less than one server's frame would give: the panel's extra line comes out of the list.
		assert.equal(rows, deskListRows(deskOf([desk.boards[1]!]), 80, 24) - 1);
	});

	test('the frame at 80×24: one line per server with its own numbers, the selected one marked, its name beside the list', () => {
		let desk = polled(twoServers(), 0, 13, 101).desk;
		desk = polled(desk, 1, 96, 202).desk;
		assert.match(screen(desk), /CRIT .*replica: Server at 99%/);
		desk = updateDesk(desk, {type: 'server-polled', server: 1, reading: {ok: false, error: 'cannot connect to postgres://u:***@r:5432/app: connection refused', isDisconnected: true}, atMs: baseTimeMs + 1000}).desk;
		const text = screen(desk);
		const lines = text.split('\n');
		assert.equal(lines.length, 23);
		assert.ok(lines.every(line => line.length <= 80));
		assert.match(text, /^▸primary \[.*\] 13\/97 13%/m);
		assert.match(text, /^ replica DISCONNECTED, retrying: cannot connect/m);
		// The banner says so too, with why: the war room reads the banner first.
		assert.match(text.replaceAll('\n', ' '), /WARN .*replica: cannot be read \(cannot connect to +postgres:\/\/u:\*\*\*@r:5432\/app: connection refused\); retrying/);
		assert.match(text, /PID .*▸ primary$/m);
		const switched = screen(send(desk, 'next-server').desk);
		assert.match(switched, /PID .*▸ replica$/m);
		assert.match(switched, /^ primary \[/m);
	});
});
