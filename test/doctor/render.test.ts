// The report's renderers at fixed widths: plain text asserted, as the terminal shows it.
import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import type {Check, DoctorReport} from '../../source/doctor/types.js';
import {renderDoctorReport, tableRows, wrapCells} from '../../source/output/doctor-table.js';
import {doctorJson, doctorMarkdown, doctorPlain} from '../../source/output/doctor-text.js';
import {cellWidth} from '../../source/text/width.js';
import {stripAnsi} from '../cli/helpers.js';

const evil = 'shop\u001B[2J\u202E';
const checks: Check[] = [
	{id: 'capacity-observed', status: 'fail', title: 'Capacity: pool size vs observed demand', found: 'checkout: 5 of max 5 × 1 instance in use, 195 waiting; server 8 of 97 usable slots used, 89 free: the pool is the bottleneck', fix: 'raise checkout max 5 → 94 (5 + min(195 waiting, 89 free ÷ 1 instance)); keep Σ max × instances ≤ 97', numbers: {suggestedMax: 94}},
	{id: 'statement-timeout', status: 'warn', title: 'statement_timeout on application roles', found: `server-wide 0 (off); off for ${evil} (every database)`, fix: `ALTER ROLE "${evil}" SET statement_timeout = '30s';`, numbers: {}},
	{id: 'visibility', status: 'pass', title: 'Monitoring role sees every session', found: '雪 is a superuser', fix: null, numbers: {}},
];
const report: DoctorReport = {target: 'postgres://monitor:***@db:5432/app', checks};

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
