// `lifeguard timeline` on a large incident log (issue 10: 200 MB once peaked at 1.2 GB): writes a log
// of realistic events through lifeguard's own writer (openIncidentLog), with long flapping runs,
// hostile strings and a few lines cut short, then runs `node dist/cli.js timeline FILE > /dev/null`
// under `/usr/bin/time -v` and reports peak RSS and wall time. The log lives in a temporary
// directory that is removed at the end, on error and on Ctrl-C.
//
//   npm run bench:timeline                      (BIG_TIMELINE_MB=200; at most 2000)
import {spawnSync} from 'node:child_process';
import {mkdtempSync, openSync, closeSync, rmSync, statSync, writeSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {openIncidentLog} from '../source/actions/incident-log.js';
import type {LogEvent, LogNumbers} from '../source/judge/log-events.js';

const TARGET_MB = Math.min(Math.max(Number(process.env['BIG_TIMELINE_MB'] ?? 200), 1), 2000);
const TARGET_BYTES = TARGET_MB * 1024 * 1024;
const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'cli.js');

const HOSTILE = [
	'\u001B]0;pwned\u0007',
	'\u001B]52;c;ZWNobyBwd25lZA==\u0007',
	'\u001B[31mred\u001B[7minverse\u001B[0m\u001B[2J',
	'a\u009B31mb',
	'abc\b\b\bxyz',
	'\u001B]0;never closed',
	'first\r\nSECONDLINE\n## not a heading',
	'user\u202Egnp.exe',
	'数据库连接池监控数据库连接池监控',
	'🚨👩‍💻🔥',
	'a\u200Bb\u200Dc\uFEFFd',
];

const directory = mkdtempSync(path.join(os.tmpdir(), 'lifeguard-big-timeline-'));
const cleanUp = () => {
	rmSync(directory, {recursive: true, force: true});
};

process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
	process.on(signal, () => {
		process.exit(130);
	});
}

function numbers(index: number, pools: number): LogNumbers {
	return {
		server: index % 97 === 0 ? null : {used: 80 + (index % 20), usable: 97},
		pools: Array.from({length: pools}, (_, pool) => ({
			name: pool === 3 ? `api-${HOSTILE[index % HOSTILE.length]}` : `pool-${pool}`,
			active: 10 - (pool % 3),
			max: 10,
			waiting: (index + pool) % 40,
			waitsPerSecond: null,
			timeoutsPerMinute: pool % 2 === 0 ? 0 : 1.5,
		})),
	};
}

