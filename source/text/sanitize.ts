// Text that other people control (query text, role, database and application names, pool labels
// from endpoints, lines of a log someone sent you) must never drive the operator's terminal, nor be
// laid out differently by the terminal than by lifeguard. It is made safe once, where it enters
// lifeguard; every text output can then print it as it is. What is replaced stays visible, so the
// operator can still see that someone tried.
import {UNASSIGNED_IN_UNICODE_14} from './unicode-14.js';

// Replaced by a visible stand-in:
// - C0 controls, DEL, C1 controls: a terminal acts on them;
// - format characters (Cf: bidi marks and overrides, zero-width space and joiners, soft hyphen, the
//   Arabic number signs…), every Default_Ignorable_Code_Point (Hangul fillers, variation selectors,
//   tags…), line and paragraph separators and lone surrogates: they reorder text, or terminals draw
//   them 0, 1 or 2 cells wide where string-width counts something else (tmux 3.3 draws U+3164 two
//   cells wide, string-width none), so one row would take several lines;
// - the letters that are Grapheme_Cluster_Break=Prepend (U+0D4E, U+111C2…): string-width counts a
//   run of them, with the character after, as one cluster, terminals draw each in a cell of its own;
// - every code point not assigned in Unicode 14.0 (unicode-14.ts; glibc 2.35+, Debian 12, Ubuntu
//   22.04): a terminal whose tables do not know a character draws it in 0, 1 or 2 cells (tmux 3.3
//   draws one from Unicode 15 in none), string-width counts it as its tables say. A fixed version, not
//   the running Node's own, so the rule does not change with the Node it runs on;
// - the characters whose width Unicode changed since 14.0 (trigrams, hexagrams, Tai Xuan Jing and
//   counting-rod symbols became wide in 16.0; U+1171E became a spacing mark): terminals disagree;
// - U+3248–U+324F, East Asian Ambiguous, the only ones tmux draws two cells wide.
// lifeguard's own text never holds any of them.
const PREPEND_LETTERS = String.raw`\u0D4E\u{111C2}\u{111C3}\u{113D1}\u{1193F}\u{11941}\u{11A3A}\u{11A84}-\u{11A89}\u{11D46}\u{11F02}`;
const WIDTH_CHANGED_SINCE_14 = String.raw`\u2630-\u2637\u268A-\u268F\u4DC0-\u4DFF\u{1171E}\u{1D300}-\u{1D356}\u{1D360}-\u{1D376}`;
const UNSAFE_CLASS = String.raw`\u0000-\u001F\u007F-\u009F\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cs}\u2028\u2029\u3248-\u324F` + PREPEND_LETTERS + WIDTH_CHANGED_SINCE_14 + UNASSIGNED_IN_UNICODE_14;
const UNSAFE = new RegExp(`[${UNSAFE_CLASS}]`, 'gu');
const UNSAFE_ONE = new RegExp(`^[${UNSAFE_CLASS}]$`, 'u');
const PRINTABLE_ASCII = /^[\u0020-\u007E]*$/;
const LAYOUT_WHITESPACE = /[\t\n\v\f\r]+/g;

// The class is ~750 ranges (unassigned code points are most of them): a regex over a long line of
// CJK text costs ~30 µs. One byte per BMP code unit, built from the same class on the first text
// that is not printable ASCII (~20 ms, once), answers in ~3 µs.
let bmpTable: Uint8Array | undefined;

function unsafeBmp(): Uint8Array {
	if (!bmpTable) {
		bmpTable = new Uint8Array(0x1_00_00);
		for (let code = 0; code < bmpTable.length; code++) {
			// A surrogate is judged with its pair, below.
			bmpTable[code] = code < 0xD8_00 || code > 0xDF_FF ? Number(UNSAFE_ONE.test(String.fromCharCode(code))) : 0;
		}
	}

	return bmpTable;
}

