// `npm run bench -- --side-by-side`: lifeguard and pg_activity watching the same sessions, at the same
// time, each on its own pseudo-terminal of the same size (160×45), both refreshing every second. By
// default each tool watches its own server playing the same sessions (same seed, same moves at the same
// moments): on a shared server (--shared-server) each would also see the other's backend, which polls
// every second, and neither would see a steady server. Phases:
//   steady, one per shape (shapes.ts; --shapes picks some): the sessions in fixed states, as incidents
//           have them (a lock chain behind an idle transaction, several findings, many applications,
//           long queries, a server near full, and issue 11's mix)
//   busy    every session changes state every second
//   paused  still busy; lifeguard paused with `p`, pg_activity with `space`
// For each tool and phase: client CPU per minute (utime + stime of the tool's process tree, /proc),
// bytes per minute written to its terminal, server CPU per minute of its backends (found by
// application_name: `lifeguard`, `pg_activity`), resident memory, and the ratios lifeguard / pg_activity.
// Paused lifeguard is judged against its own poll floor (floor.ts), run on its server over the busy
// and paused windows. The server is an embedded PostgreSQL on a free loopback port; everything stops by
// itself and is removed on every way out (Ctrl-C included). The password goes through PGPASSWORD, never
// a command line.
import {execFile, spawnSync} from 'node:child_process';
import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import {parseArgs, promisify} from 'node:util';
import pg from 'pg';
import {startFloor} from './floor.js';
import {backendPids, binArgv, CLI, onCleanup, runBounded, type Sessions, startSessions} from './harness.js';
import {CLK_TCK, cpuTicks, sleep, sumTicks, treeMemory, treeTicks, waitFor} from './proc.js';
import {type PtyProgram, startInPty} from './pty.js';
import {type BenchServer, startServer} from './server.js';
import type {SessionsMode} from './sessions.js';
import {SHAPE_NAMES, type ShapeName} from './shapes.js';
import {type Floor, type Phase, type PhaseKind, type Reading, report, type ToolName} from './side-by-side-report.js';

