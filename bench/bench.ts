// `npm run bench`: what one lifeguard refresh costs at 50, 500 and 2000 idle client connections.
// Starts a throwaway embedded PostgreSQL on a free loopback port, holds the idle connections in a child
// process (so they do not count in this process's memory or CPU), and measures lifeguard's real collector,
// reducer and one rendered frame, against `psql` running the same statement. Everything is bounded and
// cleaned up: the server and its data directory go away on exit, error and Ctrl-C.
import '../source/runtime-env.js';
import {type ChildProcess, fork, spawn} from 'node:child_process';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type pg from 'pg';
import {createPostgresSource, type PostgresSource} from '../source/collectors/postgres-activity.js';
import {SCREEN_SESSION_ROW_CAP, SNAPSHOT_OF_CLIENT_CONNECTIONS} from '../source/collectors/postgres-queries.js';
import {openMonitorClient} from '../source/connection/monitor-client.js';
import {resolveTarget} from '../source/connection/target.js';
import {initialState, reduce, type DashboardState} from '../source/screen/board.js';
import type {Thresholds} from '../source/judge/types.js';
import {liveFrame, renderFrame} from './frame.js';
import type {IdleReply, IdleRequest} from './idle-clients.js';
import {type BenchConfig, kb, type LevelResult, ms, pct, printLevel, table, verdicts} from './bench-report.js';
import {firstFrames, type LiveReading, measureLive} from './live-process.js';
import {CLI} from './harness.js';
import {checkLimits, sleep} from './proc.js';
import {type BenchServer, startServer} from './server.js';
import {timed} from './timed.js';

// ---- knobs (environment overrides for quick runs: BENCH_LEVELS=50,500 BENCH_POLLS=20) ----------------
const LEVELS = (process.env['BENCH_LEVELS'] ?? '50,500,2000,5000').split(',').map(Number).filter(n => Number.isInteger(n) && n > 0);
const POLLS = Number(process.env['BENCH_POLLS'] ?? 50);
const WARMUP_POLLS = 3;
/** Virtual clock step: the model sees one poll per second, as at the default --interval 1. */
const POLL_INTERVAL_MS = 1000;
/** Real pause between measured polls, so back-to-back polls do not queue on the server. */
const POLL_GAP_MS = 20;
const PSQL_SPAWN_RUNS = 15;
const PSQL_SESSION_RUNS = 30;
const STARTUP_RUNS = 5;
const FIRST_FRAME_RUNS = 3;
const VARIANT_RUNS = 20;
/** The real live screen: warm-up, then a CPU / memory window at --interval 1. */
const LIVE_WARMUP_MS = 4000;
const LIVE_WINDOW_MS = 15_000;
/** The frame and the live screen: the size of issue 24's targets (issue 11's figures were at 120×40). */
const COLUMNS = 160;
const ROWS = 45;
const MAX_CONNECTIONS = Math.max(...LEVELS) + 100;
/** Hard stop for the whole run, whatever happens: 20 minutes, and 2 more per 1000 backends past 2000. */
const WATCHDOG_MS = (20 + Math.max(0, MAX_CONNECTIONS - 2100) / 500) * 60_000;
const CONFIG: BenchConfig = {polls: POLLS, columns: COLUMNS, rows: ROWS, liveWarmupMs: LIVE_WARMUP_MS, psqlSpawnRuns: PSQL_SPAWN_RUNS, startupRuns: STARTUP_RUNS};
const THRESHOLDS: Thresholds = {warnRatio: 0.8, criticalRatio: 0.95, idleInTransactionSeconds: 60};
const PSQL = '/usr/bin/psql';
const here = path.dirname(fileURLToPath(import.meta.url));
const IDLE_CHILD = path.join(here, 'idle-clients.js');

// ---- small helpers ------------------------------------------------------------------------------------
const msSince = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

const cpuMs = (from: NodeJS.CpuUsage) => {
	const delta = process.cpuUsage(from);
	return (delta.user + delta.system) / 1000;
};

