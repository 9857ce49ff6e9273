// One GET of a pool endpoint → PoolReading. Never throws: every failure is one masked line.
// node:http rather than fetch so the deadline, the size cap and gzip are all in our hands.
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import type {Readable} from 'node:stream';
import {maskText, urlSecrets} from '../../connection/mask.js';
import type {PoolEndpoint, PoolReading} from '../../model/types.js';
import {poolsFromJson} from './json-pools.js';
import {poolsFromExposition} from './prometheus-pools.js';
import {parsePrometheusText} from './prometheus-text.js';

export const DEFAULT_MAX_BYTES = 1024 * 1024;

// Reference §7.3: text first (every exporter speaks it), never protobuf, never escaping=allow-utf-8.
const ACCEPT_DETECT = 'text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.8,application/json;q=0.7,*/*;q=0.1';
const ACCEPT_PROMETHEUS = 'text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.8,*/*;q=0.1';
const ACCEPT_JSON = 'application/json;q=0.9,*/*;q=0.1';

export type HttpCollectOptions = {timeoutMs: number; maxBytes?: number};

export async function collectHttp(endpoint: PoolEndpoint, options: HttpCollectOptions): Promise<PoolReading> {
	const secrets = urlSecrets(endpoint.url);
	try {
		const response = await get(endpoint, options.timeoutMs, options.maxBytes ?? DEFAULT_MAX_BYTES);
		if (!response.ok) {
			return {ok: false, error: oneLine(maskText(response.error, secrets))};
		}

		const reading = interpret(response.body, response.contentType, endpoint.forcedFormat);
		return reading.ok ? reading : {ok: false, error: oneLine(maskText(reading.error, secrets))};
	} catch (error) {
		// Not expected: get() and interpret() report failures as values. Kept so collect never throws.
		return {ok: false, error: oneLine(maskText(describeError(error, ''), secrets))};
	}
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

type Fetched = {ok: true; contentType: string; body: string} | {ok: false; error: string};

async function get(endpoint: PoolEndpoint, timeoutMs: number, maxBytes: number): Promise<Fetched> {
	const url = new URL(endpoint.url);
	const transport = url.protocol === 'https:' ? https : http;
	const accept = endpoint.forcedFormat === 'json' ? ACCEPT_JSON : endpoint.forcedFormat === 'prometheus' ? ACCEPT_PROMETHEUS : ACCEPT_DETECT;
	return new Promise<Fetched>(resolve => {
		let isSettled = false;
		const settle = (result: Fetched) => {
			if (isSettled) {
				return;
			}

			isSettled = true;
			clearTimeout(timer);
			request.destroy(); // also aborts a body still streaming in
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
				// Basic auth for protected actuators; the URL's password never reaches a screen (masked).
				auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
				headers: {accept, 'accept-encoding': 'gzip', 'user-agent': 'lifeguard'},
				agent: false,
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
			settle({ok: false, error: describeError(error, url.hostname)});
		});
		request.end();
	});
}

function describeError(error: unknown, hostname: string): string {
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

function oneLine(text: string): string {
	return text.replace(/\s+/g, ' ').trim();
}

function formatBytes(bytes: number): string {
	if (bytes % (1024 * 1024) === 0) {
		return `${bytes / (1024 * 1024)} MiB`;
	}

	return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}
