// A pool's findings from its fresh numbers (saturated, waiting, timing out, busy), its endpoint's
// failure, and the fleets that together could open more connections than the server has. Each
// carries the level its pool row shows, so the row and the banner always agree. Pure.
import {adviceForPool, type PoolAdvice} from './advice.js';
import {freeConnections, heldThresholds, isPoolAtMax, levelForRatio, persistentWaitingMs, usableConnections, waitingForMs} from './levels.js';
import {rankInstances} from './instances.js';
import {type PoolRates, poolRates, RATE_WINDOW_MS, waitRateText} from './rates.js';
import {holding} from './server-findings.js';
import {poolSubject} from './subject.js';
import {findingDuration, percent, plural} from '../text/words.js';
import type {Finding, Level, Observation, PoolStatus, Thresholds} from './types.js';
import type {PoolMetrics, ServerSnapshot, WaitingClients} from '../readings/types.js';
import {truncateCells} from '../text/width.js';

/**
 * A pool's findings from fresh numbers: saturated (waiters, or a growing wait counter, at its max),
 * waiting below its max, requests timing out, busy near its max. Each carries the level its pool
 * shows, so the row and the banner always agree.
 */
export function poolFindings(history: readonly Observation[], pool: PoolStatus, server: ServerSnapshot | null, thresholds: Thresholds, held: Level | undefined): Finding[] {
	const metrics = pool.metrics;
	// Stale numbers from a failed endpoint must not drive "raise the max"; endpoint-down covers it.
	if (!metrics || pool.error !== null) {
		return [];
	}

	const subject = poolSubject(pool.name);
	const rates = poolRates(history, pool.name);
	// A fleet's numbers are sums: it is at its max where its instances are, not where the sums meet.
	const {fleet} = metrics;
	const atMax = fleet ? (fleet.atMax === null ? null : fleet.atMax > 0) : isPoolAtMax(metrics);
	const busy = metrics.max === null ? `${metrics.active ?? '?'} busy` : `${metrics.active ?? '?'}/${metrics.max} busy`;
	const hasWaiters = metrics.waiting !== null && metrics.waiting > 0;
	const isWaitingByRate = !hasWaiters && ((rates.waitsPerSecond ?? 0) > 0 || (rates.waitingAverage ?? 0) > 0);
	const unfinished = metrics.waiting === null ? unfinishedWaits(metrics, rates) : null;
	const findings: Finding[] = [];
	if (hasWaiters || (isWaitingByRate && atMax === true) || (unfinished !== null && atMax !== false)) {
		const queue = hasWaiters ? `${metrics.waiting} waiting${queueDetails(metrics.waitingClients, metrics.oldestWaitSeconds)}` : unfinished ?? waitRateText(rates);
		const advice = adviceForPool(pool, rates, server);
		findings.push(waitingFinding(history, pool, server, {busy, queue, atMax, advice}, thresholds));
	}

	const timeouts = rates.timeoutsPerMinute ?? 0;
	if (timeouts > 0) {
		const why = server && freeConnections(server) <= 0
			? `the server is full (${server.connections}/${usableConnections(server)}): free server slots first`
			: `check the server's free slots and the pool's max`;
		findings.push({
			code: 'pool-timeouts',
			level: 'warning',
			subject,
			message: `Pool ${pool.name}: ${plural(Math.round(timeouts), 'request')} a minute timed out waiting for a connection over the last ${RATE_WINDOW_MS / 1000} s (${busy} now); ${why}.`,
		});
	}

	if (findings.length === 0 && metrics.max !== null && metrics.active !== null && metrics.max > 0) {
		const ratio = metrics.active / metrics.max;
		const level = levelForRatio(ratio, heldThresholds(thresholds, held));
		if (level !== 'ok') {
			const room = server ? `; the server has ${plural(freeConnections(server), 'free slot')}` : '';
			findings.push({
				code: 'pool-busy',
				level,
				subject,
				message: `Pool ${pool.name} is ${busy} (${percent(ratio)}), ${noQueue(metrics.waiting, rates)}${room}${holding(ratio, level, thresholds)}. The next burst will queue: raise its max if the server has room.`,
			});
		}
	}

	return findings;
}

