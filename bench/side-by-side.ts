// `npm run bench -- --side-by-side`: lifeguard and pg_activity watching the same sessions, at the same
// time, each on its own pseudo-terminal of the same size (160×45), both refreshing every second, in three
// phases of the same length (30 s). By default each tool watches its own server playing the same
// sessions (same seed, same moves at the same moments): on a shared server (--shared-server) each would
// also see the other's backend, which polls every second, and neither would see a steady server.
//   steady  the same sessions in fixed states (most idle, some idle in transaction, a few long queries)
//   busy    every session changes state every second
//   paused  still busy; lifeguard paused with `p`, pg_activity with `space`
// For each tool and phase: client CPU per minute (utime + stime of the tool's process tree, /proc),
// server CPU per minute of its backends (found by application_name: `lifeguard`, `pg_activity`), resident
// memory, bytes written to the terminal, and the ratios lifeguard / pg_activity.
// The server is an embedded PostgreSQL on a free loopback port; everything stops by itself and is removed
// on every way out (Ctrl-C included). The password goes through PGPASSWORD, never a command line.
import {spawnSync} from 'node:child_process';
import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import {parseArgs} from 'node:util';
import pg from 'pg';
import {backendPids, binArgv, CLI, onCleanup, runBounded, startSessions} from './harness.js';
import {CLK_TCK, mb, sleep, sumTicks, treeMemory, treeTicks, waitFor} from './proc.js';
import {type PtyProgram, startInPty} from './pty.js';
import {startServer} from './server.js';
import type {SessionsMode} from './sessions.js';

const {values} = parseArgs({options: {
	'side-by-side': {type: 'boolean'},
	seconds: {type: 'string', default: '30'},
	warmup: {type: 'string', default: '5'},
	// A steady server is one whose sessions have been in their states for a while: past a minute, ages
	// on lifeguard's screen move once a minute, not every 5 s.
	'steady-warmup': {type: 'string', default: '65'},
	sessions: {type: 'string', default: '58'},
	columns: {type: 'string', default: '160'},
	rows: {type: 'string', default: '45'},
	// Another lifeguard build to compare (e.g. an older dist/cli.js); default: this repository's.
	bin: {type: 'string', default: CLI},
	// Run the bin as `node FLAGS BIN` instead of through its #! line, to try V8 flags.
	'node-flags': {type: 'string'},
	'pg-activity': {type: 'string', default: 'pg_activity'},
	// Both tools on one server. By default each has its own server with the same sessions (same seed,
	// same moves at the same moments): on one server each tool also sees the other's backend, which
	// polls every second, so neither sees a steady server.
	'shared-server': {type: 'boolean', default: false},
	// Write each tool's last terminal output of each phase (what it redrew) to DIR/PHASE-TOOL.txt.
	dump: {type: 'string'},
}});
const WINDOW_MS = Number(values.seconds) * 1000;
const WARMUP_MS = Number(values.warmup) * 1000;
const STEADY_WARMUP_MS = Number(values['steady-warmup']) * 1000;
const SESSIONS = Number(values.sessions);
const COLUMNS = Number(values.columns);
const ROWS = Number(values.rows);
if (!(WINDOW_MS > 0 && WINDOW_MS <= 600_000) || !(WARMUP_MS >= 0) || !(STEADY_WARMUP_MS >= 0) || !(SESSIONS > 0)) {
	console.error('usage: npm run bench -- --side-by-side [--seconds 30] [--warmup 5] [--steady-warmup 65] [--sessions 58] [--columns 160] [--rows 45] [--bin dist/cli.js] [--node-flags FLAGS] [--pg-activity pg_activity] [--shared-server] [--dump DIR]');
	process.exit(2);
}

type Tool = {name: 'lifeguard' | 'pg_activity'; applicationName: string; pauseKey: string; quitKey: string; program: PtyProgram; backendPids: number[]};
type Reading = {clientCpuSPerMin: number; serverCpuSPerMin: number; rssBytes: number; hwmBytes: number; terminalKiBPerS: number; backends: number; isPausedOnScreen: boolean};
type Phase = {name: 'steady' | 'busy' | 'paused'; mode: SessionsMode; readings: Map<string, Reading>; machineBusyPercent: number; loadAverage: number};

