// `--prometheus URL` at start: the last minutes of the same pool families, read once through
// `query_range` (one query per family, side by side, the same caps as a refresh, one deadline), so the
// history strip begins before lifeguard did. Each step's samples are grouped exactly as a refresh's are
// (fleetPools): a past point sums a fleet the way the live rows do. Never throws; a failure is one
// masked line.
import {endpointAuthorization, endpointSecrets} from '../../connection/credentials.js';
import {type ByteBudget, createHttpClient} from '../../connection/http.js';
import {maskText} from '../../connection/mask.js';
import {withDeadline} from '../../polling/deadline.js';
import type {PoolEndpoint} from '../../readings/types.js';
import type {PastPools} from '../../judge/backfill.js';
import {oneLine} from '../../text/words.js';
import {apiQuery, DEFAULT_MAX_BYTES, DEFAULT_MAX_REFRESH_BYTES, familyQuery, queryUrl} from './prometheus-api.js';
import {fleetPools, type VectorSample} from './prometheus-fleet.js';
import {familyNames} from './prometheus-pools.js';

/** The window asked for: [startMs, endMs] at every stepMs (Prometheus answers at start + k·step). */
export type HistoryRange = {startMs: number; endMs: number; stepMs: number};

export type PoolHistory = {ok: true; points: PastPools[]} | {ok: false; error: string};

/**
 * The range is asked this far past its end, and the points past it are dropped. VictoriaMetrics
 * replaces a range's points of its last `-search.latencyOffset` (30 s) with the value before them
 * (a queue that drained 10 s before the start would show as still there) unless the range ends
 * beyond its now + step; a minute more covers a minute of clock skew. Prometheus answers the extra
 * steps from its lookback: 9 points a series, dropped.
 */
const ASKED_BEYOND_MS = 90_000;

export async function prometheusHistory(endpoint: PoolEndpoint, range: HistoryRange, timeoutMs: number): Promise<PoolHistory> {
	const queries = familyNames().map(family => familyQuery(family, endpoint.selector ?? null));
	const answers = await rangeQueries(endpoint, range, queries, timeoutMs);
	return answers.ok ? {ok: true, points: pointsOf(answers.matrices.flat())} : answers;
}

/** One series of a range answer: `values: [[time, "1.5"], …]`. */
export type MatrixSeries = {metric?: Record<string, string>; values?: unknown};

/** The series without the points asked past the range's end (ASKED_BEYOND_MS). */
function upTo(series: MatrixSeries, endMs: number): MatrixSeries {
	return Array.isArray(series.values)
		? {...series, values: series.values.filter(point => !Array.isArray(point) || Number(point[0]) * 1000 <= endMs)}
		: series;
}

/**
 * `query_range` of each query, side by side, under the live reader's caps (an answer, and all of them
 * together) and one deadline. Never throws; a failure is one masked line.
 */
export async function rangeQueries(endpoint: PoolEndpoint, range: HistoryRange, queries: readonly string[], timeoutMs: number): Promise<{ok: true; matrices: MatrixSeries[][]} | {ok: false; error: string}> {
	const url = queryUrl(endpoint.url, 'query_range');
	const client = createHttpClient({isHttps: url.protocol === 'https:', maxSockets: queries.length, authorization: endpointAuthorization(endpoint)});
	const extra = {start: String(range.startMs / 1000), end: String((range.endMs + ASKED_BEYOND_MS) / 1000), step: `${range.stepMs / 1000}s`};
	const failure = (error: string) => ({ok: false as const, error: oneLine(maskText(error, endpointSecrets(endpoint)))});
	try {
		return await withDeadline(timeoutMs, async deadline => {
			const budget: ByteBudget = {bytes: 0, maxBytes: DEFAULT_MAX_REFRESH_BYTES};
			const answers = await Promise.all(queries.map(async query => apiQuery({client, url, query, deadline, maxBytes: DEFAULT_MAX_BYTES, budget}, extra, 'matrix')));
			const failed = answers.find(answer => !answer.ok);
			if (failed && !failed.ok) {
				return failure(failed.error);
			}

			return {ok: true as const, matrices: answers.map(answer => (answer.ok ? (answer.result as MatrixSeries[]).map(series => upTo(series, range.endMs)) : []))};
		}, failure);
	} catch (error) {
		return failure(error instanceof Error ? error.message : String(error));
	} finally {
		client.close();
	}
}

/** A series' points as [ms, text] pairs, anything malformed left out. */
export function seriesPoints(values: unknown): Array<[number, string]> {
	if (!Array.isArray(values)) {
		return [];
	}

	return (values as unknown[]).flatMap(value => (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string' ? [[Math.round(value[0] * 1000), value[1]] as [number, string]] : []));
}

/** A range answer → one instant vector per step, each grouped into pools as a refresh's answer is. */
export function pointsOf(series: readonly MatrixSeries[]): PastPools[] {
	const byTime = new Map<number, VectorSample[]>();
	for (const {metric, values} of series) {
		if (!metric) {
			continue;
		}

		for (const [atMs, text] of seriesPoints(values)) {
			const samples = byTime.get(atMs) ?? [];
			samples.push({metric, value: [atMs / 1000, text]});
			byTime.set(atMs, samples);
		}
	}

	return [...byTime.keys()].sort((a, b) => a - b).map(atMs => ({atMs, pools: fleetPools(byTime.get(atMs)!)}));
}