function waitingFinding(history: readonly Observation[], pool: PoolStatus, server: ServerSnapshot | null, facts: {busy: string; queue: string; atMax: boolean | null; advice: PoolAdvice | null}, thresholds: Thresholds): Finding {
	const subject = poolSubject(pool.name);
	const {name} = pool;
	const {busy, queue, atMax} = facts;
	const next = nextStep(facts.advice);
	if (!server) {
		return {
			code: 'pool-saturated',
			level: atMax === false ? 'warning' : 'critical',
			subject,
			message: `Pool ${name} has requests waiting: ${busy}, ${queue}; the server is unreachable, so whether it has room is unknown. Check the server before raising the pool's max.`,
		};
	}

	const free = freeConnections(server);
	if (free <= 0) {
		// Waiters behind a full server: raising the pool's max would not help.
		return {
			code: 'pool-waiting',
			level: 'critical',
			subject,
			message: `Pool ${name} has requests waiting (${busy}, ${queue}) behind a full server (${server.connections}/${usableConnections(server)}): free server slots first; raising the pool's max will not help.`,
		};
	}

	const room = `while the server has ${plural(free, 'free slot')}`;
	const fleet = pool.metrics?.fleet;
	if (atMax === true && fleet) {
		const perInstance = fleet.maxPerInstance === null ? 'their max' : `their max of ${fleet.maxPerInstance}`;
		// The instance the drill-down lists first (Enter on the pool row), judged the same way.
		const worst = rankInstances(fleet.members, thresholds, server)[0]?.instance ?? fleet.worst.instance;
		return {
			code: 'pool-saturated',
			level: 'critical',
			subject,
			message: `Pool ${name} is saturated: ${fleet.atMax} of ${plural(fleet.instances, 'instance')} at ${perInstance}, ${queue}, ${room} (worst: ${worst}): ${next}.`,
		};
	}

	if (atMax === true) {
		return {
			code: 'pool-saturated',
			level: 'critical',
			subject,
			// Short enough to read whole on an 80-column screen: the claim, the proof, the next step.
			message: `Pool ${name} is saturated: ${busy}, ${queue}, ${room}: ${next}.`,
		};
	}

	const waitedMs = waitingForMs(history, pool.name) ?? 0;
	const lasting = waitedMs >= persistentWaitingMs;
	if (atMax === null) {
		const unknown = pool.metrics?.max === null ? 'its max is unknown' : 'its busy count is unknown';
		return {
			code: 'pool-saturated',
			level: lasting ? 'critical' : 'warning',
			subject,
			message: `Pool ${name} may be saturated: ${busy}, ${queue}${lasting ? ` for ${findingDuration(waitedMs / 1000)}` : ''}, and ${unknown}, ${room}. Check the pool's max and raise it if it is the limit.`,
		};
	}

	return {
		code: 'pool-waiting',
		level: lasting ? 'critical' : 'warning',
		subject,
		message: `Pool ${name} has requests waiting below its max (${busy}, ${queue}${lasting ? ` for ${findingDuration(waitedMs / 1000)}` : ''}): it cannot open connections fast enough; check its logs for refused logins.`,
	};
}

/**
 * Fleets read through Prometheus whose pools, all opened at once, would need more connections than the
 * server has usable slots: the day everything scales out, new logins fail.
 */
export function fleetOverCapacity(pools: readonly PoolStatus[], server: ServerSnapshot): Finding | null {
	const fleets = pools.filter(pool => pool.error === null && pool.metrics?.fleet && pool.metrics.max !== null);
	const total = fleets.reduce((sum, pool) => sum + pool.metrics!.max!, 0);
	const usable = usableConnections(server);
	if (fleets.length === 0 || total <= usable) {
		return null;
	}

	const parts = fleets.map(pool => {
		const {fleet, max} = pool.metrics!;
		return fleet!.maxPerInstance === null ? `${pool.name} ${max}` : `${pool.name} ${fleet!.instances} × ${fleet!.maxPerInstance}`;
	});
	return {
		code: 'fleet-over-capacity',
		level: 'warning',
		subject: {kind: 'fleet'},
		message: `The fleet's pools can open ${total} connections (${parts.join(' + ')}) but the server has ${usable} usable slots: when every instance fills its pool, logins fail. Lower the pools' max or raise max_connections.`,
	};
}

