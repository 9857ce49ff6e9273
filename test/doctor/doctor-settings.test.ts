// Issue 22, item 2: `doctor` lists the settings that differ from their defaults with where each came
// from, against a real server of this file's own (embedded; its command line sets max_connections 40):
// ALTER SYSTEM + reload shows as `configuration file` with postgresql.auto.conf and its line (checked
// against the file on disk), ALTER DATABASE … SET with its source, a setting that needs a restart as
// pending with the value the restart brings, and a role without pg_read_all_settings gets the list
// without files and lines, and is told so. Then the built binary's --json and its plain text in a pipe.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import pg from 'pg';
import {renderDoctorReport} from '../../source/doctor/render-table.js';
import {FILES_HIDDEN} from '../../source/doctor/render-settings.js';
import {doctorPlain} from '../../source/doctor/render-text.js';
import {settingsList, type SettingsList} from '../../source/doctor/settings.js';
import {cellWidth} from '../../source/text/width.js';
import {ensureBuilt, runCli} from '../cli/helpers.js';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {review, withUser} from './helpers.js';

const PASSWORD = 'settings-test-pw';

describe('doctor: settings that differ from their defaults, against a real PostgreSQL', () => {
	let server: TestServer;
	let admin: pg.Client;
	let monitorUrl: string;
	let dataDirectory = '';
	/** The value ALTER SYSTEM gives shared_buffers: not the running one, so it waits for a restart. */
	let sharedBuffers = '';

	before(async () => {
		ensureBuilt();
		server = await startEmbeddedPostgres({maxConnections: 40});
		admin = new pg.Client({connectionString: server.url});
		await admin.connect();
		dataDirectory = (await admin.query<{dir: string}>('select current_setting(\'data_directory\') as dir')).rows[0]!.dir;
		sharedBuffers = (await admin.query<{value: string}>(`select case when current_setting('shared_buffers') = '32MB' then '48MB' else '32MB' end as value`)).rows[0]!.value;
		await admin.query(`create role lg_monitor login password '${PASSWORD}'`);
		await admin.query('create database app');
		await admin.query('alter database app set statement_timeout = \'5s\'');
		await admin.query('alter system set idle_in_transaction_session_timeout = \'1min\'');
		await admin.query(`alter system set shared_buffers = '${sharedBuffers}'`);
		await admin.query('select pg_reload_conf()');
		monitorUrl = withUser(server.url, 'lg_monitor', PASSWORD);
		await pollUntil(async () => {
			const probe = new pg.Client({connectionString: server.url});
			await probe.connect();
			try {
				const {rows} = await probe.query<{ok: boolean}>(`select current_setting('idle_in_transaction_session_timeout') = '1min'
					and (select pending_restart from pg_settings where name = 'shared_buffers') as ok`);
				return rows[0]!.ok;
			} finally {
				await probe.end();
			}
		}, {timeoutMs: 10_000, what: 'the reload seen by a new session'});
	});

	after(async () => {
		await admin?.end().catch(() => undefined);
		await server?.stop();
	});

	/** The line of postgresql.auto.conf that sets `name`, from the file itself (1-based). */
	const autoConfLine = (name: string) => readFileSync(path.join(dataDirectory, 'postgresql.auto.conf'), 'utf8').split('\n').findIndex(line => line.startsWith(`${name} =`)) + 1;
	const find = (list: SettingsList, name: string) => {
		const setting = list.changed.find(candidate => candidate.name === name);
		assert.ok(setting, `${name} not among ${list.changed.map(candidate => candidate.name).join(', ')}`);
		return setting;
	};

	it('as a superuser: auto.conf with its line, the command line, ALTER DATABASE, and the restart owed with its new value', async () => {
		const {input} = await review(server.url);
		const list = settingsList(input);
		assert.equal(list.filesVisible, true);
		const idle = find(list, 'idle_in_transaction_session_timeout');
		assert.deepEqual(
			{value: idle.value, bootValue: idle.bootValue, source: idle.source, file: idle.file, line: idle.line, isPendingRestart: idle.isPendingRestart},
			{value: '1min', bootValue: '0', source: 'configuration file', file: path.join(dataDirectory, 'postgresql.auto.conf'), line: autoConfLine('idle_in_transaction_session_timeout'), isPendingRestart: false},
		);
		assert.ok(idle.line! > 0);
		const max = find(list, 'max_connections');
		assert.deepEqual({value: max.value, bootValue: max.bootValue, source: max.source, file: max.file}, {value: '40', bootValue: '100', source: 'command line', file: null});
		const buffers = find(list, 'shared_buffers');
		assert.equal(buffers.isPendingRestart, true);
		assert.deepEqual(buffers.afterRestart, {value: sharedBuffers, file: path.join(dataDirectory, 'postgresql.auto.conf'), line: autoConfLine('shared_buffers')});
		assert.notEqual(buffers.value, sharedBuffers, 'the running value is the old one');
		// Per database: what ALTER DATABASE set, for a database this session is not in.
		assert.deepEqual(list.perRole?.find(line => line.name === 'statement_timeout'), {name: 'statement_timeout', value: '5s', source: 'database', role: null, database: 'app', bootValue: '0', isPoolSetting: true});
		// Connection and pool settings first, in their reading order.
		const names = list.changed.map(setting => setting.name);
		assert.ok(names.indexOf('max_connections') < names.indexOf('idle_in_transaction_session_timeout'));
		assert.ok(names.indexOf('shared_buffers') < names.indexOf('listen_addresses'), names.join(', '));
		// A session's own values are not the server's.
		assert.ok(!names.includes('application_name') && !names.includes('client_encoding'), names.join(', '));

		const plain = doctorPlain({target: 'embedded', checks: [], settings: list});
		assert.match(plain, new RegExp(`^ {2}idle_in_transaction_session_timeout = 1min \\(default 0\\)\\n {4}from configuration file ${escape(path.join(dataDirectory, 'postgresql.auto.conf'))}:${idle.line}$`, 'm'), plain);
		assert.match(plain, new RegExp(`^ {2}shared_buffers = ${buffers.value} \\(default 128MB\\); PENDING RESTART: ${sharedBuffers} from ${escape(path.join(dataDirectory, 'postgresql.auto.conf'))}:${buffers.afterRestart!.line}$`, 'm'), plain);
		assert.match(plain, /^ {2}max_connections = 40 \(default 100\)(; PENDING RESTART.*)?\n {4}from command line$/m, plain);
		assert.match(plain, /^ {2}statement_timeout = 5s \(default 0\): ALTER DATABASE "app"$/m, plain);
		assert.doesNotMatch(plain, /hidden/);
	});

	it('as a role without pg_read_all_settings: the same list without files and lines, and it says so', async () => {
		const {input} = await review(monitorUrl);
		const list = settingsList(input);
		assert.equal(list.filesVisible, false);
		const idle = find(list, 'idle_in_transaction_session_timeout');
		assert.deepEqual({value: idle.value, source: idle.source, file: idle.file, line: idle.line}, {value: '1min', source: 'configuration file', file: null, line: null});
		const buffers = find(list, 'shared_buffers');
		assert.equal(buffers.isPendingRestart, true);
		assert.equal(buffers.afterRestart, null);
		assert.match(list.afterRestartError ?? '', /permission denied/);
		const text = renderDoctorReport({target: 'embedded', checks: [], settings: list}, 80, false);
		for (const line of text.split('\n')) {
			assert.ok(cellWidth(line) <= 80, `over 80 cells: ${JSON.stringify(line)}`);
		}

		assert.ok(text.split('\n').includes(`  (${FILES_HIDDEN})`), text);
		assert.match(text, /^ {4}from configuration file \(file hidden\)$/m, text);
		// Continuation lines joined: where a line wraps depends on the port's digits.
		assert.match(text.replaceAll(/\n {6,}/g, ' '), /^ {2}shared_buffers = 128MB \(default 128MB\); PENDING RESTART \(its new value: pg_file_settings, superusers only\)$/m, text);
		assert.ok(!text.includes(dataDirectory), 'a path the role may not see');

		// Granted pg_read_all_settings, it sees the files (not pg_file_settings: superusers only).
		await admin.query('grant pg_read_all_settings to lg_monitor');
		try {
			const granted = settingsList((await review(monitorUrl)).input);
			assert.equal(granted.filesVisible, true);
			assert.equal(find(granted, 'idle_in_transaction_session_timeout').line, autoConfLine('idle_in_transaction_session_timeout'));
		} finally {
			await admin.query('revoke pg_read_all_settings from lg_monitor');
		}
	});

	it('the built binary: doctor --json carries the list; piped, its text is plain, one line per entry', async () => {
		const json = await runCli(['doctor', '--db', server.url, '--json']);
		assert.ok(json.code !== null && json.code <= 3, json.stderr);
		const report = JSON.parse(json.stdout) as {settings: SettingsList};
		assert.equal(find(report.settings, 'idle_in_transaction_session_timeout').line, autoConfLine('idle_in_transaction_session_timeout'));
		// Set to the value it has by default: not a difference, but --json names it.
		assert.ok(report.settings.setToDefault.some(setting => setting.name === 'dynamic_shared_memory_type'), JSON.stringify(report.settings.setToDefault.map(setting => setting.name)));
		// A pipe gets plain text, never wrapped (the 80-column terminal rendering is the test above).
		const text = await runCli(['doctor', '--db', monitorUrl]);
		assert.match(text.stdout, /^Settings that differ from their defaults: \d+, \d+ pending a restart$/m, text.stdout);
		assert.match(text.stdout, /^ {2}idle_in_transaction_session_timeout = 1min \(default 0\)$/m, text.stdout);
		assert.match(text.stdout, /^ {2}shared_buffers = \S+ \(default 128MB\); PENDING RESTART \(its new value: pg_file_settings, superusers only\)$/m, text.stdout);
		assert.match(text.stdout, /^Also differ \(sources and defaults in --json\): .*listen_addresses 127\.0\.0\.1/m, text.stdout);
	});
});

function escape(text: string): string {
	return text.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