const ANSI = /\u001B(?:\[[\d;?]*[ -/]*[@-~]|\][^\u0007\u001B]*(?:\u0007|\u001B\\)|[()][0-9A-Za-z]|[=>78DEHMc])/g;

/** Busy and total jiffies of the whole machine (first line of /proc/stat). */
async function machineTicks(): Promise<{busy: number; total: number}> {
	const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
	const fields = line.trim().split(/\s+/).slice(1).map(Number);
	const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
	const total = fields.reduce((sum, value) => sum + value, 0);
	return {busy: total - idle, total};
}

async function measure(tools: readonly Tool[], pauseSeen: Map<string, () => boolean>): Promise<{readings: Map<string, Reading>; machineBusyPercent: number}> {
	const before = new Map<string, {client: number; server: number; pids: number[]; bytes: number}>();
	for (const tool of tools) {
		const pids = tool.backendPids;
		before.set(tool.name, {client: await treeTicks(tool.program.pid), server: await sumTicks(pids), pids, bytes: tool.program.terminalBytes()});
	}

	const machine0 = await machineTicks();
	const started = Date.now();
	await sleep(WINDOW_MS);
	const minutes = (Date.now() - started) / 60_000;
	const machine1 = await machineTicks();
	const readings = new Map<string, Reading>();
	for (const tool of tools) {
		if (!tool.program.isRunning()) {
			throw new Error(`${tool.name} exited; its terminal ended with ${JSON.stringify(tool.program.tail().replaceAll(ANSI, '').slice(-600))}`);
		}

		const start = before.get(tool.name)!;
		const memory = await treeMemory(tool.program.pid);
		readings.set(tool.name, {
			clientCpuSPerMin: ((await treeTicks(tool.program.pid)) - start.client) / CLK_TCK / minutes,
			serverCpuSPerMin: ((await sumTicks(start.pids)) - start.server) / CLK_TCK / minutes,
			rssBytes: memory.rssBytes,
			hwmBytes: memory.hwmBytes,
			terminalKiBPerS: (tool.program.terminalBytes() - start.bytes) / 1024 / (minutes * 60),
			backends: start.pids.length,
			isPausedOnScreen: pauseSeen.get(tool.name)?.() ?? false,
		});
	}

	return {readings, machineBusyPercent: (machine1.busy - machine0.busy) / Math.max(1, machine1.total - machine0.total) * 100};
}

const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
const num = (value: number | undefined, digits = 2) => (value === undefined ? 'n/a' : value.toFixed(digits));

