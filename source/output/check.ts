// `lifeguard check`: one line for a monitoring system, by the Nagios plugin conventions
// (https://nagios-plugins.org/doc/guidelines.html): status, summary, then perfdata after a pipe.
import {levelForRatio, levelRank, usableConnections, usedRatio} from '../model/levels.js';
import type {Picture, PoolLevel, PoolView} from '../model/picture.js';
import type {Finding, Level, ServerSnapshot, Thresholds} from '../model/types.js';

export type CheckInput = {
	picture: Picture;
	thresholds: Thresholds;
	/** Why the server could not be read (already masked). */
	error?: string;
};

export type CheckExitCode = 0 | 1 | 2 | 3;

export type CheckResult = {exitCode: CheckExitCode; line: string};

const exitCodes: Record<Level, CheckExitCode> = {ok: 0, warning: 1, critical: 2};
const statuses: Record<Level, string> = {ok: 'OK', warning: 'WARNING', critical: 'CRITICAL'};

export function formatCheck(input: CheckInput): CheckResult {
	const {picture, thresholds} = input;
	const {server, pools, findings} = picture;
	const poolsPerf = pools.flatMap(pool => poolPerfdata(pool));
	if (!server) {
		const reason = input.error ?? 'no data from the server';
		return {exitCode: 3, line: withPerfdata(`LIFEGUARD UNKNOWN - ${clean(reason)}`, poolsPerf)};
	}

	// Every level on the picture has its finding, so the worst finding is the status.
	const level = picture.level;
	const summary = findings.length > 0 ? findingSummary(findings) : quietSummary(server, pools);
	const perfdata = [...serverPerfdata(server, thresholds), ...poolsPerf];
	return {exitCode: exitCodes[level], line: withPerfdata(`LIFEGUARD ${statuses[level]} - ${clean(summary)}`, perfdata)};
}

function findingSummary(findings: readonly Finding[]): string {
	// The worst one, first of its rank: diagnose() sorts, but the caller may not have.
	let worst = findings[0]!;
	for (const finding of findings) {
		if (levelRank(finding.level) > levelRank(worst.level)) {
			worst = finding;
		}
	}

	const others = findings.length - 1;
	return others > 0 ? `${worst.message} (+${others} more finding${others === 1 ? '' : 's'})` : worst.message;
}

function quietSummary(server: ServerSnapshot, poolLevels: ReadonlyArray<{name: string; level: PoolLevel}>): string {
	const parts = [`${server.connections}/${usableConnections(server)} connections (${Math.round(usedRatio(server) * 100)}%)`];
	const notOk = poolLevels.filter(p => p.level !== 'ok');
	parts.push(...notOk.map(p => `pool ${p.name} ${p.level}`));
	const ok = poolLevels.length - notOk.length;
	if (ok > 0) {
		parts.push(`${ok} pool${ok === 1 ? '' : 's'} ok`);
	}

	return parts.join(', ');
}

/**
 * The highest connection count that stays below a ratio: Nagios alerts when a value exceeds its
 * threshold, while a level is reached at the ratio itself, so ceil(ratio × usable) − 1, computed
 * with the same comparison as the level to stay exact at the edges.
 */
export function alertThreshold(usable: number, thresholds: Thresholds, level: 'warning' | 'critical'): number {
	const ratio = level === 'warning' ? thresholds.warnRatio : thresholds.criticalRatio;
	let count = Math.max(0, Math.floor(ratio * usable) - 1);
	while (count <= usable && levelRank(levelForRatio(count / usable, thresholds)) < levelRank(level)) {
		count++;
	}

	return count - 1;
}

function serverPerfdata(server: ServerSnapshot, thresholds: Thresholds): string[] {
	const usable = usableConnections(server);
	const warn = alertThreshold(usable, thresholds, 'warning');
	const crit = alertThreshold(usable, thresholds, 'critical');
	return [
		`connections=${server.connections};${warn};${crit};0;${usable}`,
		`lock_waiting=${server.lockWaiting}`,
		`hidden=${server.hidden}`,
	];
}

function poolPerfdata(pool: PoolView): string[] {
	const metrics = pool.metrics;
	// A failed endpoint's numbers are stale: a graph should show a gap, not a flat line.
	if (!metrics || pool.error !== null) {
		return [];
	}

	const values: string[] = [];
	const name = (metric: string) => label(`pool_${pool.name}_${metric}`);
	if (metrics.active !== null) {
		values.push(`${name('active')}=${metrics.active};;;0${metrics.max === null ? '' : `;${metrics.max}`}`);
	}

	if (metrics.waiting !== null) {
		values.push(`${name('waiting')}=${metrics.waiting}`);
	}

	if (metrics.timeoutsTotal !== null) {
		values.push(`${name('timeouts')}=${metrics.timeoutsTotal}c`);
	}

	return values;
}

/** A quoted perfdata label: '=' cannot appear in one, and a quote is written twice. */
function label(text: string): string {
	return `'${text.replaceAll('=', '_').replaceAll("'", "''")}'`;
}

/** One line, and no pipe: the pipe starts the perfdata. */
function clean(text: string): string {
	return text.replaceAll(/\s*[\r\n]+\s*/g, ' ').replaceAll('|', '/');
}

function withPerfdata(text: string, perfdata: readonly string[]): string {
	return perfdata.length > 0 ? `${text} | ${perfdata.join(' ')}` : text;
}
