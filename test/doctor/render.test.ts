// The report's renderers at fixed widths: plain text asserted, as the terminal shows it.
import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {marked} from 'marked';
import {formatDoctorReport} from '../../source/doctor/run-doctor.js';
import type {Check, DoctorReport, SettingsList} from '../../source/doctor/types.js';
import {renderDoctorReport, tableRows} from '../../source/doctor/render-table.js';
import {wrapCells} from '../../source/text/width.js';
import {doctorJson, doctorMarkdown, doctorPlain} from '../../source/doctor/render-text.js';
import {cellWidth} from '../../source/text/width.js';
import {stripAnsi} from '../cli/helpers.js';
import {assertInertMarkdown, INVISIBLE, INVISIBLE_CHARACTERS, MARKDOWN_HOSTILE, TERMINAL_CONTROL_BUT_LF} from '../helpers/hostile.js';
import {hasTmux, terminalCells} from '../helpers/terminal.js';

const evil = 'shop\u001B[2J\u202E';
const checks: Check[] = [
	{id: 'capacity-observed', status: 'fail', title: 'Capacity: pool size vs observed demand', found: 'checkout: 5 of max 5 × 1 instance in use, 195 waiting; server 8 of 97 usable slots used, 89 free: the pool is the bottleneck', fix: 'raise checkout max 5 → 94 (5 + min(195 waiting, 89 free ÷ 1 instance)); keep Σ max × instances ≤ 97', numbers: {suggestedMax: 94}},
	{id: 'statement-timeout', status: 'warn', title: 'statement_timeout on application roles', found: `server-wide 0 (off); off for ${evil} (every database)`, fix: `ALTER ROLE "${evil}" SET statement_timeout = '30s';`, numbers: {}},
	{id: 'visibility', status: 'pass', title: 'Monitoring role sees every session', found: '雪 is a superuser', fix: null, numbers: {}},
];
/** A server where nothing differs from its default: the list is its one header line. */
const settings: SettingsList = {error: null, filesVisible: true, afterRestartError: null, changed: [], setToDefault: [], perRole: []};
const report: DoctorReport = {target: 'postgres://monitor:***@db:5432/app', checks, settings};

describe('doctor renderers', () => {
	for (const columns of [80, 120]) {
		it(`terminal at ${columns} columns: every line fits, every check and number is there, no control byte`, () => {
			const text = stripAnsi(renderDoctorReport(report, columns));
			for (const line of text.split('\n')) {
				assert.ok(cellWidth(line) <= columns, `${cellWidth(line)} > ${columns}: ${line}`);
			}

			const flat = text.replaceAll(/[│\s]+/g, ' ');
			for (const fragment of ['195 waiting', '89 free', 'raise checkout max 5 → 94', 'shop␛[2J\\u202e', 'FAIL', 'WARN', 'PASS']) {
				assert.ok(flat.includes(fragment), `${fragment} in ${flat}`);
			}

			assert.doesNotMatch(text, /\u001B|\u202E/);
			assert.match(text, /^1 fail \(capacity-observed\), 1 warn \(statement-timeout\), 1 pass: exit 2$/m);
			assert.ok(text.indexOf('FAIL') < text.indexOf('WARN') && text.indexOf('WARN') < text.indexOf('PASS'), 'worst first');
		});
	}

	it('a terminal that reports 0 columns (a pseudo-terminal without a size) gets 80', () => {
		const lines = stripAnsi(renderDoctorReport(report, 0)).split('\n');
		assert.ok(lines.some(line => cellWidth(line) > 60), 'wider than the 40-column floor');
		assert.ok(lines.every(line => cellWidth(line) <= 80));
	});

	it('a bordered table from 100 columns, blocks below', () => {
		assert.match(stripAnsi(renderDoctorReport(report, 120)), /^┌─+┬/m);
		assert.doesNotMatch(stripAnsi(renderDoctorReport(report, 80)), /┌/);
	});

	it('table rows: one separator per check, continuation rows below it', () => {
		const {rows, firstRows} = tableRows(checks, 120);
		assert.deepEqual([...firstRows].length, 3);
		assert.equal(rows[0]!.status.trim(), 'FAIL');
		assert.equal(rows[1]!.status.trim(), '');
	});

	it('wrapCells keeps words whole, cuts only a word longer than the line, and counts cells', () => {
		assert.deepEqual(wrapCells('ALTER ROLE shop SET statement_timeout', 16), ['ALTER ROLE shop', 'SET', 'statement_timeou', 't']);
		assert.deepEqual(wrapCells('雪雪雪 雪', 6), ['雪雪雪', '雪']);
		assert.deepEqual(wrapCells('', 10), ['']);
	});

	it('plain text and Markdown: outside strings made visible; JSON: exact', () => {
		// Markdown escapes the stand-in's backslash and the bracket, so they render as written.
		for (const [text, shown] of [[doctorPlain(report), 'shop␛[2J\\u202e'], [doctorMarkdown(report), String.raw`shop␛\[2J\\u202e`]] as const) {
			assert.doesNotMatch(text, /\u001B|\u202E/);
			assert.ok(text.includes(shown), shown);
		}

		assert.ok(doctorJson(report).checks[1]!.found.includes(evil));
		assert.match(doctorMarkdown(report), /^\| \*\*FAIL\*\* \| Capacity: pool size vs observed demand \| checkout: 5 of max 5/m);
	});
});

