// Identifiers in the SQL lifeguard prints for pasting. That the U& form names the real role on a real
// server: test/doctor/fix-sql.test.ts.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {sqlIdentifier} from '../../source/text/sql-identifier.js';

test('every name double-quoted: a keyword is then a name on every server version', () => {
	assert.equal(sqlIdentifier('shop'), '"shop"');
	assert.equal(sqlIdentifier('current_role'), '"current_role"');
	assert.equal(sqlIdentifier('case'), '"case"');
	assert.equal(sqlIdentifier('Shop'), '"Shop"');
	assert.equal(sqlIdentifier('a"b'), '"a""b"');
	assert.equal(sqlIdentifier('user'), '"user"');
	assert.equal(sqlIdentifier('注文'), '"注文"');
	assert.equal(sqlIdentifier(String.raw`a\b`), String.raw`"a\b"`);
});

test('a name with a control, bidi or invisible character: U&"…" with escapes, printable ASCII', () => {
	assert.equal(sqlIdentifier('sx-\u001B[2J'), String.raw`U&"sx-\001B[2J"`);
	assert.equal(sqlIdentifier('a\u202Eb\u009B'), String.raw`U&"a\202Eb\009B"`);
	assert.equal(sqlIdentifier(`x${'\u3164'.repeat(2)}`), String.raw`U&"x\3164\3164"`);
	assert.equal(sqlIdentifier('tag\u{E0041}'), String.raw`U&"tag\+0E0041"`);
	// A backslash and a double quote of the name, in the U& form.
	assert.equal(sqlIdentifier('a\\b"c\u200B'), String.raw`U&"a\\b""c\200B"`);
	assert.equal(sqlIdentifier('日本\u200D'), String.raw`U&"日本\200D"`, 'printable characters stay as they are');
});
