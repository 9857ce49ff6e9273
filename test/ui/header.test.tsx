// The header's states hold together: a paused operator whose server drops (or whose poll fails) must
// still read that the frame is frozen, at 80 columns, with one server or several.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {renderToString} from 'ink';
import {initialState} from '../../source/screen/board.js';
import {type Desk, deskOf, updateDesk} from '../../source/screen/desk.js';
import {pressed} from '../../source/ui/key-edge.js';
import type {ServerReading} from '../../source/readings/types.js';
import {cellWidth} from '../../source/text/width.js';
import {deskLines} from '../../source/ui/components/dashboard.js';
import {headerView, type HeaderProps} from '../../source/ui/components/header.js';
import {Lines} from '../../source/ui/lines.js';
import {ThemeContext} from '../../source/ui/theme.js';
import {baseTimeMs, defaultThresholds, keyPress, serverSnapshot} from '../helpers/snapshots.js';

const PAUSED = 'PAUSED (p resumes)';
const DISCONNECTED = 'DISCONNECTED, retrying';
const longTarget = 'postgres://monitoring_readonly:***@orders-primary.prod.eu-west-1.example.internal:5432/orders';

function firstLine(lines: Parameters<typeof Lines>[0]['lines'], columns: number): string {
	return renderToString(<ThemeContext.Provider value={{isColor: false}}><Lines lines={lines} width={columns}/></ThemeContext.Provider>, {columns}).split('\n')[0]!;
}

const header = (props: Partial<HeaderProps>) => headerView({target: longTarget, version: '16.4', takenAtMs: baseTimeMs, nowMs: baseTimeMs + 30_000, isPaused: false, error: null, isDisconnected: false, ...props});

describe('the header says every state that holds', () => {
	const cases: Array<{name: string; props: Partial<HeaderProps>; shows: string[]; hides: string[]}> = [
		{name: 'paused', props: {isPaused: true}, shows: [PAUSED, 'data from 12:00:00'], hides: ['STALE', 'DISCONNECTED', 'updated']},
		{name: 'disconnected', props: {isDisconnected: true, error: 'connection refused'}, shows: [DISCONNECTED], hides: ['PAUSED', 'STALE']},
		{name: 'a poll failed', props: {error: 'statement timeout'}, shows: ['STALE'], hides: ['PAUSED', 'DISCONNECTED']},
		{name: 'paused and disconnected', props: {isPaused: true, isDisconnected: true, error: 'connection refused'}, shows: ['PAUSED', DISCONNECTED, 'data from 12:00:00'], hides: ['STALE']},
		{name: 'paused and a poll failed', props: {isPaused: true, error: 'statement timeout'}, shows: ['PAUSED', 'STALE', 'data from 12:00:00'], hides: ['DISCONNECTED']},
	];
	for (const {name, props, shows, hides} of cases) {
		test(`${name}: at 80 columns the states show whole and the target is what gets cut`, () => {
			const line = firstLine(header(props), 80);
			assert.ok(cellWidth(line) <= 80, line);
			assert.match(line, /^lifeguard /);
			let from = 0;
			for (const state of shows) {
				const at = line.indexOf(state, from);
				assert.ok(at >= 0, `"${state}" missing or cut in: ${line}`);
				from = at + state.length;
			}

			for (const state of hides) {
				assert.ok(!line.includes(state), `"${state}" does not hold, yet: ${line}`);
			}

			assert.match(line, / {2}postg\S*…$/, 'the target is cut, not the status');
		});
	}
});

describe('paused, then the server drops: the frame says both', () => {
	const good = (atMs: number): ServerReading => ({ok: true, isReconnected: false, snapshot: serverSnapshot({takenAtMs: atMs})});
	const dropped: ServerReading = {ok: false, error: 'cannot connect to postgres://u:***@db:5432/app: connection refused', isDisconnected: true};
	const key = (desk: Desk, input: string) => pressed(desk, input, keyPress(), {atMs: baseTimeMs + 1000, pageRows: 10}).desk;
	const screen = (desk: Desk) => renderToString(
		<ThemeContext.Provider value={{isColor: false}}>
			<Lines lines={deskLines({desk, targets: desk.boards.map(() => longTarget), columns: 80, rows: 24})} width={80}/>
		</ThemeContext.Provider>,
		{columns: 80},
	);

	test('one server: PAUSED and DISCONNECTED on the header line, whole, at 80×24', () => {
		let desk = deskOf([initialState(defaultThresholds)]);
		desk = updateDesk(desk, {type: 'server-polled', server: 0, reading: good(baseTimeMs), atMs: baseTimeMs}).desk;
		desk = key(desk, 'p');
		desk = updateDesk(desk, {type: 'server-polled', server: 0, reading: dropped, atMs: baseTimeMs + 2000}).desk;
		const top = screen(desk).split('\n')[0]!;
		assert.match(top, /^lifeguard +PAUSED +DISCONNECTED, retrying +PG 16\.4 +data from 12:00:00 /);
		assert.ok(cellWidth(top) <= 80, top);
		// Resumed, only the disconnection is left.
		assert.match(screen(key(desk, 'p')).split('\n')[0]!, /^lifeguard +DISCONNECTED, retrying /);
	});

	test('several servers: the pause shows whichever server is selected; the selected one\'s drop beside it', () => {
		const board = () => initialState(defaultThresholds, {hasServers: true});
		let desk = deskOf([board(), board()], ['primary', 'replica']);
		for (const server of [0, 1]) {
			desk = updateDesk(desk, {type: 'server-polled', server, reading: good(baseTimeMs), atMs: baseTimeMs}).desk;
		}

		desk = key(desk, 'p');
		desk = updateDesk(desk, {type: 'server-polled', server: 1, reading: dropped, atMs: baseTimeMs + 2000}).desk;
		const onPrimary = screen(desk);
		assert.match(onPrimary.split('\n')[0]!, /^lifeguard +PAUSED \(p resumes\) +PG /, 'the primary is fine: paused only');
		assert.match(onPrimary, /^ replica DISCONNECTED, retrying/m, 'the servers panel says the replica is down');
		const onReplica = screen(key(desk, ']'));
		assert.match(onReplica.split('\n')[0]!, /^lifeguard +PAUSED +DISCONNECTED, retrying +PG 16\.4 +data from 12:00:00 /);
	});
});
