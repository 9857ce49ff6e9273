// `--pool [NAME=]URL` and LIFEGUARD_POOLS → PoolEndpoint, and the names pools get on screen.
import type {PoolEndpoint} from '../readings/types.js';
import {safeText} from '../text/sanitize.js';
import {urlUserinfo, withPrometheusTokens} from './credentials.js';
import {maskText, maskUrl} from './mask.js';

const SCHEMES_HINT = 'use http(s)://, prom+http(s)://, json+http(s)://, actuator+http(s)://, pgbouncer://';
// A NAME has no ':' or '/', so `http://host/?a=b` is never read as NAME=URL.
const NAME_PREFIX = /^([\w.-]+)=(.*)$/s;

let endpointCount = 0;
/** An endpoint's id, given as it is parsed and unique in the process: its pools are known by it, never by its URL. */
const nextEndpointId = () => `endpoint-${++endpointCount}`;

/**
 * Why the %-escapes of a URL's userinfo (and, for the PgBouncer console, its database) cannot be
 * decoded, or null when they can. Checked once here, so no poll ever fails on "URI malformed".
 */
function malformedEscape(parsed: URL, kind: PoolEndpoint['kind']): string | null {
	try {
		urlUserinfo(parsed);
	} catch {
		return 'malformed %-escape in the user or password (write a literal % as %25)';
	}

	try {
		if (kind === 'pgbouncer') {
			decodeURIComponent(parsed.pathname);
		}
	} catch {
		return 'malformed %-escape in the database name (write a literal % as %25)';
	}

	return null;
}

/**
 * Parse one `[NAME=]URL`. Throws an Error with one masked, printable line when the spec is unusable,
 * naming where it came from (`--pool`, or `LIFEGUARD_POOLS`).
 */
export function parsePoolSpec(spec: string, source = '--pool'): PoolEndpoint {
	const trimmed = spec.trim();
	// maskText, not maskUrl: the spec may start with NAME= and still hold user:password@
	const failure = (reason: string) => new Error(`${source} "${safeText(maskText(trimmed).replace(/\s+/g, ' '))}": ${reason}`);

	let name: string | null = null;
	let rest = trimmed;
	const named = NAME_PREFIX.exec(trimmed);
	if (named) {
		name = named[1]!;
		rest = named[2]!.trim();
	}

	if (rest.length === 0) {
		throw failure('missing URL');
	}

	const scheme = /^([a-z][a-z\d+.-]*):/i.exec(rest)?.[1]?.toLowerCase();
	if (!scheme || !rest.slice(scheme.length + 1).startsWith('//')) {
		throw failure(`not a URL (${SCHEMES_HINT})`);
	}

	let url: string;
	let kind: PoolEndpoint['kind'] = 'http';
	let forcedFormat: PoolEndpoint['forcedFormat'] = null;
	switch (scheme) {
		case 'http':
		case 'https': {
			url = rest;
			break;
		}

		case 'prom+http':
		case 'prom+https':
		case 'json+http':
		case 'json+https': {
			const plus = scheme.indexOf('+');
			forcedFormat = scheme.startsWith('prom') ? 'prometheus' : 'json';
			url = rest.slice(plus + 1);
			break;
		}

		case 'actuator+http':
		case 'actuator+https': {
			// The scheme stays in the URL: the HTTP collector reads it to walk Actuator's metric pages.
			forcedFormat = 'json';
			url = rest;
			break;
		}

		case 'pgbouncer': {
			kind = 'pgbouncer';
			url = rest;
			break;
		}

		default: {
			throw failure(`unsupported scheme "${scheme}:" (${SCHEMES_HINT})`);
		}
	}

	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw failure('invalid URL');
	}

	if (!parsed.hostname) {
		throw failure('missing host');
	}

	if (parsed.hash !== '' && poolSelector(url) === null) {
		throw failure(`unsupported fragment "${parsed.hash}" (use #pool=NAME to pick one pool)`);
	}

	const malformed = malformedEscape(parsed, kind);
	if (malformed !== null) {
		throw failure(malformed);
	}

	return {id: nextEndpointId(), name, url, maskedUrl: maskUrl(url), kind, forcedFormat};
}

/**
 * The values of a repeatable flag, then its environment variable's (whitespace-separated), each
 * with where it came from; exact repeats are dropped. An empty flag value is an error (a script that
 * lost its variable), an empty variable is not.
 */
function specsOf(list: readonly string[], envValue: string | undefined, flag: string, variable: string): Array<[spec: string, source: string]> {
	if (list.some(spec => spec.trim() === '')) {
		throw new Error(`${flag}: empty value`);
	}

	const specs = new Map<string, string>();
	for (const spec of list) {
		specs.set(spec.trim(), flag);
	}

	for (const spec of (envValue ?? '').split(/\s+/).filter(spec => spec.length > 0)) {
		if (!specs.has(spec)) {
			specs.set(spec, variable);
		}
	}

	return [...specs];
}

