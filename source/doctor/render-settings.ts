// The list of settings that differ from their defaults, as `doctor` prints it below its checks. On a
// terminal and in plain text it is short, for an incident: every connection or pool setting and every
// setting pending a restart in full (value, default, source, file:line), what ALTER DATABASE / ROLE …
// SET sets, and the other differences by name and value on a few lines. Markdown (a postmortem, a
// ticket) has them all in one table; --json has them all with boot and reset values. Every value, name
// and path is the server's text: made safe here (safeText), escaped for Markdown there.
import type {ListedSetting, RoleSettingLine, SettingsList} from './settings.js';
import {markdownText} from '../text/markdown.js';
import {safeText} from '../text/sanitize.js';
import {sqlIdentifier} from '../text/sql-identifier.js';
import {truncateCells, wrapCells} from '../text/width.js';

/** ALTER … SET lines shown in text; the rest are counted (all of them in --json). */
const PER_ROLE_SHOWN = 10;
/** Other differences named in text, and each one's value cut to this many cells. */
const OTHERS_SHOWN = 24;
const OTHER_VALUE_CELLS = 30;
/** Per database and role rows in Markdown (a cluster may have thousands of roles with settings). */
const MARKDOWN_PER_ROLE_ROWS = 50;

export const FILES_HIDDEN = 'file and line hidden: superusers and pg_read_all_settings only';

/** "ALTER ROLE "shop" IN DATABASE "app"": where an ALTER … SET value applies, as the statement that set it. */
export function alterWords(line: Pick<RoleSettingLine, 'role' | 'database'>): string {
	if (line.role === null) {
		return line.database === null ? 'ALTER ROLE ALL' : `ALTER DATABASE ${sqlIdentifier(line.database)}`;
	}

	return `ALTER ROLE ${sqlIdentifier(line.role)}${line.database === null ? '' : ` IN DATABASE ${sqlIdentifier(line.database)}`}`;
}

/** "configuration file /etc/postgresql/16/main/postgresql.conf:127", or with "(file hidden)". */
export function whereFrom(setting: ListedSetting, filesVisible: boolean): string {
	if (setting.file !== null) {
		return `${setting.source} ${setting.file}${setting.line === null ? '' : `:${setting.line}`}`;
	}

	return setting.source === 'configuration file' && !filesVisible ? `${setting.source} (file hidden)` : setting.source;
}

/** "PENDING RESTART: 48MB from /…/postgresql.auto.conf:3" (or why the new value is not known); '' when none is owed. */
export function pendingWords(setting: ListedSetting, list: SettingsList): string {
	if (!setting.isPendingRestart) {
		return '';
	}

	const next = setting.afterRestart;
	if (next) {
		return `PENDING RESTART: ${next.value} from ${next.file}${next.line === null ? '' : `:${next.line}`}`;
	}

	return list.afterRestartError === null ? 'PENDING RESTART' : 'PENDING RESTART (its new value: pg_file_settings, superusers only)';
}

function defaultWords(bootValue: string | null): string {
	return bootValue === null ? '' : ` (default ${bootValue === '' ? 'empty' : bootValue})`;
}

/** One setting in full: name, value, default and pending on the first line; where it came from below. */
function fullEntry(setting: ListedSetting, list: SettingsList): string[] {
	const pending = pendingWords(setting, list);
	return [
		`  ${setting.name} = ${setting.value}${defaultWords(setting.bootValue)}${pending === '' ? '' : `; ${pending}`}`,
		`    from ${whereFrom(setting, list.filesVisible)}`,
	];
}

function headerLines(list: SettingsList): string[] {
	const pending = list.changed.filter(setting => setting.isPendingRestart).length;
	const counts = `${list.changed.length}${pending > 0 ? `, ${pending} pending a restart` : ''}`;
	return [`Settings that differ from their defaults: ${counts}`, ...(list.filesVisible ? [] : [`  (${FILES_HIDDEN})`])];
}

