// `--prometheus URL`: a fleet's pools read through the Prometheus HTTP API (or Thanos, Mimir,
// VictoriaMetrics, Grafana Cloud behind the same API). One instant query per pool family per refresh,
// all at once and all within the endpoint's timeout; gauges as they are, counters as `rate(...[1m])`.
// Never throws: every failure is one masked line.
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import type {Readable} from 'node:stream';
import {basicAuthorization, isLoopbackHost} from '../../connection/credentials.js';
import {maskText, urlSecrets} from '../../connection/mask.js';
import type {PoolEndpoint, PoolReading} from '../../readings/types.js';
import {fleetPools, RATE_LABEL, type VectorSample} from './prometheus-fleet.js';
import {familyNames, type FamilyNames} from './prometheus-pools.js';
import {describeError} from './http-collector.js';
import {oneLine} from '../../text/words.js';

/**
 * A family's answer for 500 instances × 2 pools is 1 MiB: 4 MiB holds ~2,000 instances × 2 pools. A
 * runaway selector (or a hostile server) is cut here, before the answer is parsed (parsing costs ~1.6×
 * its size in heap), and the row says to narrow the selector.
 */
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
/**
 * All the answers of one refresh, together (they arrive side by side): what one refresh may hold.
 * Two full answers; parsing and grouping them (~45,000 series) takes ~0.4 s of CPU, which the server's
 * poller shares (measured: bench/README.md, hostile endpoints).
 */
const DEFAULT_MAX_REFRESH_BYTES = 8 * 1024 * 1024;
/** The window of rate(): four scrapes at a 15 s interval. */
export const RATE_WINDOW = '1m';

export type PrometheusApiOptions = {maxBytes?: number; maxRefreshBytes?: number};

export type PrometheusApiCollector = {
	collect(timeoutMs: number): Promise<PoolReading>;
	close(): Promise<void>;
};

/**
 * The one query of a family: its gauges by name, or'ed with the rate of each counter labelled with
 * the counter's name (rate() drops `__name__`; the label keeps the series of two counters apart).
 */
export function familyQuery(family: FamilyNames, selector: string | null): string {
	const matchers = selector ? `,${selector}` : '';
	const parts: string[] = [];
	if (family.gauges.length > 0) {
		parts.push(`{__name__=~"${family.gauges.join('|')}"${matchers}}`);
	}

	for (const counter of family.counters) {
		parts.push(`label_replace(rate({__name__="${counter}"${matchers}}[${RATE_WINDOW}]),"${RATE_LABEL}","${counter}","","")`);
	}

	return parts.join(' or ');
}

/** `http://prom:9090`, `http://prom:9090/prometheus/` (a path prefix) → the instant-query URL. */
export function queryUrl(base: string): URL {
	const url = new URL(base);
	url.pathname = `${url.pathname.replace(/\/+$/, '').replace(/\/api\/v1(?:\/query)?$/, '')}/api/v1/query`;
	url.username = '';
	url.password = '';
	url.hash = '';
	return url;
}

export function createPrometheusApiCollector(endpoint: PoolEndpoint, options: PrometheusApiOptions = {}): PrometheusApiCollector {
	const secrets = [...urlSecrets(endpoint.url), ...(endpoint.bearerToken ? [endpoint.bearerToken] : [])];
	const target = queryUrl(endpoint.url);
	// Parsing gave a token only to a URL without userinfo: each endpoint sends its own credentials.
	const authorization = endpoint.bearerToken ? `Bearer ${endpoint.bearerToken}` : basicAuthorization(endpoint.url);
	const families = familyNames();
	const queries = families.map(family => familyQuery(family, endpoint.selector ?? null));
	const transport = target.protocol === 'https:' ? https : http;
	// One kept-alive socket per family: the queries of a refresh run side by side.
	const agent = new transport.Agent({keepAlive: true, maxSockets: queries.length, keepAliveMsecs: 1000});
	const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
	const maxRefreshBytes = options.maxRefreshBytes ?? DEFAULT_MAX_REFRESH_BYTES;
	return {
		async collect(timeoutMs) {
			try {
				const refresh: Refresh = {bytes: 0, maxBytes: maxRefreshBytes};
				const answers = await Promise.all(queries.map(async query => instantQuery({url: target, query, authorization, agent, timeoutMs, maxBytes, refresh})));
				const failed = answers.find(answer => !answer.ok);
				if (failed && !failed.ok) {
					return {ok: false, error: oneLine(maskText(failed.error, secrets))};
				}

				const samples = answers.flatMap(answer => (answer.ok ? answer.samples : []));
				const pools = fleetPools(samples);
				if (pools.length === 0) {
					const where = endpoint.selector ? ` matching {${endpoint.selector}}` : '';
					return {ok: false, error: oneLine(maskText(`no pool series in Prometheus${where}`, secrets))};
				}

				return {ok: true, format: 'prometheus', pools};
			} catch (error) {
				// Not expected: instantQuery reports failures as values. Kept so collect never throws.
				return {ok: false, error: oneLine(maskText(error instanceof Error ? error.message : String(error), secrets))};
			}
		},
		async close() {
			agent.destroy();
		},
	};
}

type Answer = {ok: true; samples: VectorSample[]} | {ok: false; error: string};

/** What the answers of one refresh hold so far, together. */
type Refresh = {bytes: number; maxBytes: number};

type QueryRequest = {url: URL; query: string; authorization: string | undefined; agent: http.Agent; timeoutMs: number; maxBytes: number; refresh: Refresh};

const mebibytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;

