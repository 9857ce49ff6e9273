// `--pool [NAME=]URL` and LIFEGUARD_POOLS → PoolEndpoint, and the names pools get on screen.
import type {PoolEndpoint} from '../model/types.js';
import {safeText} from '../text/sanitize.js';
import {maskText, maskUrl} from './mask.js';

const SCHEMES_HINT = 'use http(s)://, prom+http(s)://, json+http(s)://, actuator+http(s)://, pgbouncer://';
// A NAME has no ':' or '/', so `http://host/?a=b` is never read as NAME=URL.
const NAME_PREFIX = /^([\w.-]+)=(.*)$/s;

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

	return {name, url, maskedUrl: maskUrl(url), kind, forcedFormat};
}

/**
 * All `--pool` values, then LIFEGUARD_POOLS (whitespace-separated); exact repeats are dropped. An
 * empty `--pool ''` is an error (a script that lost its variable), an empty LIFEGUARD_POOLS is not.
 */
export function parsePoolSpecs(list: readonly string[], envValue?: string): PoolEndpoint[] {
	if (list.some(spec => spec.trim() === '')) {
		throw new Error('--pool: empty value');
	}

	const specs = new Map<string, string>();
	for (const spec of list) {
		specs.set(spec.trim(), '--pool');
	}

	for (const spec of (envValue ?? '').split(/\s+/).filter(spec => spec.length > 0)) {
		if (!specs.has(spec)) {
			specs.set(spec, 'LIFEGUARD_POOLS');
		}
	}

	return [...specs].map(([spec, source]) => parsePoolSpec(spec, source));
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