function report(phases: readonly Phase[], hasPgActivity: boolean, versions: string) {
	console.log(`\n## Side by side (${COLUMNS}×${ROWS}, refresh 1 s, ${SESSIONS} sessions, ${WINDOW_MS / 1000} s per phase after a warm-up of ${STEADY_WARMUP_MS / 1000} s (steady) or ${WARMUP_MS / 1000} s; ${versions})\n`);
	console.log('| phase | client CPU s/min: lifeguard | pg_activity | ratio | server CPU s/min: lifeguard | pg_activity | ratio | VmRSS lifeguard | pg_activity | terminal KiB/s: lifeguard | pg_activity | machine busy (2 CPUs) |');
	console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
	for (const phase of phases) {
		const lg = phase.readings.get('lifeguard');
		const pa = phase.readings.get('pg_activity');
		console.log(`| ${phase.name} | ${num(lg?.clientCpuSPerMin)} | ${num(pa?.clientCpuSPerMin)} | ${ratio(lg?.clientCpuSPerMin, pa?.clientCpuSPerMin)} | ${num(lg?.serverCpuSPerMin)} | ${num(pa?.serverCpuSPerMin)} | ${ratio(lg?.serverCpuSPerMin, pa?.serverCpuSPerMin)} | ${lg ? mb(lg.rssBytes) : 'n/a'} | ${pa ? mb(pa.rssBytes) : 'n/a'} | ${num(lg?.terminalKiBPerS, 1)} | ${num(pa?.terminalKiBPerS, 1)} | ${phase.machineBusyPercent.toFixed(0)} %, load ${phase.loadAverage.toFixed(1)} |`);
	}

	const paused = phases.find(phase => phase.name === 'paused');
	if (paused) {
		const seen = [...paused.readings.entries()].map(([name, reading]) => `${name} ${reading.isPausedOnScreen ? 'shows PAUSE' : 'does NOT show PAUSE'}`);
		console.log(`\nPaused phase: ${seen.join(', ')} on its screen.`);
	}

	const peak = (name: string) => Math.max(...phases.map(phase => phase.readings.get(name)?.hwmBytes ?? 0));
	console.log(`Peak VmHWM: lifeguard ${mb(peak('lifeguard'))}${hasPgActivity ? `, pg_activity ${mb(peak('pg_activity'))}` : ''}.`);
	if (!hasPgActivity) {
		console.log('pg_activity is not installed (Debian: apt-get install pg-activity): lifeguard measured alone.');
	} else {
		const targets: Array<[string, number]> = [['steady', 0.5], ['busy', 1.5], ['paused', 0.3]];
		console.log('\nTargets (issue 11), client CPU lifeguard / pg_activity:');
		for (const [name, target] of targets) {
			const phase = phases.find(candidate => candidate.name === name);
			const lg = phase?.readings.get('lifeguard')?.clientCpuSPerMin;
			const pa = phase?.readings.get('pg_activity')?.clientCpuSPerMin;
			const value = lg !== undefined && pa !== undefined && pa > 0 ? lg / pa : undefined;
			console.log(`- ${value !== undefined && value <= target ? 'PASS' : 'FAIL'}  ${name} ≤ ${target}×: ${value === undefined ? 'n/a' : `${value.toFixed(2)}×`}`);
		}

		// Steady and busy together: a phase's backend CPU is a few 10 ms ticks, too coarse for a ratio of its
		// own; and paused pg_activity stops polling while lifeguard polls on (alarms and the log go on).
		const polling = phases.filter(phase => phase.name !== 'paused');
		const total = (name: string) => polling.reduce((sum, phase) => sum + (phase.readings.get(name)?.serverCpuSPerMin ?? 0), 0);
		const server = total('pg_activity') > 0 ? total('lifeguard') / total('pg_activity') : undefined;
		console.log(`- ${server !== undefined && server <= 0.5 ? 'PASS' : 'FAIL'}  server CPU ≤ 0.5× pg_activity's (steady + busy): ${server === undefined ? 'n/a' : `${server.toFixed(2)}×`}`);
	}
}

function pgActivityVersion(command: string): string | undefined {
	const result = spawnSync(command, ['--version'], {encoding: 'utf8'});
	return result.status === 0 ? result.stdout.trim() : undefined;
}

