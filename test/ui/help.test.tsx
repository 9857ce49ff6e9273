// The help (`?`) at the sizes it is read at: 80×24 over SSH, 120×40 and 160×45 on a shared screen.
// Every listed key must show with what it does, whole, however crowded the frame above it is.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {renderToString} from 'ink';
import {type Binding, listedBindings} from '../../source/keys/bindings.js';
import {type DashboardAction, type DashboardState, initialState, type InitialOptions, reduce} from '../../source/screen/board.js';
import {type Desk, deskOf, updateDesk} from '../../source/screen/desk.js';
import type {ServerReading} from '../../source/readings/types.js';
import {cellWidth} from '../../source/text/width.js';
import {deskLines} from '../../source/ui/components/dashboard.js';
import {Lines} from '../../source/ui/lines.js';
import {ThemeContext} from '../../source/ui/theme.js';
import {renderApp} from '../helpers/render-app.js';
import {baseTimeMs, command, defaultThresholds, poolStatus, serverSnapshot, session} from '../helpers/snapshots.js';

const ESC = '\u001B';
/** `?`, as the key edge sends it. */
const help = command('help', {atMs: baseTimeMs + 1000, pageRows: 5});
const healthy = (atMs = baseTimeMs): ServerReading => ({ok: true, isReconnected: false, snapshot: serverSnapshot({takenAtMs: atMs})});
const dropped: ServerReading = {ok: false, error: 'cannot connect to postgres://u:***@db:5432/app: connection refused', isDisconnected: true};

/** A quiet frame: one healthy reading, no findings, no pools. */
function quiet(options: InitialOptions): DashboardState {
	return [{type: 'server-polled', reading: healthy(), atMs: baseTimeMs} as DashboardAction, help].reduce(reduce, initialState(defaultThresholds, options));
}

/** The most crowded frame: a full server, four queueing pools, then the connection lost (the header's error line). */
function crowded(options: InitialOptions): DashboardState {
	const pools = ['api', 'worker', 'billing', 'search'].map((name, index) => poolStatus({name, endpoint: `http://10.0.0.${index}:9090/metrics`, metrics: {max: 10, open: 10, active: 10, idle: 0, waiting: 5 + index, oldestWaitSeconds: 2}}));
	const actions: DashboardAction[] = [
		{type: 'server-polled', reading: {ok: true, isReconnected: false, snapshot: serverSnapshot({connections: 96, states: {active: 40, idle: 50, idleInTransaction: 6}, lockWaiting: 3, sessions: [session({pid: 1, state: 'idle in transaction', stateSeconds: 900})]})}, atMs: baseTimeMs},
		...pools.map((pool): DashboardAction => ({type: 'pool-polled', endpoint: {id: pool.endpoint, name: pool.name, url: pool.endpoint, maskedUrl: pool.endpoint, kind: 'http', forcedFormat: null}, reading: {ok: true, format: 'prometheus', pools: [pool.metrics!]}, atMs: baseTimeMs})),
		{type: 'server-polled', reading: dropped, atMs: baseTimeMs + 1000},
		help,
	];
	return actions.reduce(reduce, initialState(defaultThresholds, options));
}

/** Eight servers (the most `--db` takes): the servers panel takes nine lines; one server is down. */
function eightServers(options: InitialOptions): Desk {
	const names = ['primary', 'replica1', 'replica2', 'replica3', 'replica4', 'replica5', 'replica6', 'replica7'];
	let desk = deskOf(names.map(() => initialState(defaultThresholds, {...options, hasServers: true})), names);
	for (const server of names.keys()) {
		desk = updateDesk(desk, {type: 'server-polled', server, reading: server === 3 ? dropped : healthy(), atMs: baseTimeMs}).desk;
	}

	return updateDesk(desk, help).desk;
}

function screen(desk: Desk, columns: number, rows: number): string {
	const targets = desk.boards.map((_board, index) => `postgres://u:***@db${index}:5432/app`);
	return renderToString(
		<ThemeContext.Provider value={{isColor: false}}>
			<Lines lines={deskLines({desk, targets, columns, rows})} width={columns}/>
		</ThemeContext.Provider>,
		{columns},
	);
}

const escaped = (text: string) => text.replaceAll(/[.*+?^${}()|[\]\\/]/g, String.raw`\$&`);

/**
 * The binding's key, two spaces, then its long or its short description, whole: never cut, and a
 * dangerous one says it is disabled in --read-only.
 */
