// `--prometheus URL`: a fleet's pools read through the Prometheus HTTP API (or Thanos, Mimir,
// VictoriaMetrics, Grafana Cloud behind the same API). One instant query per pool family per refresh,
// all at once and all within the poll's deadline; gauges as they are, counters as `rate(...[1m])`.
// Failures are values, not yet masked: create-collector masks every one.
import {endpointAuthorization} from '../../connection/credentials.js';
import {type ByteBudget, createHttpClient, formatBytes, type HttpClient} from '../../connection/http.js';
import type {FailedScrape, PoolEndpoint} from '../../readings/types.js';
import {safeText} from '../../text/sanitize.js';
import type {Deadline} from '../../polling/deadline.js';
import type {EndpointCollector} from './http-collector.js';
import {fleetPools, instanceOf, RATE_LABEL, type VectorSample} from './prometheus-fleet.js';
import {familyNames, type FamilyNames} from './prometheus-pools.js';

/**
 * A family's answer for 500 instances × 2 pools is 1 MiB: 4 MiB holds ~2,000 instances × 2 pools. A
 * runaway selector (or a hostile server) is cut here, before the answer is parsed (parsing costs ~1.6×
 * its size in heap), and the row says to narrow the selector.
 */
export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
/**
 * All the answers of one refresh, together (they arrive side by side): what one refresh may hold.
 * Two full answers; parsing and grouping them (~45,000 series) takes ~0.4 s of CPU, which the server's
 * poller shares (measured: bench/README.md, hostile endpoints).
 */
export const DEFAULT_MAX_REFRESH_BYTES = 8 * 1024 * 1024;
/** The window of rate(): four scrapes at a 15 s interval. */
export const RATE_WINDOW = '1m';

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

/**
 * The targets whose last scrape failed (`up` 0), with that scrape's time (timestamp() of the sample):
 * one series per failing target, none for a healthy fleet.
 */
export function failingTargetsQuery(selector: string | null): string {
	// timestamp() of the raw series is its scrape's time; of `up == 0` it would be the query's.
	const up = `up{${selector ?? ''}}`;
	return `timestamp(${up}) and ${up} == 0`;
}

/** The failing targets' instances (display-safe, as the fleet names them) and scrape times in ms. */
function failedScrapesOf(samples: readonly VectorSample[]): FailedScrape[] {
	return samples.flatMap(sample => {
		const seconds = Number(sample.value?.[1]);
		const instance = instanceOf(sample.metric ?? {});
		return Number.isFinite(seconds) && instance !== '' ? [{instance: safeText(instance), scrapedAtMs: Math.round(seconds * 1000)}] : [];
	}).slice(0, MAX_FAILED_SCRAPES);
}

/** Failing targets kept per refresh: a fleet larger than this is not told instance by instance anyway. */
const MAX_FAILED_SCRAPES = 1000;

/** `http://prom:9090`, `http://prom:9090/prometheus/` (a path prefix) → the instant-query (or range-query) URL. */
export function queryUrl(base: string, api: 'query' | 'query_range' = 'query'): URL {
	const url = new URL(base);
	url.pathname = `${url.pathname.replace(/\/+$/, '').replace(/\/api\/v1(?:\/query)?$/, '')}/api/v1/${api}`;
	url.username = '';
	url.password = '';
	url.hash = '';
	return url;
}

export function createPrometheusApiCollector(endpoint: PoolEndpoint, maxBytes = DEFAULT_MAX_BYTES, maxRefreshBytes = DEFAULT_MAX_REFRESH_BYTES): EndpointCollector {
	const url = queryUrl(endpoint.url);
	const queries = familyNames().map(family => familyQuery(family, endpoint.selector ?? null));
	const failingTargets = failingTargetsQuery(endpoint.selector ?? null);
	// One kept-alive socket per query: the queries of a refresh run side by side.
	const client = createHttpClient({isHttps: url.protocol === 'https:', maxSockets: queries.length + 1, authorization: endpointAuthorization(endpoint)});
	return {
		async collect(deadline) {
			const budget: ByteBudget = {bytes: 0, maxBytes: maxRefreshBytes};
			const [down, ...answers] = await Promise.all([failingTargets, ...queries].map(async query => instantQuery({client, url, query, deadline, maxBytes, budget})));
			const failed = answers.find(answer => !answer.ok);
			if (failed && !failed.ok) {
				return {ok: false, error: failed.error};
			}

			const pools = fleetPools(answers.flatMap(answer => (answer.ok ? answer.samples : [])));
			if (pools.length === 0) {
				const where = endpoint.selector ? ` matching {${endpoint.selector}}` : '';
				return {ok: false, error: `no pool series in Prometheus${where}`};
			}

			// Which instances Prometheus failed to scrape, and when: an instance gone from one poll is no
			// leave until it failed twice in a row (fleet-members.ts). Unknown when the query failed.
			return {ok: true, format: 'prometheus', pools, ...(down?.ok ? {failedScrapes: failedScrapesOf(down.samples)} : {})};
		},
		async close() {
			client.close();
		},
	};
}

