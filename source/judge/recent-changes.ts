// What changed while watching, as the judge keeps it for the screen's `Changes` line and `--json`: the
// server's configuration reloaded or the server restarted (seen in the snapshot's pg_conf_load_time
// and pg_postmaster_start_time), and the pool changes judgePoolReading logs. Each change remembers
// when the first finding after it began: the operator's first question is "what changed before it broke".
import type {AlarmChange} from './alarms.js';
import type {ChangeLogEvent, RecentChange} from './change-event.js';
import {logTime} from './log-events.js';
import {serverSubject, subjectLabel} from './subject.js';
import type {ServerSnapshot} from '../readings/types.js';
import {findingDuration} from '../text/words.js';

/** How long a change stays on the screen's line. */
export const RECENT_CHANGES_MS = 15 * 60_000;
/** Changes held at most (a pool whose max churns must not grow the line or the memory). */
const RECENT_CHANGES_CAP = 8;

/**
 * The server's changes between two snapshots: a restart (the start time moved; its new configuration
 * is part of it), else a reload (the configuration was loaded later than before). A reconnect without
 * either reads the postmaster's load time, earlier than the old backend's own: not a change.
 */
export function serverChangeEvents(before: ServerSnapshot | null, after: ServerSnapshot, atMs: number): Array<ChangeLogEvent & {at: string}> {
	if (!before) {
		return [];
	}

	const at = logTime(atMs);
	if (before.startedMs !== undefined && after.startedMs !== undefined && before.startedMs !== after.startedMs) {
		return [{at, type: 'change', subject: serverSubject, what: 'restart', from: logTime(before.startedMs), to: logTime(after.startedMs)}];
	}

	if (before.confLoadedMs !== undefined && after.confLoadedMs !== undefined && after.confLoadedMs > before.confLoadedMs) {
		const pending = after.pendingRestart ? {pendingRestart: [...after.pendingRestart]} : {};
		return [{at, type: 'change', subject: serverSubject, what: 'reload', loadedAt: logTime(after.confLoadedMs), ...pending}];
	}

	return [];
}

/** The recent changes after one step of the judge: new ones added, the first finding after each noted, old ones gone. */
export function noteChanges(recent: readonly RecentChange[], events: ReadonlyArray<{type: string}>, alarms: readonly AlarmChange[], atMs: number): readonly RecentChange[] {
	const added = events.filter((event): event is ChangeLogEvent & {at: string} => event.type === 'change')
		.map(event => ({atMs: Date.parse(event.at), event, findingAfterMs: null}));
	const raised = alarms.filter(change => change.to !== 'ok' && change.from === 'ok');
	if (added.length === 0 && raised.length === 0 && (recent.length === 0 || recent[0]!.atMs >= atMs - RECENT_CHANGES_MS)) {
		return recent;
	}

	return [...recent, ...added]
		.filter(change => change.atMs >= atMs - RECENT_CHANGES_MS)
		.slice(-RECENT_CHANGES_CAP)
		.map(change => {
			const first = change.findingAfterMs === null ? raised.find(alarm => alarm.atMs >= change.atMs) : undefined;
			return first ? {...change, findingAfterMs: first.atMs} : change;
		});
}

/** A change in a few words: `config reloaded`, `server restarted`, `checkout max 20→5`. */
export function changeWords(event: ChangeLogEvent): string {
	switch (event.what) {
		case 'reload': {
			const pending = event.pendingRestart?.length ? ` (${event.pendingRestart.length} pending restart)` : '';
			return `config reloaded${pending}`;
		}

		case 'restart': {
			return 'server restarted';
		}

		case 'max': {
			const subject = typeof event.subject === 'string' ? event.subject : subjectLabel(event.subject);
			return `${subject} max ${event.from}→${event.to}`;
		}
	}
}

/** `config reloaded 2 min ago (finding 40 s later)`, `api max 20→5 4 min ago (Prometheus; finding 30 s later)`, newest first: how the screen's line says them. */
export function recentChangesText(changes: readonly RecentChange[], nowMs: number): string {
	return [...changes].reverse().map(change => {
		const ago = `${findingDuration(Math.max(0, nowMs - change.atMs) / 1000)} ago`;
		const afterMs = change.findingAfterMs === null ? null : change.findingAfterMs - change.atMs;
		// Seen in a source's history, not while watching: said, before the finding.
		const notes = [
			...(change.event.source === undefined ? [] : [change.event.source]),
			...(afterMs === null ? [] : [`finding ${afterMs < 1000 ? 'at once' : `${findingDuration(afterMs / 1000)} later`}`]),
		];
		return `${changeWords(change.event)} ${ago}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
	}).join(' · ');
}
