// Every word on a frame is true at that moment (issue 26): each test draws a whole frame, at 80×24,
// from readings and keys as the screen gets them, and reads its text.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {renderToString} from 'ink';
import {initialState, type InitialOptions} from '../../source/screen/board.js';
import {type Desk, type DeskAction, type DeskEffect, deskOf, updateDesk} from '../../source/screen/desk.js';
import type {LogEvent} from '../../source/judge/log-events.js';
import type {KeyPress} from '../../source/keys/bindings.js';
import type {PoolEndpoint, PoolMetrics, ServerReading, Session} from '../../source/readings/types.js';
import {deskLines} from '../../source/ui/components/dashboard.js';
import {pressed} from '../../source/ui/key-edge.js';
import {Lines} from '../../source/ui/lines.js';
import {ThemeContext} from '../../source/ui/theme.js';
import {baseTimeMs, defaultThresholds, exposedPool, keyPress, serverSnapshot, session} from '../helpers/snapshots.js';

const target = 'postgres://monitor:***@db:5432/shop';
const at = (seconds: number) => baseTimeMs + (seconds * 1000);

function screen(desk: Desk, columns = 80, rows = 24): string {
	return renderToString(
		<ThemeContext.Provider value={{isColor: false}}>
			<Lines lines={deskLines({desk, targets: [target], columns, rows})} width={columns}/>
		</ThemeContext.Provider>,
		{columns},
	);
}

const lines = (frame: string) => frame.split('\n');
const header = (frame: string) => lines(frame)[0]!;
const statusLine = (frame: string) => lines(frame).at(-1)!;

/** A desk of one server, and the log lines its steps wrote. */
function startDesk(options: InitialOptions = {}) {
	let desk = deskOf([initialState(defaultThresholds, options)]);
	const log: LogEvent[] = [];
	const keep = (effects: DeskEffect[]) => {
		for (const effect of effects) {
			if (effect.type === 'log') {
				log.push(effect.event);
			}
		}
	};

	return {
		log,
		get desk() {
			return desk;
		},
		act(action: DeskAction) {
			const step = updateDesk(desk, action);
			desk = step.desk;
			keep(step.effects);
		},
		key(input: string, atMs: number, key: Partial<KeyPress> = {}) {
			const step = pressed(desk, input, keyPress(key), {atMs, pageRows: 10});
			desk = step.desk;
			keep(step.effects);
		},
	};
}

const good = (atMs: number, overrides: Parameters<typeof serverSnapshot>[0] = {}): ServerReading =>
	({ok: true, isReconnected: false, snapshot: serverSnapshot({takenAtMs: atMs, ...overrides})});
const polled = (atMs: number, overrides: Parameters<typeof serverSnapshot>[0] = {}): DeskAction =>
	({type: 'server-polled', server: 0, reading: good(atMs, overrides), atMs});

const checkout: PoolEndpoint = {id: 'endpoint-checkout', name: 'checkout', url: 'http://127.0.0.1:9/pool.json', maskedUrl: 'http://127.0.0.1:9/pool.json', kind: 'http', forcedFormat: 'json', selector: null, bearerToken: null};
const pool = (atMs: number, metrics: Partial<PoolMetrics>): DeskAction =>
	({type: 'pool-polled', endpoint: checkout, reading: {ok: true, format: 'json', pools: [exposedPool({label: null, max: 5, open: 5, idle: 0, ...metrics})]}, atMs});

/** A server of max_connections 20 (17 usable) whose others hold `used` slots, lifeguard one of its own. */
function twenty(used: number, sessions: Session[] = []): Parameters<typeof serverSnapshot>[0] {
	return {
		maxConnections: 20,
		connections: used,
		ownConnections: 1,
		states: {active: 5, idle: used - 5},
		sessions,
		applications: [{name: 'checkout', connections: 5, idle: 0}, {name: 'report-job', connections: used - 5, idle: used - 5}],
		users: [{name: 'shop', connections: used, limit: null}],
		databases: [{name: 'shop', connections: used, limit: null}],
		clientGroups: [],
	};
}

