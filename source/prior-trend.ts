// `--prometheus`: the history strip's last minutes from before the start, and what they showed (queues,
// max changes), read once beside the first server polls (and beside `--json`'s reads). Bounded: the
// strip's span at most (one bucket per column), the refresh's byte caps, one pool timeout. A failure or
// a timeout leaves the strip empty as without it, and says why once.
import {prometheusHistory} from './collectors/pools/prometheus-history.js';
import {type EndpointPast, seedTrend} from './judge/backfill.js';
import {priorStory} from './judge/before-start.js';
import type {PriorStory} from './judge/change-event.js';
import type {Series} from './judge/series.js';
import {bucketOf, TREND_BUCKET_MS, TREND_CAPACITY} from './judge/trend.js';
import type {PoolEndpoint} from './readings/types.js';
import {clockTime} from './text/words.js';

/**
 * The seeded trend and what it showed (the queues and max changes before the start, for the log, the
 * timeline and the Changes line), or (when the read failed) the status line's notice why there is none.
 */
export type PriorTrend = {trend?: Series; story?: PriorStory; notice?: string};

export async function priorTrend(endpoints: readonly PoolEndpoint[], startMs: number, limits: {timeoutMs: number; columns?: number}): Promise<PriorTrend> {
	const read = await readPast(endpoints, startMs, limits);
	if (!read) {
		return {};
	}

	const trend = seedTrend(read.pasts, startMs, 'Prometheus');
	const story = priorStory(read.pasts, startMs, 'Prometheus');
	// Said once on the status line too: a narrow strip may have no room for its legend.
	const notice = read.error === undefined
		? trend.prior ? `history before ${clockTime(startMs)} from Prometheus` : undefined
		: `no history from Prometheus: ${read.error}`;
	return {...(trend.prior ? {trend} : {}), ...(story ? {story} : {}), ...(notice ? {notice} : {})};
}

/** The past points of every Prometheus endpoint that answered, and the first failure; null without one. */
export async function readPast(endpoints: readonly PoolEndpoint[], startMs: number, limits: {timeoutMs: number; columns?: number}): Promise<{pasts: EndpointPast[]; error?: string} | null> {
	const prometheus = endpoints.filter(endpoint => endpoint.kind === 'prometheus');
	if (prometheus.length === 0) {
		return null;
	}

	// The strip never shows more buckets than the terminal has columns.
	const buckets = Math.min(TREND_CAPACITY, Math.max(1, limits.columns ?? 80));
	const endMs = bucketOf(startMs) - TREND_BUCKET_MS;
	const range = {startMs: endMs - ((buckets - 1) * TREND_BUCKET_MS), endMs, stepMs: TREND_BUCKET_MS};
	const answers = await Promise.all(prometheus.map(async endpoint => ({endpoint, answer: await prometheusHistory(endpoint, range, limits.timeoutMs)})));
	const pasts: EndpointPast[] = answers.flatMap(({endpoint, answer}) => (answer.ok ? [{endpoint, points: answer.points}] : []));
	const failed = answers.find(({answer}) => !answer.ok);
	return {pasts, ...(failed && !failed.answer.ok ? {error: failed.answer.error} : {})};
}
