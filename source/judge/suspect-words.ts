// pool-suspected in words, and the groups still being watched (not yet a finding). Pure.
import {findingDuration, percent, plural} from '../text/words.js';
import {type Subject, subjectLabel} from './subject.js';
import {groupsByKey, type SuspectSample} from './suspect-samples.js';
import {isMeasuredGroup, SUSPECT_BUSY_SHARE, SUSPECT_MIN_CEILING, type Suspect, type SuspectOptions} from './suspected-pools.js';

/** The finding's subject: one instance (`checkout (10.0.0.5)`), the application across its instances, or a pooler's address. */
export function suspectSubject(suspect: Pick<Suspect, 'application' | 'client' | 'instances' | 'pooler'>): Subject {
	return suspect.pooler === null
		? {kind: 'group', application: suspect.application, client: suspect.instances === 1 ? suspect.client : null}
		: {kind: 'group', application: '', client: suspect.client, pooler: suspect.pooler};
}

/** The setting that sizes a pooler's pool, by the pooler it probably is. */
const POOL_SIZE_SETTING: Readonly<Record<string, string>> = {
	PgBouncer: 'default_pool_size / pool_size',
	'pgpool-II': 'num_init_children',
	Odyssey: 'pool_size',
	PgCat: 'pool_size',
};

function poolerMessage(suspect: Suspect, all: string): string {
	const where = suspect.client ?? 'A local pooler (Unix socket)';
	const setting = POOL_SIZE_SETTING[suspect.pooler!] ?? 'its pool size';
	const next = suspect.pooler === 'PgBouncer' ? 'Add --pool pgbouncer://… to see who waits.' : 'Its own pool view shows who waits.';
	return `${where} (a connection pooler, probably ${suspect.pooler}) has held exactly ${plural(suspect.ceiling, 'server connection')}, ${all}, for ${findingDuration(suspect.heldForMs / 1000)} while the server has ${suspect.serverFree} free: its pool size is probably ${suspect.ceiling} (${setting}). ${next}`;
}

/** The finding's text: what was seen, the likely cause ("probably": batch workers look alike), the next step. */
export function suspectMessage(suspect: Suspect): string {
	const all = suspect.busyShare >= 0.995 ? 'all busy' : `${percent(suspect.busyShare)} busy`;
	if (suspect.pooler !== null) {
		return poolerMessage(suspect, all);
	}

	const held = `for ${findingDuration(suspect.heldForMs / 1000)} and never more, while the server has ${plural(suspect.serverFree, 'free slot')}`;
	// Behind a pooler that does not re-tag its connections (one service through PgBouncer), the cap is
	// the pooler's, and the server cannot tell: name both.
	const queue = 'requests likely queueing in the application (or a pooler in between: default_pool_size)';
	const next = 'Check its pool max, or add --pool to see the queue.';
	if (suspect.instances === 1) {
		return `${subjectLabel(suspectSubject(suspect))} has held exactly ${plural(suspect.ceiling, 'connection')}, ${all}, ${held}: its pool is probably capped at ${suspect.ceiling}, ${queue}. ${next}`;
	}

	const isUniform = suspect.connections === suspect.instances * suspect.ceiling;
	const shape = isUniform
		? `${suspect.instances} instances × ${plural(suspect.ceiling, 'connection')}`
		: `${suspect.instances} instances, ${plural(suspect.connections, 'connection')} in all (up to ${suspect.ceiling} each)`;
	const cap = isUniform ? `capped at ${suspect.ceiling} each` : 'capped';
	return `${subjectLabel(suspectSubject(suspect))}: ${shape}, ${all}, ${held}: its pools are probably ${cap}, ${queue}. ${next}`;
}

/**
 * Watched after this long all busy at a steady count: shorter is any burst. 5 s: a capped pool shows
 * as watched within seconds of the incident, not after an empty "OK" for the whole window.
 */
export const WATCH_AFTER_MS = 5000;

/** A group all busy at a steady count, not (yet) suspected: "watching checkout: 5/5 busy for 12 s". */
export type Watched = {subject: Subject; connections: number; busy: number; forMs: number};

/** The groups busy at a steady count for WATCH_AFTER_MS or more that are not suspects, longest first. */
export function watchedGroups(history: readonly SuspectSample[], suspects: readonly Suspect[], options: SuspectOptions = {}): Watched[] {
	const latest = history.at(-1);
	if (!latest || latest.serverFree <= 0) {
		return [];
	}

	const suspected = new Set(suspects.map(suspect => (suspect.pooler === null ? `a ${suspect.application}` : `p ${suspect.client ?? ''}`)));
	const watched: Watched[] = [];
	for (const group of latest.groups) {
		const isBusy = (seen: {connections: number; busy: number}) => seen.connections === group.connections && seen.busy >= SUSPECT_BUSY_SHARE * seen.connections;
		const isSuspected = suspected.has(group.pooler === null ? `a ${group.application}` : `p ${group.client ?? ''}`);
		// A measured group is not watched: its pool row speaks (the same rule as for suspects).
		if (group.connections < SUSPECT_MIN_CEILING || !isBusy(group) || isSuspected || isMeasuredGroup(group, options)) {
			continue;
		}

		let sinceMs = latest.atMs;
		for (let index = history.length - 2; index >= 0; index--) {
			const seen = groupsByKey(history[index]!).get(group.key);
			if (!seen || !isBusy(seen) || history[index]!.serverFree <= 0) {
				break;
			}

			sinceMs = history[index]!.atMs;
		}

		const forMs = latest.atMs - sinceMs;
		if (forMs >= WATCH_AFTER_MS) {
			const subject = suspectSubject({...group, instances: 1});
			watched.push({subject, connections: group.connections, busy: group.busy, forMs});
		}
	}

	return watched.sort((a, b) => b.forMs - a.forMs);
}

/** "watching checkout (10.0.0.5): 5/5 busy for 12 s" */
export function watchedText(watched: Watched): string {
	return `watching ${subjectLabel(watched.subject)}: ${watched.busy}/${watched.connections} busy for ${findingDuration(watched.forMs / 1000)}`;
}