/**
 * All `--pool` values, then LIFEGUARD_POOLS (whitespace-separated); exact repeats are dropped. An
 * empty `--pool ''` is an error (a script that lost its variable), an empty LIFEGUARD_POOLS is not.
 */
export function parsePoolSpecs(list: readonly string[], envValue?: string): PoolEndpoint[] {
	return specsOf(list, envValue, '--pool', 'LIFEGUARD_POOLS').map(([spec, source]) => parsePoolSpec(spec, source));
}

/** The pool named by a `#pool=NAME` fragment, or null when the URL has none. */
export function poolSelector(url: string): string | null {
	const hash = url.indexOf('#');
	if (hash === -1) {
		return null;
	}

	const match = /^pool=(.+)$/s.exec(url.slice(hash + 1));
	if (!match) {
		return null;
	}

	try {
		return decodeURIComponent(match[1]!);
	} catch {
		return match[1]!;
	}
}

// --- `--prometheus [NAME=]URL`: a fleet's pools through the Prometheus HTTP API ---

/**
 * Parse one `[NAME=]URL` of a Prometheus (or Thanos, Mimir, VictoriaMetrics: the same HTTP API). Basic
 * auth may sit in the URL; `token` is sent as a bearer token instead, and only to a URL without userinfo.
 */
export function parsePrometheusSpec(spec: string, source: string, context: {selector: string | null; token?: string | null}): PoolEndpoint {
	const trimmed = spec.trim();
	const token = context.token ?? null;
	const failure = (reason: string) => new Error(`${source} "${safeText(maskText(trimmed, [token]).replace(/\s+/g, ' '))}": ${reason}`);
	const named = NAME_PREFIX.exec(trimmed);
	const name = named ? named[1]! : null;
	const url = named ? named[2]!.trim() : trimmed;
	if (url.length === 0) {
		throw failure('missing URL');
	}

	if (!/^https?:\/\//i.test(url)) {
		throw failure('not an http(s):// URL');
	}

	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw failure('invalid URL');
	}

	if (!parsed.hostname) {
		throw failure('missing host');
	}

	if (parsed.hash !== '' || parsed.search !== '') {
		throw failure('no query or fragment (use --prometheus-selector to narrow the series)');
	}

	const malformed = malformedEscape(parsed, 'prometheus');
	if (malformed !== null) {
		throw failure(malformed);
	}

	if (token !== null && urlUserinfo(parsed) !== null) {
		throw failure('its URL holds a user, so no bearer token is sent to it');
	}

	return {id: nextEndpointId(), name, url, maskedUrl: maskUrl(url), kind: 'prometheus', forcedFormat: 'prometheus', selector: context.selector, bearerToken: token};
}

/**
 * All `--prometheus` values, then LIFEGUARD_PROMETHEUS (whitespace-separated); exact repeats dropped.
 * Each gets its own credentials from the environment (see withPrometheusTokens).
 */
export function parsePrometheusSpecs(list: readonly string[], env: Readonly<Record<string, string | undefined>>, selector: string | null): PoolEndpoint[] {
	const endpoints = specsOf(list, env['LIFEGUARD_PROMETHEUS'], '--prometheus', 'LIFEGUARD_PROMETHEUS').map(([spec, source]) => parsePrometheusSpec(spec, source, {selector}));
	return withPrometheusTokens(endpoints, env);
}

const LABEL_MATCHER = String.raw`[a-zA-Z_]\w*\s*(?:=~|!~|!=|=)\s*(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|` + '`[^`]*`)';
const SELECTOR = new RegExp(String.raw`^\{?\s*(${LABEL_MATCHER}(?:\s*,\s*${LABEL_MATCHER})*)\s*,?\s*\}?$`);

/**
 * `{namespace="shop", env=~"prod|eu"}` (braces optional) → the matchers, `namespace="shop", env=~"prod|eu"`,
 * added to every query. Label matchers only: a metric name or anything else is refused here, in one line.
 */
export function parsePrometheusSelector(text: string): string {
	const trimmed = text.trim();
	const match = SELECTOR.exec(trimmed);
	const hasBraces = trimmed.startsWith('{') === trimmed.endsWith('}');
	if (!match || !hasBraces) {
		const shown = safeText(trimmed.length > 60 ? `${trimmed.slice(0, 59)}…` : trimmed);
		throw new Error(`--prometheus-selector: "${shown}" is not a list of label matchers (use e.g. '{namespace="shop"}')`);
	}

	return match[1]!;
}
