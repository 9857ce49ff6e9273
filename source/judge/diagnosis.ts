// The diagnosis: names the bottleneck in one plain line per finding, with the number that proves it
// and the next step. Pure: the history (oldest first, last = now) is the only input besides thresholds.
import {CLEAR_MARGIN, freeConnections, heldThresholds, isPoolAtMax, levelForRatio, levelRank, persistentWaitingMs, serverLevel, usableConnections, usedRatio, waitingForMs} from './levels.js';
import {rankInstances} from './instances.js';
import {poolRates, type PoolRates, RATE_WINDOW_MS} from './rates.js';
import {type Suspect, suspectMessage, suspectSubject} from './suspected-pools.js';
import {poolSubject, serverSubject, type Subject, subjectKey, subjectText} from './subject.js';
import {findingDuration, percent, plural} from '../text/words.js';
import type {Finding, FindingCode, Level, Observation, PoolStatus, Thresholds} from './types.js';
import type {ServerSnapshot, Session} from '../readings/types.js';

export type DiagnosisContext = {
	/** The monitoring role, for the GRANT that makes hidden sessions visible. */
	role?: string;
	/** The level each alarm holds now, by subjectKey: a held level lowers its own line (hysteresis). */
	held?: Readonly<Record<string, Level>>;
	/** Capped pools inferred from the server side (suspected-pools.ts), worst first. */
	suspects?: readonly Suspect[];
};

/** Lock waits longer than this are a finding. */
export const lockWaitSeconds = 5;
/** Lock waits longer than this, or this many waiters, are critical. */
export const lockCriticalSeconds = 60;
export const lockCriticalWaiters = 5;

// Worst first within a level: the order in which an operator should act.
const codeOrder: readonly FindingCode[] = [
	'pool-saturated',
	'server-saturated',
	'pool-waiting',
	'pool-timeouts',
	'pool-busy',
	'pool-suspected',
	'fleet-over-capacity',
	'idle-hoarding',
	'idle-in-transaction',
	'lock-contention',
	'pool-endpoint-down',
	'server-unreachable',
	'privileges-partial',
];

export function diagnose(history: readonly Observation[], thresholds: Thresholds, context: DiagnosisContext = {}): Finding[] {
	const latest = history.at(-1);
	if (!latest) {
		return [];
	}

	const findings: Finding[] = [];
	const {server} = latest;
	const held = context.held ?? {};
	for (const pool of latest.pools) {
		findings.push(...poolFindings(history, pool, server, thresholds, held[subjectKey(poolSubject(pool.name))]));
		push(findings, poolEndpointDown(pool, latest.atMs));
	}

	// Disconnected: the last server numbers are stale, so only the pools speak.
	if (server) {
		push(findings, fleetOverCapacity(latest.pools, server));
		for (const suspect of context.suspects ?? []) {
			findings.push({code: 'pool-suspected', level: suspect.level, subject: suspectSubject(suspect), message: suspectMessage(suspect)});
		}

		push(findings, serverSaturated(server, thresholds, held[subjectKey(serverSubject)]));
		push(findings, idleHoarding(server, thresholds));
		push(findings, idleInTransaction(server, thresholds));
		push(findings, lockContention(history, server));
		push(findings, privilegesPartial(server, context.role));
	}

	return sortFindings(findings);
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
	return [...findings].sort(
		(a, b) =>
			levelRank(b.level) - levelRank(a.level) ||
			codeOrder.indexOf(a.code) - codeOrder.indexOf(b.code) ||
			subjectText(a.subject, a.server).localeCompare(subjectText(b.subject, b.server)),
	);
}

function push(findings: Finding[], finding: Finding | null): void {
	if (finding) {
		findings.push(finding);
	}
}

/** Rates as the pools panel shows them: "waits 3.1/s, avg 420 ms". */
export function waitRateText(rates: PoolRates): string {
	if (rates.waitsPerSecond === null) {
		return '';
	}

	const average = rates.meanWaitSeconds === null ? '' : `, avg ${Math.round(rates.meanWaitSeconds * 1000)} ms`;
	// New waits may stand still while old ones are still being served: say how many waited.
	const queued = rates.waitsPerSecond === 0 && (rates.waitingAverage ?? 0) > 0 ? `, ~${rates.waitingAverage!.toFixed(1)} waiting (wait time)` : '';
	return `waits ${rates.waitsPerSecond.toFixed(1)}/s${average}${queued}`;
}

