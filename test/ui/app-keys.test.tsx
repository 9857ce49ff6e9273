// Key flows through stdin on the real App and its effect runner, with scripted sources: no database.
// Each key waits for its own effect on screen, never for text that was already there.
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, test} from 'node:test';
import type {SignalKind, SignalResult} from '../../source/readings/signals.js';
import type {ServerReading, Session} from '../../source/readings/types.js';
import {pollUntil} from '../helpers/postgres.js';
import {renderApp} from '../helpers/render-app.js';
import {initialState} from '../../source/screen/board.js';
import {deskOf, updateDesk} from '../../source/screen/desk.js';
import {defaultThresholds, serverSnapshot, session} from '../helpers/snapshots.js';

const ESC = '\u001B';
const ENTER = '\r';
const directory = mkdtempSync(path.join(os.tmpdir(), 'lifeguard-ui-keys-'));
after(() => rmSync(directory, {recursive: true, force: true}));

const sessions: Session[] = [
	session({pid: 201, application: 'checkout', user: 'shop', stateSeconds: 400, backendStartMicros: '201'}),
	session({pid: 202, application: 'checkout', user: 'shop', stateSeconds: 30, backendStartMicros: '202'}),
	session({pid: 203, application: 'reports', user: 'bi', state: 'active', stateSeconds: 12, backendStartMicros: '203', query: 'select * from big'}),
	session({pid: 204, application: 'reports', user: 'bi', state: 'idle in transaction', stateSeconds: 5, backendStartMicros: '204'}),
];

/** A server whose snapshot is whatever the test sets, taken now. */
/** `takenAt`: the clock of the snapshots (a fixed one keeps every sample in one history bucket). */
function scriptedServer(initial: {connections: number; sessions: Session[]}, takenAt: () => number = Date.now) {
	let current = initial;
	let polls = 0;
	return {
		set(next: Partial<typeof initial>) {
			current = {...current, ...next};
		},
		polls: () => polls,
		poll: async (): Promise<ServerReading> => {
			polls++;
			return {ok: true, isReconnected: false, snapshot: serverSnapshot({takenAtMs: takenAt(), connections: current.connections, sessions: current.sessions})};
		},
	};
}

function recordingSignal() {
	const calls: Array<{action: SignalKind; pids: number[]}> = [];
	return {
		calls,
		signal: async (action: SignalKind, targets: Session[]): Promise<SignalResult[]> => {
			calls.push({action, pids: targets.map(target => target.pid)});
			return targets.map(target => ({pid: target.pid, user: target.user, application: target.application, state: target.state, outcome: action === 'terminate' ? 'terminated' : 'cancelled', detail: ''}));
		},
	};
}

const rowPids = (frame: string) => frame.split('\n').flatMap(line => /^[> ][* ]\s+(\d+) /.exec(line)?.[1] ?? []).map(Number);

