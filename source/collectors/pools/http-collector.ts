// A pool endpoint read with one GET (Prometheus text, OpenMetrics or JSON) → PoolReading. Failures are
// values, not yet masked: create-collector masks every one and holds the poll's deadline.
import {endpointAuthorization} from '../../connection/credentials.js';
import {createHttpClient} from '../../connection/http.js';
import type {PoolEndpoint, PoolReading} from '../../readings/types.js';
import type {Deadline} from '../../polling/deadline.js';
import {poolsFromJson} from './json-pools.js';
import {poolsFromExposition} from './prometheus-pools.js';
import {parsePrometheusText} from './prometheus-text.js';

/** The decoded bytes one answer of a pool endpoint may hold. */
export const DEFAULT_MAX_BYTES = 1024 * 1024;

// Reference §7.3: text first (every exporter speaks it), never protobuf, never escaping=allow-utf-8.
const ACCEPT_DETECT = 'text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.8,application/json;q=0.7,*/*;q=0.1';
const ACCEPT_PROMETHEUS = 'text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.8,*/*;q=0.1';
const ACCEPT_JSON = 'application/json;q=0.9,*/*;q=0.1';

/** What create-collector runs under a deadline: every kind of endpoint has one. */
export type EndpointCollector = {
	collect(deadline: Deadline): Promise<PoolReading>;
	/** Close the kept-alive connections. */
	close(): Promise<void>;
};

export function createHttpCollector(endpoint: PoolEndpoint, maxBytes: number): EndpointCollector {
	const url = new URL(endpoint.url);
	url.hash = '';
	const accept = endpoint.forcedFormat === 'json' ? ACCEPT_JSON : endpoint.forcedFormat === 'prometheus' ? ACCEPT_PROMETHEUS : ACCEPT_DETECT;
	// One kept-alive socket: a poll reuses the previous poll's TCP (and TLS) connection.
	const client = createHttpClient({isHttps: url.protocol === 'https:', maxSockets: 1, authorization: endpointAuthorization(endpoint)});
	return {
		async collect({signal}) {
			const answer = await client.request({url, accept, signal, maxBytes});
			return answer.ok ? interpret(answer.body, answer.contentType, endpoint.forcedFormat) : {ok: false, error: answer.error};
		},
		async close() {
			client.close();
		},
	};
}

export type DetectedFormat = 'prometheus' | 'json';

/** Reference §8.5: the Content-Type decides, but a JSON body served as text/plain is still JSON. */
export function detectFormat(contentType: string, body: string): DetectedFormat {
	const type = contentType.toLowerCase();
	if (type.includes('json')) {
		return 'json';
	}

	if (type.includes('openmetrics')) {
		return 'prometheus';
	}

	const first = body.trimStart()[0];
	return first === '{' || first === '[' ? 'json' : 'prometheus';
}

/** Turn a body into pools; failures are unmasked here (the caller masks). */
export function interpret(body: string, contentType: string, forcedFormat: DetectedFormat | null): PoolReading {
	if (contentType.toLowerCase().includes('protobuf')) {
		return {ok: false, error: 'protobuf not supported; endpoint ignored Accept'};
	}

	const format = forcedFormat ?? detectFormat(contentType, body);
	if (format === 'json') {
		let parsed: unknown;
		try {
			parsed = JSON.parse(body);
		} catch (error) {
			return {ok: false, error: `invalid JSON: ${error instanceof Error ? error.message : String(error)}`};
		}

		const result = poolsFromJson(parsed);
		return result.ok ? {ok: true, format: 'json', pools: result.pools} : result;
	}

	const exposition = parsePrometheusText(body);
	if (contentType.toLowerCase().includes('openmetrics') && !exposition.hasEof) {
		return {ok: false, error: 'OpenMetrics response without # EOF (truncated?)'};
	}

	const pools = poolsFromExposition(exposition);
	return pools.length > 0 ? {ok: true, format: 'prometheus', pools} : {ok: false, error: 'no pool metrics recognised in response'};
}
