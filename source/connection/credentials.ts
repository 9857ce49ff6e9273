// What each pool endpoint is sent to prove who is asking: its own URL's userinfo (basic auth, or the
// PgBouncer console's login), or, for a `--prometheus` endpoint without userinfo, a bearer token the
// operator gave for that endpoint alone. A token never goes to an endpoint with credentials of its
// own, and never to more than the endpoint it was meant for.
import type {PoolEndpoint} from '../readings/types.js';
import {urlSecrets} from './mask.js';

export type Userinfo = {user: string; password: string};

/** An endpoint's userinfo, %-decoded; null when its URL holds none. Throws on a malformed %-escape. */
export function urlUserinfo(url: string | URL): Userinfo | null {
	const parsed = typeof url === 'string' ? new URL(url) : url;
	if (parsed.username === '' && parsed.password === '') {
		return null;
	}

	return {user: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password)};
}

/** `Basic …` from the URL's userinfo, or undefined when it has none (or cannot be decoded: parsing refuses those). */
export function basicAuthorization(url: string | URL): string | undefined {
	try {
		const userinfo = urlUserinfo(url);
		return userinfo ? `Basic ${Buffer.from(`${userinfo.user}:${userinfo.password}`).toString('base64')}` : undefined;
	} catch {
		return undefined;
	}
}

/** What every request to an HTTP endpoint carries: its bearer token, else basic auth from its URL's userinfo. */
export function endpointAuthorization(endpoint: Pick<PoolEndpoint, 'url' | 'bearerToken'>): string | undefined {
	// Parsing gives a token only to an endpoint without userinfo: never both.
	return endpoint.bearerToken ? `Bearer ${endpoint.bearerToken}` : basicAuthorization(endpoint.url);
}

/** What must never show of an endpoint: its URL's user and password, and its token. */
export function endpointSecrets(endpoint: Pick<PoolEndpoint, 'url' | 'bearerToken'>): string[] {
	return [...urlSecrets(endpoint.url), ...(endpoint.bearerToken ? [endpoint.bearerToken] : [])];
}

