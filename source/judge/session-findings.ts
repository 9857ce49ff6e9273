// The sessions' findings: a transaction left open (idle in transaction) and sessions waiting on
// locks, each naming the pid to act on, counted down the chains of blockers. Pure.
import {appName} from './server-findings.js';
import {serverSubject} from './subject.js';
import {findingDuration, plural} from '../text/words.js';
import type {Finding, Level, Observation, Thresholds} from './types.js';
import type {ServerSnapshot, Session} from '../readings/types.js';

/** Lock waits longer than this are a finding. */
export const lockWaitSeconds = 5;
/** Lock waits longer than this, or this many waiters, are critical. */
export const lockCriticalSeconds = 60;
export const lockCriticalWaiters = 5;

function isIdleInTransaction(state: string | null): boolean {
	return state !== null && state.startsWith('idle in transaction');
}

export function idleInTransaction(server: ServerSnapshot, thresholds: Thresholds): Finding | null {
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

export function lockContention(history: readonly Observation[], server: ServerSnapshot): Finding | null {
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
