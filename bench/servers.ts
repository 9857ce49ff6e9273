// `npm run bench -- --several`: the screen of several servers and a fleet behind Prometheus (issue 13's
// target: within issue 11's CPU and memory targets). lifeguard watches N embedded servers (default 3),
// each with the same sessions, plus a real Prometheus holding a fleet's pools, on one 160×45 terminal at
// a 1 s refresh. Watching N servers with pg_activity takes N of them, one per server, each on its own
// terminal of the same size: their CPU is summed. Phases: steady, then busy (every session moves every
// second). Passwords go through a temporary PGPASSFILE, never a command line; everything stops by
// itself and is removed on every way out.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {parseArgs} from 'node:util';
import pg from 'pg';
import {backendPids, binArgv, CLI, onCleanup, runBounded, startSessions, type Sessions} from './harness.js';
import {CLK_TCK, mb, sleep, sumTicks, treeMemory, treeTicks, waitFor} from './proc.js';
import {startFleetPrometheus} from './prometheus.js';
import {type PtyProgram, startInPty} from './pty.js';
import {startServer, type BenchServer} from './server.js';

const {values} = parseArgs({options: {
	several: {type: 'boolean'},
	servers: {type: 'string', default: '3'},
	sessions: {type: 'string', default: '58'},
	instances: {type: 'string', default: '40'},
	seconds: {type: 'string', default: '30'},
	'steady-warmup': {type: 'string', default: '65'},
	columns: {type: 'string', default: '160'},
	rows: {type: 'string', default: '45'},
	bin: {type: 'string', default: CLI},
	'pg-activity': {type: 'string', default: 'pg_activity'},
}});
const SERVERS = Number(values.servers);
const SESSIONS = Number(values.sessions);
const WINDOW_MS = Number(values.seconds) * 1000;
const STEADY_WARMUP_MS = Number(values['steady-warmup']) * 1000;
const size = {columns: Number(values.columns), rows: Number(values.rows)};
if (!(SERVERS >= 1 && SERVERS <= 8) || !(SESSIONS > 0) || !(WINDOW_MS > 0 && WINDOW_MS <= 600_000)) {
	console.error('usage: npm run bench -- --several [--servers 3] [--sessions 58] [--instances 40] [--seconds 30] [--steady-warmup 65] [--columns 160] [--rows 45] [--bin dist/cli.js]');
	process.exit(2);
}

type World = {server: BenchServer; sessions: Sessions};
type Watcher = {name: string; program: PtyProgram; backends: number[]};
type Reading = {clientCpuSPerMin: number; serverCpuSPerMin: number; rssBytes: number; hwmBytes: number};

async function backendsOf(world: World, applicationName: string): Promise<number[]> {
	const admin = new pg.Client({connectionString: world.server.url, application_name: 'lifeguard-bench-admin'});
	admin.on('error', () => undefined);
	await admin.connect();
	try {
		return await backendPids(admin, applicationName);
	} finally {
		await admin.end().catch(() => undefined);
	}
}

/** A watcher's backends on every server it watches, once it is connected to all of them. */
async function findBackends(worlds: readonly World[], applicationName: string, program: PtyProgram): Promise<number[]> {
	let found: number[][] = [];
	await waitFor(`${applicationName}'s backends`, async () => {
		found = program.isRunning() ? await Promise.all(worlds.map(async world => backendsOf(world, applicationName))) : [];
		return !program.isRunning() || found.every(list => list.length > 0);
	}, 30_000, 200);
	if (!program.isRunning()) {
		throw new Error(`${applicationName} exited at start: ${JSON.stringify(program.tail().slice(-400))}`);
	}

	return found.flat();
}

async function measure(watchers: readonly Watcher[]): Promise<Map<string, Reading>> {
	const before = await Promise.all(watchers.map(async watcher => ({client: await treeTicks(watcher.program.pid), server: await sumTicks(watcher.backends)})));
	const started = Date.now();
	await sleep(WINDOW_MS);
	const minutes = (Date.now() - started) / 60_000;
	const readings = new Map<string, Reading>();
	for (const [index, watcher] of watchers.entries()) {
		if (!watcher.program.isRunning()) {
			throw new Error(`${watcher.name} exited: ${JSON.stringify(watcher.program.tail().slice(-400))}`);
		}

		const memory = await treeMemory(watcher.program.pid);
		readings.set(watcher.name, {
			clientCpuSPerMin: ((await treeTicks(watcher.program.pid)) - before[index]!.client) / CLK_TCK / minutes,
			serverCpuSPerMin: ((await sumTicks(watcher.backends)) - before[index]!.server) / CLK_TCK / minutes,
			rssBytes: memory.rssBytes,
			hwmBytes: memory.hwmBytes,
		});
	}

	return readings;
}