/** POST /api/v1/query (a form body: a family's query is too long for some proxies' URL limits). */
async function instantQuery(request: QueryRequest): Promise<Answer> {
	const seconds = Math.max(request.timeoutMs / 1000, 0.001);
	const body = new URLSearchParams({query: request.query, timeout: `${seconds}s`}).toString();
	const response = await post(request, body);
	if (!response.ok) {
		return response;
	}

	let parsed: unknown;
	try {
		parsed = JSON.parse(response.body);
	} catch {
		return {ok: false, error: response.status === 200 ? 'prometheus: response is not JSON' : `HTTP ${response.status} ${response.statusText}`.trim()};
	}

	const answer = parsed as {status?: unknown; errorType?: unknown; error?: unknown; data?: {resultType?: unknown; result?: unknown}};
	if (answer.status !== 'success') {
		const type = typeof answer.errorType === 'string' ? `${answer.errorType}: ` : '';
		const reason = typeof answer.error === 'string' ? answer.error : 'status is not "success"';
		return {ok: false, error: `prometheus${response.status === 200 ? '' : ` (HTTP ${response.status})`}: ${type}${reason}`};
	}

	if (answer.data?.resultType !== 'vector' || !Array.isArray(answer.data.result)) {
		return {ok: false, error: `prometheus: expected a vector, got ${String(answer.data?.resultType)}`};
	}

	return {ok: true, samples: answer.data.result as VectorSample[]};
}

type Posted = {ok: true; status: number; statusText: string; body: string} | {ok: false; error: string; isStaleSocket?: boolean};

/** Once more on a fresh socket when a kept-alive one turned out closed by the server (a query is safe to repeat). */
async function post(request: QueryRequest, body: string): Promise<Posted> {
	const started = Date.now();
	const first = await postOnce(request, body);
	const remaining = request.timeoutMs - (Date.now() - started);
	return first.ok || !first.isStaleSocket || remaining <= 0 ? first : postOnce({...request, timeoutMs: remaining}, body);
}

async function postOnce(request: QueryRequest, body: string): Promise<Posted> {
	const {url, timeoutMs} = request;
	const transport = url.protocol === 'https:' ? https : http;
	return new Promise<Posted>(resolve => {
		let isSettled = false;
		const settle = (result: Posted) => {
			if (isSettled) {
				return;
			}

			isSettled = true;
			clearTimeout(timer);
			if (!result.ok) {
				outgoing.destroy();
			}

			resolve(result);
		};

		const timer = setTimeout(() => {
			settle({ok: false, error: `timed out after ${timeoutMs} ms`});
		}, timeoutMs);
		const outgoing = transport.request(
			{
				protocol: url.protocol,
				hostname: url.hostname.replace(/^\[|\]$/g, ''),
				port: url.port || undefined,
				path: `${url.pathname}${url.search}`,
				method: 'POST',
				headers: {
					accept: 'application/json',
					// Gzip over a network (a fleet's answer is MiBs); none on loopback, where it only costs CPU on
					// both ends (measured: 62 → 80 ms for a 500-instance family on a loaded 2-CPU machine).
					'accept-encoding': isLoopbackHost(url.hostname) ? 'identity' : 'gzip',
					'content-type': 'application/x-www-form-urlencoded',
					'content-length': Buffer.byteLength(body),
					'user-agent': 'lifeguard',
					...(request.authorization ? {authorization: request.authorization} : {}),
				},
				agent: request.agent,
			},
			response => {
				readAnswer(response, request, settle);
			},
		);
		outgoing.on('error', error => {
			const code = (error as {code?: string}).code;
			settle({ok: false, error: describeError(error, url.hostname), isStaleSocket: outgoing.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')});
		});
		outgoing.end(body);
	});
}

/** One answer, decompressed, within its own cap and the refresh's: settled once, cut the moment a cap is passed. */
function readAnswer(response: http.IncomingMessage, request: QueryRequest, settle: (result: Posted) => void): void {
	const {url, maxBytes, refresh} = request;
	const tooLarge = `prometheus: an answer over ${mebibytes(maxBytes)} (narrow --prometheus-selector)`;
	const status = response.statusCode ?? 0;
	const statusText = (response.statusMessage ?? '').trim() || http.STATUS_CODES[status] || '';
	const encoding = (response.headers['content-encoding'] ?? '').toLowerCase();
	let stream: Readable = response;
	if (encoding === 'gzip') {
		// The cap counts decompressed bytes.
		stream = response.pipe(zlib.createGunzip());
		response.on('error', error => {
			settle({ok: false, error: describeError(error, url.hostname)});
		});
	}

	const isJson = String(response.headers['content-type'] ?? '').includes('json');
	if ((status < 200 || status > 299) && !isJson) {
		settle({ok: false, error: `HTTP ${status}${statusText ? ` ${statusText}` : ''}`});
		return;
	}

	const declared = Number(response.headers['content-length']);
	if (encoding !== 'gzip' && Number.isFinite(declared) && declared > maxBytes) {
		settle({ok: false, error: tooLarge});
		return;
	}

	const chunks: Buffer[] = [];
	let size = 0;
	stream.on('data', (chunk: Buffer) => {
		size += chunk.length;
		refresh.bytes += chunk.length;
		const over = size > maxBytes ? tooLarge
			: refresh.bytes > refresh.maxBytes ? `prometheus: answers over ${mebibytes(refresh.maxBytes)} in one refresh (narrow --prometheus-selector)` : null;
		if (over !== null) {
			settle({ok: false, error: over});
			stream.destroy();
			return;
		}

		chunks.push(chunk);
	});
	stream.on('end', () => {
		settle({ok: true, status, statusText, body: Buffer.concat(chunks).toString('utf8')});
	});
	stream.on('error', error => {
		settle({ok: false, error: describeError(error, url.hostname)});
	});
	response.on('close', () => {
		if (!response.complete) {
			settle({ok: false, error: 'connection reset'});
		}
	});
}
