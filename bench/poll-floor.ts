// `npm run bench -- --poll-floor [--seconds 120]`: what a paused lifeguard cannot go below while it polls
// on. Each layer of its work once a second (poll-floor-child.ts: a bare timer, `select 1`, the snapshot
// statement, the collector, the collector plus the paused model), each in a process of its own with
// the V8 flags and environment of the bin's #! line, all at once on the same 58 busy sessions of an
// embedded PostgreSQL. Reports each process's CPU per minute from /proc. Compare with the paused
// phase of `--side-by-side`: the rest of a paused lifeguard (Ink, React, stdin) costs the difference.
import type {ChildProcess} from 'node:child_process';
import {parseArgs} from 'node:util';
import {FLOOR_MODES, shebang, startFloor} from './floor.js';
import {CLI, onCleanup, runBounded, startSessions} from './harness.js';
import {CLK_TCK, cpuTicks, sleep} from './proc.js';
import {startServer} from './server.js';

const {values} = parseArgs({options: {'poll-floor': {type: 'boolean'}, seconds: {type: 'string', default: '120'}, warmup: {type: 'string', default: '10'}}});
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);

await runBounded('poll-floor', (SECONDS + WARMUP + 300) * 1000, async () => {
	const server = await startServer({maxConnections: 100, sharedBuffers: '64MB'});
	onCleanup(server.stop);
	const sessions = await startSessions(server.url, {sessions: 58, maxSeconds: SECONDS + WARMUP + 120});
	await sessions.setMode('busy');
	const url = `postgres://postgres@127.0.0.1:${server.port}/postgres`;
	const children = new Map<string, ChildProcess>();
	for (const mode of FLOOR_MODES) {
		children.set(mode, startFloor(mode, {bin: CLI, url, password: server.password, seconds: SECONDS + WARMUP}));
	}

	console.log(`# poll floor: ${FLOOR_MODES.length} processes, one poll a second each, 58 busy sessions, ${SECONDS} s after ${WARMUP} s; #! flags: ${shebang(CLI).flags.join(' ')}`);
	await sleep(WARMUP * 1000);
	const before = new Map<string, number>();
	for (const [mode, child] of children) {
		before.set(mode, (await cpuTicks(child.pid!)) ?? Number.NaN);
	}

	await sleep(SECONDS * 1000);
	console.log('\n| process | CPU s/min |\n|---|---:|');
	for (const [mode, child] of children) {
		const ticks = ((await cpuTicks(child.pid!)) ?? Number.NaN) - before.get(mode)!;
		console.log(`| ${mode} | ${(ticks / CLK_TCK / SECONDS * 60).toFixed(3)} |`);
	}

	console.log(`\nTicks are ${1000 / CLK_TCK} ms: ±${(60 / SECONDS / CLK_TCK).toFixed(3)} s/min per process.`);
});
