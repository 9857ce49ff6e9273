// `npm run bench -- --startup [--bin PATH] [--runs 10]`: how long the bin takes to start, run as an
// operator runs it (through its #! line): `--help`, and `check --db URL` and `--db URL --json` against an
// embedded PostgreSQL on a free loopback port (to the output and the exit). Wall time and the process's
// own CPU (user + system, from /usr/bin/time), medians over the runs, against issue 24's target (150 ms of
// CPU). Compare two builds with --bin.
import os from 'node:os';
import {parseArgs} from 'node:util';
import {CLI, onCleanup, runBounded} from './harness.js';
import {startServer} from './server.js';
import {type Timed, timed} from './timed.js';

const {values} = parseArgs({options: {
	startup: {type: 'boolean'},
	bin: {type: 'string', default: CLI},
	runs: {type: 'string', default: '10'},
}});
const RUNS = Number(values.runs);
/** Issue 24: `--help` and `check` within 150 ms of CPU on this machine. */
const TARGET_CPU_MS = 150;

type Run = Timed;

const median = (values: readonly number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor((sorted.length - 1) / 2)]!;
};

const cpuOf = (runs: readonly Run[]) => runs.map(run => run.cpuMs).filter((value): value is number => value !== undefined);

function summary(label: string, runs: readonly Run[]) {
	const wall = runs.map(run => run.wallMs);
	const cpu = cpuOf(runs);
	console.log(`| ${label} | ${median(wall).toFixed(0)} ms (${Math.min(...wall).toFixed(0)}–${Math.max(...wall).toFixed(0)}) | ${cpu.length > 0 ? `${median(cpu).toFixed(0)} ms (${Math.min(...cpu).toFixed(0)}–${Math.max(...cpu).toFixed(0)})` : 'n/a'} |`);
}

function verdict(label: string, runs: readonly Run[]) {
	const cpu = cpuOf(runs);
	const value = cpu.length > 0 ? median(cpu) : undefined;
	console.log(`- ${value === undefined ? 'n/a ' : value <= TARGET_CPU_MS ? 'PASS' : 'FAIL'}  ${label} ≤ ${TARGET_CPU_MS} ms of CPU (median): ${value === undefined ? `n/a (no /usr/bin/time)` : `${value.toFixed(0)} ms`}`);
}

await runBounded('startup', 10 * 60_000, async () => {
	const server = await startServer({maxConnections: 20, sharedBuffers: '32MB'});
	onCleanup(server.stop);
	const env = {PGPASSWORD: server.password, NO_COLOR: '1'};
	const db = `postgres://postgres@127.0.0.1:${server.port}/postgres`;
	const node: Run[] = [];
	const help: Run[] = [];
	const check: Run[] = [];
	const json: Run[] = [];
	// Once each untimed: the first run of a file pays for reading it from disk.
	await timed([values.bin!, '--help'], env);
	for (let i = 0; i < RUNS; i++) {
		// Node itself, the floor under any bin: on a shared machine it says how slow the CPU is today.
		node.push(await timed([process.execPath, '-e', '0'], env));
		help.push(await timed([values.bin!, '--help'], env));
		// 0 OK, 1 WARNING, 2 CRITICAL are answers; 3 (UNKNOWN) is a failure to check.
		const checked = await timed([values.bin!, 'check', '--db', db], env);
		if (checked.code === null || checked.code > 2 || !checked.stdout.startsWith('LIFEGUARD ')) {
			throw new Error(`${values.bin!} check exited ${checked.code ?? 'by a signal'}: ${checked.stdout.trim().slice(0, 200)}`);
		}

		check.push(checked);
		const run = await timed([values.bin!, '--db', db, '--json'], env);
		if (run.code !== 0 || !run.stdout.trimStart().startsWith('{')) {
			throw new Error(`${values.bin!} --json exited ${run.code ?? 'by a signal'}`);
		}

		json.push(run);
	}

	console.log(`\n## Start-up of ${values.bin!} (median of ${RUNS}, min–max; node ${process.version}; load ${os.loadavg()[0]!.toFixed(1)})\n`);
	console.log('| command | wall | CPU (user + sys) |');
	console.log('|---|---:|---:|');
	summary('`node -e 0` (Node alone)', node);
	summary('--help', help);
	summary('check --db URL', check);
	summary('--db URL --json', json);
	console.log('');
	verdict('--help', help);
	verdict('check --db URL', check);
	verdict('--db URL --json', json);
});