function socketOf(client: pg.Client | null): net.Socket | undefined {
	return (client as unknown as {connection?: {stream?: net.Socket}} | null)?.connection?.stream;
}

// ---- cleanup: one place, run once, on every way out ---------------------------------------------------
let server: BenchServer | undefined;
let idleChild: ChildProcess | undefined;
let monitor: PostgresSource | undefined;
let cleaning: Promise<void> | undefined;
/** A temporary directory for --json's output (removed by cleanup). */
let scratch: string | undefined;

async function cleanup(): Promise<void> {
	cleaning ??= (async () => {
		await monitor?.close().catch(() => undefined);
		if (idleChild && idleChild.exitCode === null && idleChild.signalCode === null) {
			const child = idleChild;
			const exited = new Promise<void>(resolve => {
				child.once('exit', () => {
					resolve();
				});
			});
			if (child.connected) {
				child.send({type: 'close'} satisfies IdleRequest);
			} else {
				child.kill('SIGTERM');
			}

			await Promise.race([exited, sleep(15_000).then(() => child.kill('SIGKILL'))]);
		}

		await server?.stop().catch(() => undefined);
		if (scratch) {
			await rm(scratch, {recursive: true, force: true});
		}
	})();
	return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		console.error(`\n${signal}: stopping clients and server…`);
		cleanup().finally(() => process.exit(130));
	});
}

// ---- the idle connections (child process) ---------------------------------------------------------------
async function idleRequest(request: IdleRequest, timeoutMs: number): Promise<IdleReply> {
	const child = idleChild!;
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			child.off('message', onMessage);
			reject(new Error(`idle-clients child did not answer ${request.type} within ${timeoutMs} ms`));
		}, timeoutMs);
		const onMessage = (message: IdleReply) => {
			clearTimeout(timer);
			child.off('message', onMessage);
			resolve(message);
		};

		child.on('message', onMessage);
		child.send(request);
	});
}

async function openIdle(total: number): Promise<number> {
	// Opening a connection is a fork and an authentication on the server: allow 60 ms each on a loaded machine.
	const reply = await idleRequest({type: 'open', total}, 60_000 + total * 60);
	if (reply.type !== 'opened') {
		throw new Error(`could not open ${total} idle connections: ${reply.type === 'failed' ? reply.error : reply.type}`);
	}

	return reply.ms;
}

// ---- psql baseline --------------------------------------------------------------------------------------
type Run = {ms: number; code: number | null; stdout: string; stderr: string};

async function run(command: string, args: string[], input?: string, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
	const started = process.hrtime.bigint();
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {env, stdio: ['pipe', 'pipe', 'pipe']});
		const out: Buffer[] = [];
		const err: Buffer[] = [];
		child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
		child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
		const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
		child.on('error', error => {
			clearTimeout(timer);
			reject(error);
		});
		child.on('close', code => {
			clearTimeout(timer);
			resolve({ms: msSince(started), code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8')});
		});
		child.stdin.end(input ?? '');
	});
}

const psqlArgs = (url: string) => ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url];

/** Wall time of `psql -c SQL`: process start, connect (a new backend), query, print, exit. */
async function psqlSpawn(url: string): Promise<number[]> {
	const times: number[] = [];
	for (let i = 0; i < PSQL_SPAWN_RUNS; i++) {
		const result = await run(PSQL, [...psqlArgs(url), '-c', withSessionCap(SCREEN_SESSION_ROW_CAP)]);
		if (result.code !== 0) {
			throw new Error(`psql failed (${result.code}): ${result.stderr.trim()}`);
		}

		times.push(result.ms);
	}

	return times;
}

