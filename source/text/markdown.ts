// Outside text in Markdown that people paste into wikis and tickets, many of which render HTML: a role
// named `<img src=x onerror=alert(1)>` or a note `[click](javascript:alert(1))` must come out as the
// text it is, never as an element, a link or emphasis. Both take text already made safe for a
// terminal (sanitize.ts): no control character, no line break.

// HTML is written as entities (a renderer that passes raw HTML shows them as text). Backslash
// escapes: emphasis (* _ ~), code (`), links and images ([ ]; with both escaped, ( ) and ! mean
// nothing), table cells (|) and the backslash itself. Parentheses stay as they are, for reading, and
// so does an underscore inside a word (statement_timeout): CommonMark never makes emphasis of it.
const MARKDOWN_SPECIAL = /[\\`*~[\]|<>&]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu;
const ENTITIES: Record<string, string> = {'<': '&lt;', '>': '&gt;', '&': '&amp;'};

/** Text that renders as itself in Markdown (CommonMark, GFM), a table cell included. */
export function markdownText(text: string): string {
	return text.replaceAll(MARKDOWN_SPECIAL, character => ENTITIES[character] ?? `\\${character}`);
}

/**
 * A code span that holds `text` exactly, backticks included (a fence longer than any run inside):
 * for URLs, which read better as code. Not in a table cell (a pipe would end the cell).
 */
export function markdownCode(text: string): string {
	const longestRun = (text.match(/`+/g) ?? []).reduce((longest, run) => Math.max(longest, run.length), 0);
	const fence = '`'.repeat(longestRun + 1);
	const padding = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
	return `${fence}${padding}${text}${padding}${fence}`;
}
