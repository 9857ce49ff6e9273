// The diagnosis: names the bottleneck in one plain line per finding, with the number that proves it
// and the next step. Pure: the history (oldest first, last = now) is the only input besides thresholds.
// The findings themselves are in pool-findings.ts, server-findings.ts and session-findings.ts.
import {levelRank} from './levels.js';
import {fleetOverCapacity, poolEndpointDown, poolFindings} from './pool-findings.js';
import {idleHoarding, privilegesPartial, serverSaturated, serverUse} from './server-findings.js';
import {idleInTransaction, lockContention} from './session-findings.js';
import {suspectMessage, suspectSubject} from './suspect-words.js';
import type {Suspect} from './suspected-pools.js';
import {poolSubject, serverSubject, type Subject, subjectKey, subjectText, subjectTitle} from './subject.js';
import {CODE_EVIDENCE, type Evidence, type Finding, type FindingCode, type Level, type Observation, type Thresholds} from './types.js';

export type DiagnosisContext = {
	/** The monitoring role, for the GRANT that makes hidden sessions visible. */
	role?: string;
	/** The level each alarm holds now, by subjectKey: a held level lowers its own line (hysteresis). */
	held?: Readonly<Record<string, Level>>;
	/** Capped pools inferred from the server side (suspected-pools.ts), worst first. */
	suspects?: readonly Suspect[];
};

// How much a finding explains, most first, among findings of one level and one evidence: a full
// pool or server explains the waits, timeouts and busy pools below it; a lock or a left-open
// transaction explains its own waiters; an endpoint down or partial privileges explain only what
// lifeguard cannot see. The order in which an operator should act.
const codeOrder: readonly FindingCode[] = [
	'pool-saturated',
	'server-saturated',
	'pool-waiting',
	'pool-timeouts',
	'pool-busy',
	'pool-suspected',
	'fleet-over-capacity',
	'idle-hoarding',
	'idle-in-transaction',
	'lock-contention',
	'pool-endpoint-down',
	'server-unreachable',
	'privileges-partial',
];

export function diagnose(history: readonly Observation[], thresholds: Thresholds, context: DiagnosisContext = {}): Finding[] {
	const latest = history.at(-1);
	if (!latest) {
		return [];
	}

	const findings: Finding[] = [];
	const {server} = latest;
	const held = context.held ?? {};
	for (const pool of latest.pools) {
		findings.push(...poolFindings(history, pool, server, thresholds, held[subjectKey(poolSubject(pool.name))]));
		push(findings, poolEndpointDown(pool, latest.atMs));
	}

	// Disconnected: the last server numbers are stale, so only the pools speak.
	if (server) {
		push(findings, fleetOverCapacity(latest.pools, server));
		for (const suspect of context.suspects ?? []) {
			findings.push({code: 'pool-suspected', level: suspect.level, subject: suspectSubject(suspect), message: suspectMessage(suspect)});
		}

		push(findings, serverSaturated(server, thresholds, held[subjectKey(serverSubject)]));
		push(findings, idleHoarding(server, thresholds));
		push(findings, idleInTransaction(server, thresholds));
		push(findings, lockContention(history, server));
		push(findings, privilegesPartial(server, context.role));
	}

	return sortFindings(findings);
}

/** How a finding knows: its own word, else its code's. */
export function evidenceOf(finding: Finding): Evidence {
	return finding.evidence ?? CODE_EVIDENCE[finding.code];
}

const evidenceRank: Record<Evidence, number> = {measured: 1, inferred: 0};

/**
 * The one order of findings, everywhere (banner, --json, check, the log): by level, then by how
 * certain (a measured finding above every inferred one of its level: a critical lock chain is never
 * under a suspected pool), then by how much it explains (codeOrder), then by subject.
 */
export function sortFindings(findings: readonly Finding[]): Finding[] {
	return [...findings].sort(
		(a, b) =>
			levelRank(b.level) - levelRank(a.level) ||
			evidenceRank[evidenceOf(b)] - evidenceRank[evidenceOf(a)] ||
			codeOrder.indexOf(a.code) - codeOrder.indexOf(b.code) ||
			subjectText(a.subject, a.server).localeCompare(subjectText(b.subject, b.server)),
	);
}

function push(findings: Finding[], finding: Finding | null): void {
	if (finding) {
		findings.push(finding);
	}
}

/**
 * What a subject holding its level by hysteresis shows: its numbers now, and why it has not cleared.
 * Null for subjects that clear at once.
 */
export function quietMessage(subject: Subject, latest: Observation): string | null {
	if (subject.kind === 'server') {
		return latest.server ? `Server back to ${serverUse(latest.server)}` : null;
	}

	if (subject.kind === 'group') {
		return latest.server ? `${subjectTitle(subject)} no longer looks capped` : null;
	}

	const pool = subject.kind === 'pool' ? latest.pools.find(candidate => candidate.name === subject.name) : undefined;
	if (!pool?.metrics) {
		return null;
	}

	const {metrics} = pool;
	return `Pool ${pool.name} back to ${metrics.active ?? '?'}/${metrics.max ?? '?'} busy, ${metrics.waiting ?? 'n/a'} waiting`;
}
