// GETs of a pool endpoint → PoolReading. Never throws: every failure is one masked line.
// node:http rather than fetch so the deadline, the size cap and gzip are all in our hands.
// One keep-alive agent per endpoint: a poll reuses the previous poll's TCP (and TLS) connection.
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import type {Readable} from 'node:stream';
import {basicAuthorization} from '../../connection/credentials.js';
import {maskText, urlSecrets} from '../../connection/mask.js';
import type {PoolEndpoint, PoolMetrics, PoolReading} from '../../readings/types.js';
import {poolSelector} from '../../connection/pool-endpoint.js';
import {oneLine} from '../../text/words.js';
import {poolsFromJson} from './json-pools.js';
import {poolsFromExposition} from './prometheus-pools.js';
import {parsePrometheusText} from './prometheus-text.js';
import {noMetrics, validatePool} from './validate-pools.js';

export const DEFAULT_MAX_BYTES = 1024 * 1024;

// Reference §7.3: text first (every exporter speaks it), never protobuf, never escaping=allow-utf-8.
const ACCEPT_DETECT = 'text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.8,application/json;q=0.7,*/*;q=0.1';
const ACCEPT_PROMETHEUS = 'text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.8,*/*;q=0.1';
const ACCEPT_JSON = 'application/json;q=0.9,*/*;q=0.1';

const ACCEPT_ACTUATOR = 'application/vnd.spring-boot.actuator.v3+json,application/json;q=0.9,*/*;q=0.1';

export type HttpCollectorOptions = {maxBytes?: number};

export type HttpCollector = {
	collect(timeoutMs: number): Promise<PoolReading>;
	/** Close the kept-alive connections. */
	close(): Promise<void>;
};

/** `actuator+http(s)://host/actuator`: Spring Boot's metrics endpoint, read per HikariCP metric. */
export function isActuatorUrl(url: string): boolean {
	return /^actuator\+https?:/i.test(url);
}

export function createHttpCollector(endpoint: PoolEndpoint, options: HttpCollectorOptions = {}): HttpCollector {
	const secrets = urlSecrets(endpoint.url);
	const isActuator = isActuatorUrl(endpoint.url);
	const target = new URL(isActuator ? endpoint.url.replace(/^actuator\+/i, '') : endpoint.url);
	const transport = target.protocol === 'https:' ? https : http;
	// maxSockets 1: polls never overlap, and an actuator poll's requests go one after another.
	const agent = new transport.Agent({keepAlive: true, maxSockets: 1, keepAliveMsecs: 1000});

	const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
	return {
		async collect(timeoutMs) {
			try {
				const reading = isActuator
					? await readActuator(target, poolSelector(endpoint.url), agent, timeoutMs, maxBytes)
					: await readOnce(endpoint, target, agent, timeoutMs, maxBytes);
				return reading.ok ? reading : {ok: false, error: oneLine(maskText(reading.error, secrets))};
			} catch (error) {
				// Not expected: the readers report failures as values. Kept so collect never throws.
				return {ok: false, error: oneLine(maskText(describeError(error, ''), secrets))};
			}
		},
		async close() {
			agent.destroy();
		},
	};
}

async function readOnce(endpoint: PoolEndpoint, url: URL, agent: http.Agent, timeoutMs: number, maxBytes: number): Promise<PoolReading> {
	const accept = endpoint.forcedFormat === 'json' ? ACCEPT_JSON : endpoint.forcedFormat === 'prometheus' ? ACCEPT_PROMETHEUS : ACCEPT_DETECT;
	const response = await getFresh(url, accept, agent, timeoutMs, maxBytes);
	return response.ok ? interpret(response.body, response.contentType, endpoint.forcedFormat) : {ok: false, error: response.error};
}

/** Micrometer's HikariCP meters as Spring Boot Actuator serves them, one request per meter and pool. */
const ACTUATOR_METERS = {
	open: 'hikaricp.connections',
	active: 'hikaricp.connections.active',
	idle: 'hikaricp.connections.idle',
	waiting: 'hikaricp.connections.pending',
	max: 'hikaricp.connections.max',
	timeoutsTotal: 'hikaricp.connections.timeout',
} as const;
/** More pools than this in one application is a misconfiguration, not something to poll. */
const ACTUATOR_MAX_POOLS = 8;