/** psql's own \timing of the statement in one session: server time + transfer, like lifeguard's poll. */
async function psqlSession(url: string): Promise<number[]> {
	const script = `\\timing on\n${`${withSessionCap(SCREEN_SESSION_ROW_CAP).trim()};\n`.repeat(PSQL_SESSION_RUNS)}\\q\n`;
	const result = await run(PSQL, [...psqlArgs(url), '-o', '/dev/null', '-f', '-'], script);
	if (result.code !== 0) {
		throw new Error(`psql failed (${result.code}): ${result.stderr.trim()}`);
	}

	return [...result.stdout.matchAll(/^Time: ([\d.]+) ms/gm)].map(match => Number(match[1])).slice(2);
}

/**
 * `lifeguard --db URL --json > FILE` through its #! line, as a script runs it: wall and CPU of each run.
 * To a file: into a pipe from node (a socket), lifeguard's exit can cut a long JSON short.
 */
async function startupToJson(url: string, expectConnections: number): Promise<Array<{wallMs: number; cpuMs: number | undefined}>> {
	const times: Array<{wallMs: number; cpuMs: number | undefined}> = [];
	scratch ??= await mkdtemp(path.join(os.tmpdir(), 'lifeguard-bench-json-'));
	for (let i = 0; i < STARTUP_RUNS; i++) {
		const result = await timed([CLI, '--db', url, '--json'], {NO_COLOR: '1'}, {stdoutFile: path.join(scratch, 'snapshot.json')});
		if (result.code !== 0) {
			throw new Error(`lifeguard --json exited ${result.code}: ${result.stderr.trim()}`);
		}

		const json = JSON.parse(result.stdout) as {server?: {connections?: number}};
		const seen = json.server?.connections;
		// The collector's own poll saw expectConnections; --json adds its own monitor connection.
		if (seen === undefined || Math.abs(seen - expectConnections) > 2) {
			console.error(`  note: --json reported ${seen ?? 'no'} connections, the collector saw ${expectConnections}`);
		}

		times.push(result);
	}

	return times;
}

// ---- lifeguard's refresh: collect + model + one frame -------------------------------------------------------
async function refreshes(source: PostgresSource, url: string, clock: {ms: number}) {
	let state: DashboardState = initialState(THRESHOLDS, {role: 'postgres'});
	const out = {pollMs: [] as number[], cpuMs: [] as number[], collectCpuMs: [] as number[], modelCpuMs: [] as number[], renderCpuMs: [] as number[], renderToStringCpuMs: [] as number[], frameBytes: [] as number[], wireBytes: [] as number[], rowJsonBytes: [] as number[], connectionsSeen: 0, sessionsShipped: 0, lines: 0};
	const screen = liveFrame(COLUMNS, ROWS);
	const target = url.replace(/:[^:@/]*@/, ':***@');
	try {
		for (let i = 0; i < WARMUP_POLLS + POLLS; i++) {
			clock.ms += POLL_INTERVAL_MS;
			const socket = socketOf(source.client());
			const bytesBefore = socket?.bytesRead ?? 0;
			const cpu0 = process.cpuUsage();
			const t0 = process.hrtime.bigint();
			const reading = await source.poll();
			const pollMs = msSince(t0);
			const collectCpu = cpuMs(cpu0);
			if (!reading.ok) {
				throw new Error(`poll failed: ${reading.error}`);
			}

			const cpu1 = process.cpuUsage();
			state = reduce(state, {type: 'server-polled', reading, atMs: reading.snapshot.takenAtMs});
			const modelCpu = cpuMs(cpu1);
			const cpu2 = process.cpuUsage();
			const screenBytes = screen.bytesWritten();
			await screen.draw({state, target, columns: COLUMNS, rows: ROWS});
			const renderCpu = cpuMs(cpu2);
			const totalCpu = cpuMs(cpu0);
			const wire = (socketOf(source.client())?.bytesRead ?? 0) - bytesBefore;
			// Not part of the refresh: the same frame rendered from scratch (a new React root each time).
			const cpu3 = process.cpuUsage();
			const frame = renderFrame({state, target, columns: COLUMNS, rows: ROWS});
			const renderToStringCpu = cpuMs(cpu3);
			if (i >= WARMUP_POLLS) {
				out.pollMs.push(pollMs);
				out.collectCpuMs.push(collectCpu);
				out.modelCpuMs.push(modelCpu);
				out.renderCpuMs.push(renderCpu);
				out.renderToStringCpuMs.push(renderToStringCpu);
				out.frameBytes.push(screen.bytesWritten() - screenBytes);
				out.cpuMs.push(totalCpu);
				out.wireBytes.push(wire);
				out.rowJsonBytes.push(Buffer.byteLength(JSON.stringify(reading.snapshot)));
				out.connectionsSeen = reading.snapshot.connections;
				out.sessionsShipped = reading.snapshot.sessions.length;
				out.lines = frame.split('\n').length;
			}

			await sleep(POLL_GAP_MS);
		}
	} finally {
		screen.close();
	}

	return out;
}