/**
 * A pool's findings from fresh numbers: saturated (waiters, or a growing wait counter, at its max),
 * waiting below its max, requests timing out, busy near its max. Each carries the level its pool
 * shows, so the row and the banner always agree.
 */
function poolFindings(history: readonly Observation[], pool: PoolStatus, server: ServerSnapshot | null, thresholds: Thresholds, held: Level | undefined): Finding[] {
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
	const findings: Finding[] = [];
	if (hasWaiters || (isWaitingByRate && atMax === true)) {
		const queue = hasWaiters ? `${metrics.waiting} waiting${oldest(metrics.oldestWaitSeconds)}` : waitRateText(rates);
		findings.push(waitingFinding(history, pool, server, {busy, queue, atMax}, thresholds));
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
				message: `Pool ${pool.name} is ${busy} (${percent(ratio)}), nobody waiting yet${room}${holding(ratio, level, thresholds)}. The next burst will queue: raise its max if the server has room.`,
			});
		}
	}

	return findings;
}

function waitingFinding(history: readonly Observation[], pool: PoolStatus, server: ServerSnapshot | null, facts: {busy: string; queue: string; atMax: boolean | null}, thresholds: Thresholds): Finding {
	const subject = poolSubject(pool.name);
	const {name} = pool;
	const {busy, queue, atMax} = facts;
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
			message: `Pool ${name} is saturated: ${fleet.atMax} of ${plural(fleet.instances, 'instance')} at ${perInstance}, ${queue}, ${room}: raise the pool's max (worst: ${worst}).`,
		};
	}

	if (atMax === true) {
		return {
			code: 'pool-saturated',
			level: 'critical',
			subject,
			// Short enough to read whole on an 80-column screen: the claim, the proof, the next step.
			message: `Pool ${name} is saturated: ${busy}, ${queue}, ${room}: raise the pool's max.`,
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
function fleetOverCapacity(pools: readonly PoolStatus[], server: ServerSnapshot): Finding | null {
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

/**
 * What a subject holding its level by hysteresis shows: its numbers now, and why it has not cleared.
 * Null for subjects that clear at once.
 */
export function quietMessage(subject: Subject, latest: Observation): string | null {
	if (subject.kind === 'server') {
		return latest.server ? `Server back to ${serverUse(latest.server)}` : null;
	}

	const pool = subject.kind === 'pool' ? latest.pools.find(candidate => candidate.name === subject.name) : undefined;
	if (!pool?.metrics) {
		return null;
	}

	const {metrics} = pool;
	return `Pool ${pool.name} back to ${metrics.active ?? '?'}/${metrics.max ?? '?'} busy, ${metrics.waiting ?? 'n/a'} waiting`;
}

function poolEndpointDown(pool: PoolStatus, nowMs: number): Finding | null {
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

function serverSaturated(server: ServerSnapshot, thresholds: Thresholds, held: Level | undefined): Finding | null {
	const level = serverLevel(server, heldThresholds(thresholds, held));
	if (level === 'ok') {
		return null;
	}

	const apps = [...server.applications]
		.sort((a, b) => b.connections - a.connections || a.name.localeCompare(b.name))
		.slice(0, 3)
		.map(app => `${appName(app.name)} ${app.connections} (${app.idle} idle)`);
	const users = [...server.users]
		.sort((a, b) => b.connections - a.connections || a.name.localeCompare(b.name))
		.slice(0, 3)
		.map(user => `${user.name} ${user.connections}`);
	const consumers = [
		apps.length > 0 ? `top consumers ${apps.join(', ')}` : '',
		users.length > 0 ? `by user ${users.join(', ')}` : '',
	]
		.filter(Boolean)
		.join('; ');
	return {
		code: 'server-saturated',
		level,
		subject: serverSubject,
		message: `Server at ${serverUse(server)}${holding(usedRatio(server), level, thresholds)}${consumers ? `: ${consumers}` : ''}. Terminate idle sessions or lower pool sizes.`,
	};
}

/** Why a level stands below its own line: it was crossed, and clears only 5 points lower. */
function holding(ratio: number, level: Level, thresholds: Thresholds): string {
	const line = level === 'critical' ? thresholds.criticalRatio : thresholds.warnRatio;
	return ratio < line ? ` (below ${percent(line)}, but ${level} holds until under ${percent(line - CLEAR_MARGIN)})` : '';
}

function idleHoarding(server: ServerSnapshot, thresholds: Thresholds): Finding | null {
	const idle = server.states.idle;
	if (serverLevel(server, thresholds) === 'ok' || server.connections <= 0 || idle / server.connections <= 0.5) {
		return null;
	}

	const hoarder = [...server.applications].sort((a, b) => b.idle - a.idle || a.name.localeCompare(b.name))[0];
	const most = hoarder && hoarder.idle > 0 ? `, most from ${appName(hoarder.name)} (${hoarder.idle})` : '';
	return {
		code: 'idle-hoarding',
		level: 'warning',
		subject: serverSubject,
		message: `${idle} of ${server.connections} client connections (${percent(idle / server.connections)}) sit idle${most}, while the server is at ${serverUse(server)}. Terminate idle sessions, set idle timeouts on the pools, or set idle_session_timeout.`,
	};
}

function isIdleInTransaction(state: string | null): boolean {
	return state !== null && state.startsWith('idle in transaction');
}

function idleInTransaction(server: ServerSnapshot, thresholds: Thresholds): Finding | null {
	const limit = thresholds.idleInTransactionSeconds;
	const over = server.sessions.filter(
		s => isIdleInTransaction(s.state) && s.stateSeconds !== null && s.stateSeconds > limit,
	);
	let oldestSession = over.reduce<Session | undefined>(
		(oldest, s) => (!oldest || (s.stateSeconds ?? 0) > (oldest.stateSeconds ?? 0) ? s : oldest),
		undefined,
	);
	let pid = oldestSession?.pid;
	let seconds = oldestSession?.stateSeconds ?? 0;
	// The server-side summary sees sessions beyond the row cap too.
	const summary = server.oldestIdleInTransaction;
	if (summary && summary.seconds > limit && summary.seconds > seconds) {
		pid = summary.pid;
		seconds = summary.seconds;
		oldestSession = server.sessions.find(s => s.pid === summary.pid);
	}

	if (pid === undefined) {
		return null;
	}

	// Directly or down a chain, as lock-contention counts them: one number for one thing on the frame.
	const counted = Math.max(server.sessions.filter(s => s.blockedBy.includes(pid)).length, rootBlockers(server.sessions).get(pid) ?? 0);
	const blocking = summary?.pid === pid ? Math.max(counted, summary.blocking) : counted;
	const who = oldestSession ? ` (${oldestSession.user ?? 'unknown user'} / ${appName(oldestSession.application)})` : '';
	const state = oldestSession?.state === 'idle in transaction (aborted)' ? 'idle in an aborted transaction' : 'idle in transaction';
	const others = over.filter(s => s.pid !== pid).length;
	const more = others > 0 ? `; ${plural(others, 'more session')} idle in transaction over ${limit} s` : '';
	const blocks = blocking > 0 ? `, blocking ${plural(blocking, 'session')}` : ', blocking nobody yet';
	const next =
		blocking > 0
			? `Terminate pid ${pid} to release its locks, and set idle_in_transaction_session_timeout.`
			: `Find why the application leaves the transaction open, or set idle_in_transaction_session_timeout.`;
	return {
		code: 'idle-in-transaction',
		level: blocking > 0 ? 'critical' : 'warning',
		subject: {kind: 'pid', pid},
		message: `pid ${pid}${who} has been ${state} for ${findingDuration(seconds)}${blocks}${more}. ${next}`,
	};
}

/** Sessions blocked, directly or down a chain, by each root blocker (a blocker not itself blocked). */
export function rootBlockers(sessions: readonly Session[]): Map<number, number> {
	const byPid = new Map(sessions.map(s => [s.pid, s]));
	const roots = new Map<number, number>();
	for (const waiter of sessions) {
		if (waiter.blockedBy.length === 0) {
			continue;
		}

		const found = new Set<number>();
		const seen = new Set<number>([waiter.pid]);
		const stack = [...waiter.blockedBy];
		while (stack.length > 0) {
			const pid = stack.pop()!;
			if (seen.has(pid)) {
				continue; // a cycle (deadlock) has no root; the server breaks it itself
			}

			seen.add(pid);
			const blockers = byPid.get(pid)?.blockedBy ?? [];
			if (blockers.length === 0) {
				found.add(pid);
			} else {
				stack.push(...blockers);
			}
		}

		for (const pid of found) {
			roots.set(pid, (roots.get(pid) ?? 0) + 1);
		}
	}

	return roots;
}

/** How long (s) lock waiters have been present, from the history and from the waiters' own ages. */
function lockWaitingSeconds(history: readonly Observation[], server: ServerSnapshot): number {
	const nowMs = history.at(-1)?.atMs ?? server.takenAtMs;
	let startMs = nowMs;
	for (let index = history.length - 1; index >= 0; index--) {
		const observed = history[index]!;
		if (!observed.server || observed.server.lockWaiting <= 0) {
			break;
		}

		startMs = observed.atMs;
	}

	const oldestWaiter = Math.max(
		0,
		...server.sessions.filter(s => s.blockedBy.length > 0).map(s => s.stateSeconds ?? 0),
	);
	return Math.max((nowMs - startMs) / 1000, oldestWaiter);
}

function lockContention(history: readonly Observation[], server: ServerSnapshot): Finding | null {
	const waiters = server.lockWaiting;
	if (waiters <= 0) {
		return null;
	}

	const seconds = lockWaitingSeconds(history, server);
	if (seconds <= lockWaitSeconds) {
		return null;
	}

	const level: Level = waiters >= lockCriticalWaiters || seconds > lockCriticalSeconds ? 'critical' : 'warning';
	const waiting = `${plural(waiters, 'session')} ${waiters === 1 ? 'has' : 'have'} waited on locks for ${findingDuration(seconds)}`;
	const root = [...rootBlockers(server.sessions)].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
	if (!root) {
		return {
			code: 'lock-contention',
			level,
			subject: serverSubject,
			message: `${waiting}, behind a blocker lifeguard cannot see. Look for it in pg_locks with a role that sees all sessions.`,
		};
	}

	const [pid] = root;
	const blocker = server.sessions.find(s => s.pid === pid);
	const about = blocker ? ` (${blocker.state ?? 'unknown state'}, ${appName(blocker.application)})` : '';
	const next = isIdleInTransaction(blocker?.state ?? null)
		? `Terminate pid ${pid}: an idle transaction has no query to cancel.`
		: `Cancel pid ${pid}'s query, or terminate it if its work can be lost.`;
	return {
		code: 'lock-contention',
		level,
		subject: {kind: 'pid', pid},
		message: `${waiting}, behind pid ${pid}${about}. ${next}`,
	};
}

function privilegesPartial(server: ServerSnapshot, role: string | undefined): Finding | null {
	if (server.hidden <= 0) {
		return null;
	}

	const grantee = role ? quoteIdentifier(role) : "<lifeguard's role>";
	return {
		code: 'privileges-partial',
		level: 'warning',
		subject: {kind: 'privileges'},
		message: `Numbers are partial: ${plural(server.hidden, 'session')} ${server.hidden === 1 ? 'is' : 'are'} hidden from lifeguard's role. Run GRANT pg_monitor TO ${grantee}; to see them all.`,
	};
}

function serverUse(server: ServerSnapshot): string {
	return `${percent(usedRatio(server))} of usable connections (${server.connections}/${usableConnections(server)})`;
}

function oldest(seconds: number | null): string {
	// As the pool row counts it (whole seconds cut, never rounded up), so the two never disagree.
	return seconds === null ? '' : ` (oldest ${findingDuration(seconds)})`;
}

function appName(name: string): string {
	return name === '' ? '(no application_name)' : name;
}

/** A role name as GRANT needs it: bare when it is a plain lower-case identifier, quoted otherwise. */
function quoteIdentifier(name: string): string {
	return /^[a-z_][a-z\d_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}