describe('doctor renderers on hostile names (issue 19)', () => {
	const controls = Array.from({length: 0x20}, (_, code) => String.fromCharCode(code)).concat(Array.from({length: 0x21}, (_, index) => String.fromCharCode(0x7F + index)));
	const all = [...controls, ...INVISIBLE_CHARACTERS, '\uD800'];
	const hostileReport = (text: string): DoctorReport => ({
		target: `postgres://monitor:***@db:5432/${text}`,
		checks: [
			{id: 'role-connection-limit', status: 'fail', title: 'Role connection limits', found: `${text} limit 1, 1 connected`, fix: `ALTER ROLE "${text}" CONNECTION LIMIT 2;`, numbers: {}},
			{id: 'pgbouncer-max-client-conn', status: 'warn', title: 'PgBouncer max_client_conn', found: `database ${text}: 3 clients`, fix: null, numbers: {}},
		],
		settings,
	});

	it('every control, invisible and disputed-width character: none raw in text, table, Markdown or JSON; JSON exact once parsed', () => {
		for (let index = 0; index < all.length; index += 300) {
			const text = all.slice(index, index + 300).join('');
			const report = hostileReport(text);
			const outputs = {
				plain: doctorPlain(report),
				markdown: doctorMarkdown(report),
				table: stripAnsi(renderDoctorReport(report, 120)),
				blocks: stripAnsi(renderDoctorReport(report, 80)),
				json: formatDoctorReport(report, 'json'),
			};
			for (const [format, output] of Object.entries(outputs)) {
				assert.doesNotMatch(output, TERMINAL_CONTROL_BUT_LF, format);
				assert.doesNotMatch(output, INVISIBLE, format);
			}

			assert.match(outputs.json, /^[\u0020-\u007E\n]*$/, 'JSON: printable ASCII');
			const parsed = JSON.parse(outputs.json) as {target: string; checks: Array<{found: string}>};
			assert.equal(parsed.checks[0]!.found, report.checks[0]!.found.replace('\uD800', '\uFFFD'), 'JSON: the exact name (a lone surrogate as U+FFFD)');
		}
	});

	for (const [what, name, shown] of [['a zero-width space', 'shop\u200B', /shop\\u200b/], ['Prepend letters (U+0D4E)', `ml-${'\u0D4E'.repeat(20)}`, /ml-(\\u0d4e)+/]] as const) {
		it(`the bordered table keeps its borders with ${what} in a name`, async () => {
			const text = stripAnsi(renderDoctorReport(hostileReport(name), 120));
			const table = text.split('\n').filter(line => /^[┌│├└]/.test(line));
			assert.ok(table.length > 4, text);
			assert.ok(table.every(line => cellWidth(line) === cellWidth(table[0]!)), `every line of the table as wide as its top\n${text}`);
			assert.match(text, shown);
			if (hasTmux()) {
				const drawn = await terminalCells(table);
				assert.deepEqual(drawn, table.map(() => drawn[0]), `as a terminal draws it\n${text}`);
			}
		});
	}

	for (const hostile of MARKDOWN_HOSTILE) {
		it(`Markdown: ${hostile} in the target, a name and a fix renders as text, the table keeps its shape`, async () => {
			const markdown = doctorMarkdown(hostileReport(hostile));
			const html = await marked.parse(markdown, {gfm: true});
			assertInertMarkdown(html, hostile);
			// The checks' table; the settings list's own follows it (settings.test.ts).
			const checksTable = html.split('<table>')[1] ?? '';
			assert.equal(checksTable.match(/<tr>/g)?.length, 3, `a header and two rows\n${html}`);
			assert.ok(checksTable.split('<tr>').slice(1).every(row => row.match(/<t[hd]>/g)?.length === 4), `four cells a row\n${html}`);
		});
	}
});
