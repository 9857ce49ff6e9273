// `npm run bench -- --startup [--bin PATH] [--runs 10]`: how long the bin takes to start, run as an
// operator runs it (through its #! line): `--help`, and `--db URL --json` against an embedded PostgreSQL
// on a free loopback port (to the JSON on stdout and the exit). Wall time and the process's own CPU
// (user + system, from /usr/bin/time), medians over the runs. Compare two builds with --bin.
import {spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {CLI, onCleanup, runBounded} from './harness.js';
import {startServer} from './server.js';

const {values} = parseArgs({options: {
	startup: {type: 'boolean'},
	bin: {type: 'string', default: CLI},
	runs: {type: 'string', default: '10'},
}});
const RUNS = Number(values.runs);
const TIME = '/usr/bin/time';

type Run = {wallMs: number; cpuMs: number | undefined; code: number | null; stdout: string};

async function timed(argv: readonly string[], env: NodeJS.ProcessEnv, dir: string): Promise<Run> {
	const timeFile = path.join(dir, 'time.txt');
	const hasTime = existsSync(TIME);
	const [command, ...args] = hasTime ? [TIME, '-o', timeFile, '-f', '%U %S', ...argv] : argv;
	const started = process.hrtime.bigint();
	return new Promise((resolve, reject) => {
		const child = spawn(command!, args, {env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
			stdout += chunk;
		});
		child.stderr.resume();
		const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
		child.on('error', reject);
		child.on('close', code => {
			clearTimeout(timer);
			const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
			(hasTime ? readFile(timeFile, 'utf8') : Promise.resolve('')).then(text => {
				const [user, system] = text.trim().split('\n').at(-1)!.split(' ').map(Number);
				resolve({wallMs, cpuMs: hasTime && user !== undefined && system !== undefined ? (user + system) * 1000 : undefined, code, stdout});
			}, reject);
		});
	});
}

const median = (values: readonly number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor((sorted.length - 1) / 2)]!;
};

function summary(label: string, runs: readonly Run[]) {
	const wall = runs.map(run => run.wallMs);
	const cpu = runs.map(run => run.cpuMs).filter((value): value is number => value !== undefined);
	console.log(`| ${label} | ${median(wall).toFixed(0)} ms (${Math.min(...wall).toFixed(0)}–${Math.max(...wall).toFixed(0)}) | ${cpu.length > 0 ? `${median(cpu).toFixed(0)} ms` : 'n/a'} |`);
}

await runBounded('startup', 10 * 60_000, async () => {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-bench-startup-'));
	onCleanup(async () => rm(dir, {recursive: true, force: true}));
	const server = await startServer({maxConnections: 20, sharedBuffers: '32MB'});
	onCleanup(server.stop);
	const env = {PGPASSWORD: server.password, NO_COLOR: '1'};
	const db = `postgres://postgres@127.0.0.1:${server.port}/postgres`;
	const help: Run[] = [];
	const json: Run[] = [];
	// Once each untimed: the first run of a file pays for reading it from disk.
	await timed([values.bin!, '--help'], env, dir);
	for (let i = 0; i < RUNS; i++) {
		help.push(await timed([values.bin!, '--help'], env, dir));
		const run = await timed([values.bin!, '--db', db, '--json'], env, dir);
		if (run.code !== 0 || !run.stdout.trimStart().startsWith('{')) {
			throw new Error(`${values.bin!} --json exited ${run.code ?? 'by a signal'}`);
		}

		json.push(run);
	}

	console.log(`\n## Start-up of ${values.bin!} (median of ${RUNS}, min–max; node ${process.version}; load ${os.loadavg()[0]!.toFixed(1)})\n`);
	console.log('| command | wall | CPU (user + sys) |');
	console.log('|---|---:|---:|');
	summary('--help', help);
	summary('--db URL --json', json);
});