await runBounded('side-by-side', (3 * (WINDOW_MS + WARMUP_MS) + STEADY_WARMUP_MS + 5 * 60_000), async () => {
	const pgActivity = pgActivityVersion(values['pg-activity']!);
	console.log(`# lifeguard and ${pgActivity ?? 'pg_activity (not installed)'} side by side; ${new Date().toISOString()}; node ${process.version}; ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}`);
	const maxSeconds = Math.ceil((3 * (WINDOW_MS + WARMUP_MS) + STEADY_WARMUP_MS) / 1000) + 300;
	/** A server with its sessions: one for each tool, or one for both with --shared-server. */
	const startWorld = async () => {
		const server = await startServer({maxConnections: SESSIONS + 50, sharedBuffers: '64MB'});
		onCleanup(server.stop);
		const sessions = await startSessions(server.url, {sessions: SESSIONS, maxSeconds});
		return {server, sessions};
	};

	const lifeguardWorld = await startWorld();
	const pgActivityWorld = values['shared-server'] || !pgActivity ? lifeguardWorld : await startWorld();
	const worlds = [...new Set([lifeguardWorld, pgActivityWorld])];
	const setMode = async (mode: SessionsMode) => {
		await Promise.all(worlds.map(async world => world.sessions.setMode(mode)));
	};

	await setMode('steady');
	const size = (password: string) => ({columns: COLUMNS, rows: ROWS, env: {PGPASSWORD: password, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8'}});
	const tools: Array<Tool & {world: typeof lifeguardWorld}> = [];
	const lifeguard = await startInPty([...binArgv(values.bin!, values['node-flags']), '--db', `postgres://postgres@127.0.0.1:${lifeguardWorld.server.port}/postgres`, '--interval', '1', '--no-bell'], size(lifeguardWorld.server.password));
	onCleanup(async () => lifeguard.stop('q'));
	tools.push({name: 'lifeguard', applicationName: 'lifeguard', pauseKey: 'p', quitKey: 'q', program: lifeguard, backendPids: [], world: lifeguardWorld});
	if (pgActivity) {
		const {server} = pgActivityWorld;
		const program = await startInPty([values['pg-activity']!, '-h', '127.0.0.1', '-p', String(server.port), '-U', 'postgres', '-d', 'postgres', '--refresh', '1'], size(server.password));
		onCleanup(async () => program.stop('q'));
		tools.push({name: 'pg_activity', applicationName: 'pg_activity', pauseKey: ' ', quitKey: 'q', program, backendPids: [], world: pgActivityWorld});
	}

	// Both connected and drawing before anything is measured. Each keeps one connection: its backends
	// are found once, and the admin connection is closed so that it is not a changing row on a screen.
	for (const tool of tools) {
		const admin = new pg.Client({connectionString: tool.world.server.url, application_name: 'lifeguard-bench-admin'});
		admin.on('error', () => undefined);
		await admin.connect();
		try {
			await waitFor(`${tool.name}'s backend`, async () => (await backendPids(admin, tool.applicationName)).length > 0 || !tool.program.isRunning(), 30_000);
			tool.backendPids = await backendPids(admin, tool.applicationName);
		} finally {
			await admin.end().catch(() => undefined);
		}

		await waitFor(`${tool.name}'s first screen`, async () => tool.program.terminalBytes() > 2000 || !tool.program.isRunning(), 30_000);
		if (!tool.program.isRunning()) {
			throw new Error(`${tool.name} exited at start: ${JSON.stringify(tool.program.tail().replaceAll(ANSI, '').slice(-600))}`);
		}
	}

	const phases: Phase[] = [];
	const pauseSeen = new Map<string, () => boolean>();
	for (const [name, mode] of [['steady', 'steady'], ['busy', 'busy'], ['paused', 'busy']] as const) {
		await setMode(mode);
		if (name === 'paused') {
			for (const tool of tools) {
				pauseSeen.set(tool.name, tool.program.watchFor(/PAUSE/));
				tool.program.write(tool.pauseKey);
			}
		}

		await sleep(name === 'steady' ? STEADY_WARMUP_MS : WARMUP_MS);
		console.log(`measuring ${name} (${WINDOW_MS / 1000} s)…`);
		const {readings, machineBusyPercent} = await measure(tools, pauseSeen);
		phases.push({name, mode, readings, machineBusyPercent, loadAverage: os.loadavg()[0]!});
		if (values.dump) {
			for (const tool of tools) {
				await writeFile(path.join(values.dump, `${name}-${tool.name}.txt`), tool.program.tail().replaceAll(ANSI, '\n'));
			}
		}
	}

	report(phases, pgActivity !== undefined, `lifeguard: ${binArgv(values.bin!, values['node-flags']).join(' ')}; ${pgActivity ?? 'no pg_activity'}; ${worlds.length === 1 ? 'one server for both' : 'a server each, same sessions'}`);
	console.log('\nmachine busy: all CPUs over the window, other users included; client CPU is each tool\'s own utime + stime, so it is affected less.');
});