const {values} = parseArgs({options: {
	'side-by-side': {type: 'boolean'},
	seconds: {type: 'string', default: '30'},
	warmup: {type: 'string', default: '5'},
	// A steady server is one whose sessions have been in their states for a while: past a minute, ages
	// on lifeguard's screen move once a minute, not every 5 s; an idle transaction is a finding after 60 s.
	'steady-warmup': {type: 'string', default: '65'},
	// The steady shapes to measure, comma-separated (default: all, in shapes.ts's order).
	shapes: {type: 'string', default: SHAPE_NAMES.join(',')},
	sessions: {type: 'string', default: '58'},
	columns: {type: 'string', default: '160'},
	rows: {type: 'string', default: '45'},
	// Another lifeguard build to compare (e.g. an older dist/cli.js); default: this repository's.
	bin: {type: 'string', default: CLI},
	// Run the bin as `node FLAGS BIN` instead of through its #! line, to try V8 flags.
	'node-flags': {type: 'string'},
	'pg-activity': {type: 'string', default: 'pg_activity'},
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
const SHAPES = values.shapes!.split(',').map(name => name.trim()).filter(Boolean);
const unknownShape = SHAPES.find(name => !(SHAPE_NAMES as readonly string[]).includes(name));
if (!(WINDOW_MS > 0 && WINDOW_MS <= 600_000) || !(WARMUP_MS >= 0) || !(STEADY_WARMUP_MS >= 0) || !(SESSIONS > 0) || unknownShape !== undefined) {
	console.error(`${unknownShape === undefined ? '' : `--shapes: unknown shape "${unknownShape}" (${SHAPE_NAMES.join(', ')}); `}usage: npm run bench -- --side-by-side [--shapes ${SHAPE_NAMES.join(',')}] [--seconds 30] [--warmup 5] [--steady-warmup 65] [--sessions 58] [--columns 160] [--rows 45] [--bin dist/cli.js] [--node-flags FLAGS] [--pg-activity pg_activity] [--shared-server] [--dump DIR]`);
	process.exit(2);
}

type World = {server: BenchServer; sessions: Sessions};
type Tool = {name: ToolName; applicationName: string; pauseKey: string; program: PtyProgram; backendPids: number[]; world: World};

const ANSI = /\u001B(?:\[[\d;?]*[ -/]*[@-~]|\][^\u0007\u001B]*(?:\u0007|\u001B\\)|[()][0-9A-Za-z]|[=>78DEHMc])/g;
const LIFEGUARD = binArgv(values.bin!, values['node-flags']);
const watchdogMs = SHAPES.length * (WINDOW_MS + STEADY_WARMUP_MS + 60_000) + 2 * (WINDOW_MS + WARMUP_MS) + 5 * 60_000;

/** Busy and total jiffies of the whole machine (first line of /proc/stat). */
async function machineTicks(): Promise<{busy: number; total: number}> {
	const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
	const fields = line.trim().split(/\s+/).slice(1).map(Number);
	const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
	const total = fields.reduce((sum, value) => sum + value, 0);
	return {busy: total - idle, total};
}

/** One window: every tool's costs, the machine's, and the floor processes' CPU ticks over it. */
async function measure(tools: readonly Tool[], pauseSeen: Map<string, () => boolean>, floors: Map<string, number>) {
	const before = new Map<string, {client: number; server: number; bytes: number}>();
	for (const tool of tools) {
		before.set(tool.name, {client: await treeTicks(tool.program.pid), server: await sumTicks(tool.backendPids), bytes: tool.program.terminalBytes()});
	}

	const floorsBefore = new Map([...floors].map(([mode, pid]) => [mode, cpuTicks(pid)] as const));
	const machine0 = await machineTicks();
	const started = Date.now();
	await sleep(WINDOW_MS);
	const minutes = (Date.now() - started) / 60_000;
	const machine1 = await machineTicks();
	const floorTicks = new Map<string, number>();
	for (const [mode, pid] of floors) {
		floorTicks.set(mode, ((await cpuTicks(pid)) ?? Number.NaN) - ((await floorsBefore.get(mode)) ?? Number.NaN));
	}

	const readings = new Map<ToolName, Reading>();
	for (const tool of tools) {
		if (!tool.program.isRunning()) {
			throw new Error(`${tool.name} exited; its terminal ended with ${JSON.stringify(tool.program.tail().replaceAll(ANSI, '').slice(-600))}`);
		}

		const start = before.get(tool.name)!;
		const memory = await treeMemory(tool.program.pid);
		const bytes = tool.program.terminalBytes() - start.bytes;
		readings.set(tool.name, {
			clientCpuSPerMin: ((await treeTicks(tool.program.pid)) - start.client) / CLK_TCK / minutes,
			serverCpuSPerMin: ((await sumTicks(tool.backendPids)) - start.server) / CLK_TCK / minutes,
			rssBytes: memory.rssBytes,
			hwmBytes: memory.hwmBytes,
			terminalKiBPerMin: bytes / 1024 / minutes,
			terminalBytes: bytes,
			isPausedOnScreen: pauseSeen.get(tool.name)?.() ?? false,
		});
	}

	return {readings, minutes, floorTicks, machineBusyPercent: (machine1.busy - machine0.busy) / Math.max(1, machine1.total - machine0.total) * 100};
}

type Seen = {server?: {connections: number; usableConnections: number; usedRatio: number; lockWaiting: number}; sessions?: unknown[]; findings?: Array<{code: string; level: string}>};

/** What lifeguard itself makes of a shape: one `--json` snapshot of its server (after the window, so it costs nothing measured). */
async function probe(world: World): Promise<string> {
	const [command, ...args] = LIFEGUARD;
	try {
		const {stdout} = await promisify(execFile)(command!, [...args, '--db', `postgres://postgres@127.0.0.1:${world.server.port}/postgres`, '--json'], {env: {...process.env, PGPASSWORD: world.server.password, NO_COLOR: '1'}, timeout: 30_000, maxBuffer: 16 * 1024 * 1024});
		const seen = JSON.parse(stdout) as Seen;
		const server = seen.server!;
		const findings = (seen.findings ?? []).map(finding => `${finding.code} (${finding.level})`);
		// One snapshot: findings that need history (pool-suspected: 30 s) show on the live screen only.
		return `${server.connections}/${server.usableConnections} slots used (${Math.round(server.usedRatio * 100)} %), ${server.lockWaiting} waiting on a lock; ${findings.length} finding${findings.length === 1 ? '' : 's'} in one snapshot${findings.length > 0 ? `: ${findings.join(', ')}` : ''}`;
	} catch (error) {
		return `lifeguard --json failed: ${(error as Error).message.split('\n')[0]!}`;
	}
}

/** How many of the poll floor's processes are connected to the world's server (by application_name). */
async function connectedFloors(world: World): Promise<number> {
	const admin = new pg.Client({connectionString: world.server.url, application_name: 'lifeguard-bench-admin'});
	admin.on('error', () => undefined);
	await admin.connect();
	try {
		const {rows} = await admin.query<{count: number}>('select count(*)::int as count from pg_stat_activity where application_name like \'lifeguard-bench-floor-%\'');
		return rows[0]!.count;
	} finally {
		await admin.end().catch(() => undefined);
	}
}

function pgActivityVersion(command: string): string | undefined {
	const result = spawnSync(command, ['--version'], {encoding: 'utf8'});
	return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Start a tool on its pty, find its backends, and wait for its first screen. */
async function startTool(tool: Omit<Tool, 'program' | 'backendPids'>, argv: readonly string[]): Promise<Tool> {
	const program = await startInPty(argv, {columns: COLUMNS, rows: ROWS, env: {PGPASSWORD: tool.world.server.password, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8'}});
	onCleanup(async () => program.stop('q'));
	// The admin connection is closed before anything is measured, so that it is not a changing row on a screen.
	const admin = new pg.Client({connectionString: tool.world.server.url, application_name: 'lifeguard-bench-admin'});
	admin.on('error', () => undefined);
	await admin.connect();
	let pids: number[] = [];
	try {
		await waitFor(`${tool.name}'s backend`, async () => {
			pids = program.isRunning() ? await backendPids(admin, tool.applicationName) : [];
			return pids.length > 0 || !program.isRunning();
		}, 30_000);
	} finally {
		await admin.end().catch(() => undefined);
	}

	await waitFor(`${tool.name}'s first screen`, async () => program.terminalBytes() > 2000 || !program.isRunning(), 30_000);
	if (!program.isRunning()) {
		throw new Error(`${tool.name} exited at start: ${JSON.stringify(program.tail().replaceAll(ANSI, '').slice(-600))}`);
	}

	return {...tool, program, backendPids: pids};
}

await runBounded('side-by-side', watchdogMs, async () => {
	const pgActivity = pgActivityVersion(values['pg-activity']!);
	console.log(`# lifeguard and ${pgActivity ?? 'pg_activity (not installed)'} side by side; ${new Date().toISOString()}; node ${process.version}; ${os.cpus().length} CPUs, load ${os.loadavg().map(load => load.toFixed(1)).join(' ')}`);
	const maxSeconds = Math.ceil(watchdogMs / 1000);
	/** A server with its sessions: one for each tool, or one for both with --shared-server. */
	const startWorld = async (): Promise<World> => {
		const server = await startServer({maxConnections: SESSIONS + 50, sharedBuffers: '64MB'});
		onCleanup(server.stop);
		return {server, sessions: await startSessions(server.url, {sessions: SESSIONS, maxSeconds})};
	};

	const lifeguardWorld = await startWorld();
	const pgActivityWorld = values['shared-server'] || !pgActivity ? lifeguardWorld : await startWorld();
	const worlds = [...new Set([lifeguardWorld, pgActivityWorld])];
	const setMode = async (mode: SessionsMode) => (await Promise.all(worlds.map(async world => world.sessions.setMode(mode))))[0]!;

	await setMode((SHAPES[0] as ShapeName | undefined) ?? 'busy');
	const tools = [await startTool({name: 'lifeguard', applicationName: 'lifeguard', pauseKey: 'p', world: lifeguardWorld}, [...LIFEGUARD, '--db', `postgres://postgres@127.0.0.1:${lifeguardWorld.server.port}/postgres`, '--interval', '1', '--no-bell'])];
	if (pgActivity) {
		const {port} = pgActivityWorld.server;
		tools.push(await startTool({name: 'pg_activity', applicationName: 'pg_activity', pauseKey: ' ', world: pgActivityWorld}, [values['pg-activity']!, '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '--refresh', '1']));
	}

	const phases: Phase[] = [];
	const pauseSeen = new Map<string, () => boolean>();
	const floors = new Map<string, number>();
	const floorTotals = {ticks: new Map<string, number>(), minutes: 0};
	const run = async (name: string, kind: PhaseKind, sessions: number) => {
		console.log(`measuring ${name} (${sessions} sessions, ${WINDOW_MS / 1000} s)…`);
		const {readings, minutes, floorTicks, machineBusyPercent} = await measure(tools, pauseSeen, floors);
		for (const [mode, ticks] of floorTicks) {
			floorTotals.ticks.set(mode, (floorTotals.ticks.get(mode) ?? 0) + ticks);
		}

		floorTotals.minutes += floors.size > 0 ? minutes : 0;
		const phase: Phase = {name, kind, sessions, readings, machineBusyPercent, loadAverage: os.loadavg()[0]!};
		phases.push(phase);
		if (values.dump) {
			for (const tool of tools) {
				await writeFile(path.join(values.dump, `${name}-${tool.name}.txt`), tool.program.tail().replaceAll(ANSI, '\n'));
			}
		}

		return phase;
	};

	for (const shape of SHAPES as ShapeName[]) {
		const sessions = await setMode(shape);
		await sleep(STEADY_WARMUP_MS);
		const phase = await run(shape, 'steady', sessions);
		phase.seen = await probe(lifeguardWorld);
	}

	const busySessions = await setMode('busy');
	// The floor runs on lifeguard's server, on the same busy sessions, through the busy and paused windows.
	const floorSeconds = Math.ceil((2 * (WARMUP_MS + WINDOW_MS) + 120_000) / 1000);
	const floorUrl = `postgres://postgres@127.0.0.1:${lifeguardWorld.server.port}/postgres`;
	for (const mode of ['collect', 'model'] as const) {
		floors.set(mode, startFloor(mode, {bin: values.bin!, url: floorUrl, password: lifeguardWorld.server.password, seconds: floorSeconds}).pid!);
	}

	// Their start-up (node, the modules, the connection) is not the floor: the warm-up begins once both poll.
	await waitFor('the poll floor\'s connections', async () => (await connectedFloors(lifeguardWorld)) === floors.size, 60_000, 200);
	await sleep(WARMUP_MS);
	await run('busy', 'busy', busySessions);
	for (const tool of tools) {
		pauseSeen.set(tool.name, tool.program.watchFor(/PAUSE/));
		tool.program.write(tool.pauseKey);
	}

	// The window starts a warm-up after each screen showed its pause frame: what comes after is measured.
	await waitFor('the pause frames', async () => tools.every(tool => pauseSeen.get(tool.name)!()), WARMUP_MS + 10_000).catch(() => undefined);
	await sleep(WARMUP_MS);
	await run('paused', 'paused', busySessions);
	const perMinute = (mode: string) => (floorTotals.ticks.get(mode) ?? Number.NaN) / CLK_TCK / floorTotals.minutes;
	const floor: Floor | undefined = floorTotals.minutes > 0 ? {collect: perMinute('collect'), model: perMinute('model'), seconds: floorTotals.minutes * 60} : undefined;
	const heading = `${COLUMNS}×${ROWS}, refresh 1 s, ${WINDOW_MS / 1000} s per phase after a warm-up of ${STEADY_WARMUP_MS / 1000} s (steady) or ${WARMUP_MS / 1000} s; lifeguard: ${LIFEGUARD.join(' ')}; ${pgActivity ?? 'no pg_activity'}; ${worlds.length === 1 ? 'one server for both' : 'a server each, same sessions'}`;
	report({phases, floor, heading, hasPgActivity: pgActivity !== undefined});
});
