import assert from 'node:assert/strict';
import {test} from 'node:test';
import {isSafeText, safeJson, safeQueryText, safeText} from '../../source/text/sanitize.js';

// Every byte a terminal would act on: none may survive.
const hostile = {
	oscTitle: '\u001B]0;pwned\u0007',
	osc52: '\u001B]52;c;ZWNobyBwd25lZA==\u0007',
	sgr: '\u001B[31mred\u001B[0m',
	c1: 'a\u009B31mb',
	backspace: 'abc\b\b\bxyz',
	unclosedOsc: '\u001B]0;never closed',
	crlf: 'pool\r\nSECONDLINE',
	bidi: 'user\u202Egnp.exe',
	clear: '\u001B[2J\u001B[H',
};

const TERMINAL_CONTROL = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

for (const [name, text] of Object.entries(hostile)) {
	test(`safeText leaves no control of ${name}`, () => {
		const safe = safeText(text);
		assert.doesNotMatch(safe, TERMINAL_CONTROL);
		assert.ok(isSafeText(safe));
		assert.ok(!isSafeText(text));
	});
}

test('controls are shown visibly, so the attempt can be seen', () => {
	assert.equal(safeText('\u001B]0;pwned\u0007'), '␛]0;pwned␇');
	assert.equal(safeText('a\u009Bb'), 'a\\x9bb');
	assert.equal(safeText('x\u202Ey'), 'x\\u202ey');
	assert.equal(safeText('pool\nname'), 'pool␊name');
});

test('ordinary text, wide characters and emoji pass unchanged', () => {
	for (const text of ['checkout', 'select * from orders where id = $1', '注文サービス', '🐘 pg', 'café', 'क्षत्रिय', '🇺🇸 👍🏽']) {
		assert.equal(safeText(text), text);
	}
});

test('query text: line breaks and tabs become one space, other controls stay visible', () => {
	assert.equal(safeQueryText('select 1\n\tfrom t\r\nwhere x'), 'select 1 from t where x');
	assert.equal(safeQueryText("select '\u001B[2J'"), "select '␛[2J'");
});

test('safeJson: exact strings once parsed, no control or bidi byte in the text', () => {
	const value = {all: Object.values(hostile), c1: '\u009B', bidi: '\u202E\u2066', lineSeparator: '\u2028', del: '\u007F', wide: '中文🚨\u200B'};
	const text = safeJson(value, 2);
	assert.deepEqual(JSON.parse(text), value);
	assert.doesNotMatch(text.replaceAll('\n', ''), TERMINAL_CONTROL);
	assert.match(text, /\\u009b/);
	assert.match(text, /中文🚨/, 'printable text stays as it is');
	assert.equal(safeJson({a: 1}), '{"a":1}');
});
