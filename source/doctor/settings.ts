// The settings that differ from their defaults, for `lifeguard doctor`: pure, from what read.ts read
// (pg_settings, pg_file_settings, pg_db_role_setting). What a DBA asks first in an incident is "what
// did someone set, where, and is it in force": each setting says its value, its compiled-in default,
// where the value came from (configuration file with file and line, command line, environment,
// ALTER DATABASE / ROLE … SET) and whether a restart is still owed. The settings of connections and
// pools come first; values a session set for itself (client, SET) are not the server's and are left out.
import {TIME_UNITS_MS} from './checks.js';
import type {DoctorInput, FileSetting, ListedSetting, RoleDatabaseSetting, RoleSettingLine, SettingRow, SettingsList} from './types.js';

export type {ListedSetting, RoleSettingLine, SettingsList} from './types.js';

/** Connection and pool settings, in the order a DBA reads them (slots, timeouts, keepalives, memory per connection). */
export const POOL_SETTINGS: readonly string[] = [
	'max_connections', 'superuser_reserved_connections', 'reserved_connections',
	'idle_in_transaction_session_timeout', 'idle_session_timeout', 'transaction_timeout', 'statement_timeout',
	'lock_timeout', 'deadlock_timeout', 'tcp_keepalives_idle', 'tcp_keepalives_interval', 'tcp_keepalives_count',
	'tcp_user_timeout', 'client_connection_check_interval', 'authentication_timeout',
	'shared_buffers', 'work_mem', 'maintenance_work_mem', 'max_locks_per_transaction', 'max_prepared_transactions',
];

/** Sources of a session's own values (its connection's parameters, SET): not the server's configuration. */
const SESSION_SOURCES = new Set(['client', 'session', 'interactive', 'test']);
/** pg_settings' words for values from pg_db_role_setting: listed from that catalog, for every database and role. */
const PER_ROLE_SOURCES = new Set(['global', 'database', 'user', 'database user']);

const MEMORY_UNITS: ReadonlyArray<readonly [string, number]> = [['TB', 1024 ** 4], ['GB', 1024 ** 3], ['MB', 1024 ** 2], ['kB', 1024], ['B', 1]];

/**
 * A raw pg_settings number in its unit ("16384" of "8kB", "60000" of "ms") as SHOW prints it: the
 * largest unit that keeps it whole ("128MB", "1min"). Zero and negatives (off, "use another") stay bare.
 */
export function withUnit(raw: string, unit: string | null): string {
	const match = unit === null ? null : /^(\d*)\s*(B|kB|MB|GB|TB|us|ms|s|min|h|d)$/.exec(unit);
	const number = Number(raw);
	if (!match || raw.trim() === '' || !Number.isFinite(number) || number <= 0) {
		return raw;
	}

	const units = MEMORY_UNITS.some(([name]) => name === match[2]) ? MEMORY_UNITS : TIME_UNITS_MS;
	const base = number * Number(match[1] || 1) * units.find(([name]) => name === match[2])![1];
	for (const [name, size] of units) {
		// Sizes below one (us) divide with a rounding error: whole within a billionth counts as whole.
		const count = base / size;
		if (Math.abs(count - Math.round(count)) < 1e-9) {
			return `${Math.round(count)}${name}`;
		}
	}

	return `${raw}${unit}`;
}

function listed(row: SettingRow, pending: ReadonlyMap<string, FileSetting>): ListedSetting {
	const file = row.isPendingRestart ? pending.get(row.name.toLowerCase()) : undefined;
	return {
		name: row.name,
		value: withUnit(row.setting, row.unit),
		bootValue: row.bootValue === null ? null : withUnit(row.bootValue, row.unit),
		resetValue: row.resetValue === null ? null : withUnit(row.resetValue, row.unit),
		source: row.source,
		file: row.file,
		line: row.line,
		isPendingRestart: row.isPendingRestart,
		// pg_file_settings holds the value as written in the file ("48MB"): shown as it is.
		afterRestart: file ? {value: file.setting, file: file.file, line: file.line} : null,
		isPoolSetting: POOL_SETTINGS.includes(row.name),
	};
}

/** Pool settings first in their reading order, then the rest by name. */
function byReadingOrder<T extends {name: string; isPoolSetting: boolean}>(a: T, b: T): number {
	const rank = (setting: T) => (setting.isPoolSetting ? POOL_SETTINGS.indexOf(setting.name) : POOL_SETTINGS.length);
	return rank(a) - rank(b) || a.name.localeCompare(b.name);
}

/** Every ALTER … SET entry of pg_db_role_setting as a line, with the word pg_settings gives its source. */
export function roleSettingLines(rows: readonly RoleDatabaseSetting[], defaults: ReadonlyMap<string, string | null>): RoleSettingLine[] {
	const lines = rows.flatMap(row => Object.entries(row.settings).map(([name, value]): RoleSettingLine => ({
		name,
		value,
		source: row.role === null ? (row.database === null ? 'global' : 'database') : (row.database === null ? 'user' : 'database user'),
		role: row.role,
		database: row.database,
		bootValue: defaults.get(name) ?? null,
		isPoolSetting: POOL_SETTINGS.includes(name),
	})));
	return lines.sort((a, b) => byReadingOrder(a, b) || (a.database ?? '').localeCompare(b.database ?? '') || (a.role ?? '').localeCompare(b.role ?? ''));
}

export function settingsList(input: DoctorInput): SettingsList {
	const fileRows = input.fileSettings.ok ? input.fileSettings.value : [];
	// The last line of the files that names a setting is the one a restart applies.
	const pending = new Map(fileRows.map(row => [row.name.toLowerCase(), row]));
	const rows = input.changedSettings.ok ? input.changedSettings.value : [];
	// Rows of source default are read for their default only (a name some ALTER … SET uses), unless pending.
	const server = rows
		.filter(row => (row.source !== 'default' || row.isPendingRestart) && !SESSION_SOURCES.has(row.source) && !PER_ROLE_SOURCES.has(row.source))
		.map(row => listed(row, pending))
		.sort(byReadingOrder);
	const isDifferent = (setting: ListedSetting) => setting.isPendingRestart || setting.value !== setting.bootValue;
	const defaults = new Map(rows.map(row => [row.name, row.bootValue === null ? null : withUnit(row.bootValue, row.unit)]));
	return {
		error: input.changedSettings.ok ? null : input.changedSettings.error,
		// PostgreSQL blanks sourcefile of a configuration-file value exactly when this role may not see it.
		filesVisible: !rows.some(row => row.source === 'configuration file' && row.file === null),
		afterRestartError: input.fileSettings.ok ? null : input.fileSettings.error,
		changed: server.filter(setting => isDifferent(setting)),
		setToDefault: server.filter(setting => !isDifferent(setting)),
		perRole: input.roleSettings.ok ? roleSettingLines(input.roleSettings.value, defaults) : null,
	};
}
