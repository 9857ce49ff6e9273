// The list of settings that differ from their defaults (doctor/settings.ts, render-settings.ts): which
// rows it keeps and in what order, values with their units as SHOW prints them, the words of each
// source, and the server's text made safe on a terminal and in Markdown.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {marked} from 'marked';
import {renderDoctorReport} from '../../source/doctor/render-table.js';
import {alterWords, FILES_HIDDEN, settingsLines} from '../../source/doctor/render-settings.js';
import {doctorJson, doctorMarkdown} from '../../source/doctor/render-text.js';
import {settingsList, withUnit} from '../../source/doctor/settings.js';
import type {DoctorInput, FileSetting, SettingRow} from '../../source/doctor/types.js';
import {cellWidth} from '../../source/text/width.js';
import {assertInertMarkdown, MARKDOWN_HOSTILE, TERMINAL_CONTROL_BUT_LF} from '../helpers/hostile.js';

function row(name: string, setting: string, overrides: Partial<SettingRow> = {}): SettingRow {
	return {name, setting, unit: null, bootValue: setting, resetValue: setting, source: 'configuration file', file: '/etc/postgresql/16/main/postgresql.conf', line: 10, isPendingRestart: false, ...overrides};
}

const ROWS: SettingRow[] = [
	row('TimeZone', 'Etc/UTC', {bootValue: 'GMT', source: 'client', file: null, line: null}),
	row('autovacuum', 'off', {bootValue: 'on'}),
	row('dynamic_shared_memory_type', 'posix'),
	row('idle_in_transaction_session_timeout', '60000', {unit: 'ms', bootValue: '0', file: '/var/lib/postgresql/16/main/postgresql.auto.conf', line: 3}),
	row('lock_timeout', '3000', {unit: 'ms', bootValue: '0', source: 'database', file: null, line: null}),
	row('max_connections', '40', {bootValue: '100', source: 'command line', file: null, line: null}),
	row('shared_buffers', '16384', {unit: '8kB', bootValue: '16384', isPendingRestart: true}),
	row('statement_timeout', '0', {unit: 'ms', bootValue: '0', source: 'default', file: null, line: null}),
];

function input(overrides: Partial<DoctorInput> = {}, fileSettings: FileSetting[] = [{name: 'shared_buffers', setting: '1GB', file: '/var/lib/postgresql/16/main/postgresql.auto.conf', line: 4}]): DoctorInput {
	return {
		settings: {ok: false, error: 'unused'},
		privileges: {ok: true, value: {role: 'monitor', isSuperuser: true, canReadAllStats: true, canSignalBackend: true, canUseReserved: true, isUnixSocket: false}},
		activity: {ok: false, error: 'unused'},
		roles: {ok: false, error: 'unused'},
		databases: {ok: false, error: 'unused'},
		roleSettings: {ok: true, value: [
			{role: null, database: 'app', settings: {statement_timeout: '5s', search_path: 'app'}},
			{role: 'shop', database: null, settings: {work_mem: '64MB'}},
			{role: 'shop', database: 'app', settings: {lock_timeout: '2s'}},
			{role: null, database: null, settings: {log_min_duration_statement: '1s'}},
		]},
		applications: {ok: false, error: 'unused'},
		changedSettings: {ok: true, value: ROWS},
		fileSettings: {ok: true, value: fileSettings},
		pools: [],
		pgbouncers: [],
		warnRatio: 0.8,
		...overrides,
	};
}

