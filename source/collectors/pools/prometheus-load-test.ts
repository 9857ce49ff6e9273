// `lifeguard report --prometheus URL --from T --to T`: a load test's window read back from Prometheus.
// The pools as a live refresh reads them (the same family queries, gauges and rate()s, grouped into a
// fleet at each step), the timeouts counted from the raw counters (increases per series, a reset
// counting from zero), and the server's slots from postgres_exporter when Prometheus holds them. All
// in one deadline under the live reader's caps. Never throws; a failure is one masked line.
import type {PoolEndpoint} from '../../readings/types.js';
import {safeText} from '../../text/sanitize.js';
import type {PastPools} from '../../judge/backfill.js';
import {familyQuery} from './prometheus-api.js';
import {instancePools, servicePoolLabel, type VectorSample} from './prometheus-fleet.js';
import {type HistoryRange, type MatrixSeries, pointsOf, rangeQueries, seriesPoints} from './prometheus-history.js';
import {familyNames, timeoutCounterNames} from './prometheus-pools.js';
import {parsePromNumber} from './prometheus-text.js';

/** The server at one step, from postgres_exporter: client backends by state, and its slots. */
export type ServerPoint = {atMs: number; connections: number; active: number; idle: number; idleInTransaction: number; maxConnections: number; usable: number};

/** The server's course, or why there is none (never invented: no series, no server). */
export type ServerHistory = {ok: true; name: string; points: ServerPoint[]} | {ok: false; reason: string};

export type LoadTestHistory =
	| {ok: true; pools: PastPools[]; timeouts: Map<number, Map<string, number>>; server: ServerHistory}
	| {ok: false; error: string};

/**
 * postgres_exporter's series, one server = one (job, instance, server): one exporter may read several
 * servers, each labelled `server` (0.11: `server="host:port"`). reserved_connections is PostgreSQL 16+.
 */
const SERVER_QUERIES = [
	'sum by (job, instance, server, state) (pg_stat_activity_count)',
	'max by (job, instance, server) (pg_settings_max_connections)',
	'max by (job, instance, server) (pg_settings_superuser_reserved_connections)',
	'max by (job, instance, server) (pg_settings_reserved_connections)',
] as const;

export async function prometheusLoadTest(endpoint: PoolEndpoint, range: HistoryRange, timeoutMs: number): Promise<LoadTestHistory> {
	const selector = endpoint.selector ?? null;
	const poolQueries = familyNames().map(family => familyQuery(family, selector));
	const timeoutQuery = `{__name__=~"${timeoutCounterNames().join('|')}"${selector ? `,${selector}` : ''}}`;
	const answers = await rangeQueries(endpoint, range, [...poolQueries, timeoutQuery, ...SERVER_QUERIES], timeoutMs);
	if (!answers.ok) {
		return answers;
	}

	const {matrices} = answers;
	const [activity, max, superuser, reserved] = matrices.slice(poolQueries.length + 1);
	return {
		ok: true,
		pools: pointsOf(matrices.slice(0, poolQueries.length).flat()),
		timeouts: timeoutsByStep(matrices[poolQueries.length]!),
		server: serverHistory(activity!, max!, superuser!, reserved!),
	};
}

/**
 * Timeouts since the window began, at each step, by service pool: each series' increases (its first
 * point in the window is the baseline, as a recording's first sample is; a drop is a restart counting
 * from zero), then grouped into pools by the recognizer table as a refresh groups gauges.
 */