/** True when the text holds nothing that `safeText` would replace. */
export function isSafeText(text: string): boolean {
	if (PRINTABLE_ASCII.test(text)) {
		return true;
	}

	const table = unsafeBmp();
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		if (code < 0xD8_00 || code > 0xDF_FF) {
			if (table[code] === 1) {
				return false;
			}

			continue;
		}

		const low = text.charCodeAt(index + 1);
		if (code > 0xDB_FF || !(low >= 0xDC_00 && low <= 0xDF_FF)) {
			return false; // a lone surrogate
		}

		if (UNSAFE_ONE.test(text.slice(index, index + 2))) {
			return false;
		}

		index++;
	}

	return true;
}

/** The escape of one code point: `\x9b`, `\u3164`, `\u{e0001}` (a lone surrogate: `\ud800`). */
export function codePointEscape(code: number): string {
	if (code <= 0xFF) {
		return `\\x${code.toString(16).padStart(2, '0')}`;
	}

	return code <= 0xFF_FF ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
}

function visible(character: string): string {
	const code = character.codePointAt(0)!;
	if (code < 0x20) {
		// The Unicode control pictures: ␛ for ESC, ␇ for BEL, ␊ for LF.
		return String.fromCodePoint(0x24_00 + code);
	}

	return code === 0x7F ? '␡' : codePointEscape(code);
}

/** Every character `safeText` would replace, replaced by `replace(character)`: for other escapes (SQL). */
export function replaceUnsafe(text: string, replace: (character: string) => string): string {
	return isSafeText(text) ? text : text.replaceAll(UNSAFE, replace);
}

/** Every control, bidi mark and invisible or disputed-width character replaced by a visible stand-in. */
export function safeText(text: string): string {
	// Nearly every name is safe already: one test, and the very same string back.
	return replaceUnsafe(text, visible);
}

/**
 * For query text: line breaks and tabs are layout, shown as one space (as pg_activity does); every
 * other control is made visible as in `safeText`.
 */
export function safeQueryText(text: string): string {
	return isSafeText(text) ? text : safeText(text.replaceAll(LAYOUT_WHITESPACE, ' '));
}

// JSON.stringify escapes C0 controls and writes a lone surrogate as `\ud800` (which strict parsers
// reject), and leaves DEL, C1 controls, bidi marks and invisible characters as they are. Outside its
// strings JSON is ASCII, so escaping them everywhere keeps the JSON valid and its strings exact once
// parsed; a lone surrogate is no text at all, so it becomes U+FFFD. (C0 is out of the class: the
// only raw one in JSON.stringify's text is the line feed of its indentation.)
const JSON_UNESCAPED = new RegExp(`[${UNSAFE_CLASS.replace(String.raw`\u0000-\u001F`, '')}]`, 'gu');
// An escaped backslash first, so that `\\ud800` (a backslash, then "ud800") is left alone.
const JSON_LONE_SURROGATE = /\\\\|\\u(d[89a-f][\da-f]{2})/g;

/** `\u` escapes of each UTF-16 unit: a code point past U+FFFF is written as its surrogate pair. */
function jsonEscape(character: string): string {
	let escaped = '';
	for (let index = 0; index < character.length; index++) {
		escaped += `\\u${character.charCodeAt(index).toString(16).padStart(4, '0')}`;
	}

	return escaped;
}

/**
 * JSON.stringify whose text holds no control, bidi mark or invisible character (each a `\u` escape)
 * and no lone surrogate (U+FFFD instead): exact strings, safe to print.
 */
export function safeJson(value: unknown, indent?: number): string {
	const text = JSON.stringify(value, null, indent);
	return PRINTABLE_ASCII.test(text.replaceAll('\n', ''))
		? text
		: text
			.replaceAll(JSON_LONE_SURROGATE, (match, surrogate?: string) => (surrogate === undefined ? match : String.raw`\ufffd`))
			.replaceAll(JSON_UNESCAPED, character => jsonEscape(character));
}