async function measureLevel(backends: number, source: PostgresSource, url: string, clock: {ms: number}): Promise<LevelResult> {
	const openMs = await openIdle(backends);
	await sleep(500);
	const polled = await refreshes(source, url, clock);
	const memory = process.memoryUsage();
	const psqlSpawnMs = await psqlSpawn(url);
	const psqlSessionMs = await psqlSession(url);
	const json = await startupToJson(url, polled.connectionsSeen);
	const screen = {columns: COLUMNS, rows: ROWS, password: server!.password};
	let live: LiveReading | undefined;
	let starts: Array<{wallMs: number; cpuMs: number}> = [];
	try {
		starts = await firstFrames(CLI, url, {...screen, runs: FIRST_FRAME_RUNS});
		live = await measureLive(CLI, url, {...screen, warmupMs: LIVE_WARMUP_MS, windowMs: LIVE_WINDOW_MS});
	} catch (error) {
		console.error(`  live screen not measured: ${(error as Error).message}`);
	}

	return {backends, openMs, ...polled, rssBytes: memory.rss, heapBytes: memory.heapUsed, psqlSpawnMs, psqlSessionMs, live,
		startupMs: json.map(run => run.wallMs), startupCpuMs: json.flatMap(run => run.cpuMs ?? []),
		firstFrameMs: starts.map(start => start.wallMs), firstFrameCpuMs: starts.map(start => start.cpuMs)};
}

// ---- where the time goes at the top level -------------------------------------------------------------------
async function timeQuery(client: pg.Client, sql: string, runs: number): Promise<{ms: number[]; bytes: number}> {
	const times: number[] = [];
	let bytes = 0;
	for (let i = 0; i < runs + 2; i++) {
		const before = socketOf(client)?.bytesRead ?? 0;
		const t0 = process.hrtime.bigint();
		await client.query(sql);
		if (i >= 2) {
			times.push(msSince(t0));
			bytes = (socketOf(client)?.bytesRead ?? 0) - before;
		}
	}

	return {ms: times, bytes};
}

/** The statement with its session cap spelled out, for psql (which cannot bind $1) and the variants. */
function withSessionCap(cap: number): string {
	return SNAPSHOT_OF_CLIENT_CONNECTIONS.replaceAll('$1', String(cap));
}

