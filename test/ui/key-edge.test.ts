// The edge where keys become commands: Ink's (input, key) resolved with the bindings table against
// the selected board's mode, one keystroke at a time, so a chunk of keys typed faster than the
// screen reads them acts as the same keys typed one by one.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import type {KeyPress} from '../../source/keys/bindings.js';
import {initialState, type InitialOptions} from '../../source/screen/board.js';
import {type Desk, type DeskEffect, deskOf, selectedBoard, updateDesk} from '../../source/screen/desk.js';
import {pressed} from '../../source/ui/key-edge.js';
import type {Session} from '../../source/readings/types.js';
import {baseTimeMs, defaultThresholds, keyPress, poolStatus, serverSnapshot, session} from '../helpers/snapshots.js';

const a = session({pid: 1, stateSeconds: 30, user: 'alice', application: 'api'});
const b = session({pid: 2, stateSeconds: 20, user: 'bob', application: 'worker', backendStartMicros: '2'});
const c = session({pid: 3, stateSeconds: 10, user: 'carol', application: 'api', state: 'active', backendStartMicros: '3'});

/** Desk of `count` servers, each polled once with `sessions`. */
function deskWith(sessions: Session[], count = 1, options: InitialOptions = {}): Desk {
	let desk = deskOf(Array.from({length: count}, () => initialState(defaultThresholds, {hasServers: count > 1, ...options})), count > 1 ? ['primary', 'replica', 'reports'].slice(0, count) : undefined);
	for (let server = 0; server < count; server++) {
		desk = updateDesk(desk, {type: 'server-polled', server, reading: {ok: true, snapshot: serverSnapshot({sessions}), isReconnected: false}, atMs: baseTimeMs}).desk;
	}

	return desk;
}

/** Keys in, in order, as Ink delivers them: every effect collected. */
function keys(desk: Desk, ...presses: Array<string | [string, Partial<KeyPress>]>): {desk: Desk; effects: DeskEffect[]} {
	const effects: DeskEffect[] = [];
	for (const each of presses) {
		const [input, key] = typeof each === 'string' ? [each, {}] : each;
		const step = pressed(desk, input, keyPress(key), {atMs: baseTimeMs + 1000, pageRows: 10});
		desk = step.desk;
		effects.push(...step.effects);
	}

	return {desk, effects};
}

const board = (desk: Desk) => selectedBoard(desk);

describe('keys typed faster than the screen reads them', () => {
	test('a chunk typed while starting is a filter, Enter, then t on the filtered list: nothing dropped', () => {
		const state = board(keys(deskWith([a, b, c]), '/worker\rt').desk);
		assert.equal(state.filter, 'worker');
		assert.equal(state.mode.kind, 'confirm');
		assert.deepEqual(state.mode.kind === 'confirm' ? state.mode.targets.map(target => target.pid) : [], [2], 't acts on the filtered row, not the top row');
	});

	test('a note with a correction and Enter in one chunk, then q', () => {
		const {desk, effects} = keys(deskWith([a]), 'f', 'bux\u007Fs full\rq');
		assert.equal(board(desk).lastFlag?.note, 'bus full');
		assert.deepEqual(effects.map(effect => effect.type), ['log', 'log', 'quit']);
	});

	test('the same keys one by one and in one chunk leave the same screen', () => {
		const chunk = keys(deskWith([a, b, c]), '/api\rjs ').desk;
		const oneByOne = keys(deskWith([a, b, c]), '/', 'a', 'p', 'i', ['', {return: true}], 'j', 's', ' ').desk;
		const seen = (desk: Desk) => {
			const {filter, sort, selectedPid, marked, mode} = board(desk);
			return {filter, sort, selectedPid, marked, mode};
		};

		assert.deepEqual(seen(chunk), seen(oneByOne));
		assert.deepEqual(seen(chunk).marked, {3: '3'});
	});
});

describe('keys against the mode they land in', () => {
	test('the confirmation: only y confirms; n, Enter and Esc are No; Ctrl-C quits; nothing while the signal runs', () => {
		const open = keys(deskWith([a]), 't').desk;
		assert.equal(board(open).mode.kind, 'confirm');
		for (const no of ['n', ['', {return: true}], ['', {escape: true}]] as const) {
			const step = keys(open, no as string | [string, Partial<KeyPress>]);
			assert.equal(board(step.desk).mode.kind, 'list', JSON.stringify(no));
			assert.deepEqual(step.effects, []);
		}

		const yes = keys(open, 'y');
		assert.deepEqual(yes.effects.map(effect => effect.type), ['signal']);
		assert.deepEqual(keys(yes.desk, 'q', ['c', {ctrl: true}]).effects, [], 'keys wait for the signal to finish');
		assert.deepEqual(keys(open, ['c', {ctrl: true}]).effects.map(effect => effect.type), ['log', 'quit']);
	});

	test('a modified letter is not the letter: Ctrl-T does not terminate', () => {
		assert.equal(board(keys(deskWith([a]), ['t', {ctrl: true}]).desk).mode.kind, 'list');
	});

	test('read-only: t is refused and says so, nothing opens', () => {
		const {desk, effects} = keys(deskWith([a], 1, {isReadOnly: true}), 't', 'y');
		assert.equal(board(desk).mode.kind, 'list');
		assert.equal(board(desk).notice?.text, 'read-only: terminate is disabled');
		assert.deepEqual(effects, []);
	});
});

describe('several servers', () => {
	test('Tab and ] go to the next server, Shift-Tab and [ to the previous, wrapping; a tab in a chunk too', () => {
		// Three servers: from the first, the next is 1 and the previous (wrapping) is 2, so the two directions differ.
		const desk = deskWith([a], 3);
		assert.equal(keys(desk, ['', {tab: true}]).desk.selected, 1);
		assert.equal(keys(desk, ']').desk.selected, 1);
		assert.equal(keys(desk, ']', ']', ']').desk.selected, 0);
		assert.equal(keys(desk, ['', {tab: true, shift: true}]).desk.selected, 2);
		assert.equal(keys(desk, '[').desk.selected, 2);
		assert.equal(keys(desk, '[', '[').desk.selected, 1);
		assert.equal(keys(desk, '\t').desk.selected, 1);
		assert.equal(keys(desk, ']]').desk.selected, 2, 'two in one chunk');
	});

	test('a lone server has no Tab: the desk is left as it was', () => {
		const lone = deskWith([a]);
		assert.equal(keys(lone, ['', {tab: true}]).desk, lone);
		assert.equal(keys(lone, ']').desk, lone);
	});

	test('Enter on another server\'s list opens the pools on the first, where they are judged', () => {
		let desk = deskWith([a], 2);
		desk = updateDesk(desk, {type: 'pool-polled', endpoint: {id: 'endpoint-api', name: 'api', url: 'http://10.0.0.7:9090/metrics', maskedUrl: 'http://10.0.0.7:9090/metrics', kind: 'http', forcedFormat: null}, reading: {ok: true, format: 'prometheus', pools: [poolStatus().metrics!]}, atMs: baseTimeMs}).desk;
		const opened = keys(desk, ']', ['', {return: true}]).desk;
		assert.equal(opened.selected, 0);
		assert.deepEqual(opened.boards.map(each => each.mode.kind), ['pools', 'list']);
	});
});