async function readActuator(base: URL, only: string | null, agent: http.Agent, timeoutMs: number, maxBytes: number): Promise<PoolReading> {
	const deadline = Date.now() + timeoutMs;
	const basePath = base.pathname.replace(/\/+$/, '');
	const fetchMeter = async (meter: string, pool: string | null): Promise<{ok: true; value: unknown} | {ok: false; error: string; isMissing?: boolean}> => {
		const url = new URL(base.toString());
		url.pathname = `${basePath}/metrics/${meter}`;
		url.search = pool === null ? '' : `?tag=pool:${encodeURIComponent(pool)}`;
		url.hash = '';
		const remaining = deadline - Date.now();
		if (remaining <= 0) {
			return {ok: false, error: `timed out after ${timeoutMs} ms`};
		}

		const response = await getFresh(url, ACCEPT_ACTUATOR, agent, remaining, maxBytes);
		if (!response.ok) {
			const isMissing = response.error.startsWith('HTTP 404');
			return {ok: false, error: isMissing ? `actuator: ${meter} not found (is HikariCP's Micrometer binding on?)` : response.error, isMissing};
		}

		try {
			return {ok: true, value: JSON.parse(response.body) as unknown};
		} catch {
			return {ok: false, error: `actuator: ${meter} is not JSON`};
		}
	};

	const index = await fetchMeter(ACTUATOR_METERS.open, null);
	if (!index.ok) {
		return index;
	}

	const listed = actuatorPools(index.value);
	// With #pool=NAME only that pool's meters are requested (create-collector reports it when absent).
	const pools = only !== null && listed.includes(only) ? [only] : listed;
	if (pools.length === 0) {
		return {ok: false, error: 'actuator: hikaricp.connections lists no pool tag'};
	}

	const result: PoolMetrics[] = [];
	for (const pool of pools.slice(0, ACTUATOR_MAX_POOLS)) {
		const metrics: PoolMetrics = noMetrics(pool);
		for (const [field, meter] of Object.entries(ACTUATOR_METERS) as Array<[keyof typeof ACTUATOR_METERS, string]>) {
			const response = await fetchMeter(meter, pool);
			if (!response.ok) {
				if (response.isMissing) {
					continue; // an older Micrometer without this meter: the field stays "not exposed"
				}

				return response;
			}

			metrics[field] = actuatorMeasurement(response.value, field === 'timeoutsTotal' ? 'COUNT' : 'VALUE');
		}

		if (Object.keys(ACTUATOR_METERS).every(field => metrics[field as keyof typeof ACTUATOR_METERS] === null)) {
			return {ok: false, error: `actuator: no hikaricp.connections.* meter for pool "${pool}"`};
		}

		result.push(validatePool(metrics));
	}

	return {ok: true, format: 'json', pools: result};
}

/** The pool tag values of an Actuator metric response: `availableTags: [{tag: 'pool', values: [...]}]`. */
export function actuatorPools(body: unknown): string[] {
	if (typeof body !== 'object' || body === null) {
		return [];
	}

	const tags = (body as {availableTags?: unknown}).availableTags;
	if (!Array.isArray(tags)) {
		return [];
	}

	const pool = tags.find((tag: unknown) => typeof tag === 'object' && tag !== null && (tag as {tag?: unknown}).tag === 'pool') as {values?: unknown} | undefined;
	return Array.isArray(pool?.values) ? pool.values.filter((value): value is string => typeof value === 'string').sort() : [];
}

