// An identifier in SQL that lifeguard prints for the operator to paste (doctor's fixes): it must
// name the real role or database, and be safe to print. Always double-quoted: a bare name is read
// as a keyword when it is one, and which words are keywords depends on the server's version
// (`ALTER ROLE current_role …` alters the user who pastes it; `case`, `grant`, `offset` do not
// parse; each release adds words). A quoted name is that name on every version. A name with a
// control, bidi mark or invisible character (what safeText would replace) is written with
// PostgreSQL's Unicode escapes, U&"sx-\001B[2J": printable ASCII on the screen, the exact name once
// the server reads it.
import {isSafeText, replaceUnsafe} from './sanitize.js';

/** `\XXXX` or `\+XXXXXX`, as U&"…" reads it. */
function unicodeEscape(character: string): string {
	const code = character.codePointAt(0)!;
	// A lone surrogate cannot be in a PostgreSQL name (names are valid in the server encoding).
	return code <= 0xFF_FF ? `\\${code.toString(16).toUpperCase().padStart(4, '0')}` : `\\+${code.toString(16).toUpperCase().padStart(6, '0')}`;
}

/** An identifier as SQL wants it: "double-quoted", or U&"…" with `\XXXX` escapes when it holds a character not safe to print. */
export function sqlIdentifier(name: string): string {
	const quoted = name.replaceAll('"', '""');
	// In U&"…" a backslash starts an escape: a backslash of the name is written twice.
	return isSafeText(name) ? `"${quoted}"` : `U&"${replaceUnsafe(quoted.replaceAll('\\', '\\\\'), unicodeEscape)}"`;
}
