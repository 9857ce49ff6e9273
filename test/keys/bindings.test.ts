import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {Key} from 'ink';
import {BINDINGS, bindingFor} from '../../source/keys/bindings.js';
import {isoUtc} from '../../source/collectors/postgres-activity.js';

const key = (overrides: Partial<Key> = {}) => ({upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, ...overrides}) as Key;

test('Ctrl-C quits; no Ctrl or Meta letter reaches another command', () => {
	assert.equal(bindingFor('c', key({ctrl: true}))?.command, 'quit');
	assert.equal(bindingFor('c', key())?.command, 'cancel');
	assert.equal(bindingFor('t', key({ctrl: true})), undefined);
	assert.equal(bindingFor('t', key({meta: true})), undefined);
	assert.equal(bindingFor('q', key())?.command, 'quit');
});

test('the table drives every command once, and marks exactly terminate and cancel as dangerous', () => {
	const commands = BINDINGS.map(binding => binding.command);
	assert.equal(new Set(commands).size, commands.length);
	assert.deepEqual(BINDINGS.filter(binding => binding.isDangerous).map(binding => binding.command), ['terminate', 'cancel']);
	assert.equal(bindingFor('', key({downArrow: true}))?.command, 'down');
	assert.equal(bindingFor('j', key())?.command, 'down');
	assert.equal(bindingFor('', key({pageDown: true}))?.command, 'page-down');
});

test('timestamps keep six fractional digits in UTC', () => {
	assert.equal(isoUtc('2026-11-26T14:59:00.59406+00:00'), '2026-11-26T14:59:00.594060Z');
	assert.equal(isoUtc('2026-11-26T14:59:00+00:00'), '2026-11-26T14:59:00.000000Z');
	assert.equal(isoUtc('2026-11-26T13:59:00.000001+00:00'), '2026-11-26T13:59:00.000001Z');
	assert.equal(isoUtc(null), null);
});
