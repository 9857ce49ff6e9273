// A terminal frame (text with ANSI SGR colours) as an SVG picture: a dark rect and one monospace
// <text> per line, given a textLength of its own cells, so columns line up whatever monospace font
// the viewer has.

export type SvgOptions = {columns: number; rows: number; title?: string};

const CELL_WIDTH = 8.4;
const LINE_HEIGHT = 18;
const FONT_SIZE = 14;
const PAD = 14;
const BACKGROUND = '#1e1e1e';
const FOREGROUND = '#d4d4d4';
const PALETTE = ['#000000', '#cd3131', '#0dbc79', '#e5e510', '#2472c8', '#bc3fbc', '#11a8cd', '#e5e5e5'];
const BRIGHT = ['#666666', '#f14c4c', '#23d18b', '#f5f543', '#3b8eea', '#d670d6', '#29b8db', '#ffffff'];

type Style = {fg: string | null; bg: string | null; isBold: boolean; isDim: boolean; isInverse: boolean};
type Run = {text: string; style: Style};

const plain = (): Style => ({fg: null, bg: null, isBold: false, isDim: false, isInverse: false});

export function escapeXml(text: string): string {
	return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** Apply one SGR sequence's parameters to a style. */
function applySgr(style: Style, parameters: number[]): Style {
	let next = {...style};
	for (const code of parameters.length === 0 ? [0] : parameters) {
		if (code === 0) {
			next = plain();
		} else if (code === 1) {
			next.isBold = true;
		} else if (code === 2) {
			next.isDim = true;
		} else if (code === 22) {
			next.isBold = false;
			next.isDim = false;
		} else if (code === 7) {
			next.isInverse = true;
		} else if (code === 27) {
			next.isInverse = false;
		} else if (code >= 30 && code <= 37) {
			next.fg = PALETTE[code - 30]!;
		} else if (code >= 90 && code <= 97) {
			next.fg = BRIGHT[code - 90]!;
		} else if (code === 39) {
			next.fg = null;
		} else if (code >= 40 && code <= 47) {
			next.bg = PALETTE[code - 40]!;
		} else if (code === 49) {
			next.bg = null;
		}
	}

	return next;
}

/** Split a line into runs of one style; other escape sequences are dropped. */
export function parseAnsiLine(line: string, carried: Style = plain()): {runs: Run[]; style: Style} {
	const runs: Run[] = [];
	let style = carried;
	const pattern = /\u001B\[([\d;]*)([A-Za-z])/g;
	let last = 0;
	for (const match of line.matchAll(pattern)) {
		if (match.index > last) {
			runs.push({text: line.slice(last, match.index), style});
		}

		if (match[2] === 'm') {
			style = applySgr(style, match[1] ? match[1].split(';').map(Number) : []);
		}

		last = match.index + match[0].length;
	}

	if (last < line.length) {
		runs.push({text: line.slice(last), style});
	}

	return {runs, style};
}

function tspan(run: Run): string {
	const fg = run.style.isInverse ? (run.style.bg ?? BACKGROUND) : run.style.fg;
	const attributes = [
		fg ? `fill="${fg}"` : '',
		run.style.isBold ? 'font-weight="bold"' : '',
		run.style.isDim ? 'opacity="0.6"' : '',
	].filter(Boolean).join(' ');
	const text = escapeXml(run.text);
	return attributes ? `<tspan ${attributes}>${text}</tspan>` : text;
}

/** Backgrounds (inverse runs, explicit bg) as rects behind the text. */
function backgrounds(runs: readonly Run[], y: number): string[] {
	const rects: string[] = [];
	let column = 0;
	for (const run of runs) {
		const width = [...run.text].length;
		const bg = run.style.isInverse ? (run.style.fg ?? FOREGROUND) : run.style.bg;
		if (bg && width > 0) {
			rects.push(`<rect x="${(PAD + (column * CELL_WIDTH)).toFixed(1)}" y="${y - FONT_SIZE + 1}" width="${(width * CELL_WIDTH).toFixed(1)}" height="${LINE_HEIGHT}" fill="${bg}"/>`);
		}

		column += width;
	}

	return rects;
}

/** The runs without the blanks at the end of the line (a blank with a background stays). */
function trimEnd(runs: readonly Run[]): Run[] {
	const out = [...runs];
	while (out.length > 0) {
		const last = out.at(-1)!;
		const hasBackground = last.style.isInverse || last.style.bg !== null;
		const text = hasBackground ? last.text : last.text.replace(/ +$/, '');
		if (text.length > 0) {
			out[out.length - 1] = {...last, text};
			break;
		}

		out.pop();
	}

	return out;
}

export function terminalSvg(frame: string, options: SvgOptions): string {
	const lines = frame.split('\n').slice(0, options.rows);
	const width = (options.columns * CELL_WIDTH) + (2 * PAD);
	const height = (options.rows * LINE_HEIGHT) + (2 * PAD);
	const body: string[] = [];
	let style = plain();
	for (const [index, line] of lines.entries()) {
		const parsed = parseAnsiLine(line, style);
		style = parsed.style;
		// Trailing blanks carry nothing, and browsers leave them out of textLength (the line would
		// stretch): each line is as long as its text, spaces inside kept (white-space: pre).
		const runs = trimEnd(parsed.runs);
		const used = runs.reduce((sum, run) => sum + [...run.text].length, 0);
		const y = PAD + FONT_SIZE + (index * LINE_HEIGHT);
		body.push(...backgrounds(runs, y));
		if (used > 0) {
			body.push(`<text xml:space="preserve" x="${PAD}" y="${y}" textLength="${(used * CELL_WIDTH).toFixed(1)}" lengthAdjust="spacingAndGlyphs">${runs.map(run => tspan(run)).join('')}</text>`);
		}
	}

	return [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width.toFixed(0)}" height="${height}" viewBox="0 0 ${width.toFixed(0)} ${height}" role="img">`,
		options.title ? `<title>${escapeXml(options.title)}</title>` : '',
		`<rect width="100%" height="100%" rx="6" fill="${BACKGROUND}"/>`,
		`<g font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace" font-size="${FONT_SIZE}" fill="${FOREGROUND}" xml:space="preserve" style="white-space: pre">`,
		...body,
		'</g>',
		'</svg>',
		'',
	].filter(line => line !== '').join('\n');
}
