// `npm run bench -- --scale --base DIR [--backends 5000] [--polls 40] [--runs 5]`: two builds at 5000
// idle backends, interleaved (A B A B…) on one server so both see the same load: each build's own
// collector, model and 160×45 frame (its dist/ loaded side by side in this process), the server's CPU
// for each one's poll (its monitor backend's ticks in /proc), then each bin's first frame in a pty and
// `--json` to a file. DIR is another build's dist/ (e.g. main's: `git worktree add`, `npm run build`).
import {fork} from 'node:child_process';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {CLI, onCleanup, runBounded} from './harness.js';
import type {IdleReply, IdleRequest} from './idle-clients.js';
import {firstFrames} from './live-process.js';
import {checkLimits, sleep} from './proc.js';
import {startServer} from './server.js';
import {timed} from './timed.js';

const {values} = parseArgs({options: {
	scale: {type: 'boolean'},
	base: {type: 'string'},
	backends: {type: 'string', default: '5000'},
	polls: {type: 'string', default: '40'},
	runs: {type: 'string', default: '5'},
}});
const here = path.dirname(fileURLToPath(import.meta.url));
const BACKENDS = Number(values.backends);
const POLLS = Number(values.polls);
const RUNS = Number(values.runs);
const THRESHOLDS = {warnRatio: 0.8, criticalRatio: 0.95, idleInTransactionSeconds: 60};

type Build = {label: string; dist: string; wall: number[]; clientCpu: number[]; model: number[]; frame: number[]; serverTicks: number; firstFrame: number[]; firstFrameCpu: number[]; json: number[]; jsonCpu: number[]};

const cpuMs = (from: NodeJS.CpuUsage) => {
	const delta = process.cpuUsage(from);
	return (delta.user + delta.system) / 1000;
};

const nearestRank = (values: readonly number[], p: number) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

async function ticksOf(pid: number): Promise<number> {
	const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
	return Number(fields[11]) + Number(fields[12]);
}

async function openIdle(url: string, total: number): Promise<void> {
	const child = fork(path.join(here, 'idle-clients.js'), [url], {stdio: ['ignore', 'inherit', 'inherit', 'ipc']});
	onCleanup(() => {
		child.kill('SIGTERM');
	});
	const reply = await new Promise<IdleReply>(resolve => {
		child.once('message', resolve);
		child.send({type: 'open', total} satisfies IdleRequest);
	});
	if (reply.type !== 'opened') {
		throw new Error(`could not open ${total} idle connections: ${reply.type === 'failed' ? reply.error : reply.type}`);
	}

	console.log(`${reply.total} idle connections opened in ${(reply.ms / 1000).toFixed(0)} s`);
}

/** One build's live refresh, loaded from its dist/: collector, model, frame. */
async function loadRefresh(dist: string, url: string) {
	const activity = await import(path.join(dist, 'source/collectors/postgres-activity.js')) as typeof import('../source/collectors/postgres-activity.js');
	const queries = await import(path.join(dist, 'source/collectors/postgres-queries.js')) as typeof import('../source/collectors/postgres-queries.js');
	const monitor = await import(path.join(dist, 'source/connection/monitor-client.js')) as typeof import('../source/connection/monitor-client.js');
	const targets = await import(path.join(dist, 'source/connection/target.js')) as typeof import('../source/connection/target.js');
	const board = await import(path.join(dist, 'source/screen/board.js')) as typeof import('../source/screen/board.js');
	const frame = await import(path.join(dist, 'bench/frame.js')) as typeof import('./frame.js');
	const target = targets.resolveTarget(url, process.env);
	const clock = {ms: Date.UTC(2026, 0, 1)};
	const source = activity.createPostgresSource(target, await monitor.openMonitorClient(target), () => clock.ms, {sessionRowCap: queries.SCREEN_SESSION_ROW_CAP});
	onCleanup(async () => source.close());
	const screen = frame.liveFrame(160, 45);
	onCleanup(() => {
		screen.close();
	});
	let state = board.initialState(THRESHOLDS, {role: 'postgres'});
	return async (build: Build, isMeasured: boolean) => {
		clock.ms += 1000;
		const cpu0 = process.cpuUsage();
		const started = performance.now();
		const reading = await source.poll();
		const wall = performance.now() - started;
		const clientCpu = cpuMs(cpu0);
		if (!reading.ok) {
			throw new Error(`${build.label}: poll failed: ${reading.error}`);
		}

		const cpu1 = process.cpuUsage();
		state = board.reduce(state, {type: 'server-polled', reading, atMs: reading.snapshot.takenAtMs});
		const model = cpuMs(cpu1);
		const cpu2 = process.cpuUsage();
		await screen.draw({state, target: 'bench', columns: 160, rows: 45});
		if (isMeasured) {
			build.wall.push(wall);
			build.clientCpu.push(clientCpu);
			build.model.push(model);
			build.frame.push(cpuMs(cpu2));
		}

		return reading.snapshot.selfPid;
	};
}

