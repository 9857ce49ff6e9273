// The one line the status bar says of what a terminate or cancel did. Pure: the I/O lives in
// actions/terminate.ts, which returns the results (readings/signals.ts).

import type {SignalKind, SignalOutcome, SignalResult} from '../readings/signals.js';

const verbs: Record<SignalKind, string> = {terminate: 'Terminated', cancel: 'Cancelled'};
const notDoneLabels: Record<SignalOutcome, string> = {
	terminated: 'terminated',
	cancelled: 'cancelled',
	skipped: 'skipped',
	'not-permitted': 'not permitted',
	failed: 'failed',
};

function isDone(r: SignalResult): boolean {
	return r.outcome === 'terminated' || r.outcome === 'cancelled';
}

/**
 * One line for the status line: which pids were signalled and which were not, and why, e.g.
 * `Terminated 3 of 4: 101, 102, 103; skipped 1 (already gone or changed): 104`.
 * `kind` defaults to what the results show; pass it for the right verb when none succeeded.
 */
export function summarizeResults(results: SignalResult[], kind?: SignalKind): string {
	if (results.length === 0) {
		return 'No sessions selected';
	}

	const done = results.filter(r => isDone(r));
	const shownKind = kind ?? (done.length > 0 ? (done[0]!.outcome === 'cancelled' ? 'cancel' : 'terminate') : undefined);
	const verb = shownKind ? verbs[shownKind] : 'Signalled';
	const parts = [`${verb} ${done.length} of ${results.length}${done.length > 0 ? `: ${pids(done)}` : ''}`];

	// The rest, grouped by outcome and reason in first-seen order.
	const groups = new Map<string, {label: string; detail: string; members: SignalResult[]}>();
	for (const r of results.filter(r => !isDone(r))) {
		const key = JSON.stringify([r.outcome, r.detail]);
		const group = groups.get(key) ?? {label: notDoneLabels[r.outcome], detail: r.detail, members: []};
		group.members.push(r);
		groups.set(key, group);
	}

	for (const {label, detail, members} of groups.values()) {
		parts.push(`${label} ${members.length} (${detail}): ${pids(members)}`);
	}

	return parts.join('; ');
}

function pids(results: SignalResult[]): string {
	return results.map(r => r.pid).join(', ');
}
