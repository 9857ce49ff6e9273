// One instance of a fleet's pool judged on its own numbers, as its pool row is judged, and the
// instances worst first: what the drill-down lists and the saturated finding names as the worst.
import {freeConnections, levelForRatio, levelRank} from './levels.js';
import type {Level} from './types.js';
import {percent} from '../text/words.js';
import type {PoolInstance, ServerSnapshot} from '../readings/types.js';
import type {Thresholds} from './types.js';

/** An instance's level: `unknown` when it exposes neither a busy count nor a queue. */
export type InstanceLevel = Level | 'unknown';

/** One instance as the drill-down shows it: its numbers, its own level and the words for why. */
export type RankedInstance = PoolInstance & {level: InstanceLevel; reason: string};

const rankOf = (level: InstanceLevel) => (level === 'unknown' ? -1 : levelRank(level));

/**
 * An instance judged as its pool row is judged (pool-findings.ts poolFindings), on its own numbers:
 * waiters at its max are critical, waiters behind a full server too, waiters below its max a warning;
 * a growing wait counter at its max is critical; timeouts a warning; else how busy it is.
 */
export function judgeInstance(member: PoolInstance, thresholds: Thresholds, server: ServerSnapshot | null): RankedInstance {
	const verdict = (level: InstanceLevel, reason: string): RankedInstance => ({...member, level, reason});
	const {waiting, active, max} = member;
	if ((waiting ?? 0) > 0) {
		if (member.isAtMax) {
			return verdict('critical', 'at max, queueing');
		}

		if (server && freeConnections(server) <= 0) {
			return verdict('critical', 'queueing, server full');
		}

		return verdict('warning', 'queueing below max');
	}

	const waitsPerSecond = member.sourceRates.waitsPerSecond ?? 0;
	if (waiting === null && member.isAtMax && waitsPerSecond > 0) {
		return verdict('critical', `at max, waits ${waitsPerSecond.toFixed(1)}/s`);
	}

	const timeouts = member.sourceRates.timeoutsPerMinute ?? 0;
	if (timeouts > 0) {
		return verdict('warning', `timeouts ${Math.max(1, Math.round(timeouts))}/min`);
	}

	if (max !== null && max > 0 && active !== null) {
		const ratio = active / max;
		return verdict(levelForRatio(ratio, thresholds), `${percent(ratio)} busy`);
	}

	return active === null && waiting === null ? verdict('unknown', 'no numbers') : verdict('ok', max === null ? 'max n/a' : '');
}

/**
 * The instances worst first: by their own level, then in the collector's order (most waiting, the
 * fullest, the most timeouts, then by name), so a WARN row never sits above a CRIT one.
 */
export function rankInstances(members: readonly PoolInstance[], thresholds: Thresholds, server: ServerSnapshot | null): RankedInstance[] {
	return members
		.map((member, order) => ({member: judgeInstance(member, thresholds, server), order}))
		.sort((a, b) => rankOf(b.member.level) - rankOf(a.member.level) || a.order - b.order)
		.map(entry => entry.member);
}
