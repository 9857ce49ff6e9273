import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {BINDINGS, keyBar, keysMarkdownTable, type ModeKind, resolveKey} from '../../source/keys/bindings.js';
import {isoUtc} from '../../source/collectors/postgres-activity.js';
import {keyPress as key} from '../helpers/snapshots.js';

const context = {isReadOnly: false, hasPoolControl: false};
const command = (mode: ModeKind, input: string, pressed = key(), extra = context) => resolveKey(mode, input, pressed, extra)?.binding.command;

test('Ctrl-C quits; no Ctrl or Meta letter reaches another list command', () => {
	assert.equal(command('list', 'c', key({ctrl: true})), 'quit');
	assert.equal(command('filter', 'c', key({ctrl: true})), 'quit');
	assert.equal(command('list', 'c'), 'cancel');
	assert.equal(command('list', 't', key({ctrl: true})), undefined);
	assert.equal(command('list', 't', key({meta: true})), undefined);
	assert.equal(command('list', 'q'), 'quit');
});

test('one key means one thing per mode: t terminates in the list, types in a prompt, declines in a dialog', () => {
	assert.equal(command('list', 't'), 'terminate');
	assert.equal(command('filter', 't'), 'type');
	assert.equal(command('note', 't'), 'type');
	assert.equal(command('confirm', 't'), 'decline');
	assert.equal(command('confirm', 'y'), 'confirm');
	assert.equal(command('confirm', 'Y'), 'decline', 'only y confirms');
	assert.equal(command('signalling', 'q'), undefined, 'nothing interrupts a running signal');
	assert.equal(command('help', '?'), 'close-help');
	assert.equal(command('help', '', key({escape: true})), 'close-help');
	assert.equal(command('help', 'q'), 'quit');
	assert.equal(command('list', '', key({escape: true})), 'clear-filter');
	assert.equal(command('list', '', key({escape: true, meta: true})), 'clear-filter', 'Ink reports a lone Esc with meta set');
	assert.equal(command('filter', '', key({escape: true})), 'discard');
	assert.equal(command('filter', '', key({return: true})), 'submit');
	assert.equal(command('note', '', key({backspace: true})), 'erase');
});

test('read-only refuses the dangerous bindings in the table itself', () => {
	const readOnly = {isReadOnly: true, hasPoolControl: false};
	assert.deepEqual(resolveKey('list', 't', key(), readOnly)?.isRefused, true);
	assert.deepEqual(resolveKey('list', 'c', key(), readOnly)?.isRefused, true);
	assert.deepEqual(resolveKey('list', 's', key(), readOnly)?.isRefused, false);
	assert.doesNotMatch(keyBar(true), /terminate/);
	assert.match(keyBar(false), /t terminate/);
});

test('the demo keys exist only where the host offers them', () => {
	assert.equal(command('list', '+'), undefined);
	assert.equal(command('list', '+', key(), {isReadOnly: false, hasPoolControl: true}), 'raise-pool');
});

test('the table names each command once and marks exactly terminate and cancel as dangerous', () => {
	const commands = BINDINGS.map(binding => binding.command);
	assert.equal(new Set(commands).size, commands.length);
	assert.deepEqual(BINDINGS.filter(binding => binding.isDangerous).map(binding => binding.command), ['terminate', 'cancel']);
	assert.equal(command('list', '', key({downArrow: true})), 'down');
	assert.equal(command('list', 'j'), 'down');
	assert.equal(command('list', '', key({pageDown: true})), 'page-down');
});

test("the README's key table is the bindings table", () => {
	const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
	assert.ok(readme.includes(keysMarkdownTable()), `README.md must contain, row for row:\n${keysMarkdownTable()}`);
});

test('timestamps keep six fractional digits in UTC', () => {
	assert.equal(isoUtc('2026-11-26T14:59:00.59406+00:00'), '2026-11-26T14:59:00.594060Z');
	assert.equal(isoUtc('2026-11-26T14:59:00+00:00'), '2026-11-26T14:59:00.000000Z');
	assert.equal(isoUtc('2026-11-26T13:59:00.000001+00:00'), '2026-11-26T13:59:00.000001Z');
	assert.equal(isoUtc(null), null);
});
