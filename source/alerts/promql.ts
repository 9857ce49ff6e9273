// Small PromQL builders for the rule file: selectors that carry the user's matchers, alternatives
// ("the first name exposed wins", as the recognizers read them), counters with or without `_total`,
// and the label steps that give every pool series the same identity labels. Pure text.

/** Label matchers added to every raw selector (`env="prod"`), or '' for none. */
export type Matchers = string;

/** `name{a="b",<matchers>}`; `name` alone when there is nothing to match. */
export function selector(name: string, matchers: Matchers, ...own: string[]): string {
	const all = [...own, matchers].filter(Boolean);
	return all.length === 0 ? name : `${name}{${all.join(',')}}`;
}

/**
 * The first of these series exposed, per pool. `or` keeps every series of its left side and adds
 * the right side's series whose labels (the name aside) it does not have yet: first found wins.
 */
export function firstOf(names: readonly string[], matchers: Matchers, ...own: string[]): string {
	return names.map(name => selector(name, matchers, ...own)).join(' or ');
}

/** A Prometheus duration from whole seconds: `1m`, `44s`. */
export function duration(seconds: number): string {
	return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

/**
 * Per-second rate of a counter exposed under one of `bases`, each with or without `_total` (text
 * 0.0.4 exporters differ; OpenMetrics always adds it); `scale` converts its unit (ns → s).
 */
export function counterRate(bases: readonly string[], matchers: Matchers, window: string, scale = 1): string {
	const factor = scale === 1 ? '' : ` * ${scale}`;
	return bases
		.flatMap(base => [`${base}_total`, base])
		.map(name => `rate(${selector(name, matchers)}[${window}])${factor}`)
		.join(' or ');
}

/**
 * Per-second rate of a usage timer's count or sum, read as the recognizer reads it (its alternatives
 * in order, each series scaled to seconds): summary and histogram parts carry no `_total`.
 */
export function timerRate(alternatives: ReadonlyArray<ReadonlyArray<{name: string; scale?: number}>>, matchers: Matchers, window: string): string {
	return alternatives
		.map(series => series.map(({name, scale = 1}) => `rate(${selector(name, matchers)}[${window}])${scale === 1 ? '' : ` * ${scale}`}`).join(' + '))
		.join(' or ');
}

/** `label_replace(expr, dst, "$1", src, "(.+)")`: dst takes src's value where src is set. */
function copyLabel(expression: string, destination: string, source: string): string {
	return `label_replace(${expression}, "${destination}", "$1", "${source}", "(.+)")`;
}

/** dst takes the value of the first of `sources` set on the series (later ones are applied first). */
export function firstLabel(expression: string, destination: string, sources: readonly string[]): string {
	return [...sources].reverse().reduce((inner, source) => copyLabel(inner, destination, source), expression);
}
