// A connection pooler's server connections, told apart from the server side alone. PgBouncer lends
// each server connection to one client after another and sets that client's application_name on it
// (1.18 and later), so a backend seen under two application names is a pooler's; a backend whose own
// application_name names a pooler is one too. Their pool is one group per client address, whatever
// names they carry: two services behind one PgBouncer pool share its connections. Pure.
import type {ClientGroup} from '../readings/types.js';

export type PoolerTrack = {
	/** Each backend's application_name at the last sample, by pid. */
	applications: ReadonlyMap<number, string>;
	/** The pooler backends seen so far and still there, by pid: the pooler they probably belong to. */
	pooled: ReadonlyMap<number, string>;
};

export const emptyPoolerTrack: PoolerTrack = {applications: new Map(), pooled: new Map()};

/**
 * application_name values poolers use for their own connections (health checks, or set by hand): the
 * whole name, so an application called `pgpool-app` is not taken for one.
 */
const NAMED_POOLERS: ReadonlyArray<[RegExp, string]> = [
	[/^pgbouncer$/i, 'PgBouncer'],
	[/^pgpool(-ii)?$/i, 'pgpool-II'],
	[/^odyssey$/i, 'Odyssey'],
	[/^pgcat$/i, 'PgCat'],
];

/** Re-tagging server connections with each client's application_name is PgBouncer's habit (1.18+). */
const RETAGGING_POOLER = 'PgBouncer';

export function poolerNamed(application: string): string | null {
	return NAMED_POOLERS.find(([pattern]) => pattern.test(application))?.[1] ?? null;
}

/**
 * The track after one more sample. A backend is a pooler's once it carries a second application name
 * (or a pooler's name), and stays one for as long as it lives; a backend gone is forgotten.
 */
export function trackPoolers(track: PoolerTrack, groups: readonly ClientGroup[]): PoolerTrack {
	const applications = new Map<number, string>();
	const pooled = new Map<number, string>();
	for (const group of groups) {
		const named = poolerNamed(group.application);
		for (const [pid] of group.backends) {
			applications.set(pid, group.application);
			const before = track.applications.get(pid);
			// From '' is no re-tagging: a backend still logging in shows no application_name yet.
			const isRetagged = before !== undefined && before !== '' && before !== group.application;
			const pooler = named ?? track.pooled.get(pid) ?? (isRetagged ? RETAGGING_POOLER : null);
			if (pooler) {
				pooled.set(pid, pooler);
			}
		}
	}

	return {applications, pooled};
}