async function refreshes(builds: Build[], url: string) {
	const steps = await Promise.all(builds.map(async build => loadRefresh(build.dist, url)));
	const pids: number[] = [];
	const ticks: number[] = [];
	for (let poll = -3; poll < POLLS; poll++) {
		for (const [index, build] of builds.entries()) {
			pids[index] = await steps[index]!(build, poll >= 0);
			if (poll === -1) {
				ticks[index] = await ticksOf(pids[index]);
			}

			await sleep(30);
		}
	}

	for (const [index, build] of builds.entries()) {
		build.serverTicks = await ticksOf(pids[index]!) - ticks[index]!;
	}
}

async function starts(builds: Build[], url: string, password: string) {
	const scratch = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-bench-scale-'));
	onCleanup(async () => rm(scratch, {recursive: true, force: true}));
	for (let run = 0; run < RUNS; run++) {
		for (const build of builds) {
			const bin = path.join(build.dist, 'cli.js');
			const [start] = await firstFrames(bin, url, {columns: 160, rows: 45, password, runs: 1});
			build.firstFrame.push(start!.wallMs);
			build.firstFrameCpu.push(start!.cpuMs);
			const json = await timed([bin, '--db', url, '--json'], {NO_COLOR: '1'}, {stdoutFile: path.join(scratch, 'snapshot.json')});
			if (json.code !== 0) {
				throw new Error(`${build.label}: --json exited ${json.code}: ${json.stderr.trim()}`);
			}

			build.json.push(json.wallMs);
			build.jsonCpu.push(json.cpuMs ?? Number.NaN);
		}
	}
}

function report(builds: readonly Build[]) {
	const median = (values: readonly number[]) => nearestRank(values, 50).toFixed(0);
	console.log('\n| build | poll ms p50 / p95 | server CPU ms per poll | client CPU ms per poll (collect / model / frame p50) | frame CPU p95 | first frame: wall, CPU (medians) | `--json`: wall, CPU (medians) |');
	console.log('|---|---:|---:|---:|---:|---:|---:|');
	for (const build of builds) {
		console.log(`| ${build.label} | ${nearestRank(build.wall, 50).toFixed(1)} / ${nearestRank(build.wall, 95).toFixed(1)} | ${(build.serverTicks * 10 / POLLS).toFixed(1)} | ${nearestRank(build.clientCpu, 50).toFixed(1)} / ${nearestRank(build.model, 50).toFixed(1)} / ${nearestRank(build.frame, 50).toFixed(1)} | ${nearestRank(build.frame, 95).toFixed(1)} | ${median(build.firstFrame)}, ${median(build.firstFrameCpu)} ms | ${median(build.json)}, ${median(build.jsonCpu)} ms |`);
	}

	console.log(`\nload ${os.loadavg().map(load => load.toFixed(1)).join(' ')}`);
}

await runBounded('scale bench', 40 * 60_000, async () => {
	if (!values.base) {
		throw new Error('--base DIR: the dist/ of the build to compare with');
	}

	await checkLimits(BACKENDS);
	const server = await startServer({maxConnections: BACKENDS + 100, sharedBuffers: '128MB'});
	onCleanup(async () => server.stop());
	process.env['PGPASSWORD'] = server.password;
	const url = `postgres://postgres@127.0.0.1:${server.port}/postgres`;
	console.log(`# scale bench: ${BACKENDS} idle backends, ${POLLS} polls and ${RUNS} starts per build, interleaved; load ${os.loadavg().map(load => load.toFixed(1)).join(' ')}`);
	await openIdle(url, BACKENDS);
	const builds: Build[] = [path.resolve(values.base), path.dirname(CLI)].map((dist, index) => ({label: index === 0 ? `base (${dist})` : 'this build', dist, wall: [], clientCpu: [], model: [], frame: [], serverTicks: 0, firstFrame: [], firstFrameCpu: [], json: [], jsonCpu: []}));
	await refreshes(builds, url);
	await starts(builds, url, server.password);
	report(builds);
});
