// An identifier in SQL that lifeguard prints for the operator to paste (doctor's fixes): it must
// name the real role or database, and be safe to print. A name with a control, bidi mark or
// invisible character (what safeText would replace) is written with PostgreSQL's Unicode escapes,
// U&"sx-\001B[2J": printable ASCII on the screen, the exact name once the server reads it.
import {isSafeText, replaceUnsafe} from './sanitize.js';

// Words that must be quoted to be names (reserved in PostgreSQL, or read otherwise where a name goes).
const SQL_KEYWORDS = new Set(['all', 'user', 'role', 'table', 'select', 'group', 'order', 'default', 'public', 'database', 'analyse', 'analyze', 'and', 'or', 'not', 'from', 'to', 'with', 'limit', 'check', 'current_user', 'session_user']);

/** `\XXXX` or `\+XXXXXX`, as U&"…" reads it. */
function unicodeEscape(character: string): string {
	const code = character.codePointAt(0)!;
	// A lone surrogate cannot be in a PostgreSQL name (names are valid in the server encoding).
	return code <= 0xFF_FF ? `\\${code.toString(16).toUpperCase().padStart(4, '0')}` : `\\+${code.toString(16).toUpperCase().padStart(6, '0')}`;
}

/**
 * An identifier as SQL wants it: bare when it is a plain lower-case name, double-quoted otherwise,
 * and as U&"…" with `\XXXX` escapes when it holds a character that is not safe to print.
 */
export function sqlIdentifier(name: string): string {
	if (/^[a-z_][a-z\d_]*$/.test(name) && !SQL_KEYWORDS.has(name)) {
		return name;
	}

	const quoted = name.replaceAll('"', '""');
	// In U&"…" a backslash starts an escape: a backslash of the name is written twice.
	return isSafeText(name) ? `"${quoted}"` : `U&"${replaceUnsafe(quoted.replaceAll('\\', '\\\\'), unicodeEscape)}"`;
}
