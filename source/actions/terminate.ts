// Terminate or cancel sessions the operator confirmed. One statement per session, sequentially, in
// autocommit: a bulk statement aborts at the first superuser-owned row while the kills before it
// stand. Each statement re-checks the identity the operator saw, so a recycled pid is never hit.
import type {SignalKind, SignalOutcome, SignalResult} from '../readings/signals.js';
import {CANCEL_SESSION_QUERY, SIGNAL_PREFLIGHT, TERMINATE_SESSION, TERMINATE_SESSION_AND_WAIT} from './queries.js';
import {errorLine} from '../text/words.js';

/**
 * What the actions need from a connection; a pg.Client satisfies it. Pass the monitor's one client,
 * not a Pool: lifeguard's own pid is read once per client, and each statement must run in autocommit
 * (inside a transaction pg_stat_activity is a stale snapshot).
 */
export type Queryable = {
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows are checked where read
	query(text: string, values?: unknown[]): Promise<{rows: any[]}>;
};

/** A session as the operator saw it when confirming: pid + backendStartMicros is its identity. */
export type SessionTarget = {
	pid: number;
	/** backend_start in integer microseconds since the epoch, as a string (int8). */
	backendStartMicros: string;
	state: string | null;
	user: string | null;
	application: string;
	isSuperuser?: boolean;
};

export type SignalOptions = {
	/** Terminate only, PG14+: how long the server waits for the session to exit. 0 = signal only. */
	waitMs?: number;
};

/** Below the monitor's 2 s statement_timeout, so waiting never turns into a timeout error. */
export const defaultWaitMs = 1000;

export const goneOrChanged = 'already gone or changed';
export const ownSession = "lifeguard's own session";

type ServerFacts = {versionNum: number; selfPid: number};

// Per client: a pg.Client never reconnects, so its server version and backend pid are fixed.
const factsByClient = new WeakMap<Queryable, ServerFacts>();

async function serverFacts(client: Queryable): Promise<ServerFacts> {
	const cached = factsByClient.get(client);
	if (cached) {
		return cached;
	}

	const {rows} = await client.query(SIGNAL_PREFLIGHT);
	const row = rows[0] as {version_num: number | string; self_pid: number | string} | undefined;
	if (!row) {
		throw new Error('could not read the server version');
	}

	const facts = {versionNum: Number(row.version_num), selfPid: Number(row.self_pid)};
	factsByClient.set(client, facts);
	return facts;
}

/**
 * Signal each target once, in order, and report one result per target in input order. A failure
 * never stops the batch and nothing is retried: the caller re-polls and lets the operator decide.
 */
export async function signalSessions(
	client: Queryable,
	kind: SignalKind,
	targets: SessionTarget[],
	options: SignalOptions = {},
): Promise<SignalResult[]> {
	const waitMs = options.waitMs ?? defaultWaitMs;
	if (!Number.isSafeInteger(waitMs) || waitMs < 0) {
		throw new RangeError(`waitMs must be a non-negative integer, got ${waitMs}`);
	}

	if (targets.length === 0) {
		return [];
	}

	let facts: ServerFacts;
	try {
		facts = await serverFacts(client);
	} catch (error) {
		// Without the version nothing can be sent safely; say so for every target.
		return targets.map(target => result(target, 'failed', errorLine(error)));
	}

	const results: SignalResult[] = [];
	for (const target of targets) {
		// Sequential on purpose: one client runs one statement at a time, and the order is the operator's.
		results.push(await signalOne(client, kind, target, facts, waitMs));
	}

	return results;
}

async function signalOne(
	client: Queryable,
	kind: SignalKind,
	target: SessionTarget,
	facts: ServerFacts,
	waitMs: number,
): Promise<SignalResult> {
	// The statement excludes itself too; checking here first gives the operator the reason.
	if (target.pid === facts.selfPid) {
		return result(target, 'skipped', ownSession);
	}

	if (target.state === null) {
		// The monitor could not see this row's state (no pg_read_all_stats), so it cannot confirm identity.
		return result(target, 'skipped', 'state not visible, cannot confirm it');
	}

	if (kind === 'cancel' && target.state !== 'active') {
		// pg_cancel_backend returns true on an idle session but does nothing.
		return result(target, 'skipped', `no running query (${target.state})`);
	}

	const isWaiting = kind === 'terminate' && waitMs > 0 && facts.versionNum >= 140000;
	const [text, values] = statementFor(kind, target, isWaiting, waitMs);
	let rows: Array<{is_signalled: boolean | null}>;
	try {
		({rows} = await client.query(text, values));
	} catch (error) {
		return fromError(target, error);
	}

	const row = rows[0];
	if (!row) {
		return result(target, 'skipped', goneOrChanged);
	}

	if (row.is_signalled !== true) {
		const detail = isWaiting ? `did not exit within ${waitMs} ms` : 'signal not sent';
		return result(target, 'failed', detail);
	}

	if (kind === 'cancel') {
		return result(target, 'cancelled', 'cancel sent');
	}

	return result(target, 'terminated', isWaiting ? 'gone' : 'signal sent');
}

function statementFor(kind: SignalKind, target: SessionTarget, isWaiting: boolean, waitMs: number): [string, unknown[]] {
	const key = [target.pid, target.backendStartMicros, target.state];
	if (kind === 'cancel') {
		return [CANCEL_SESSION_QUERY, key];
	}

	return isWaiting ? [TERMINATE_SESSION_AND_WAIT, [...key, waitMs]] : [TERMINATE_SESSION, key];
}

function fromError(target: SessionTarget, error: unknown): SignalResult {
	const {code, detail} = (error ?? {}) as {code?: unknown; detail?: unknown};
	if (code !== '42501') {
		return result(target, 'failed', errorLine(error));
	}

	// ≤15 says "must be a superuser to terminate superuser process"; 16+ puts SUPERUSER in the DETAIL.
	const text = `${errorLine(error)} ${typeof detail === 'string' ? detail : ''}`;
	const isSuperuserSession = /superuser/i.test(text) || (!/pg_signal_backend/.test(text) && target.isSuperuser === true);
	if (isSuperuserSession) {
		return result(target, 'not-permitted', 'needs superuser: a superuser\'s session');
	}

	const role = target.user === null ? 'the session\'s role' : `role ${target.user}`;
	return result(target, 'not-permitted', `needs pg_signal_backend or membership of ${role}`);
}

function result(target: SessionTarget, outcome: SignalOutcome, detail: string): SignalResult {
	return {pid: target.pid, user: target.user, application: target.application, state: target.state, outcome, detail};
}