function perRoleLines(lines: readonly RoleSettingLine[]): string[] {
	if (lines.length === 0) {
		return [];
	}

	const shown = lines.slice(0, PER_ROLE_SHOWN).map(line => `  ${line.name} = ${line.value}${defaultWords(line.bootValue)}: ${alterWords(line)}`);
	const more = lines.length > PER_ROLE_SHOWN ? [`  and ${lines.length - PER_ROLE_SHOWN} more (--json)`] : [];
	return ['Per database and role (pg_db_role_setting):', ...shown, ...more];
}

function otherLines(others: readonly ListedSetting[]): string[] {
	if (others.length === 0) {
		return [];
	}

	const named = others.slice(0, OTHERS_SHOWN).map(setting => `${setting.name} ${truncateCells(setting.value, OTHER_VALUE_CELLS)}`);
	const more = others.length > OTHERS_SHOWN ? ` · and ${others.length - OTHERS_SHOWN} more` : '';
	return [`Also differ (sources and defaults in --json): ${named.join(' · ')}${more}`];
}

/**
 * The list as lines of text, each at most `width` cells (continuations indented); `width` null: one
 * line per entry, for grep and diff.
 */
export function settingsLines(list: SettingsList, width: number | null): string[] {
	if (list.error !== null) {
		return [`Settings that differ from their defaults: could not read: ${safeText(list.error)}`];
	}

	const full = list.changed.filter(setting => setting.isPoolSetting || setting.isPendingRestart);
	const others = list.changed.filter(setting => !full.includes(setting));
	const lines = [
		...headerLines(list),
		...full.flatMap(setting => fullEntry(setting, list)),
		...perRoleLines(list.perRole ?? []),
		...otherLines(others),
	].map(line => safeText(line));
	return width === null ? lines : lines.flatMap(line => wrapIndented(line, width));
}

/** A line wrapped to `width` cells, its continuations indented six more than it (below its own `from` line's text). */
function wrapIndented(line: string, width: number): string[] {
	const lead = /^ */.exec(line)![0].length;
	const text = line.slice(lead);
	const [first, ...rest] = wrapCells(text, Math.max(10, width - lead));
	if (rest.length === 0) {
		return [line];
	}

	// The rest of the text as it was (a cut word, a path, runs of spaces are kept), wrapped narrower.
	const remainder = text.startsWith(first!) ? text.slice(first!.length).trimStart() : rest.join(' ');
	const hang = lead + 6;
	return [`${' '.repeat(lead)}${first!}`, ...wrapCells(remainder, Math.max(10, width - hang)).map(part => `${' '.repeat(hang)}${part}`)];
}

function cell(text: string): string {
	return markdownText(safeText(text));
}

/** Every difference in one Markdown table: connection and pool settings first, then ALTER … SET values. */
export function settingsMarkdown(list: SettingsList): string[] {
	if (list.error !== null) {
		return [`Settings that differ from their defaults: could not read: ${cell(list.error)}`];
	}

	const perRole = list.perRole ?? [];
	const rows = [
		...list.changed.map(setting => `| ${cell(setting.name)} | ${cell(setting.value)} | ${cell(setting.bootValue ?? '')} | ${cell(whereFrom(setting, list.filesVisible))} | ${cell(pendingWords(setting, list))} |`),
		...perRole.slice(0, MARKDOWN_PER_ROLE_ROWS).map(line => `| ${cell(line.name)} | ${cell(line.value)} | ${cell(line.bootValue ?? '')} | ${cell(`${line.source}: ${alterWords(line)}`)} |  |`),
	];
	const more = perRole.length > MARKDOWN_PER_ROLE_ROWS ? [`And ${perRole.length - MARKDOWN_PER_ROLE_ROWS} more per database and role (\`doctor --json\`).`] : [];
	return [
		`### Settings that differ from their defaults (${list.changed.length})`,
		...(list.filesVisible ? [] : ['', `${cell(FILES_HIDDEN)}.`]),
		'',
		'| setting | value | default | from | restart |',
		'| --- | --- | --- | --- | --- |',
		...rows,
		...(more.length > 0 ? ['', ...more] : []),
	];
}