/** One statistic of an Actuator metric response: `measurements: [{statistic: 'VALUE', value: 2}]`. */
export function actuatorMeasurement(body: unknown, statistic: string): number | null {
	if (typeof body !== 'object' || body === null) {
		return null;
	}

	const measurements = (body as {measurements?: unknown}).measurements;
	if (!Array.isArray(measurements)) {
		return null;
	}

	const found = measurements.find((item: unknown) => typeof item === 'object' && item !== null && (item as {statistic?: unknown}).statistic === statistic) as {value?: unknown} | undefined;
	return typeof found?.value === 'number' && Number.isFinite(found.value) ? found.value : null;
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

type Fetched = {ok: true; contentType: string; body: string} | {ok: false; error: string; isStaleSocket?: boolean};

/**
 * get(), once more on a fresh socket when a kept-alive one turned out closed by the server (it may
 * close an idle connection just as a poll reuses it): the Node docs' pattern for `reusedSocket`.
 */
async function getFresh(url: URL, accept: string, agent: http.Agent, timeoutMs: number, maxBytes: number): Promise<Fetched> {
	const started = Date.now();
	const first = await get(url, accept, agent, timeoutMs, maxBytes);
	const remaining = timeoutMs - (Date.now() - started);
	if (first.ok || !first.isStaleSocket || remaining <= 0) {
		return first;
	}

	return get(url, accept, agent, remaining, maxBytes);
}

async function get(url: URL, accept: string, agent: http.Agent, timeoutMs: number, maxBytes: number): Promise<Fetched> {
	const transport = url.protocol === 'https:' ? https : http;
	const authorization = basicAuthorization(url);
	return new Promise<Fetched>(resolve => {
		let isSettled = false;
		let isComplete = false;
		const settle = (result: Fetched) => {
			if (isSettled) {
				return;
			}

			isSettled = true;
			clearTimeout(timer);
			if (!result.ok || !isComplete) {
				request.destroy(); // also aborts a body still streaming in; the agent opens a new socket next time
			}

			resolve(result);
		};

		const timer = setTimeout(() => {
			settle({ok: false, error: `timed out after ${timeoutMs} ms`});
		}, timeoutMs);
		const request = transport.request(
			{
				protocol: url.protocol,
				hostname: url.hostname.replace(/^\[|\]$/g, ''),
				port: url.port || undefined,
				path: `${url.pathname}${url.search}`,
				method: 'GET',
				// Basic auth for protected endpoints; the URL's password never reaches a screen (masked).
				headers: {accept, 'accept-encoding': 'gzip', 'user-agent': 'lifeguard', ...(authorization ? {authorization} : {})},
				agent,
			},
			response => {
				const status = response.statusCode ?? 0;
				if (status < 200 || status > 299) {
					const text = (response.statusMessage ?? '').trim() || http.STATUS_CODES[status] || '';
					settle({ok: false, error: `HTTP ${status}${text ? ` ${text}` : ''}`});
					return;
				}

				const tooLarge = `response larger than ${formatBytes(maxBytes)}`;
				const encoding = (response.headers['content-encoding'] ?? '').toLowerCase();
				const declared = Number(response.headers['content-length']);
				if (encoding === '' && Number.isFinite(declared) && declared > maxBytes) {
					settle({ok: false, error: tooLarge});
					return;
				}

				let stream: Readable = response;
				if (encoding === 'gzip' || encoding === 'x-gzip' || encoding === 'deflate') {
					// The cap counts decompressed bytes: a small gzip body can inflate to gigabytes.
					stream = response.pipe(encoding === 'deflate' ? zlib.createInflate() : zlib.createGunzip());
					response.on('error', error => {
						settle({ok: false, error: describeError(error, url.hostname)});
					});
				} else if (encoding !== '' && encoding !== 'identity') {
					settle({ok: false, error: `unsupported Content-Encoding "${encoding}"`});
					return;
				}

				const chunks: Buffer[] = [];
				let size = 0;
				stream.on('data', (chunk: Buffer) => {
					size += chunk.length;
					if (size > maxBytes) {
						settle({ok: false, error: tooLarge});
						if (stream !== response) {
							stream.destroy();
						}

						return;
					}

					chunks.push(chunk);
				});
				stream.on('end', () => {
					isComplete = response.complete;
					const body = Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '');
					settle({ok: true, contentType: String(response.headers['content-type'] ?? ''), body});
				});
				stream.on('error', error => {
					settle({ok: false, error: describeError(error, url.hostname)});
				});
				response.on('aborted', () => {
					settle({ok: false, error: 'connection reset'});
				});
				response.on('close', () => {
					// A body cut short without an error event still must not pass as a whole one.
					if (!response.complete) {
						settle({ok: false, error: 'connection reset'});
					}
				});
			},
		);
		request.on('error', error => {
			const code = (error as {code?: string}).code;
			const isStaleSocket = request.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE');
			settle({ok: false, error: describeError(error, url.hostname), isStaleSocket});
		});
		request.end();
	});
}

/** A request's failure in one short line (shared by the pool endpoints and the Prometheus API). */
export function describeError(error: unknown, hostname: string): string {
	const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as {code: unknown}).code) : '';
	const message = error instanceof Error ? error.message : String(error);
	switch (code) {
		case 'ECONNREFUSED': {
			return 'connection refused';
		}

		case 'ECONNRESET':
		case 'EPIPE': {
			return 'connection reset';
		}

		case 'ENOTFOUND':
		case 'EAI_AGAIN': {
			return `host not found: ${hostname}`;
		}

		case 'EHOSTUNREACH':
		case 'ENETUNREACH': {
			return 'host unreachable';
		}

		case 'Z_DATA_ERROR':
		case 'Z_BUF_ERROR': {
			return 'invalid gzip body';
		}

		default: {
			return message === 'socket hang up' ? 'connection reset' : message;
		}
	}
}

function formatBytes(bytes: number): string {
	if (bytes % (1024 * 1024) === 0) {
		return `${bytes / (1024 * 1024)} MiB`;
	}

	return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}