describe('a held frame says when its data is from, never "just now"', () => {
	test('paused, with newer readings arriving: the header names the moment shown', () => {
		const screenDesk = startDesk();
		screenDesk.act(polled(at(0)));
		screenDesk.key('p', at(1));
		screenDesk.act(polled(at(2)));
		screenDesk.act(polled(at(60)));
		const top = header(screen(screenDesk.desk));
		assert.match(top, /^lifeguard +PAUSED \(p resumes\) +PG 16\.4 +data from 12:00:00 /);
		assert.doesNotMatch(top, /just now|updated/);
	});

	test('paused, then the server dropped: the last data\'s moment, not "just now"', () => {
		const screenDesk = startDesk();
		screenDesk.act(polled(at(0)));
		screenDesk.key('p', at(1));
		screenDesk.act({type: 'server-polled', server: 0, reading: {ok: false, error: 'connection refused', isDisconnected: true}, atMs: at(30)});
		const top = header(screen(screenDesk.desk));
		assert.match(top, /^lifeguard +PAUSED +DISCONNECTED, retrying +PG 16\.4 +data from 12:00:00 /);
		assert.doesNotMatch(top, /just now/);
	});

	test('resumed, the age is an age again', () => {
		const screenDesk = startDesk();
		screenDesk.act(polled(at(0)));
		screenDesk.key('p', at(1));
		screenDesk.key('p', at(2));
		screenDesk.act(polled(at(3)));
		assert.match(header(screen(screenDesk.desk)), / +PG 16\.4 +updated just now /);
	});
});

describe('a finding\'s "since" is when it started, as the log has it', () => {
	test('warning, critical, back to warning: the banner and the gauge say the start the log wrote', () => {
		const screenDesk = startDesk();
		const used = (connections: number) => ({connections, states: {active: 1, idle: connections - 1}, users: [], applications: [], databases: [], clientGroups: []});
		// 80/97 is a warning, 93/97 critical; 85 three times clears the critical (it holds to 90 %).
		for (const [second, connections] of [[0, 10], [1, 80], [2, 93], [3, 85], [4, 85], [5, 85], [6, 85]] as const) {
			screenDesk.act(polled(at(second), used(connections)));
		}

		const levels = screenDesk.log.filter(event => event.type === 'level');
		assert.deepEqual(levels.map(event => event.type === 'level' && `${event.from}→${event.to}`), ['ok→warning', 'warning→critical', 'critical→warning']);
		const started = levels[0]!.at.slice(11, 19);
		assert.equal(started, '12:00:01');
		const frame = screen(screenDesk.desk);
		assert.match(frame, /^ WARN {2}since 12:00:01 Server at 88% of usable connections/m, frame);
		assert.match(frame, /^Server +\[[^\]]+] 85\/97 88% {2}free 12 {2}WARN since 12:00:01/m, frame);
	});
});

describe('a full server says that logins are refused', () => {
	test('free 0 with the reserved slots left: the banner says new connections are being refused', () => {
		const screenDesk = startDesk();
		screenDesk.act(polled(at(0), twenty(17)));
		const frame = screen(screenDesk.desk);
		// The worst finding wraps over its rows at 80 columns: read it as one text.
		assert.match(frame.replaceAll(/\s*\n\s*/g, ' '), / CRIT {2}since 12:00:00 Server at 100% of usable connections \(17\/17\); new connections are being refused: remaining slots are reserved\./, frame);
		// lifeguard's own connection, in a reserved slot, is not the 18th of 17.
		assert.match(frame, /^Server +\[[^\]]+] 17\/17 100% {2}free 0 {2}CRIT/m, frame);
	});

	test('one slot left: nothing is refused yet, and the banner does not say so', () => {
		const screenDesk = startDesk();
		screenDesk.act(polled(at(0), {...twenty(15), ownConnections: 1}));
		const frame = screen(screenDesk.desk);
		assert.match(frame, / 15\/17 88% {2}free 1 /, frame);
		assert.doesNotMatch(frame, /refused/);
	});
});