export function poolEndpointDown(pool: PoolStatus, nowMs: number): Finding | null {
	if (pool.error === null) {
		return null;
	}

	if (pool.isInvalidReading) {
		return {
			code: 'pool-endpoint-down',
			level: 'warning',
			subject: poolSubject(pool.name),
			message: `Pool ${pool.name}: its endpoint reports an impossible reading (${pool.error}), so its numbers are not shown. Check the application's pool metrics at ${pool.endpoint}.`,
		};
	}

	if (pool.isNotAConsole) {
		// Up, but the wrong thing: "check that the application is up" would send the operator astray.
		return {
			code: 'pool-endpoint-down',
			level: 'warning',
			subject: poolSubject(pool.name),
			message: `Pool ${pool.name}: ${pool.error.replace(/^pgbouncer: /, '')}. Point --pool at PgBouncer's admin console (its listen_port, database pgbouncer).`,
		};
	}

	const last =
		pool.sampledAtMs === null
			? 'no good sample yet'
			: `last good sample ${findingDuration(Math.max(0, nowMs - pool.sampledAtMs) / 1000)} ago`;
	return {
		code: 'pool-endpoint-down',
		level: 'warning',
		subject: poolSubject(pool.name),
		message: `Pool ${pool.name} endpoint is down: ${pool.error} (${last}). Check that the application is up and its metrics endpoint answers at ${pool.endpoint}.`,
	};
}

/**
 * Waits a source without a waiting gauge proves are still going on (Go's database/sql counts a wait
 * when it starts and credits its time when it ends): every counted wait unfinished (no wait time at
 * all), or new waits in the window with no wait time credited. Null when the counters show none.
 */
function unfinishedWaits(metrics: PoolMetrics, rates: PoolRates): string | null {
	const started = unfinishedWaitCount(metrics);
	if (started !== null) {
		return `${plural(started, 'wait')} started, none finished yet: requests are waiting now`;
	}

	if ((rates.waitsPerSecond ?? 0) > 0 && rates.waitingAverage === 0) {
		return `waits started (${rates.waitsPerSecond!.toFixed(1)}/s), none finished in the last ${RATE_WINDOW_MS / 1000} s: requests are waiting now`;
	}

	return null;
}

/** Every wait a counter-only source counted is still going on (no wait time credited at all): how many; else null. */
export function unfinishedWaitCount(metrics: PoolMetrics): number | null {
	const {waiting, waitsTotal, waitSecondsTotal} = metrics;
	return waiting === null && waitsTotal !== null && waitsTotal > 0 && waitSecondsTotal === 0 ? waitsTotal : null;
}

/** What the source shows of a queue when there is none to report: never "nobody waiting" without a waiting gauge. */
function noQueue(waiting: number | null, rates: PoolRates): string {
	if (waiting !== null) {
		return 'nobody waiting yet';
	}

	return rates.waitsPerSecond === 0 ? `no new waits counted in the last ${RATE_WINDOW_MS / 1000} s` : 'its source shows no waiting count';
}

/** " (orders 24, billing 13; oldest 2 s)": who waits, when the pooler says, and for how long. */
function queueDetails(clients: WaitingClients | undefined, oldestSeconds: number | null): string {
	// As the pool row counts it (whole seconds cut, never rounded up), so the two never disagree.
	const parts = [whoWaitsText(clients), oldestSeconds === null ? '' : `oldest ${findingDuration(oldestSeconds)}`].filter(Boolean);
	return parts.length === 0 ? '' : ` (${parts.join('; ')})`;
}

/** Groups named whole in a finding; the rest are counted, so a long list cannot push the next step off an 80-column screen. */
const WHO_WAITS_SHOWN = 3;
/** Columns of one group's name: application names run to 63 bytes. */
const WHO_WAITS_NAME_CELLS = 20;

/** "orders 24, billing 13, others 5" from a pooler's client list; '' when it was not read or lists nobody. */
export function whoWaitsText(clients: WaitingClients | undefined): string {
	if (!clients || clients.groups.length === 0) {
		return '';
	}

	const shown = clients.groups.slice(0, WHO_WAITS_SHOWN).map(group => `${truncateCells(group.name, WHO_WAITS_NAME_CELLS)} ${group.clients}`);
	const others = clients.groups.slice(WHO_WAITS_SHOWN).reduce((sum, group) => sum + group.clients, clients.omittedClients);
	return [...shown, ...(others > 0 ? [`others ${others}`] : [])].join(', ');
}

/** The saturated pool's next step: the sizing advice when demand is measured, else what is missing to measure it. */
function nextStep(advice: PoolAdvice | null): string {
	return advice?.step ?? 'raise the pool\'s max';
}