describe('settings that differ from their defaults', () => {
	it('withUnit prints a raw value as SHOW does: the largest unit that keeps it whole', () => {
		const cases: Array<[string, string | null, string]> = [
			['16384', '8kB', '128MB'], ['131072', '8kB', '1GB'], ['4096', 'kB', '4MB'], ['1000', 'kB', '1000kB'], ['1024', 'MB', '1GB'],
			['60000', 'ms', '1min'], ['90000', 'ms', '90s'], ['7200', 's', '2h'], ['86400', 's', '1d'], ['1500', 'ms', '1500ms'],
			['0', 'ms', '0'], ['-1', 'kB', '-1'], ['on', null, 'on'], ['0.5', 'ms', '500us'], ['42', null, '42'], ['7', 'bogus', '7'],
		];
		for (const [raw, unit, shown] of cases) {
			assert.equal(withUnit(raw, unit), shown, `${raw} ${String(unit)}`);
		}
	});

	it('keeps what differs or waits for a restart, pool settings first; a session\'s own values and per-database sources are not the server\'s', () => {
		const list = settingsList(input());
		assert.deepEqual(list.changed.map(setting => setting.name), ['max_connections', 'idle_in_transaction_session_timeout', 'shared_buffers', 'autovacuum']);
		assert.deepEqual(list.setToDefault.map(setting => setting.name), ['dynamic_shared_memory_type']);
		const buffers = list.changed.find(setting => setting.name === 'shared_buffers')!;
		assert.deepEqual({value: buffers.value, bootValue: buffers.bootValue, afterRestart: buffers.afterRestart}, {value: '128MB', bootValue: '128MB', afterRestart: {value: '1GB', file: '/var/lib/postgresql/16/main/postgresql.auto.conf', line: 4}});
		assert.deepEqual(list.perRole?.map(line => `${line.name} ${line.source} ${alterWords(line)} ${String(line.bootValue)}`), [
			'statement_timeout database ALTER DATABASE "app" 0',
			'lock_timeout database user ALTER ROLE "shop" IN DATABASE "app" 0',
			'work_mem user ALTER ROLE "shop" null',
			'log_min_duration_statement global ALTER ROLE ALL null',
			'search_path database ALTER DATABASE "app" null',
		]);
	});

	it('text: the pool settings and the pending ones in full, ALTER … SET, the others by name; every line within 80 cells', () => {
		const lines = settingsLines(settingsList(input()), 80);
		assert.deepEqual(lines, [
			'Settings that differ from their defaults: 4, 1 pending a restart',
			'  max_connections = 40 (default 100)',
			'    from command line',
			'  idle_in_transaction_session_timeout = 1min (default 0)',
			'    from configuration file /var/lib/postgresql/16/main/postgresql.auto.conf:3',
			'  shared_buffers = 128MB (default 128MB); PENDING RESTART: 1GB from',
			'        /var/lib/postgresql/16/main/postgresql.auto.conf:4',
			'    from configuration file /etc/postgresql/16/main/postgresql.conf:10',
			'Per database and role (pg_db_role_setting):',
			'  statement_timeout = 5s (default 0): ALTER DATABASE "app"',
			'  lock_timeout = 2s (default 0): ALTER ROLE "shop" IN DATABASE "app"',
			'  work_mem = 64MB: ALTER ROLE "shop"',
			'  log_min_duration_statement = 1s: ALTER ROLE ALL',
			'  search_path = app: ALTER DATABASE "app"',
			'Also differ (sources and defaults in --json): autovacuum off',
		]);
	});

	it('a role that may not see files: no path, and the list says why; pg_file_settings refused: the pending value is not guessed', () => {
		const hidden = ROWS.map(setting => ({...setting, file: null, line: null}));
		const list = settingsList(input({
			changedSettings: {ok: true, value: hidden},
			fileSettings: {ok: false, error: 'permission denied for view pg_file_settings'},
		}));
		const lines = settingsLines(list, null);
		assert.equal(lines[1], `  (${FILES_HIDDEN})`);
		assert.ok(lines.includes('    from configuration file (file hidden)'), lines.join('\n'));
		assert.ok(lines.includes('    from command line'), 'a command line has no file to hide');
		assert.ok(lines.includes('  shared_buffers = 128MB (default 128MB); PENDING RESTART (its new value: pg_file_settings, superusers only)'), lines.join('\n'));
		assert.ok(!lines.join('\n').includes('/var/lib'));
	});

	it('privileges not read: the files pg_settings gave are shown, and the list does not call them hidden', () => {
		const lines = settingsLines(settingsList(input({privileges: {ok: false, error: 'permission denied'}})), null);
		assert.ok(!lines.some(line => line.includes('hidden')), lines.join('\n'));
		assert.ok(lines.includes('    from configuration file /var/lib/postgresql/16/main/postgresql.auto.conf:3'), lines.join('\n'));
	});

	it('Markdown: the restart column holds the pending words whole, empty where no restart is owed', () => {
		const rows = doctorMarkdown({target: 't', checks: [], settings: settingsList(input())}).split('\n');
		assert.ok(rows.includes('| shared_buffers | 128MB | 128MB | configuration file /etc/postgresql/16/main/postgresql.conf:10 | PENDING RESTART: 1GB from /var/lib/postgresql/16/main/postgresql.auto.conf:4 |'), rows.join('\n'));
		assert.ok(rows.includes('| max_connections | 40 | 100 | command line |  |'), rows.join('\n'));
	});

	it('pg_settings refused: one line with the reason, and the report stands', () => {
		const list = settingsList(input({changedSettings: {ok: false, error: 'permission denied for view pg_settings'}}));
		assert.deepEqual(settingsLines(list, 80), ['Settings that differ from their defaults: could not read: permission denied for view pg_settings']);
	});

	it('the server\'s text is made safe: escapes in a value, a path and a role name never reach the terminal', () => {
		const evil = 'x\u001B[2J\u202E';
		const list = settingsList(input({
			changedSettings: {ok: true, value: [row('application_name_prefix', evil, {bootValue: '', file: `/etc/${evil}.conf`}), row('statement_timeout', '1000', {unit: 'ms', bootValue: '0', file: `/etc/${evil}.conf`})]},
			roleSettings: {ok: true, value: [{role: evil, database: null, settings: {search_path: evil}}]},
		}));
		for (const columns of [80, 120]) {
			const text = renderDoctorReport({target: 't', checks: [], settings: list}, columns, false);
			assert.doesNotMatch(text, TERMINAL_CONTROL_BUT_LF);
			assert.ok(text.split('\n').every(line => cellWidth(line) <= columns), text);
			assert.match(text.replaceAll(/\n {6,}/g, ' '), /from configuration file \/etc\/x␛\[2J\\u202e\.conf:10/);
		}

		// JSON keeps the exact text (escaped by safeJson when printed).
		assert.equal(doctorJson({target: 't', checks: [], settings: list}).settings?.changed[1]?.value, evil);
	});

	for (const hostile of MARKDOWN_HOSTILE) {
		it(`Markdown: ${hostile} as a value and a file renders as text, the table keeps its five columns`, async () => {
			const list = settingsList(input({changedSettings: {ok: true, value: [row('work_mem', hostile, {bootValue: '4MB', file: hostile})]}, roleSettings: {ok: true, value: []}}));
			const html = await marked.parse(doctorMarkdown({target: 't', checks: [], settings: list}), {gfm: true});
			assertInertMarkdown(html, hostile);
			const settingsTable = html.split('<table>')[2] ?? '';
			assert.equal(settingsTable.match(/<tr>/g)?.length, 2, html);
			assert.ok(settingsTable.split('<tr>').slice(1).every(line => line.match(/<t[hd]>/g)?.length === 5), html);
		});
	}
});
