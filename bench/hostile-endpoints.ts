// `npm run bench -- --hostile [--bin PATH] [--seconds 30]`: what a hostile pool endpoint costs lifeguard
// in resident memory (issue 19). Endpoints on loopback: a Prometheus API answering 100,000 series to
// every family query (~19 MB each), one whose answers stay just under lifeguard's caps (the most it
// parses in a refresh: two answers of 4 MiB), and a PgBouncer console streaming 1 MB rows to every command.
// The built bin (through its #! line) reads them with a real PostgreSQL: one-shot `--json` (VmHWM
// sampled from /proc every 5 ms until it exits; test/cli/hostile-memory.test.ts asserts the same in the
// suite, for a few seconds) and the live screen on a 120×40 pty for `--seconds`
// (VmHWM at the end), each against the 200 MB target; live, the server part must keep refreshing (the
// query_start of lifeguard's backend in pg_stat_activity moves on every poll). A baseline without
// pools is run the same way. Compare builds with --bin (e.g. one built before the caps).
import {spawn} from 'node:child_process';
import os from 'node:os';
import {parseArgs} from 'node:util';
import pg from 'pg';
import {hikariVector, startFakeConsole, startPrometheusApi} from '../test/helpers/hostile-endpoints.js';
import {watchPeakRss} from '../test/helpers/peak-memory.js';
import {binArgv, CLI, onCleanup, runBounded} from './harness.js';
import {mb, memory, sleep} from './proc.js';
import {startInPty} from './pty.js';
import {startServer} from './server.js';

const {values} = parseArgs({options: {
	hostile: {type: 'boolean'},
	bin: {type: 'string', default: CLI},
	'node-flags': {type: 'string'},
	seconds: {type: 'string', default: '30'},
}});
const SECONDS = Number(values.seconds);
const TARGET_BYTES = 200 * 1024 * 1024;
const argv = binArgv(values.bin!, values['node-flags']);

type Result = {name: string; hwmBytes: number; note: string};
const results: Result[] = [];

/** Run to its exit, sampling VmHWM (a high-water mark: the last sample holds the peak so far). */
async function oneShot(name: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
	const child = spawn(argv[0]!, [...argv.slice(1), ...args], {env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
		stdout += chunk;
	});
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
		stderr += chunk;
	});
	let isRunning = true;
	const exited = new Promise<number | null>(resolve => {
		child.on('close', code => {
			isRunning = false;
			resolve(code);
		});
	});
	const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
	const hwmBytes = await watchPeakRss(child.pid!, () => isRunning);
	clearTimeout(killer);
	const code = await exited;
	const pools = (() => {
		try {
			return (JSON.parse(stdout) as {pools: Array<{name: string; error: string | null}>}).pools.map(pool => `${pool.name}: ${pool.error ?? 'ok'}`).join('; ');
		} catch {
			return `no JSON (exit ${String(code)}): ${stderr.trim().slice(0, 200)}`;
		}
	})();
	results.push({name, hwmBytes, note: `exit ${String(code)}; ${pools || 'no pools'}`});
}

