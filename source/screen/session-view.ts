// Which sessions the list shows, in which order: pure functions of the snapshot and the view settings.
import type {Session} from '../readings/types.js';

export const SORT_KEYS = ['time', 'state', 'pid', 'user', 'database', 'application'] as const;
export type SortKey = typeof SORT_KEYS[number];

export const SORT_LABELS: Record<SortKey, string> = {
	time: 'time in state',
	state: 'state',
	pid: 'pid',
	user: 'user',
	database: 'database',
	application: 'application',
};

// The states an operator should look at first.
const STATE_RANK: Record<string, number> = {
	'idle in transaction (aborted)': 0,
	'idle in transaction': 1,
	active: 2,
	'fastpath function call': 3,
	idle: 5,
};

function stateRank(session: Session): number {
	if (session.waitEventType === 'Lock') {
		return -1;
	}

	return STATE_RANK[session.state ?? ''] ?? 4;
}

const byText = (pick: (session: Session) => string | null) => (a: Session, b: Session) =>
	(pick(a) ?? '').localeCompare(pick(b) ?? '') || a.pid - b.pid;

const COMPARATORS: Record<SortKey, (a: Session, b: Session) => number> = {
	time: (a, b) => (b.stateSeconds ?? -1) - (a.stateSeconds ?? -1) || a.pid - b.pid,
	state: (a, b) => stateRank(a) - stateRank(b) || (b.stateSeconds ?? -1) - (a.stateSeconds ?? -1) || a.pid - b.pid,
	pid: (a, b) => a.pid - b.pid,
	user: byText(session => session.user),
	database: byText(session => session.database),
	application: byText(session => session.application),
};

export function nextSortKey(key: SortKey): SortKey {
	return SORT_KEYS[(SORT_KEYS.indexOf(key) + 1) % SORT_KEYS.length]!;
}

/** Case-insensitive match over user, database, application, client and query. */
export function matchesFilter(session: Session, filter: string): boolean {
	const needle = filter.trim().toLowerCase();
	if (!needle) {
		return true;
	}

	return [session.user, session.database, session.application, session.client, session.query]
		.some(field => field?.toLowerCase().includes(needle));
}

export function visibleSessions(sessions: readonly Session[], sort: SortKey, filter: string): Session[] {
	return sessions.filter(session => matchesFilter(session, filter)).sort(COMPARATORS[sort]);
}
