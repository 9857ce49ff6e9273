// How big a pool should be, by Little's law: connections busy on average = arrival rate × mean hold
// time. The arrival rate is what came in, not what got served: a saturated pool serves only what its
// max allows, so the requests that timed out and the queue's growth are added back. The advice is
// bounded by the room the server has for it, and says what is missing where demand cannot be measured
// instead of a number read off the queue (a queue grows with time, not with demand). Pure.
import type {PoolFormat, PoolMetrics, PoolReading, ServerSnapshot} from '../readings/types.js';
import {plural} from '../text/words.js';
import {freeConnections, usableConnections} from './levels.js';
import {type PoolRates, RATE_WINDOW_MS} from './rates.js';
import type {PoolStatus} from './types.js';

/**
 * Little's law gives the mean; arrivals come in bursts and hold times vary. Half again on top keeps
 * the pool about two-thirds busy on average, where a queue forms only in the bursts and drains in them.
 */
export const HEADROOM = 1.5;
/** At small sizes half again is less than one connection: at least this many above the mean. */
export const MIN_HEADROOM_CONNECTIONS = 2;
/**
 * Slots the advice leaves free on the server, whatever the pools need: the operator, migrations, a
 * deploy's old and new instances overlapping. A tenth of the usable slots, at least MIN_SERVER_SPARE.
 */
export const SERVER_SPARE_RATIO = 0.1;
export const MIN_SERVER_SPARE = 5;

/** What set the suggested max: the measured demand, the server's room, or nothing measurable yet. */
export type AdviceLimit = 'demand' | 'server' | 'unmeasured';

export type PoolAdvice = {
	/** Connections busy on average per instance (Little's law, rounded); null when demand is not measured. */
	needed: number | null;
	/** The max to set per instance: needed with headroom, within the server's room; null when none fits or unknown. */
	suggested: number | null;
	/** The numbers behind `needed` ("38 req/s × 0.26 s"), or what is missing to compute it. */
	arithmetic: string;
	limitedBy: AdviceLimit;
	/** One line for `check`, `--json` and the doctor: the need, the max to set, and what bounds it. */
	text: string;
	/** The same, short enough for the live finding's next step (it names its pool already). */
	step: string;
};

export type AdviceInput = {
	pool: string;
	/** The pool's max per instance; null when the source does not expose it. */
	max: number | null;
	instances: number;
	/** The pool's open connections now over every instance: counted among the server's used slots. */
	open: number | null;
	rates: Pick<PoolRates, 'servedPerSecond' | 'meanHoldSeconds' | 'timeoutsPerMinute' | 'queueGrowthPerSecond'>;
	/** The source exposes a usage timer (served count and hold seconds) at all. */
	hasHoldTimes: boolean;
	format: PoolFormat | null;
	/** The server's usable slots and free ones; null when unknown. */
	server: {usable: number; free: number} | null;
	/** The window the rates cover, in seconds, to say "nothing came back in …". */
	windowSeconds: number;
};

/** Requests per second arriving at the pool: served + timed out + queue growth (which is negative while it drains). */
export function arrivalPerSecond(rates: AdviceInput['rates']): number | null {
	if (rates.servedPerSecond === null) {
		return null;
	}

	const arrival = rates.servedPerSecond + ((rates.timeoutsPerMinute ?? 0) / 60) + (rates.queueGrowthPerSecond ?? 0);
	return Math.max(0, arrival);
}

/** Slots the pool may have on the server: the free ones and those it holds now, less the spare kept free. */
export function serverRoom(server: {usable: number; free: number}, open: number | null): {room: number; spare: number; held: number} {
	const spare = Math.max(MIN_SERVER_SPARE, Math.ceil(server.usable * SERVER_SPARE_RATIO));
	const held = open ?? 0;
	return {room: Math.max(0, server.free + held - spare), spare, held};
}