function entryPattern(binding: Binding, isReadOnly: boolean, texts: 'long' | 'long or short'): RegExp {
	const described = texts === 'long' ? escaped(binding.description) : `(?:${escaped(binding.description)}|${escaped(binding.short ?? binding.description)})`;
	const disabled = binding.isDangerous && isReadOnly ? String.raw` \(disabled(?:: read-only)?\)` : '';
	return new RegExp(String.raw`(?:^|\s)${escaped(binding.keys)}  ${described}${disabled}(?:  |$)`, 'm');
}

function assertEveryKey(text: string, options: InitialOptions & {columns: number; rows: number}, texts: 'long' | 'long or short') {
	const lines = text.split('\n');
	assert.equal(lines.length, options.rows - 1, 'rows − 1 lines');
	for (const line of lines) {
		assert.ok(cellWidth(line) <= options.columns, `wider than ${options.columns}: ${line}`);
	}

	assert.doesNotMatch(text, /more: widen|more: enlarge/, 'no key left off');
	for (const binding of listedBindings(Boolean(options.hasPoolControl), Boolean(options.hasServers))) {
		assert.match(text, entryPattern(binding, Boolean(options.isReadOnly), texts), `${binding.keys} (${binding.command}) missing or cut at ${options.columns}×${options.rows}:\n${text}`);
	}

	assert.match(text, /(?:^|  )Esc {2}close/m, 'Esc closes a prompt, a dialog and the help');
}

const variants: InitialOptions[] = [
	{},
	{hasServers: true},
	{hasPoolControl: true},
	{isReadOnly: true},
	{hasServers: true, hasPoolControl: true, isReadOnly: true},
];

describe('the help shows every key and what it does', () => {
	for (const options of variants) {
		const name = JSON.stringify(options);
		test(`80×24 ${name}: every key, its description whole, on a quiet and on a crowded frame`, () => {
			for (const state of [quiet(options), crowded(options)]) {
				assertEveryKey(screen(deskOf([state]), 80, 24), {...options, columns: 80, rows: 24}, 'long or short');
			}
		});
	}

	test('80×24 with eight servers, one down: every key, whole; the header and the status line stay', () => {
		for (const options of [{}, {isReadOnly: true}]) {
			const text = screen(eightServers(options), 80, 24);
			assertEveryKey(text, {...options, hasServers: true, columns: 80, rows: 24}, 'long or short');
			assert.match(text.split('\n')[0]!, /^lifeguard /);
			assert.match(text.split('\n').at(-1)!, /^sort: /);
		}
	});

	for (const [columns, rows] of [[120, 40], [160, 45]] as const) {
		test(`${columns}×${rows}: the long descriptions on a quiet frame, every key whole on a crowded one`, () => {
			for (const options of variants) {
				assertEveryKey(screen(deskOf([quiet(options)]), columns, rows), {...options, columns, rows}, 'long');
				assertEveryKey(screen(deskOf([crowded(options)]), columns, rows), {...options, columns, rows}, 'long or short');
			}
		});
	}

	test('what the frame keeps: on a quiet 80×24 the help fits under the gauge; a crowded one gives up its lower panes first', () => {
		const calm = screen(deskOf([quiet({})]), 80, 24);
		assert.match(calm, /^Server {2}\[/m, 'the gauge stays');
		const busy = screen(deskOf([crowded({})]), 80, 24);
		assert.match(busy, /^lifeguard {2}DISCONNECTED, retrying/m, 'the header stays');
		assert.match(busy, /CRIT .*Pool api has requests waiting/, 'the worst finding stays');
		assert.match(busy, /^Server {2}\[/m, 'the gauge stays');
		assert.doesNotMatch(busy, /^History/m, 'the history strip gives way to the keys');
	});

	test('every listed binding has a short description that fits a half-width column at 80', () => {
		for (const binding of listedBindings(true, true)) {
			assert.ok(cellWidth(binding.short ?? binding.description) <= 26, `${binding.command}: "${binding.short ?? binding.description}" is too long for 80 columns`);
		}
	});
});

describe('the help on the running App at 80×24', () => {
	test('? shows q and f with the rest; Esc closes it, and so does ? again', async () => {
		const poll = async () => healthy(Date.now());
		const app = await renderApp({columns: 80, rows: 24, poll, pools: [], signal: async () => []});
		try {
			const shown = await app.press('?', /(?:^|  )q {2}quit/m);
			assert.match(shown, /(?:^|  )f {2}flag/m);
			assert.match(shown, /(?:^|  )t {2}terminate/m);
			app.stdin.write(ESC);
			await app.waitWithout(/(?:^|  )q {2}quit/m);
			await app.press('?', /(?:^|  )q {2}quit/m);
			app.stdin.write('?');
			await app.waitWithout(/(?:^|  )q {2}quit/m);
		} finally {
			app.close();
		}
	});
});
