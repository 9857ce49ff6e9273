// The client groups the judge watched for pool-suspected, as `--json --sample` prints them: the one
// place that reads the detector's state (suspected-pools.ts), so a change there is met here alone.
import type {Picture} from '../judge/picture.js';
import type {SuspectSample} from '../judge/suspect-samples.js';
import {SUSPECT_WINDOW_MS} from '../judge/suspected-pools.js';
import {subjectKey} from '../judge/subject.js';

/** One application at one address over the window, as the judge saw it. */
export type JudgedGroup = {
	application: string;
	/** The client address; null for a Unix socket. */
	address: string | null;
	/** Connections it holds now. */
	connections: number;
	/** Busy / connections over the window's samples, 0–1. */
	busyShare: number;
	/** The most connections it held in the window: the ceiling a capped pool sits at. */
	ceiling: number;
	/** The connection pooler these server connections probably belong to ('PgBouncer'); null for an application's own. */
	pooler: string | null;
	/** The level of its pool-suspected finding, null when not suspected. */
	suspected: 'warning' | 'critical' | null;
	/** Samples it was seen in, of the window's. */
	samples: number;
};

const round = (value: number) => Number(value.toFixed(3));

/**
 * Every group of the latest sample, judged over the last SUSPECT_WINDOW_MS of samples (the window the
 * inference looks at), the suspected ones first, then by connections.
 */
export function judgedGroups(history: readonly SuspectSample[], picture: Picture): JudgedGroup[] {
	const latest = history.at(-1);
	if (!latest) {
		return [];
	}

	const window = history.filter(sample => sample.atMs >= latest.atMs - SUSPECT_WINDOW_MS);
	const suspected = new Map(picture.findings.filter(finding => finding.code === 'pool-suspected').map(finding => [subjectKey(finding.subject), finding.level]));
	const groups = latest.groups.map((group): JudgedGroup => {
		const seen = window.flatMap(sample => sample.groups.filter(each => each.key === group.key));
		const connections = seen.reduce((sum, each) => sum + each.connections, 0);
		const busy = seen.reduce((sum, each) => sum + Math.min(each.busy, each.connections), 0);
		// A finding about the application across its addresses covers each of them.
		const level = suspected.get(subjectKey({kind: 'group', application: group.application, client: group.client, ...(group.pooler ? {pooler: group.pooler} : {})}))
			?? suspected.get(subjectKey({kind: 'group', application: group.application, client: null}))
			?? null;
		return {
			application: group.application,
			address: group.client,
			connections: group.connections,
			busyShare: connections === 0 ? 0 : round(busy / connections),
			ceiling: Math.max(...seen.map(each => each.connections)),
			pooler: group.pooler,
			suspected: level,
			samples: seen.length,
		};
	});
	return groups.sort((a, b) => Number(b.suspected !== null) - Number(a.suspected !== null) || b.connections - a.connections || a.application.localeCompare(b.application));
}
