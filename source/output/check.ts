// `lifeguard check`: one line for a monitoring system, by the Nagios plugin conventions
// (https://nagios-plugins.org/doc/guidelines.html): status, summary, then perfdata after a pipe.
import {levelForRatio, levelRank, usableConnections, usedRatio} from '../judge/levels.js';
import type {Picture, PoolLevel, PoolView} from '../judge/picture.js';
import type {Finding, Level, Thresholds} from '../judge/types.js';
import type {ServerSnapshot} from '../readings/types.js';
import {percent, plural} from '../text/words.js';

export type CheckInput = {
	picture: Picture;
	thresholds: Thresholds;
	/** Why the server could not be read (already masked). */
	error?: string;
};

export type CheckExitCode = 0 | 1 | 2 | 3;

export type CheckResult = {exitCode: CheckExitCode; line: string};

const exitCodes: Record<Level, CheckExitCode> = {ok: 0, warning: 1, critical: 2};

export function formatCheck(input: CheckInput): CheckResult {
	const parts = checkParts(input);
	return {exitCode: parts.exitCode, line: withPerfdata(`LIFEGUARD ${STATUS_OF_EXIT[parts.exitCode]} - ${clean(parts.summary)}`, parts.perfdata)};
}

type CheckParts = {exitCode: CheckExitCode; summary: string; perfdata: string[]};

function checkParts(input: CheckInput, labelPrefix = ''): CheckParts {
	const {picture, thresholds} = input;
	const {server, pools, findings} = picture;
	const poolsPerf = pools.flatMap(pool => poolPerfdata(pool));
	if (!server) {
		return {exitCode: 3, summary: input.error ?? 'no data from the server', perfdata: poolsPerf};
	}

	// Every level on the picture has its finding, so the worst finding is the status.
	const summary = findings.length > 0 ? findingSummary(findings) : quietSummary(server, pools);
	return {exitCode: exitCodes[picture.level], summary, perfdata: [...serverPerfdata(server, thresholds, labelPrefix), ...poolsPerf]};
}

const STATUS_OF_EXIT: Record<CheckExitCode, string> = {0: 'OK', 1: 'WARNING', 2: 'CRITICAL', 3: 'UNKNOWN'};
// Which server's status the line reports: a critical one before one that cannot be read, which goes
// before a warning (a server nobody can read may be the one that is full).
const SEVERITY: Record<CheckExitCode, number> = {0: 0, 1: 1, 3: 2, 2: 3};

/**
 * Several servers: the worst server's status and summary, naming it, then how the others stand;
 * perfdata of every server, its labels prefixed with the server's name.
 */
export function formatServersCheck(servers: ReadonlyArray<{name: string} & CheckInput>): CheckResult {
	const parts = servers.map(server => ({name: server.name, ...checkParts(server, `${server.name}_`)}));
	let worst = parts[0]!;
	for (const each of parts) {
		if (SEVERITY[each.exitCode] > SEVERITY[worst.exitCode]) {
			worst = each;
		}
	}

	const others = parts.filter(each => each !== worst).map(each => `${each.name} ${STATUS_OF_EXIT[each.exitCode]}`);
	const summary = `${worst.name}: ${worst.summary}${others.length > 0 ? `; ${others.join(', ')}` : ''}`;
	return {exitCode: worst.exitCode, line: withPerfdata(`LIFEGUARD ${STATUS_OF_EXIT[worst.exitCode]} - ${clean(summary)}`, parts.flatMap(each => each.perfdata))};
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
	return others > 0 ? `${worst.message} (+${plural(others, 'more finding')})` : worst.message;
}

function quietSummary(server: ServerSnapshot, poolLevels: ReadonlyArray<{name: string; level: PoolLevel}>): string {
	const parts = [`${server.connections}/${usableConnections(server)} connections (${percent(usedRatio(server))})`];
	const notOk = poolLevels.filter(p => p.level !== 'ok');
	parts.push(...notOk.map(p => `pool ${p.name} ${p.level}`));
	const ok = poolLevels.length - notOk.length;
	if (ok > 0) {
		parts.push(`${plural(ok, 'pool')} ok`);
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

function serverPerfdata(server: ServerSnapshot, thresholds: Thresholds, prefix: string): string[] {
	const usable = usableConnections(server);
	const warn = alertThreshold(usable, thresholds, 'warning');
	const crit = alertThreshold(usable, thresholds, 'critical');
	const name = (metric: string) => (prefix ? label(`${prefix}${metric}`) : metric);
	return [
		`${name('connections')}=${server.connections};${warn};${crit};0;${usable}`,
		`${name('lock_waiting')}=${server.lockWaiting}`,
		`${name('hidden')}=${server.hidden}`,
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