async function breakdown(client: pg.Client, backends: number) {
	console.log(`\n### Where the snapshot's time goes at ${backends} backends (medians of ${VARIANT_RUNS}, same monitor connection)`);
	const variants: Array<[string, string]> = [
		['count(*) from pg_stat_activity (floor: one pg_stat_get_activity scan)', 'select count(*) from pg_stat_activity'],
		['snapshot, session list capped at 0 (summary only)', withSessionCap(0)],
		['snapshot, session list capped at 100', withSessionCap(100)],
		['snapshot, session list capped at 200', withSessionCap(200)],
		['snapshot, session list capped at 500 (--json)', withSessionCap(500)],
		[`snapshot as the screen polls it (cap ${SCREEN_SESSION_ROW_CAP})`, withSessionCap(SCREEN_SESSION_ROW_CAP)],
		// extract() returns numeric since PostgreSQL 14; date_part() still returns float8.
		['snapshot as shipped, date_part(\'epoch\', …) instead of extract(epoch from …)', withSessionCap(SCREEN_SESSION_ROW_CAP).replaceAll(/extract\(epoch from /g, 'date_part(\'epoch\', ')],
	];
	for (const [label, sql] of variants) {
		const timed = await timeQuery(client, sql, VARIANT_RUNS);
		console.log(`- ${label}: p50 ${ms(pct(timed.ms, 50))}, p95 ${ms(pct(timed.ms, 95))}, ${kb(timed.bytes)} on the wire`);
	}

	const {rows} = await client.query<{'QUERY PLAN': string}>(`explain (analyze, buffers off, costs off) ${withSessionCap(SCREEN_SESSION_ROW_CAP)}`);
	const plan = rows.map(row => row['QUERY PLAN']);
	const file = path.join(os.tmpdir(), `lifeguard-bench-explain-${backends}.txt`);
	await writeFile(file, `${plan.join('\n')}\n`);
	console.log(`\nEXPLAIN ANALYZE (full plan: ${file}); CTEs, sub-plans and scans of pg_stat_activity:`);
	for (const line of plan) {
		if (/^\s*(CTE |InitPlan|SubPlan)|Function Scan on pg_stat_get_activity|Execution Time|Planning Time|^\S/.test(line) || /->\s+(Sort|Limit|Aggregate|Hash Right Join|Hash Left Join)\b/.test(line) && !/never executed/.test(line)) {
			console.log(`    ${line}`);
		}
	}
}

// ---- main ----------------------------------------------------------------------------------------------------------------
async function main() {
	const watchdog = setTimeout(() => {
		console.error(`benchmark exceeded ${WATCHDOG_MS / 60_000} min: aborting`);
		cleanup().finally(() => process.exit(1));
	}, WATCHDOG_MS);
	watchdog.unref();

	console.log(`# lifeguard bench: levels ${LEVELS.join(', ')}; ${POLLS} polls each; frame ${COLUMNS}×${ROWS}; load ${os.loadavg().map(load => load.toFixed(1)).join(' ')}`);
	await checkLimits(Math.max(...LEVELS));
	console.log(`starting embedded PostgreSQL (max_connections=${MAX_CONNECTIONS})…`);
	const started = process.hrtime.bigint();
	// An interrupted start cleans up after itself; once started, stop() removes the directory.
	server = await startServer({maxConnections: MAX_CONNECTIONS, sharedBuffers: '128MB'});
	console.log(`server up on 127.0.0.1:${server.port} in ${(msSince(started) / 1000).toFixed(1)} s (data ${server.dataDir})`);
	// Every child (idle clients, psql, lifeguard) gets the password from the environment, never a command line.
	process.env['PGPASSWORD'] = server.password;
	const url = `postgres://postgres@127.0.0.1:${server.port}/postgres`;
	idleChild = fork(IDLE_CHILD, [url], {stdio: ['ignore', 'inherit', 'inherit', 'ipc']});
	const target = resolveTarget(url, process.env);
	const clock = {ms: Date.UTC(2026, 0, 1)};
	monitor = createPostgresSource(target, await openMonitorClient(target), () => clock.ms, {sessionRowCap: SCREEN_SESSION_ROW_CAP});

	const results: LevelResult[] = [];
	for (const backends of LEVELS) {
		console.log(`\nopening ${backends} idle connections…`);
		const result = await measureLevel(backends, monitor, url, clock);
		results.push(result);
		printLevel(result, CONFIG);
	}

	const client = monitor.client();
	if (client) {
		await breakdown(client, Math.max(...LEVELS));
	}

	verdicts(results, CONFIG);
	table(results, CONFIG);
	clearTimeout(watchdog);
}

let exitCode = 0;
try {
	await main();
} catch (error) {
	console.error(`bench failed: ${(error as Error).stack ?? String(error)}`);
	exitCode = 1;
} finally {
	await cleanup();
}

process.exit(exitCode);
