// A real Go database/sql pool (SetMaxOpenConns(2), 8 callers, long queries) as its /metrics and the
// server show it: in use 2, waits started and counted, none finished, so no wait time credited yet.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {after, before, describe, test} from 'node:test';
import {recordedFixture} from '../helpers/lookalikes/fixtures.js';
import {GO_SQL_MISSING, goSqlBinary, startGoSql} from '../helpers/lookalikes/go-sql.js';
import {openServerView, type ServerView} from '../helpers/lookalikes/server-view.js';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';

const tag = randomBytes(2).toString('hex');

/** `go_sql_x{db_name="app"} 2` → {go_sql_x: 2}, for the one db_name this program exposes. */
function goSqlSeries(text: string): Record<string, number> {
	const series: Record<string, number> = {};
	for (const match of text.matchAll(/^(go_sql_\w+)\{db_name="app"\} (\S+)$/gm)) {
		series[match[1]!] = Number(match[2]);
	}

	return series;
}

async function scrape(url: string): Promise<{text: string; series: Record<string, number>}> {
	const text = await (await fetch(url)).text();
	return {text, series: goSqlSeries(text)};
}

describe('Go database/sql with client_golang\'s DB stats collector', {skip: GO_SQL_MISSING ?? false}, () => {
	let server: TestServer;
	let view: ServerView;

	before(async () => {
		const startedAtMs = Date.now();
		await goSqlBinary();
		console.log(`go-sql-waits built in ${Date.now() - startedAtMs} ms`);
		server = await startEmbeddedPostgres();
		view = await openServerView(server.url);
	});

	after(async () => {
		await view?.close();
		await server?.stop();
	});

	test('max open 2, 8 callers with 60 s queries: in use 2, wait_count_total grows to 6, wait_duration_seconds_total stays 0', async t => {
		const program = await startGoSql(server, {applicationName: `go-sql-${tag}`});
		t.after(async () => program.stop());
		const first = await pollUntil(async () => {
			const reading = await scrape(program.metricsUrl);
			return reading.series['go_sql_wait_count_total']! >= 1 ? reading : undefined;
		}, {timeoutMs: 10_000, everyMs: 50, what: 'a first wait'});
		const readings = [first];
		const last = await pollUntil(async () => {
			const reading = await scrape(program.metricsUrl);
			readings.push(reading);
			return reading.series['go_sql_wait_count_total'] === 6 ? reading : undefined;
		}, {timeoutMs: 10_000, everyMs: 100, what: 'six waits started'});
		const counts = readings.map(reading => reading.series['go_sql_wait_count_total']!);
		t.diagnostic(`wait_count_total over ${readings.length} scrapes: ${[...new Set(counts)].join(' → ')}`);
		assert.ok(counts.at(-1)! > counts[0]!, 'the wait counter grows');
		for (const reading of readings) {
			assert.equal(reading.series['go_sql_in_use_connections'], 2);
			assert.equal(reading.series['go_sql_max_open_connections'], 2);
			assert.equal(reading.series['go_sql_wait_duration_seconds_total'], 0, 'no wait has ended: none is credited');
		}

		// The pool counts the same (no waiting gauge: the waiters are wait_count minus ended waits).
		const counted = await program.waitFor(status => status.waitCount === 6, {what: 'db.Stats() to count 6 waits'});
		assert.deepEqual({...counted, at: 0}, {at: 0, maxOpen: 2, open: 2, inUse: 2, idle: 0, waitCount: 6, waitDurationSeconds: 0});

		// The server: two connections of the application, each in its one long statement.
		const samples = await view.watch({applicationNames: [program.applicationName]}, {everyMs: 100, what: '10 samples', isEnough: entries => entries.length >= 10});
		for (const sample of samples) {
			assert.deepEqual(sample.rows.map(row => [row.state, row.queryStartMs]), samples[0]!.rows.map(row => ['active', row.queryStartMs]));
			assert.equal(sample.rows.length, 2);
		}

		const version = /^(\d+\.\d+\.\d+)/.exec(spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'golang-github-prometheus-client-golang-dev'], {encoding: 'utf8'}).stdout ?? '')?.[1] ?? 'unknown';
		const recorded = recordedFixture(`go-sql+client_golang-${version}-waits-not-finished.prom`, last.text);
		if (recorded) {
			const names = (text: string) => text.split('\n').filter(line => line.startsWith('go_sql_')).map(line => line.replace(/ \S+$/, ''));
			assert.deepEqual(names(last.text), names(recorded));
			assert.deepEqual(goSqlSeries(recorded), last.series);
		}
	});
});
