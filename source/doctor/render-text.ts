// `lifeguard doctor` as text: the --json contract, plain text for pipes and files, Markdown for a
// postmortem or a ticket. Every string from outside (names, labels, errors) goes through safeText in
// text and Markdown, and is escaped for Markdown there; JSON carries them exactly (safeJson escapes
// what a terminal would act on).
import {EXIT_CODES, overallStatus} from './checks.js';
import type {Check, CheckStatus, DoctorReport} from './types.js';
import {settingsLines, settingsMarkdown} from './render-settings.js';
import type {SettingsList} from './settings.js';
import {markdownCode, markdownText} from '../text/markdown.js';
import {safeJson, safeText} from '../text/sanitize.js';

export const STATUS_LABELS: Record<CheckStatus, string> = {pass: 'PASS', warn: 'WARN', fail: 'FAIL', unknown: 'UNKNOWN', skip: 'SKIP'};

/**
 * The stable --json contract: {target, checks: [{id, status, title, found, fix, numbers}], settings}.
 * settings: every setting that differs from its default, set to it, or set per database and role (settings.ts).
 */
export function doctorJson(report: DoctorReport): {target: string; checks: Check[]; settings: SettingsList} {
	return {
		target: report.target,
		checks: report.checks.map(check => ({id: check.id, status: check.status, title: check.title, found: check.found, fix: check.fix, numbers: check.numbers})),
		settings: report.settings,
	};
}

/** `doctor --json` as printed. */
export function doctorJsonText(report: DoctorReport): string {
	return safeJson(doctorJson(report), 2);
}

const ORDER: CheckStatus[] = ['fail', 'warn', 'unknown', 'pass', 'skip'];

/**
 * Worst first, for people (the JSON keeps the fixed order): a report longer than the terminal
 * starts with what needs doing.
 */
export function worstFirst(checks: readonly Check[]): Check[] {
	return checks.slice().sort((a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status));
}

/**
 * "1 fail (capacity-observed), 2 warn (tcp-keepalive, statement-timeout), 8 pass, 2 skip: exit 2":
 * the last line of a long report says what to scroll back to.
 */
export function doctorSummary(checks: readonly Check[]): string {
	const counts = ORDER
		.map(status => [status, checks.filter(check => check.status === status)] as const)
		.filter(([, matching]) => matching.length > 0)
		.map(([status, matching]) => {
			const ids = status === 'pass' || status === 'skip' ? '' : ` (${matching.map(check => check.id).join(', ')})`;
			return `${matching.length} ${status === 'unknown' ? 'could not check' : status}${ids}`;
		});
	return `${counts.join(', ')}: exit ${EXIT_CODES[overallStatus(checks)]}`;
}

/** Plain text: one block per check, one line per field, so grep and a diff work on it. */
export function doctorPlain(report: DoctorReport): string {
	const lines = [`lifeguard doctor ${safeText(report.target)}`, ''];
	for (const check of worstFirst(report.checks)) {
		lines.push(`${STATUS_LABELS[check.status].padEnd(7)} ${check.id}: ${check.title}`);
		lines.push(`        found: ${safeText(check.found)}`);
		if (check.fix) {
			lines.push(`        fix:   ${safeText(check.fix)}`);
		}
	}

	lines.push('', ...settingsLines(report.settings, null), '', doctorSummary(report.checks));
	return lines.join('\n');
}

/** A Markdown table cell: no line breaks, no unescaped pipe, no HTML, link or emphasis. */
function cell(text: string): string {
	return markdownText(safeText(text));
}

export function doctorMarkdown(report: DoctorReport): string {
	const lines = [
		`### Configuration review: ${markdownCode(safeText(report.target))}`,
		'',
		'| status | check | found | fix |',
		'| --- | --- | --- | --- |',
		...worstFirst(report.checks).map(check => `| **${STATUS_LABELS[check.status]}** | ${cell(check.title)} | ${cell(check.found)} | ${check.fix ? cell(check.fix) : ''} |`),
		'',
		...settingsMarkdown(report.settings),
		'',
		`${markdownText(doctorSummary(report.checks))} (\`lifeguard doctor\`).`,
	];
	return lines.join('\n');
}
