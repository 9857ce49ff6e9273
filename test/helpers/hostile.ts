// The hostile strings of issue 10, for every test that feeds outside text through lifeguard: each is
// something a terminal would act on (or lay out wrongly) if it were printed as it is.

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