type Answer = {ok: true; samples: VectorSample[]} | {ok: false; error: string};

export type Query = {client: HttpClient; url: URL; query: string; deadline: Deadline; maxBytes: number; budget: ByteBudget};

/**
 * Asked of every instant query: VictoriaMetrics otherwise answers "now" from data 30 s old
 * (`-search.latencyOffset`), so a pool would leave its queue on screen for 30 s after it drained.
 * Prometheus, Thanos and Mimir ignore the parameter.
 */
export const LIVE_QUERY = {nocache: '1'} as const;

/** POST /api/v1/query (a form body: a family's query is too long for some proxies' URL limits). */
async function instantQuery(request: Query): Promise<Answer> {
	const answer = await apiQuery(request, LIVE_QUERY, 'vector');
	return answer.ok ? {ok: true, samples: answer.result as VectorSample[]} : answer;
}

/**
 * One query of the HTTP API (instant or range: `extra` holds start/end/step), under the caps of
 * `request`, its result checked to be of `resultType`. Failures are one line each.
 */
export async function apiQuery(request: Query, extra: Record<string, string>, resultType: 'vector' | 'matrix'): Promise<{ok: true; result: unknown[]} | {ok: false; error: string}> {
	const seconds = Math.max(request.deadline.timeoutMs / 1000, 0.001);
	const form = new URLSearchParams({query: request.query, ...extra, timeout: `${seconds}s`}).toString();
	const response = await request.client.request({
		url: request.url, accept: 'application/json', form, signal: request.deadline.signal, maxBytes: request.maxBytes, budget: request.budget, isJsonErrorRead: true,
	});
	if (!response.ok) {
		// A runaway selector (or a hostile server) is cut before its answer is parsed; the row says what to do.
		const over = response.cap === 'answer' ? `an answer over ${formatBytes(request.maxBytes)}` : response.cap === 'budget' ? `answers over ${formatBytes(request.budget.maxBytes)} in one refresh` : null;
		return {ok: false, error: over === null ? response.error : `prometheus: ${over} (narrow --prometheus-selector)`};
	}

	let parsed: unknown;
	try {
		parsed = JSON.parse(response.body);
	} catch {
		return {ok: false, error: response.status === 200 ? 'prometheus: response is not JSON' : `HTTP ${response.status} ${response.statusText}`.trim()};
	}

	const answer = parsed as {status?: unknown; errorType?: unknown; error?: unknown; data?: {resultType?: unknown; result?: unknown}};
	if (answer.status !== 'success') {
		// VictoriaMetrics puts the HTTP status where Prometheus names the kind of error (`"errorType":"422"`).
		const type = typeof answer.errorType === 'string' && !/^\d+$/.test(answer.errorType) ? `${answer.errorType}: ` : '';
		return {ok: false, error: `prometheus${response.status === 200 ? '' : ` (HTTP ${response.status})`}: ${type}${errorReason(answer.error) ?? 'status is not "success"'}`};
	}

	if (answer.data?.resultType !== resultType || !Array.isArray(answer.data.result)) {
		return {ok: false, error: `prometheus: expected a ${resultType}, got ${String(answer.data?.resultType)}`};
	}

	return {ok: true, result: answer.data.result};
}

/**
 * VictoriaMetrics repeats the whole query before its reason (`error when executing query="…" for
 * (time=…, step=…): invalid regexp …`): a family's query is hundreds of characters of lifeguard's own
 * text that would push the reason off the row, so only the reason is kept.
 */
const QUERY_ECHO = /^error when executing query=".*" (?:for \(time=-?\d+, step=\d+\)|on the time range \(start=-?\d+, end=-?\d+, step=\d+\)): /s;

/** The reason of an error answer (`error`), without an echo of the query; null when there is none. */
export function errorReason(error: unknown): string | null {
	return typeof error === 'string' ? error.replace(QUERY_ECHO, '') : null;
}
