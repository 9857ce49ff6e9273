import assert from 'node:assert/strict';
import {test} from 'node:test';
import {isSafeText, safeJson, safeQueryText, safeText} from '../../source/text/sanitize.js';
import {INVISIBLE_CHARACTERS, NAMED_INVISIBLE, standIn} from '../helpers/hostile.js';

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

test('every invisible, format or disputed-width character and every control becomes its visible stand-in', () => {
	const controls = Array.from({length: 0x20}, (_, code) => String.fromCharCode(code)).concat(Array.from({length: 0x21}, (_, index) => String.fromCharCode(0x7F + index)));
	assert.ok(INVISIBLE_CHARACTERS.length > 4000, `${INVISIBLE_CHARACTERS.length} characters`);
	for (const character of NAMED_INVISIBLE) {
		assert.ok(INVISIBLE_CHARACTERS.includes(character), `U+${character.codePointAt(0)!.toString(16)} is in the sweep`);
	}

	for (const character of [...controls, ...INVISIBLE_CHARACTERS]) {
		const name = `U+${character.codePointAt(0)!.toString(16)}`;
		assert.equal(safeText(`sx-${character}x`), `sx-${standIn(character)}x`, name);
		assert.equal(isSafeText(`sx-${character}x`), false, name);
	}

	// A lone surrogate is not text: shown as its escape too.
	assert.equal(safeText('a\uD800b\uDC00'), String.raw`a\ud800b\udc00`);
	assert.equal(safeText('😀'), '😀', 'a surrogate pair is one character');
});

test('safeJson: no invisible character or control raw in the text, exact once parsed; a lone surrogate is U+FFFD', () => {
	const value = {characters: INVISIBLE_CHARACTERS.join(''), [`key${'\u202E'}`]: 'x'};
	const text = safeJson(value);
	assert.match(text, /^[\u0020-\u007E]*$/, 'printable ASCII only');
	assert.deepEqual(JSON.parse(text), value);

	const surrogates = safeJson({name: 'pool\uD800', pair: '😀', key: {'\uDC00': 1}, written: String.raw`\ud800`});
	const parsed = JSON.parse(surrogates) as Record<string, unknown>;
	assert.deepEqual(parsed, {name: 'pool\uFFFD', pair: '😀', key: {'\uFFFD': 1}, written: String.raw`\ud800`});
	assert.doesNotMatch(surrogates.replaceAll('\\\\', ''), /\\ud[89a-f]/i, 'no surrogate escape a strict parser would reject');
});