function timeoutsByStep(series: readonly MatrixSeries[]): Map<number, Map<string, number>> {
	const byTime = new Map<number, VectorSample[]>();
	for (const {metric, values} of series) {
		if (!metric) {
			continue;
		}

		let last: number | null = null;
		let counted = 0;
		for (const [atMs, text] of seriesPoints(values)) {
			const value = parsePromNumber(text);
			if (value === null || !Number.isFinite(value) || value < 0) {
				continue;
			}

			counted += last === null ? 0 : (value >= last ? value - last : value);
			last = value;
			const samples = byTime.get(atMs) ?? [];
			samples.push({metric, value: [atMs / 1000, String(counted)]});
			byTime.set(atMs, samples);
		}
	}

	const steps = new Map<number, Map<string, number>>();
	for (const [atMs, samples] of byTime) {
		const byPool = new Map<string, number>();
		for (const {service, pools} of instancePools(samples, false)) {
			for (const pool of pools) {
				if (pool.timeoutsTotal !== null && pool.error === undefined) {
					const label = servicePoolLabel(service, pool.label);
					byPool.set(label, (byPool.get(label) ?? 0) + pool.timeoutsTotal);
				}
			}
		}

		steps.set(atMs, byPool);
	}

	return steps;
}

const serverKey = (metric: Record<string, string>) => `${metric['job'] ?? ''}\u0000${metric['instance'] ?? ''}\u0000${metric['server'] ?? ''}`;

/** key → atMs → value, for one (job, instance)-keyed answer. */
function byServer(series: readonly MatrixSeries[]): Map<string, Map<number, number>> {
	const servers = new Map<string, Map<number, number>>();
	for (const {metric, values} of series) {
		const points = servers.get(serverKey(metric ?? {})) ?? new Map<number, number>();
		for (const [atMs, text] of seriesPoints(values)) {
			const value = parsePromNumber(text);
			if (value !== null && Number.isFinite(value) && value >= 0) {
				points.set(atMs, value);
			}
		}

		servers.set(serverKey(metric ?? {}), points);
	}

	return servers;
}

function serverHistory(activity: readonly MatrixSeries[], max: readonly MatrixSeries[], superuser: readonly MatrixSeries[], reserved: readonly MatrixSeries[]): ServerHistory {
	const maxes = byServer(max);
	if (maxes.size === 0 || activity.length === 0) {
		return {ok: false, reason: 'server not in Prometheus (no pg_stat_activity_count and pg_settings_max_connections from postgres_exporter in the window)'};
	}

	if (maxes.size > 1) {
		return {ok: false, reason: `server not reported: Prometheus holds ${maxes.size} postgres_exporter servers in the window, and which one served the load test is not known`};
	}

	const [key, maxPoints] = [...maxes][0]!;
	const superPoints = byServer(superuser).get(key) ?? new Map<number, number>();
	const reservedPoints = byServer(reserved).get(key);
	// state → atMs → count, this server's only
	const states = new Map<string, Map<number, number>>();
	for (const series of activity.filter(each => serverKey(each.metric ?? {}) === key)) {
		states.set(series.metric?.['state'] ?? '', byServer([series]).get(key)!);
	}

	const points: ServerPoint[] = [];
	for (const [atMs, maxConnections] of [...maxPoints].sort((a, b) => a[0] - b[0])) {
		const superReserved = superPoints.get(atMs);
		const counts = [...states].flatMap(([state, values]) => (values.has(atMs) ? [[state, values.get(atMs)!] as const] : []));
		// A step without the exporter's counts (a failed scrape) is no point: a gap, not a zero.
		if (superReserved === undefined || counts.length === 0) {
			continue;
		}

		const count = (...names: string[]) => counts.filter(([state]) => names.includes(state)).reduce((total, [, value]) => total + value, 0);
		points.push({
			atMs,
			connections: counts.reduce((total, [, value]) => total + value, 0),
			active: count('active'),
			idle: count('idle'),
			idleInTransaction: count('idle in transaction', 'idle in transaction (aborted)'),
			maxConnections,
			// Before PostgreSQL 16 there is no reserved_connections: nothing reserved, as lifeguard reads it live.
			usable: Math.max(0, maxConnections - superReserved - (reservedPoints?.get(atMs) ?? 0)),
		});
	}

	const [job, instance, name] = key.split('\u0000');
	return {ok: true, name: safeText(`postgres_exporter ${job}/${instance}${name ? ` (${name})` : ''}`), points};
}