describe('key flows without a database', () => {
	test('/ filters, Esc clears, s cycles the sort, ? opens and closes the help', async () => {
		const server = scriptedServer({connections: 13, sessions});
		const app = await renderApp({columns: 120, rows: 40, poll: server.poll, pools: [], signal: recordingSignal().signal, ready: /reports/});
		try {
			await app.press('/', /Filter: █/);
			await app.press('reports', /Filter: reports█/);
			const filtered = await app.press(ENTER, /filter: "reports"/);
			assert.deepEqual(rowPids(filtered).sort(), [203, 204]);
			// Esc alone, and its effect seen, before the next key: ESC then s in one chunk is Meta+s.
			app.stdin.write(ESC);
			const cleared = await app.waitWithout(/filter: "reports"/);
			assert.deepEqual(rowPids(cleared).sort(), [201, 202, 203, 204]);
			await app.press('s', /sort: state/);
			await app.press('?', /^Keys/m);
			assert.match(app.frame(), /t {2}terminate the marked \(or selected\) sessions/);
			app.stdin.write('?');
			await app.waitWithout(/^Keys/m);
		} finally {
			app.close();
		}
	});

	test('j moves the selection and it stays on its pid when the rows reorder', async () => {
		const server = scriptedServer({connections: 13, sessions});
		const app = await renderApp({columns: 120, rows: 40, poll: server.poll, pools: [], signal: recordingSignal().signal, ready: /reports/});
		try {
			const selected = () => Number(/^>\s+(\d+)/m.exec(app.frame())?.[1]);
			await app.waitFor(/^>/m);
			assert.equal(selected(), 201);
			app.stdin.write('j');
			await pollUntil(() => selected() === 202, {what: 'selection on 202'});
			// 202 becomes the longest in state: first row. The cursor follows the pid, not the row.
			server.set({sessions: [{...sessions[1]!, stateSeconds: 999}, ...sessions.filter(entry => entry.pid !== 202)]});
			await pollUntil(() => rowPids(app.frame())[0] === 202, {what: 'rows reordered'});
			assert.equal(selected(), 202);
		} finally {
			app.close();
		}
	});

	test('a one-session confirmation names the session; y signals exactly it; the log has the outcome', async () => {
		const logFile = path.join(directory, 'one.jsonl');
		const server = scriptedServer({connections: 13, sessions});
		const recorder = recordingSignal();
		const app = await renderApp({columns: 120, rows: 40, poll: server.poll, pools: [], signal: recorder.signal, logFile, ready: /reports/});
		try {
			await app.press('j', /^>\s+202 /m);
			await app.press('t', /Terminate session pid 202 \(shop \/ checkout \/ idle\)\?/);
			app.stdin.write('x');
			await app.waitWithout(/Terminate session/);
			assert.deepEqual(recorder.calls, [], 'any key but y is No');
			await app.press('t', /Terminate session pid 202/);
			await app.press('y', /Terminated 1 of 1: 202/);
			assert.deepEqual(recorder.calls, [{action: 'terminate', pids: [202]}]);
			const events = readFileSync(logFile, 'utf8').trim().split('\n').map(line => JSON.parse(line) as {type: string; sessions?: unknown});
			assert.deepEqual(events.find(event => event.type === 'terminate')?.sessions, [{pid: 202, user: 'shop', application: 'checkout', state: 'idle', outcome: 'done'}]);
		} finally {
			app.close();
		}
	});

	test('read-only: t says read-only and signals nothing; help shows terminate disabled', async () => {
		const server = scriptedServer({connections: 13, sessions});
		const recorder = recordingSignal();
		const app = await renderApp({columns: 120, rows: 40, poll: server.poll, pools: [], signal: recorder.signal, initial: {isReadOnly: true}, ready: /reports/});
		try {
			await app.press('t', /read-only: terminate is disabled/);
			app.stdin.write('y');
			await app.press('?', /terminate the marked \(or selected\) sessions, after a confirmation that defaults to No \(disabled: read-only\)/);
			assert.deepEqual(recorder.calls, []);
		} finally {
			app.close();
		}
	});

	test('f records a flag with the current numbers; Esc drops one; a paste with Enter is one note', async () => {
		const logFile = path.join(directory, 'flag.jsonl');
		const server = scriptedServer({connections: 42, sessions});
		const app = await renderApp({columns: 120, rows: 40, poll: server.poll, pools: [], signal: recordingSignal().signal, logFile, ready: /reports/});
		try {
			await app.press('f', /Flag note: █/);
			app.stdin.write(ESC);
			await app.waitWithout(/Flag note/);
			await app.press('f', /Flag note: █/);
			await app.press(`bus is full${ENTER}`, /flag just now: "bus is full"/);
			const flags = readFileSync(logFile, 'utf8').trim().split('\n').map(line => JSON.parse(line) as {type: string; note?: string; numbers?: {server: {used: number}}}).filter(event => event.type === 'flag');
			assert.deepEqual(flags.map(flag => [flag.note, flag.numbers?.server.used]), [['bus is full', 42]]);
		} finally {
			app.close();
		}
	});

	test('a log write that fails is shown on screen, and the flag is still taken', async () => {
		const server = scriptedServer({connections: 13, sessions});
		// A disk that fills up while watching, at the flag (openIncidentLog refuses /dev/full at start; its
		// own write failures are tested in test/actions/incident-log.test.ts): what the screen does then.
		const failure = 'Cannot write to the incident log /srv/x.log: no space left on device';
		const app = await renderApp({columns: 120, rows: 40, poll: server.poll, pools: [], signal: recordingSignal().signal, log: event => (event.type === 'flag' ? failure : null), ready: /reports/});
		try {
			await app.press('f', /Flag note: █/);
			await app.press(`disk full${ENTER}`, /Cannot write to the incident log \/srv\/x\.log: no space left on device/);
			assert.match(app.frame(), /flag just now: "disk full"/);
		} finally {
			app.close();
		}
	});

	test('the bell rings once when the server turns critical, and the banner says why', async () => {
		const server = scriptedServer({connections: 13, sessions});
		let rings = 0;
		const app = await renderApp({columns: 120, rows: 40, poll: server.poll, pools: [], signal: recordingSignal().signal, ring: () => rings++, ready: /reports/});
		try {
			server.set({connections: 95});
			await app.waitFor(/CRIT .*Server at 98% of usable connections \(95\/97\)/);
			assert.match(app.frame(), /95\/97 98% {2}free 2 {2}CRIT/);
			await pollUntil(() => rings === 1, {what: 'one ring'});
		} finally {
			app.close();
		}

		assert.equal(rings, 1, 'a level that stays critical does not ring again');
	});

	test('a steady server draws no new frame; a change is drawn at the next poll; paused, nothing is drawn', async () => {
		// One fixed moment: the history strip's 10 s buckets never roll over during the test.
		const startedAt = Date.now();
		const server = scriptedServer({connections: 13, sessions}, () => startedAt);
		const app = await renderApp({columns: 120, rows: 40, poll: server.poll, pools: [], signal: recordingSignal().signal, ready: /reports/, intervalMs: 50});
		try {
			await pollUntil(() => server.polls() >= 5, {what: '5 polls'});
			const drawn = app.frames.length;
			const polled = server.polls();
			await pollUntil(() => server.polls() >= polled + 20, {what: '20 more polls'});
			assert.equal(app.frames.length, drawn, 'twenty identical polls, no frame drawn');
			server.set({connections: 42});
			await app.waitFor(/42\/97 43%/);
			await app.press('p', /PAUSED/);
			const paused = app.frames.length;
			server.set({connections: 90});
			const pausedAt = server.polls();
			await pollUntil(() => server.polls() >= pausedAt + 10, {what: '10 polls while paused'});
			assert.equal(app.frames.length, paused, 'paused: the frame stands still');
			await app.press('p', /90\/97 93%/);
		} finally {
			app.close();
		}
	});

	test('a finding that already holds on the first frame is in the log', async () => {
		const logFile = path.join(directory, 'start.jsonl');
		const server = scriptedServer({connections: 95, sessions});
		const first = updateDesk(deskOf([initialState(defaultThresholds)]), {type: 'server-polled', server: 0, reading: await server.poll(), atMs: Date.now()});
		const app = await renderApp({columns: 120, rows: 40, poll: server.poll, pools: [], signal: recordingSignal().signal, logFile, desk: first.desk, initialEffects: first.effects, ready: /CRIT/});
		try {
			await pollUntil(() => readFileSync(logFile, 'utf8').includes('"type":"level"'), {what: 'the start finding logged'});
			const levels = readFileSync(logFile, 'utf8').trim().split('\n').map(line => JSON.parse(line) as {type: string; subject?: unknown; to?: string; code?: string}).filter(event => event.type === 'level');
			assert.deepEqual(levels.map(event => [event.subject, event.to, event.code]), [[{kind: 'server'}, 'critical', 'server-saturated']]);
		} finally {
			app.close();
		}
	});
});