/** localhost, 127.0.0.0/8 and ::1: a request there never crosses a network. */
export function isLoopbackHost(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** `LIFEGUARD_PROMETHEUS_TOKEN_<NAME>`: the name upper-cased, each character other than A–Z, 0–9 and _ as _. */
export function tokenVariable(name: string): string {
	return `LIFEGUARD_PROMETHEUS_TOKEN_${name.toUpperCase().replaceAll(/[^A-Z\d_]/g, '_')}`;
}

const hasUserinfo = (endpoint: PoolEndpoint) => urlUserinfo(endpoint.url) !== null;
const nameOf = (endpoint: PoolEndpoint) => endpoint.name ?? endpoint.maskedUrl;

/**
 * Each `--prometheus` endpoint's bearer token: `LIFEGUARD_PROMETHEUS_TOKEN_<NAME>` for the endpoint
 * named NAME; `LIFEGUARD_PROMETHEUS_TOKEN` for the one endpoint with no credentials of its own (no
 * userinfo, no token by name). Refused, with one line naming the variable: a named token for an
 * endpoint whose URL holds a user (which credential is meant?), and LIFEGUARD_PROMETHEUS_TOKEN when
 * several endpoints could take it (sending it to all is what leaked it before).
 */
export function withPrometheusTokens(endpoints: readonly PoolEndpoint[], env: Readonly<Record<string, string | undefined>>): PoolEndpoint[] {
	const byVariable = new Map<string, string>();
	const named = endpoints.map(endpoint => {
		if (endpoint.name === null) {
			return endpoint;
		}

		const variable = tokenVariable(endpoint.name);
		const earlier = byVariable.get(variable);
		if (earlier !== undefined && earlier !== endpoint.name) {
			throw new Error(`--prometheus: the names ${earlier} and ${endpoint.name} both read ${variable}; rename one`);
		}

		byVariable.set(variable, endpoint.name);
		const token = env[variable]?.trim() || null;
		if (token !== null && hasUserinfo(endpoint)) {
			throw new Error(`--prometheus ${endpoint.name}: its URL holds a user and ${variable} is set; give one of the two`);
		}

		return token === null ? endpoint : {...endpoint, bearerToken: token};
	});
	const shared = env['LIFEGUARD_PROMETHEUS_TOKEN']?.trim() || null;
	if (shared === null) {
		return named;
	}

	const open = named.filter(endpoint => !endpoint.bearerToken && !hasUserinfo(endpoint));
	if (open.length > 1) {
		throw new Error(`LIFEGUARD_PROMETHEUS_TOKEN: ${open.length} --prometheus endpoints have no credentials of their own (${open.map(endpoint => nameOf(endpoint)).join(', ')}); it is sent to one only: name them (NAME=URL) and set ${tokenVariable('NAME')} for each`);
	}

	return named.map(endpoint => (endpoint === open[0] ? {...endpoint, bearerToken: shared} : endpoint));
}

/** The `sslmode` values of a `pgbouncer://` URL that turn TLS on (node-postgres has no libpq "prefer"). */
const CONSOLE_TLS_MODES = new Set(['require', 'no-verify', 'verify-ca', 'verify-full']);

/** Whether the PgBouncer console of a `pgbouncer://` URL is reached over TLS (`?sslmode=require` and stricter). */
export function isConsoleTls(url: URL): boolean {
	return CONSOLE_TLS_MODES.has(url.searchParams.get('sslmode') ?? '');
}

/**
 * One warning line when a bearer token or a password would cross a network in clear text (plain
 * http, or a PgBouncer console without TLS, to a host other than loopback), naming each such
 * endpoint; null when none would.
 */
export function plainHttpWarning(endpoints: readonly PoolEndpoint[]): string | null {
	const overHttp: string[] = [];
	const consoles: string[] = [];
	for (const endpoint of endpoints) {
		let url: URL;
		try {
			url = new URL(endpoint.url);
		} catch {
			continue;
		}

		if (isLoopbackHost(url.hostname)) {
			continue;
		}

		const secret = endpoint.bearerToken ? 'a bearer token' : url.password === '' ? null : 'a password';
		if (endpoint.kind === 'pgbouncer') {
			if (secret !== null && !isConsoleTls(url)) {
				consoles.push(endpoint.maskedUrl);
			}
		} else if (secret !== null && url.protocol === 'http:') {
			overHttp.push(`${secret} to ${endpoint.maskedUrl}`);
		}
	}

	const sentences = [
		...(overHttp.length === 0 ? [] : [`plain http sends ${overHttp.join(', ')} readable by anyone on the network; use https://`]),
		// md5 and SCRAM send no password, but PgBouncer's auth_type plain asks for it as it is.
		...(consoles.length === 0 ? [] : [`pgbouncer:// without TLS logs in to ${consoles.join(', ')} unencrypted (the password in clear under auth_type plain); add ?sslmode=require`]),
	];
	return sentences.length === 0 ? null : sentences.join('; ');
}

/**
 * A `LIFEGUARD_PROMETHEUS_TOKEN_<NAME>` that no `--prometheus` endpoint reads (a typo, an endpoint
 * renamed or gone): the refusal, naming it and the names there are; null when every one is read.
 */
export function unusedTokenVariable(endpoints: readonly PoolEndpoint[], env: Readonly<Record<string, string | undefined>>): string | null {
	const names = endpoints.filter(endpoint => endpoint.kind === 'prometheus' && endpoint.name !== null).map(endpoint => endpoint.name!);
	const read = new Set(names.map(name => tokenVariable(name)));
	const unused = Object.keys(env).filter(key => key.startsWith(tokenVariable('')) && env[key]?.trim() && !read.has(key)).sort();
	if (unused.length === 0) {
		return null;
	}

	const known = names.length === 0 ? 'no --prometheus endpoint has a name (NAME=URL)' : `the --prometheus names are ${names.join(', ')}`;
	return `${unused[0]}: no --prometheus endpoint is named for it (${known}); unset it or fix the name`;
}
