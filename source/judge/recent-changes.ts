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

		case 'reconnected': {
			return `${event.application === '' ? (event.client ?? 'local socket') : event.application} reconnected ${event.replaced}/${event.of}`;
		}

		case 'instances': {
			const subject = typeof event.subject === 'string' ? event.subject : subjectLabel(event.subject);
			return `${subject} instances ${event.from}→${event.to}`;
		}
	}
}

/** `18 of 20 connections replaced within 3 s`: the new ones' backend_start, rounded up to a whole second. */
export function reconnectedText(event: {replaced: number; of: number; withinSeconds: number}): string {
	return `${event.replaced} of ${event.of} connections replaced within ${Math.max(1, Math.ceil(event.withinSeconds))} s`;
}

/** Instances named when this few joined or left; past it, counted. */
const NAMED_INSTANCES = 3;

/** `2 instances left the fleet (12 → 10): pod-a, pod-b`; both ways: `1 joined (pod-c), 1 left (pod-a): 12 → 12`. */
export function instancesText(event: {from: number; to: number; joined: readonly string[]; left: readonly string[]}): string {
	const names = (list: readonly string[]) => (list.length <= NAMED_INSTANCES ? list.join(', ') : `${list.slice(0, NAMED_INSTANCES).join(', ')} and ${list.length - NAMED_INSTANCES} more`);
	const count = (list: readonly string[]) => `${list.length} ${list.length === 1 ? 'instance' : 'instances'}`;
	if (event.joined.length > 0 && event.left.length > 0) {
		return `${event.joined.length} joined (${names(event.joined)}), ${event.left.length} left (${names(event.left)}): ${event.from} → ${event.to}`;
	}

	const [list, verb] = event.joined.length > 0 ? [event.joined, 'joined'] : [event.left, 'left'];
	return `${count(list)} ${verb} the fleet (${event.from} → ${event.to}): ${names(list)}`;
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