describe('a dialog\'s frame is one moment', () => {
	test('Terminating…: the gauge and the pools are those of the moment the targets were taken', () => {
		const idle = (pid: number) => session({pid, application: 'report-job', user: 'shop', stateSeconds: 600, backendStartMicros: String(pid)});
		const leaked = [idle(31), idle(32)];
		const screenDesk = startDesk({idleAfterSeconds: 300});
		screenDesk.act(polled(at(0), twenty(17, leaked)));
		screenDesk.act(pool(at(0.5), {active: 5, waiting: 3}));
		screenDesk.key('i', at(1));
		screenDesk.key('t', at(1.1));
		screenDesk.key('y', at(1.2));
		// While the signal runs, the world moves: the server empties, the pool's queue drains.
		screenDesk.act(polled(at(2), twenty(9)));
		screenDesk.act(pool(at(2.5), {active: 1, waiting: 0}));
		const frame = screen(screenDesk.desk);
		assert.match(frame, /Terminating/, frame);
		assert.match(frame, /^Server +\[[^\]]+] 17\/17 100% {2}free 0 /m, frame);
		assert.match(frame, /^Pool {4}CRIT checkout\b.* 5\/5 /m, frame);
		assert.match(header(frame), / +data from 12:00:00 /);
		// The results come: the frame moves to the newest moment.
		screenDesk.act({type: 'signal-finished', server: 0, action: 'terminate', results: leaked.map(each => ({pid: each.pid, user: 'shop', application: 'report-job', state: 'idle', outcome: 'terminated', detail: ''})), atMs: at(3)});
		const after = screen(screenDesk.desk);
		assert.match(after, /^Server +\[[^\]]+] 9\/17 53% /m, after);
		assert.match(after, /^Pool +\S+ checkout +(?:\[[^\]]+] )?1\/5 {2}WAITING 0 /m, after);
		assert.match(statusLine(after), /^Terminated 2 of 2: 31, 32/);
	});
});

describe('every key gets a visible answer, and only its own', () => {
	test('i with nothing idle long enough says so', () => {
		const screenDesk = startDesk({idleAfterSeconds: 300});
		screenDesk.act(polled(at(0), {sessions: [session({pid: 7, stateSeconds: 12})]}));
		screenDesk.key('i', at(1));
		assert.match(statusLine(screen(screenDesk.desk)), /^no session idle for 5 min or more in the list: nothing marked/);
	});

	test('in a filter, it names the filter', () => {
		const screenDesk = startDesk({idleAfterSeconds: 300});
		screenDesk.act(polled(at(0), {sessions: [session({pid: 7, stateSeconds: 12})]}));
		screenDesk.key('/', at(1));
		screenDesk.key('api', at(1.1));
		screenDesk.key('', at(1.2), {return: true});
		screenDesk.key('i', at(2));
		assert.match(statusLine(screen(screenDesk.desk)), /^no session idle for 5 min or more in this filter: nothing marked/);
	});

	test('the next key takes the previous action\'s words off the status line', () => {
		const screenDesk = startDesk({idleAfterSeconds: 300});
		const one = session({pid: 32_155, stateSeconds: 600, backendStartMicros: '32155'});
		screenDesk.act(polled(at(0), {sessions: [one]}));
		screenDesk.key('t', at(1));
		screenDesk.key('y', at(1.1));
		screenDesk.act({type: 'signal-finished', server: 0, action: 'terminate', results: [{pid: 32_155, user: 'app', application: 'api', state: 'idle', outcome: 'terminated', detail: ''}], atMs: at(2)});
		assert.match(statusLine(screen(screenDesk.desk)), /^Terminated 1 of 1: 32155/);
		screenDesk.key('s', at(3));
		const status = statusLine(screen(screenDesk.desk));
		assert.doesNotMatch(status, /Terminated/);
		assert.match(status, /^sort: /);
	});

	test('Esc out of the drill-down takes its words along, and the filter shows again', () => {
		const screenDesk = startDesk();
		screenDesk.act(polled(at(0), {sessions: [session({pid: 7, application: 'checkout'})]}));
		screenDesk.act(pool(at(0.5), {active: 2, waiting: 0}));
		screenDesk.key('/', at(1));
		screenDesk.key('checkout', at(1.1));
		screenDesk.key('', at(1.2), {return: true});
		screenDesk.key('', at(2), {return: true});
		screenDesk.key('', at(2.1), {return: true});
		assert.match(statusLine(screen(screenDesk.desk)), /^checkout: one endpoint's pool, not a fleet/);
		screenDesk.key('', at(3), {escape: true});
		const status = statusLine(screen(screenDesk.desk));
		assert.doesNotMatch(status, /one endpoint's pool/);
		assert.match(status, /filter: "checkout"/);
	});
});

describe('lifeguard\'s own connections are shown apart, never as usage', () => {
	test('the gauge counts others\' connections, the legend names lifeguard\'s, the free count takes both', () => {
		const screenDesk = startDesk();
		screenDesk.act(polled(at(0), {...twenty(12), ownConnections: 2}));
		const frame = screen(screenDesk.desk, 120, 40);
		assert.match(frame, /^Server +\[[^\]]+] 12\/17 71% {2}free 3 /m, frame);
		assert.match(frame, /▪ lifeguard 2 /, frame);
		assert.doesNotMatch(frame, /^Apps .*lifeguard/m);
		assert.match(frame, /^Users +shop 12 /m);
	});
});
