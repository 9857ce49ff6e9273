// lifeguard's own Prometheus text 0.0.4 / OpenMetrics 1.0 parser. The npm ones are unmaintained and
// throw on NaN, `:` in names, `}` inside label values or exemplars (see the cases in test/collectors/pools/prometheus-text.test.ts). A hand-written
// scanner keeps a 1 MB scrape well under a frame's budget. Malformed lines are counted, never thrown.

export type PromSample = {
	name: string;
	labels: Record<string, string>;
	value: number;
	/** As written: milliseconds in text 0.0.4, seconds in OpenMetrics; null when absent. */
	timestamp: number | null;
};

export type PromExposition = {
	samples: PromSample[];
	/** Family name → type from `# TYPE` lines (OpenMetrics families name `foo` for samples `foo_total`). */
	types: Map<string, string>;
	/** Family name → unit from OpenMetrics `# UNIT` lines. */
	units: Map<string, string>;
	/** Lines that could not be read, skipped. */
	malformedLines: number;
	/** Whether the OpenMetrics terminator `# EOF` was seen (a body without it may be truncated). */
	hasEof: boolean;
};

export function parsePrometheusText(text: string): PromExposition {
	const result: PromExposition = {samples: [], types: new Map(), units: new Map(), malformedLines: 0, hasEof: false};
	let start = 0;
	const length = text.length;
	while (start < length) {
		let end = text.indexOf('\n', start);
		if (end === -1) {
			end = length;
		}

		let lineEnd = end;
		if (lineEnd > start && text.charCodeAt(lineEnd - 1) === 13 /* \r */) {
			lineEnd--;
		}

		const line = text.slice(start, lineEnd);
		start = end + 1;
		if (line.length === 0) {
			continue;
		}

		const first = firstNonBlank(line, 0);
		if (first === line.length) {
			continue;
		}

		if (line.charCodeAt(first) === 35 /* # */) {
			if (readComment(line, first, result)) {
				break;
			}

			continue;
		}

		const sample = readSample(line, first);
		if (sample) {
			result.samples.push(sample);
		} else {
			result.malformedLines++;
		}
	}

	return result;
}

/** Go's ParseFloat decimal form: sign, digits with an optional point, exponent. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parse a Prometheus / OpenMetrics number as Prometheus does (textparse and expfmt: strconv.ParseFloat,
 * refusing 'p', 'P' and '_'): decimals, NaN and ±Inf / ±Infinity in any case. Hex (`0x10`, which
 * Number() reads as 16; Go's hex floats need a 'p' exponent, which Prometheus refuses), octal and
 * binary forms are refused, and so is a decimal beyond the float range (ParseFloat's ErrRange).
 */
export function parsePromNumber(token: string): number | null {
	if (DECIMAL.test(token)) {
		const value = Number(token);
		return Number.isFinite(value) ? value : null;
	}

	switch (token.toLowerCase()) {
		case 'nan': {
			return Number.NaN;
		}

		case 'inf':
		case '+inf':
		case 'infinity':
		case '+infinity': {
			return Number.POSITIVE_INFINITY;
		}

		case '-inf':
		case '-infinity': {
			return Number.NEGATIVE_INFINITY;
		}

		default: {
			return null;
		}
	}
}

function isBlank(code: number): boolean {
	return code === 32 || code === 9;
}

function firstNonBlank(line: string, from: number): number {
	let i = from;
	while (i < line.length && isBlank(line.charCodeAt(i))) {
		i++;
	}

	return i;
}

function tokenEnd(line: string, from: number): number {
	let i = from;
	while (i < line.length && !isBlank(line.charCodeAt(i))) {
		i++;
	}

	return i;
}

/** Returns true at `# EOF`: nothing after it belongs to the exposition. */
function readComment(line: string, hashAt: number, result: PromExposition): boolean {
	const keywordStart = firstNonBlank(line, hashAt + 1);
	const keywordEnd = tokenEnd(line, keywordStart);
	const keyword = line.slice(keywordStart, keywordEnd);
	if (keyword === 'EOF') {
		result.hasEof = true;
		return true;
	}

	if (keyword !== 'TYPE' && keyword !== 'UNIT') {
		return false; // HELP and plain comments carry nothing lifeguard needs
	}

	const nameStart = firstNonBlank(line, keywordEnd);
	const nameEnd = tokenEnd(line, nameStart);
	const valueStart = firstNonBlank(line, nameEnd);
	const name = line.slice(nameStart, nameEnd);
	const value = line.slice(valueStart, tokenEnd(line, valueStart));
	if (name.length === 0) {
		result.malformedLines++;
		return false;
	}

	(keyword === 'TYPE' ? result.types : result.units).set(name, keyword === 'TYPE' ? value.toLowerCase() : value);
	return false;
}

