// `report --prometheus`: Prometheus history made into a recording's samples, so the report folds them as
// it folds a file (report/summary.ts), and says the same things in the same words. Each step is judged
// as a live refresh is: the pools of that step through the live screen's judge (their rate()s, as the
// live --prometheus reader gives them), the timeouts counted since the window began as a recording's
// counter, the server's slots from postgres_exporter when Prometheus holds them (else null, never 0).
// Pure.
import type {LoadTestHistory, ServerPoint} from '../collectors/pools/prometheus-load-test.js';
import {placeholderPool} from '../judge/pool-status.js';
import type {Thresholds} from '../judge/types.js';
import {emptyWatch, judgePoolReading, type Watch} from '../judge/watch.js';
import type {PoolEndpoint} from '../readings/types.js';
import {recordingEnd, recordingHeader, recordingSample, type RecordingEnd, type RecordingHeader, type RecordingSample, type ServerSample} from './recording.js';

export type PrometheusWindow = {startMs: number; endMs: number; stepMs: number};

/** The header and the samples (one per step from the window's start to its end) and the end line. */
export function prometheusRecording(endpoint: PoolEndpoint, history: Extract<LoadTestHistory, {ok: true}>, window: PrometheusWindow, thresholds: Thresholds): {header: RecordingHeader; entries: Array<RecordingSample | RecordingEnd>} {
	const header: RecordingHeader = {
		...recordingHeader({startedAtMs: window.startMs, intervalMs: window.stepMs, forMs: window.endMs - window.startMs, target: endpoint.maskedUrl, warnRatio: thresholds.warnRatio, criticalRatio: thresholds.criticalRatio}),
		prometheus: {server: history.server.ok ? history.server.name : history.server.reason},
	};
	const pools = new Map(history.pools.map(point => [point.atMs, point.pools]));
	const server = new Map(history.server.ok ? history.server.points.map(point => [point.atMs, point]) : []);
	let watch: Watch = emptyWatch(thresholds, {pools: [placeholderPool(endpoint)]});
	const entries: Array<RecordingSample | RecordingEnd> = [];
	for (let atMs = window.startMs; atMs <= window.endMs; atMs += window.stepMs) {
		const timeouts = history.timeouts.get(atMs);
		// The fleet's timeouts since the window began stand in the counter's place (the judge reads a
		// fleet's rate() from sourceRates, never this), so the report counts them as a recording's.
		const stepPools = (pools.get(atMs) ?? []).map(pool => ({...pool, timeoutsTotal: pool.label === null ? null : timeouts?.get(pool.label) ?? null}));
		watch = judgePoolReading(watch, endpoint, {ok: true, format: 'prometheus', pools: stepPools}, atMs).watch;
		const point = server.get(atMs);
		const serverError = history.server.ok ? 'no postgres_exporter sample at this step' : history.server.reason;
		entries.push({...recordingSample(watch.live, point ? null : serverError, atMs), server: point ? serverSample(point) : null});
	}

	entries.push(recordingEnd(window.endMs, entries.length));
	return {header, entries};
}

function serverSample(point: ServerPoint): ServerSample {
	return {
		connections: point.connections,
		usable: point.usable,
		maxConnections: point.maxConnections,
		free: Math.max(0, point.usable - point.connections),
		active: point.active,
		idle: point.idle,
		idleInTransaction: point.idleInTransaction,
		lockWaiting: null,
	};
}
