// Text that other people control (query text, role, database and application names, pool labels
// from endpoints, lines of a log someone sent you) must never drive the operator's terminal. It is
// made safe once, where it enters lifeguard; every text output can then print it as it is.
// Controls stay visible, so the operator can still see that someone tried.

// C0 controls, DEL, C1 controls, and the bidi marks, embeddings, overrides and isolates that reorder
// what follows them on screen (U+061C, U+200E/F, U+202A–E, U+2066–9).
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const LAYOUT_WHITESPACE = /[\t\n\v\f\r]+/g;

function visible(character: string): string {
	const code = character.codePointAt(0)!;
	if (code < 0x20) {
		// The Unicode control pictures: ␛ for ESC, ␇ for BEL, ␊ for LF.
		return String.fromCodePoint(0x24_00 + code);
	}

	if (code === 0x7F) {
		return '␡';
	}

	return code <= 0xFF ? `\\x${code.toString(16)}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Every control and bidi mark replaced by a visible stand-in: for names and labels. */
export function safeText(text: string): string {
	// Nearly every name is safe already: one test, and the very same string back.
	return isSafeText(text) ? text : text.replaceAll(UNSAFE, visible);
}

/**
 * For query text: line breaks and tabs are layout, shown as one space (as pg_activity does); every
 * other control is made visible as in `safeText`.
 */
export function safeQueryText(text: string): string {
	return isSafeText(text) ? text : safeText(text.replaceAll(LAYOUT_WHITESPACE, ' '));
}

/** True when the text holds nothing that `safeText` would replace. */
export function isSafeText(text: string): boolean {
	UNSAFE.lastIndex = 0;
	return !UNSAFE.test(text);
}

// JSON.stringify escapes C0 controls but leaves DEL, C1 controls and bidi marks as they are (and
// U+2028/9, which older JavaScript reads as line ends). Outside strings JSON is ASCII, so escaping
// them everywhere keeps the JSON valid and its strings exact once parsed.
const JSON_UNESCAPED = /[\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/g;

/** JSON.stringify whose text holds no control or bidi mark: `--json` keeps exact strings, escaped. */
export function safeJson(value: unknown, indent?: number): string {
	return JSON.stringify(value, null, indent).replaceAll(JSON_UNESCAPED, character => `\\u${character.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}