function readSample(line: string, from: number): PromSample | null {
	let i = from;
	let name: string;
	const labels: Record<string, string> = {};
	if (line.charCodeAt(i) === 123 /* { */) {
		name = ''; // text 1.0 style: the name may be a quoted string inside the braces
	} else {
		const nameStart = i;
		while (i < line.length) {
			const code = line.charCodeAt(i);
			if (code === 123 || isBlank(code)) {
				break;
			}

			i++;
		}

		name = line.slice(nameStart, i);
		i = firstNonBlank(line, i);
	}

	if (line.charCodeAt(i) === 123) {
		const labelsEnd = readLabels(line, i + 1, labels, name.length === 0);
		if (labelsEnd === -1) {
			return null;
		}

		if (name.length === 0) {
			name = labels[QUOTED_NAME] ?? '';
			delete labels[QUOTED_NAME];
		}

		i = firstNonBlank(line, labelsEnd);
	}

	if (name.length === 0) {
		return null;
	}

	const valueEnd = tokenEnd(line, i);
	const value = parsePromNumber(line.slice(i, valueEnd));
	if (value === null) {
		return null;
	}

	i = firstNonBlank(line, valueEnd);
	let timestamp: number | null = null;
	if (i < line.length && line.charCodeAt(i) !== 35 /* # exemplar */) {
		const timestampEnd = tokenEnd(line, i);
		timestamp = parsePromNumber(line.slice(i, timestampEnd));
		if (timestamp === null) {
			return null;
		}

		i = firstNonBlank(line, timestampEnd);
	}

	// Whatever follows is an OpenMetrics exemplar (` # {trace_id="…"} 1.0 123`): not needed, ignored.
	if (i < line.length && line.charCodeAt(i) !== 35) {
		return null;
	}

	return {name, labels, value, timestamp};
}

// A quoted metric name inside braces (`{"my.metric", a="b"}`) is stored here while reading labels.
const QUOTED_NAME = '\u0000name';

/** Reads `a="x",b="y"}` starting after `{`; returns the index after `}` or -1 when malformed. */
function readLabels(line: string, from: number, labels: Record<string, string>, mayHoldName: boolean): number {
	let i = from;
	for (;;) {
		i = firstNonBlank(line, i);
		if (i >= line.length) {
			return -1;
		}

		if (line.charCodeAt(i) === 125 /* } */) {
			return i + 1; // also covers a trailing comma (`{pool="x",}`, old Micrometer)
		}

		let labelName: string;
		if (line.charCodeAt(i) === 34 /* " */) {
			const quoted = readQuoted(line, i + 1);
			if (!quoted) {
				return -1;
			}

			labelName = quoted.value;
			i = firstNonBlank(line, quoted.end);
		} else {
			const nameStart = i;
			while (i < line.length) {
				const code = line.charCodeAt(i);
				if (code === 61 /* = */ || code === 44 /* , */ || code === 125 || isBlank(code)) {
					break;
				}

				i++;
			}

			labelName = line.slice(nameStart, i);
			i = firstNonBlank(line, i);
		}

		if (labelName.length === 0) {
			return -1;
		}

		const code = line.charCodeAt(i);
		if (code === 61 /* = */) {
			i = firstNonBlank(line, i + 1);
			if (line.charCodeAt(i) !== 34) {
				return -1;
			}

			const quoted = readQuoted(line, i + 1);
			if (!quoted) {
				return -1;
			}

			setLabel(labels, labelName, quoted.value);
			i = firstNonBlank(line, quoted.end);
		} else if (mayHoldName && !(QUOTED_NAME in labels) && Object.keys(labels).length === 0) {
			labels[QUOTED_NAME] = labelName; // `{"metric.name", …}`
		} else {
			return -1;
		}

		const separator = line.charCodeAt(i);
		if (separator === 44 /* , */) {
			i++;
		} else if (separator !== 125) {
			return -1;
		}
	}
}

function setLabel(labels: Record<string, string>, name: string, value: string): void {
	if (name === '__proto__') {
		// A hostile label must not replace the record's prototype.
		Object.defineProperty(labels, name, {value, enumerable: true, writable: true, configurable: true});
	} else {
		labels[name] = value;
	}
}

/** Reads a quoted string after its opening quote, undoing `\\`, `\"` and `\n`. */
function readQuoted(line: string, from: number): {value: string; end: number} | null {
	let i = from;
	let value = '';
	let chunkStart = i;
	while (i < line.length) {
		const code = line.charCodeAt(i);
		if (code === 34) {
			return {value: value + line.slice(chunkStart, i), end: i + 1};
		}

		if (code === 92 /* \ */) {
			value += line.slice(chunkStart, i);
			const next = line[i + 1];
			if (next === undefined) {
				return null;
			}

			value += next === 'n' ? '\n' : next; // `\\` → `\`, `\"` → `"`; unknown escapes keep the char
			i += 2;
			chunkStart = i;
			continue;
		}

		i++;
	}

	return null;
}