export function poolAdvice(input: AdviceInput): PoolAdvice {
	const {pool, rates} = input;
	const arrival = arrivalPerSecond(rates);
	const unmeasured = (arithmetic: string, text: string, step: string): PoolAdvice => ({needed: null, suggested: null, arithmetic, limitedBy: 'unmeasured', text, step});
	if (!input.hasHoldTimes) {
		const arithmetic = `its source exposes no hold time: ${missingHint(input.format)}`;
		return unmeasured(arithmetic, `${pool}'s demand is unknown: ${arithmetic}`, 'raise the pool\'s max (its source exposes no hold time to size it)');
	}

	if (arrival === null) {
		const arithmetic = 'demand needs two readings of its usage counters';
		return unmeasured(arithmetic, `${pool}: measuring demand (${arithmetic})`, 'raise the pool\'s max (measuring demand)');
	}

	if (rates.meanHoldSeconds === null) {
		// Nothing came back in the window: the hold time is longer than the window, or the pool is stuck.
		const arithmetic = `no connection came back in the last ${input.windowSeconds} s`;
		const step = `${arithmetic}: find what holds its connections before sizing it`;
		return unmeasured(arithmetic, `${pool}: ${step}`, step);
	}

	const instances = Math.max(1, input.instances);
	const busy = (arrival * rates.meanHoldSeconds) / instances;
	const needed = Math.max(1, Math.round(busy));
	const wanted = Math.max(Math.ceil(busy * HEADROOM), needed + MIN_HEADROOM_CONNECTIONS);
	const perInstance = instances > 1 ? ` ÷ ${instances} instances` : '';
	const arithmetic = `≈ ${rateText(arrival)} req/s × ${secondsText(rates.meanHoldSeconds)} s${perInstance}`;
	const need = `needs ~${plural(needed, 'connection')}${instances > 1 ? ' per instance' : ''} (${arithmetic})`;
	const measured = (limitedBy: AdviceLimit, suggested: number | null, step: string): PoolAdvice => ({needed, suggested, arithmetic, limitedBy, text: `${pool} ${step}`, step});
	if (input.max !== null && input.max >= wanted) {
		return measured('demand', input.max, `${need}; its max ${input.max} covers it: look for bursts or slow queries`);
	}

	if (input.server) {
		const {room, spare, held} = serverRoom(input.server, input.open);
		const total = wanted * instances;
		if (total > room) {
			const fits = Math.floor(room / instances);
			const over = `${instances > 1 ? `${instances} instances × ${wanted} = ${total}` : `max ${wanted}`} > ${room} slots to spare (${input.server.free} free${held > 0 ? ` + ${held} its own` : ''} − ${spare} kept free)`;
			if (fits >= needed && (input.max === null || fits > input.max)) {
				return measured('server', fits, `${need}; set max ${fits}, all the server can spare: ${over}`);
			}

			return measured('server', null, `${need}; ${over}: put PgBouncer in front or raise max_connections first`);
		}
	}

	const unknownServer = input.server ? '' : ' (the server\'s room is unknown: check it first)';
	return measured('demand', wanted, `${need}; set max ${wanted} for headroom${unknownServer}`);
}

/**
 * One-shot commands (--json, `check`, the doctor) read pools that expose usage counters twice, this
 * far apart, to turn the counters into rates: long enough for a few hundred ms holds to come back.
 */
export const ADVICE_SAMPLE_MS = 2000;

/** A reading with usage counters that only a second reading turns into demand (not rates a Prometheus computed). */
export function hasUsageCounters(reading: PoolReading): boolean {
	return reading.ok && reading.pools.some(pool => pool.servedTotal !== undefined && pool.servedTotal !== null && !pool.sourceRates);
}

/** The pool's source exposes hold times: its usage counters, or a Prometheus' rates of them. */
export function exposesHoldTimes(metrics: PoolMetrics): boolean {
	const hold = metrics.sourceRates ? metrics.sourceRates.holdSecondsPerSecond : metrics.holdSecondsTotal;
	return hold !== undefined && hold !== null;
}

/** The advice for a pool as the judge holds it; null when it has no good numbers to judge. */
export function adviceForPool(pool: PoolStatus, rates: PoolRates, server: ServerSnapshot | null): PoolAdvice | null {
	const {metrics} = pool;
	if (!metrics || pool.error !== null) {
		return null;
	}

	const {fleet} = metrics;
	return poolAdvice({
		pool: pool.name,
		// A fleet's max is the sum over its instances: the advice is per instance.
		max: fleet ? fleet.maxPerInstance : metrics.max,
		instances: fleet?.instances ?? 1,
		open: metrics.open ?? metrics.active,
		rates,
		hasHoldTimes: exposesHoldTimes(metrics),
		format: pool.format,
		server: server ? {usable: usableConnections(server), free: freeConnections(server)} : null,
		windowSeconds: RATE_WINDOW_MS / 1000,
	});
}

/** What to add so the source shows how long connections are held, by the kind of endpoint. */
function missingHint(format: PoolFormat | null): string {
	switch (format) {
		case 'prometheus': {
			return 'add a usage timer (HikariCP hikaricp_connections_usage_seconds, OpenTelemetry db.client.connection.use_time) or use --pool with an endpoint that has one';
		}

		case 'pgbouncer': {
			// SHOW STATS is per database and counts transactions: the hold time only in transaction pooling.
			return 'PgBouncer\'s SHOW STATS (total_xact_count, total_xact_time) sizes a pool only in transaction pooling, alone in its database';
		}

		default: {
			return 'add servedTotal and holdSecondsTotal to its JSON (or psycopg get_stats() usage_ms, requests_num) or use --pool with an endpoint that has them';
		}
	}
}

function rateText(perSecond: number): string {
	return perSecond >= 10 ? String(Math.round(perSecond)) : perSecond.toFixed(1);
}

function secondsText(seconds: number): string {
	return seconds >= 10 ? String(Math.round(seconds)) : seconds >= 1 ? seconds.toFixed(1) : seconds.toFixed(2);
}