/** The live screen for SECONDS after a 5 s warm-up: VmHWM, and whether the server part kept refreshing. */
async function live(name: string, args: readonly string[], env: NodeJS.ProcessEnv, admin: pg.Client, reason: RegExp | null): Promise<void> {
	const program = await startInPty([...argv, ...args, '--interval', '1', '--no-bell'], {columns: 120, rows: 40, env});
	onCleanup(async () => program.stop('q'));
	const isReasonShown = reason === null ? () => true : program.watchFor(reason);
	await sleep(5000);
	const polls = new Set<string>();
	const until = Date.now() + SECONDS * 1000;
	while (Date.now() < until && program.isRunning()) {
		const {rows} = await admin.query<{at: string}>('select query_start::text as at from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()', ['lifeguard']);
		for (const row of rows) {
			polls.add(row.at);
		}

		await sleep(250);
	}

	const reading = await memory(program.pid);
	await program.stop('q');
	results.push({name, hwmBytes: reading?.hwmBytes ?? Number.NaN, note: `server polls seen in ${SECONDS} s: ${polls.size}${reason === null ? '' : `; the row's reason on screen: ${isReasonShown() ? 'yes' : 'NO'}`}; VmRSS at the end ${reading ? mb(reading.rssBytes) : 'n/a'}`});
}

await runBounded('hostile-endpoints', 20 * 60_000, async () => {
	const server = await startServer({maxConnections: 20, sharedBuffers: '32MB'});
	onCleanup(server.stop);
	const env = {PGPASSWORD: server.password, NO_COLOR: '1'};
	const db = `postgres://postgres@127.0.0.1:${server.port}/postgres`;
	const flood = Buffer.from(hikariVector(20_000)); // 5 series per instance: 100,000 series
	const prometheus = await startPrometheusApi(() => flood);
	onCleanup(prometheus.stop);
	// The most a refresh parses: two families just under 4 MiB each, together just under 8 MiB.
	const underCap = (service: string) => {
		let instances = 4000;
		while (hikariVector(instances + 100, {service}).length < 4 * 1024 * 1024 - 16 * 1024) {
			instances += 100;
		}

		return Buffer.from(hikariVector(instances, {service}));
	};

	const bodies = new Map(['hikaricp_connections_max', 'pg_pool_max'].map(name => [name, underCap(name.split('_')[0]!)]));
	const empty = '{"status":"success","data":{"resultType":"vector","result":[]}}';
	const full = await startPrometheusApi(query => [...bodies].find(([name]) => query.includes(name))?.[1] ?? empty);
	onCleanup(full.stop);
	const bouncer = await startFakeConsole({rowBytes: 1024 * 1024, maxSeconds: 60});
	onCleanup(bouncer.stop);
	const admin = new pg.Client({connectionString: server.url, application_name: 'lifeguard-bench-admin'});
	await admin.connect();
	onCleanup(async () => admin.end());
	const withPrometheus = ['--db', db, '--prometheus', `flood=${prometheus.url}`, '--pool-timeout', '10'];
	const withFull = ['--db', db, '--prometheus', `full=${full.url}`, '--pool-timeout', '10'];
	const withConsole = ['--db', db, '--pool', `bouncer=pgbouncer://stats:pw@127.0.0.1:${bouncer.port}/pgbouncer`, '--pool-timeout', '10'];

	await oneShot('--json, no pools (baseline)', ['--db', db, '--json'], env);
	await oneShot('--json --pool-timeout 10, Prometheus answering 100k series per family', [...withPrometheus, '--json'], env);
	await oneShot('--json --pool-timeout 10, console streaming 1 MB rows', [...withConsole, '--json'], env);
	await oneShot('--json --pool-timeout 10, Prometheus just under the caps (2 × 4 MiB)', [...withFull, '--json'], env);
	await live('live, no pools (baseline)', ['--db', db], env, admin, null);
	await live('live --pool-timeout 10, Prometheus answering 100k series per family', withPrometheus, env, admin, /answers? over (4|8) MiB/);
	await live('live --pool-timeout 10, console streaming 1 MB rows', withConsole, env, admin, /answer over 4 MiB; connection closed/);
	await live('live --pool-timeout 10, Prometheus just under the caps (2 × 4 MiB)', withFull, env, admin, null);

	console.log(`\n## Hostile endpoints: ${values.bin!} (node ${process.version}; load ${os.loadavg()[0]!.toFixed(1)}; live ${SECONDS} s at 120×40, --interval 1)\n`);
	console.log('| run | peak RSS (VmHWM) | ≤ 200 MB | notes |');
	console.log('|---|---:|:---:|---|');
	for (const result of results) {
		console.log(`| ${result.name} | ${mb(result.hwmBytes)} | ${result.hwmBytes <= TARGET_BYTES ? 'PASS' : 'FAIL'} | ${result.note.replaceAll('|', '/')} |`);
	}
});