/** The events of one "day" of trouble: flapping, findings, flags, signals, outages, hostile text. */
function* events(startMs: number): Generator<LogEvent> {
	let atMs = startMs;
	const at = (stepMs: number) => {
		atMs += stepMs;
		return new Date(atMs).toISOString();
	};

	for (;;) {
		yield {at: at(60_000), type: 'start', target: 'postgres://app:***@db.internal:5432/app', version: '16.4', limits: {maxConnections: 100, superuserReserved: 3, reservedForRole: 0, usable: 97}};
		// A long flapping run: one subject between warning and critical every 10 s, 2,000 times.
		for (let change = 0; change < 2000; change++) {
			const isUp = change % 2 === 0;
			yield {at: at(10_000), type: 'level', subject: 'pool api', pool: 'api', from: isUp ? 'warning' : 'critical', to: isUp ? 'critical' : 'warning', code: 'pool-saturated', message: `api: 10/10 busy, ${change % 50} waiting`, numbers: numbers(change, 6)};
		}

		// Findings on many subjects, with hostile pool names and messages; server flapping in short runs.
		for (let finding = 0; finding < 400; finding++) {
			const hostile = HOSTILE[finding % HOSTILE.length]!;
			yield {at: at(150_000), type: 'level', subject: `pool ${hostile}`, pool: hostile, from: 'ok', to: 'warning', code: 'pool-waiting', message: `${hostile} has ${finding} waiting`, numbers: numbers(finding, 4)};
			yield {at: at(5000), type: 'level', subject: 'server', from: 'ok', to: finding % 3 === 0 ? 'critical' : 'warning', code: 'server-saturated', message: `server ${80 + (finding % 17)}/97 connections`, numbers: numbers(finding, 2)};
			if (finding % 10 === 0) {
				yield {at: at(30_000), type: 'flag', note: `${hostile} ${'operator note '.repeat(finding % 50)}`, numbers: numbers(finding, 8), findings: [{code: 'pool-saturated', level: 'critical', subject: `pool ${hostile}`}]};
			}

			if (finding % 25 === 0) {
				yield {
					at: at(20_000),
					type: 'terminate',
					sessions: Array.from({length: 40}, (_, session) => ({pid: 1000 + session, user: hostile, application: `app-${hostile}`, state: 'idle in transaction', outcome: session % 9 === 0 ? 'skipped' : 'done', ...(session % 9 === 0 ? {reason: `changed ${hostile}`} : {})})),
				};
				yield {at: at(1000), type: 'cancel', sessions: [{pid: 42, user: 'app', application: 'api', state: 'active', outcome: 'failed', reason: 'permission denied'}]};
			}

			if (finding % 40 === 0) {
				yield {at: at(3000), type: 'disconnect', reason: `Connection terminated unexpectedly ${hostile}`};
				yield {at: at(9000), type: 'reconnect'};
				yield {at: at(2000), type: 'endpoint-down', subject: `pool ${hostile}`, reason: `HTTP 503 ${hostile}`};
				yield {at: at(2000), type: 'endpoint-up', subject: `pool ${hostile}`};
			}

			yield {at: at(60_000), type: 'level', subject: 'server', from: 'warning', to: 'ok', numbers: numbers(finding, 2)};
		}

		yield {at: at(1000), type: 'quit'};
	}
}

const file = path.join(directory, 'incident.jsonl');
const started = Date.now();
let log = openIncidentLog(file);
let written = 0;
let count = 0;
for (const event of events(Date.parse('2026-11-01T00:00:00Z'))) {
	const result = log.write(event);
	if (!result.ok) {
		throw new Error(result.error);
	}

	count++;
	if (count % 1000 === 0) {
		written = statSync(file).size;
		if (written >= TARGET_BYTES) {
			break;
		}

		if (count % 50_000 === 0) {
			// A line cut short (a crash mid-write), and one that is not JSON at all: skipped, counted.
			log.close();
			const fd = openSync(file, 'a');
			writeSync(fd, '{"at":"2026-11-02T00:00:00.000Z","type":"flag","note":"cut sh\n\u001B]0;not json\u0007\n');
			closeSync(fd);
			log = openIncidentLog(file);
		}
	}
}

log.close();
written = statSync(file).size;
console.log(`log: ${(written / 1024 / 1024).toFixed(0)} MB, ${count} events, written in ${((Date.now() - started) / 1000).toFixed(1)} s`);

const devNull = openSync('/dev/null', 'w');
try {
	const run = spawnSync('/usr/bin/time', ['-v', process.execPath, CLI, 'timeline', file], {stdio: ['ignore', devNull, 'pipe'], encoding: 'utf8', timeout: 600_000});
	const field = (name: string) => new RegExp(`${name}: (.+)`).exec(run.stderr)?.[1]?.trim() ?? '?';
	const peakKb = Number(field('Maximum resident set size \\(kbytes\\)'));
	console.log(`node dist/cli.js timeline FILE > /dev/null: exit ${run.status ?? run.signal}, peak RSS ${(peakKb / 1024).toFixed(1)} MB, wall ${field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)')}, user ${field('User time \\(seconds\\)')} s, system ${field('System time \\(seconds\\)')} s`);
	if (run.status !== 0) {
		console.log(run.stderr.split('\n').filter(line => !line.startsWith('\t')).join('\n'));
		process.exitCode = 1;
	}
} finally {
	closeSync(devNull);
}