await runBounded('servers', STEADY_WARMUP_MS + (2 * WINDOW_MS) + (6 * 60_000), async () => {
	const hasPgActivity = spawnSync(values['pg-activity']!, ['--version']).status === 0;
	console.log(`# lifeguard on ${SERVERS} servers × ${SESSIONS} sessions + a fleet of ${values.instances} instances × 2 pools behind Prometheus, ${size.columns}×${size.rows}, refresh 1 s; ${hasPgActivity ? `${SERVERS} pg_activity, one per server` : 'no pg_activity installed'}; ${new Date().toISOString()}; ${os.cpus().length} CPUs`);
	const directory = mkdtempSync(path.join(os.tmpdir(), 'lifeguard-bench-servers-'));
	onCleanup(() => {
		rmSync(directory, {recursive: true, force: true});
	});
	const maxSeconds = Math.ceil((STEADY_WARMUP_MS + (2 * WINDOW_MS)) / 1000) + 300;
	const worlds: World[] = [];
	for (let index = 0; index < SERVERS; index++) {
		const server = await startServer({maxConnections: SESSIONS + 50, sharedBuffers: '64MB'});
		onCleanup(server.stop);
		worlds.push({server, sessions: await startSessions(server.url, {sessions: SESSIONS, maxSeconds})});
	}

	const fleet = await startFleetPrometheus({instances: Number(values.instances), pools: ['HikariPool-1', 'ReportsPool'], scrapeSeconds: 5});
	onCleanup(fleet.stop);
	const passFile = path.join(directory, 'pgpass');
	writeFileSync(passFile, worlds.map(world => `127.0.0.1:${world.server.port}:*:postgres:${world.server.password}\n`).join(''), {mode: 0o600});
	const env = {PGPASSFILE: passFile, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8'};
	await Promise.all(worlds.map(async world => world.sessions.setMode('steady')));

	const databases = worlds.flatMap((world, index) => ['--db', `s${index + 1}=postgres://postgres@127.0.0.1:${world.server.port}/postgres`]);
	const lifeguard = await startInPty([...binArgv(values.bin!, undefined), ...databases, '--prometheus', fleet.url, '--interval', '1', '--no-bell'], {...size, env});
	onCleanup(async () => lifeguard.stop('q'));
	const watchers: Watcher[] = [{name: 'lifeguard', program: lifeguard, backends: await findBackends(worlds, 'lifeguard', lifeguard)}];
	if (hasPgActivity) {
		for (const [index, world] of worlds.entries()) {
			const program = await startInPty([values['pg-activity']!, '-h', '127.0.0.1', '-p', String(world.server.port), '-U', 'postgres', '-d', 'postgres', '--refresh', '1'], {...size, env});
			onCleanup(async () => program.stop('q'));
			watchers.push({name: `pg_activity ${index + 1}`, program, backends: await findBackends([world], 'pg_activity', program)});
		}
	}

	const phases: Array<{name: string; readings: Map<string, Reading>}> = [];
	for (const phase of ['steady', 'busy'] as const) {
		await Promise.all(worlds.map(async world => world.sessions.setMode(phase)));
		await sleep(phase === 'steady' ? STEADY_WARMUP_MS : 5000);
		console.log(`measuring ${phase} (${WINDOW_MS / 1000} s)…`);
		phases.push({name: phase, readings: await measure(watchers)});
	}

	const tail = lifeguard.tail();
	const isFleetShown = /checkout\/HikariPool-1/.test(tail);
	console.log(`\n| phase | lifeguard client CPU s/min | ${SERVERS} pg_activity, summed | ratio | lifeguard server CPU s/min | pg_activity's | ratio | lifeguard VmRSS | each pg_activity |`);
	console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
	const verdicts: string[] = [];
	for (const {name, readings} of phases) {
		const lg = readings.get('lifeguard')!;
		const others = [...readings.entries()].filter(([key]) => key !== 'lifeguard').map(([, reading]) => reading);
		const sum = (pick: (reading: Reading) => number) => others.reduce((total, reading) => total + pick(reading), 0);
		const clientRatio = others.length > 0 ? lg.clientCpuSPerMin / sum(reading => reading.clientCpuSPerMin) : undefined;
		const serverRatio = others.length > 0 ? lg.serverCpuSPerMin / Math.max(0.001, sum(reading => reading.serverCpuSPerMin)) : undefined;
		const each = others.map(reading => mb(reading.rssBytes)).join(', ');
		console.log(`| ${name} | ${lg.clientCpuSPerMin.toFixed(2)} | ${others.length > 0 ? sum(reading => reading.clientCpuSPerMin).toFixed(2) : 'n/a'} | ${clientRatio?.toFixed(2) ?? 'n/a'}× | ${lg.serverCpuSPerMin.toFixed(2)} | ${others.length > 0 ? sum(reading => reading.serverCpuSPerMin).toFixed(2) : 'n/a'} | ${serverRatio?.toFixed(2) ?? 'n/a'}× | ${mb(lg.rssBytes)} | ${each || 'n/a'} |`);
		const target = name === 'steady' ? 0.5 : 1.5;
		if (clientRatio !== undefined) {
			verdicts.push(`- ${clientRatio <= target ? 'PASS' : 'FAIL'}  ${name} client CPU ≤ ${target}× of ${SERVERS} pg_activity: ${clientRatio.toFixed(2)}×`);
		}
	}

	const peak = Math.max(...phases.map(phase => phase.readings.get('lifeguard')!.hwmBytes));
	verdicts.push(`- ${peak <= 90 * 1024 * 1024 ? 'PASS' : 'FAIL'}  lifeguard VmHWM ≤ 90 MB: ${mb(peak)}`);
	console.log(`\nTargets (issue 11's, for the screen of issue 13):\n${verdicts.join('\n')}`);
	console.log(`The fleet's row was ${isFleetShown ? '' : 'NOT '}on lifeguard's screen; load average ${os.loadavg().map(load => load.toFixed(1)).join(' ')}.`);
});
