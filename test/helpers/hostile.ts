// The hostile strings of issues 10 and 19, for every test that feeds outside text through lifeguard:
// each is something a terminal (or a Markdown renderer) would act on, or lay out wrongly, if it were
// printed as it is.
import assert from 'node:assert/strict';

export type Hostile = {name: string; text: string};

export const HOSTILE: readonly Hostile[] = [
	{name: 'OSC title', text: '\u001B]0;pwned\u0007'},
	{name: 'OSC 52 clipboard', text: '\u001B]52;c;ZWNobyBwd25lZA==\u0007'},
	{name: 'SGR', text: '\u001B[31mred\u001B[7minverse\u001B[0m'},
	{name: 'C1 CSI', text: 'a\u009B31mb'},
	{name: 'backspaces', text: 'abc\b\b\bxyz'},
	{name: 'unclosed OSC', text: '\u001B]0;never closed'},
	{name: 'CR/LF', text: 'first\r\nSECONDLINE'},
	{name: 'bidi override', text: 'user\u202Egnp.exe'},
	{name: 'wide CJK', text: '数据库连接池监控数据库连接池监控'},
	{name: 'emoji', text: '🚨👩‍💻🔥'},
	{name: 'zero-width', text: 'a\u200Bb\u200Dc\uFEFFd'},
];

/** Anything a terminal acts on: C0 (LF included), DEL, C1, and the bidi marks that reorder text. */
export const TERMINAL_CONTROL = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/** The same, with line feeds allowed: for multi-line text such as the plain summary. */
export const TERMINAL_CONTROL_BUT_LF = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/** The longest prefix of `text` that is at most `bytes` long in UTF-8 (PostgreSQL names: 63). */
export function cutUtf8(text: string, bytes: number): string {
	let cut = '';
	for (const character of text) {
		if (Buffer.byteLength(cut + character) > bytes) {
			break;
		}

		cut += character;
	}

	return cut;
}

/**
 * Characters that terminals draw at widths of their own, or not at all, where string-width counts
 * something else, or that reorder text (issue 19): every Default_Ignorable_Code_Point and format
 * character (Cf), the line and paragraph separators, U+3248–U+324F, which tmux draws two cells
 * wide, and the letters that are Grapheme_Cluster_Break=Prepend in UAX #29 (string-width counts a
 * run of them with the next character as one cluster; tmux draws each in a cell). Found by Unicode
 * property and the standard's tables here; that nothing else differs, by a sweep of every code point
 * through a real terminal (test/text/terminal-width.test.ts).
 */
export const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}\u2028\u2029\u3248-\u324F\u0D4E\u{111C2}\u{111C3}\u{113D1}\u{1193F}\u{11941}\u{11A84}-\u{11A89}\u{11D46}\u{11F02}]/u;

/** Every code point INVISIBLE matches (about 4300), as strings. */
export const INVISIBLE_CHARACTERS: readonly string[] = (() => {
	const characters: string[] = [];
	for (let code = 0; code <= 0x10_FF_FF; code++) {
		if ((code < 0xD8_00 || code > 0xDF_FF) && INVISIBLE.test(String.fromCodePoint(code))) {
			characters.push(String.fromCodePoint(code));
		}
	}

	return characters;
})();

/** The ones issue 19 names, and one of each other kind: few enough for one session each. */
export const NAMED_INVISIBLE: readonly string[] = [
	'\u3164', '\u115F', '\u1160', '\uFFA0', // Hangul fillers
	'\u00AD', '\u2028', '\u2029', // soft hyphen, line and paragraph separators
	'\u200B', '\u200C', '\u200D', '\u200E', '\u200F', '\u2060', '\u2061', '\u2062', '\u2063', '\u2064', '\uFEFF', // zero-width
	'\uFE00', '\uFE0F', '\u{E0100}', // variation selectors
	'\u034F', '\u061C', '\u17B4', '\u180E', '\u206A', '\uFFF0', '\u{1BCA0}', '\u{1D173}', '\u{E0001}', '\u{E0041}', // other default-ignorables
	'\u0600', '\u06DD', '\u{110BD}', '\uFFF9', '\u{13430}', // other format characters
	'\u3248', // drawn two cells wide by tmux, one by string-width
	'\u0D4E', '\u{11A84}', // Prepend letters: one cell each in tmux, none by string-width
];

/** How lifeguard shows a replaced character: a control picture, or an escape of its code point. */
export function standIn(character: string): string {
	const code = character.codePointAt(0)!;
	if (code < 0x20) {
		return String.fromCodePoint(0x24_00 + code);
	}

	if (code === 0x7F) {
		return '␡';
	}

	const hex = code.toString(16);
	return code <= 0xFF ? `\\x${hex.padStart(2, '0')}` : code <= 0xFF_FF ? `\\u${hex.padStart(4, '0')}` : `\\u{${hex}}`;
}

/** Text that Markdown or HTML would act on, from a role, a database, a pool or a note (issue 19). */
export const MARKDOWN_HOSTILE: readonly string[] = [
	'<img src=x onerror=alert(1)>',
	'<script>alert(1)</script>',
	'[click](javascript:alert(1))',
	'![x](http://127.0.0.1/x.png)',
	'<https://127.0.0.1/autolink>',
	'`code` ``two``',
	'**bold** _em_ ~~gone~~',
	'a | b',
	'&lt;b&gt; &amp;',
	'back\\slash',
];

/** Tags a Markdown timeline or report may render to: structure and emphasis of its own, no more. */
const OWN_TAGS = new Set(['h1', 'h2', 'h3', 'p', 'ul', 'li', 'strong', 'em', 'code', 'table', 'thead', 'tbody', 'tr', 'th', 'td']);
// GFM makes a bare http(s) address a link that shows its own address, whoever wrote it: no hidden
// target, no script. Such a link is the text it was; any other link is not.
const AUTOLINK = /<a href="(https?:\/\/[^"<>]*)">\1<\/a>/g;

/** The text of rendered HTML: tags dropped, entities decoded. */
function htmlText(html: string): string {
	return html.replaceAll(/<[^>]*>/g, '').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&');
}

/**
 * Markdown rendered to HTML holds `text` as text: no element, link, image or emphasis made of it
 * (only the document's own tags, and the text once whole on the page).
 */
export function assertInertMarkdown(html: string, text: string): void {
	const withoutAutolinks = html.replaceAll(AUTOLINK, '$1');
	const foreign = [...withoutAutolinks.matchAll(/<\/?([a-z][a-z\d]*)\b[^>]*>/gi)].map(match => match[0]).filter(tag => !OWN_TAGS.has(/^<\/?([a-z\d]+)/i.exec(tag)![1]!.toLowerCase()));
	assert.deepEqual(foreign, [], `no element of the text's own\n${html}`);
	// The text's own markup would have become <strong>bold</strong>, <em>em</em>, <code>code</code>.
	assert.doesNotMatch(withoutAutolinks, /<(strong|em|code)>(?:bold|em|code|two)<\/\1>/, `no emphasis or code made of the text\n${html}`);
	assert.ok(htmlText(withoutAutolinks).includes(text), `the text itself is on the page\n${html}`);
}
