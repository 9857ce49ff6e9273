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

/** Each scheme, decided once here: what collects it, and the format when it is not detected. */
const SCHEMES: Readonly<Record<string, Pick<PoolEndpoint, 'kind' | 'forcedFormat'>>> = {
	http: {kind: 'http', forcedFormat: null},
	https: {kind: 'http', forcedFormat: null},
	'prom+http': {kind: 'http', forcedFormat: 'prometheus'},
	'prom+https': {kind: 'http', forcedFormat: 'prometheus'},
	'json+http': {kind: 'http', forcedFormat: 'json'},
	'json+https': {kind: 'http', forcedFormat: 'json'},
	// Spring Boot Actuator's metric pages, walked at the plain http(s) URL.
	'actuator+http': {kind: 'actuator', forcedFormat: 'json'},
	'actuator+https': {kind: 'actuator', forcedFormat: 'json'},
	pgbouncer: {kind: 'pgbouncer', forcedFormat: null},
};

/** The URL parsed, with a host, and %-escapes that decode; or the reason it is unusable. */
function usableUrl(url: string, kind: PoolEndpoint['kind']): URL | string {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return 'invalid URL';
	}

	return parsed.hostname ? (malformedEscape(parsed, kind) ?? parsed) : 'missing host';
}

/**
 * `[NAME=]URL` → its name and URL, and how a failure of this spec is worded: one masked, printable
 * line naming where it came from. Throws that failure when there is no URL.
 */
function splitSpec(spec: string, source: string, secrets: ReadonlyArray<string | null> = []): {name: string | null; rest: string; failure: (reason: string) => Error} {
	const trimmed = spec.trim();
	// maskText, not maskUrl: the spec may start with NAME= and still hold user:password@
	const failure = (reason: string) => new Error(`${source} "${safeText(maskText(trimmed, secrets).replace(/\s+/g, ' '))}": ${reason}`);
	const named = NAME_PREFIX.exec(trimmed);
	const rest = named ? named[2]!.trim() : trimmed;
	if (rest.length === 0) {
		throw failure('missing URL');
	}

	return {name: named ? named[1]! : null, rest, failure};
}

/**
 * Parse one `[NAME=]URL`. Throws an Error with one masked, printable line when the spec is unusable,
 * naming where it came from (`--pool`, or `LIFEGUARD_POOLS`).
 */
export function parsePoolSpec(spec: string, source = '--pool'): PoolEndpoint {
	const {name, rest, failure} = splitSpec(spec, source);

	const scheme = /^([a-z][a-z\d+.-]*):/i.exec(rest)?.[1]?.toLowerCase();
	if (!scheme || !rest.slice(scheme.length + 1).startsWith('//')) {
		throw failure(`not a URL (${SCHEMES_HINT})`);
	}

	const decided = Object.hasOwn(SCHEMES, scheme) ? SCHEMES[scheme]! : null;
	if (decided === null) {
		throw failure(`unsupported scheme "${scheme}:" (${SCHEMES_HINT})`);
	}

	// `prom+`, `json+`, `actuator+` say how to read it; the URL requested is the plain one after them.
	const plus = scheme.indexOf('+') + 1;
	const url = rest.slice(plus);
	const parsed = usableUrl(url, decided.kind);
	if (typeof parsed === 'string') {
		throw failure(parsed);
	}

	if (parsed.hash !== '' && poolSelector(url) === null) {
		throw failure(`unsupported fragment "${parsed.hash}" (use #pool=NAME to pick one pool)`);
	}

	// Actuator's is shown as typed (`actuator+https://u:***@…`), masked as the URL that is really requested.
	const shownScheme = decided.kind === 'actuator' ? rest.slice(0, plus) : '';
	return {id: nextEndpointId(), name, url, maskedUrl: `${shownScheme}${maskUrl(url)}`, ...decided};
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
	const token = context.token ?? null;
	const {name, rest: url, failure} = splitSpec(spec, source, [token]);

	if (!/^https?:\/\//i.test(url)) {
		throw failure('not an http(s):// URL');
	}

	const parsed = usableUrl(url, 'prometheus');
	if (typeof parsed === 'string') {
		throw failure(parsed);
	}

	if (parsed.hash !== '' || parsed.search !== '') {
		throw failure('no query or fragment (use --prometheus-selector to narrow the series)');
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
