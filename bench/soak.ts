// `npm run soak -- --minutes N`: does lifeguard's memory stay flat for a whole shift?
// An embedded PostgreSQL on a free loopback port; sessions that churn (every second 5 end and 5 new ones
// connect with application names never seen before, and the others change state); the built bin
// (dist/cli.js) on a 160×45 pseudo-terminal at --interval 0.2. Prints its resident memory every 30 s,
// then the growth between minute 2 (minute 10 when N ≥ 60) and the end. Stops by itself after N minutes;
// the programs, the server and its directory are removed on every way out (Ctrl-C included).
import {parseArgs} from 'node:util';
import {binArgv, CLI, onCleanup, runBounded, startSessions} from './harness.js';
import {CLK_TCK, mb, sleep, treeMemory, treeTicks} from './proc.js';
import {startInPty} from './pty.js';
import {startServer} from './server.js';

const {values} = parseArgs({options: {
	minutes: {type: 'string', default: '60'},
	interval: {type: 'string', default: '0.2'},
	sessions: {type: 'string', default: '50'},
	churn: {type: 'string', default: '5'},
	columns: {type: 'string', default: '160'},
	rows: {type: 'string', default: '45'},
	// Another build to compare with (e.g. an older dist/cli.js); default: this repository's dist/cli.js.
	bin: {type: 'string', default: CLI},
	// Run the bin as `node FLAGS BIN` instead of through its #! line, to try V8 flags (e.g. '--max-semi-space-size=1 --optimize-for-size').
	'node-flags': {type: 'string'},
}});
const MINUTES = Number(values.minutes);
const SESSIONS = Number(values.sessions);
const CHURN_PER_SECOND = Number(values.churn);
const COLUMNS = Number(values.columns);
const ROWS = Number(values.rows);
if (!(MINUTES > 0 && MINUTES <= 24 * 60) || !(SESSIONS > 0) || !(CHURN_PER_SECOND >= 0) || !(COLUMNS > 0) || !(ROWS > 0)) {
	console.error('usage: npm run soak -- --minutes N (1 to 1440) [--interval 0.2] [--sessions 50] [--churn 5] [--columns 160] [--rows 45] [--bin dist/cli.js] [--node-flags FLAGS]');
	process.exit(2);
}

const median = (values: readonly number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted.length === 0 ? Number.NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
};

const PRINT_EVERY_MS = 30_000;
const SAMPLE_EVERY_MS = 5000;
/** Growth is measured from here: the caches and the heap have reached their working size by then. */
const BASELINE_MINUTE = MINUTES >= 60 ? 10 : Math.min(2, MINUTES / 2);
const TARGETS = {rssMb: 90, growthMb: 5};

await runBounded('soak', (MINUTES + 10) * 60_000, async () => {
	console.log(`# lifeguard soak: ${MINUTES} min, --interval ${values.interval}, ${SESSIONS} sessions, ${CHURN_PER_SECOND} replaced per second (unique application names), ${COLUMNS}×${ROWS} pty`);
	console.log(`started ${new Date().toISOString()}; node ${process.version}; ${binArgv(values.bin!, values['node-flags']).join(' ')}`);
	const server = await startServer({maxConnections: SESSIONS + 50, sharedBuffers: '64MB'});
	onCleanup(server.stop);
	const sessions = await startSessions(server.url, {sessions: SESSIONS, maxSeconds: MINUTES * 60 + 600, churnPerSecond: CHURN_PER_SECOND});
	await sessions.setMode('churn');

	// The password goes through the environment, never on a command line or the screen.
	const db = `postgres://postgres@127.0.0.1:${server.port}/postgres`;
	const program = await startInPty([...binArgv(values.bin!, values['node-flags']), '--db', db, '--interval', values.interval!, '--no-bell'], {columns: COLUMNS, rows: ROWS, env: {PGPASSWORD: server.password}});
	onCleanup(async () => program.stop('q'));
	console.log(`lifeguard pid ${program.pid}\n`);
	console.log('| minute | VmRSS | VmHWM | CPU s so far | terminal KiB/s |');
	console.log('|---:|---:|---:|---:|---:|');

	const started = Date.now();
	const endAt = started + MINUTES * 60_000;
	const samples: Array<{minute: number; rssBytes: number}> = [];
	let nextPrint = started + PRINT_EVERY_MS;
	let lastBytes = program.terminalBytes();
	let lastPrint = started;
	const ticks0 = await treeTicks(program.pid);
	while (Date.now() < endAt) {
		await sleep(Math.min(SAMPLE_EVERY_MS, Math.max(0, endAt - Date.now())));
		if (!program.isRunning()) {
			throw new Error(`lifeguard exited during the soak; its terminal ended with: ${JSON.stringify(program.tail().slice(-800))}`);
		}

		const now = Date.now();
		const memory = await treeMemory(program.pid);
		const minute = (now - started) / 60_000;
		samples.push({minute, rssBytes: memory.rssBytes});
		if (now >= nextPrint || Date.now() + 100 >= endAt) {
			const cpuSeconds = ((await treeTicks(program.pid)) - ticks0) / CLK_TCK;
			const bytes = program.terminalBytes();
			console.log(`| ${minute.toFixed(1)} | ${mb(memory.rssBytes)} | ${mb(memory.hwmBytes)} | ${cpuSeconds.toFixed(1)} | ${((bytes - lastBytes) / 1024 / ((now - lastPrint) / 1000)).toFixed(1)} |`);
			lastBytes = bytes;
			lastPrint = now;
			nextPrint += PRINT_EVERY_MS;
		}
	}

	const final = samples.at(-1)!;
	const baseline = samples.find(sample => sample.minute >= BASELINE_MINUTE) ?? samples[0]!;
	const peak = Math.max(...samples.map(sample => sample.rssBytes));
	// RSS is a saw-tooth (the heap fills with garbage, a major GC empties it; ±15 MB here): two single
	// samples can differ by a tooth. Growth compares medians of the samples over 2 minutes at each end.
	const span = Math.min(2, (final.minute - baseline.minute) / 2);
	const around = (from: number, to: number) => median(samples.filter(sample => sample.minute >= from && sample.minute <= to).map(sample => sample.rssBytes));
	const growth = around(final.minute - span, final.minute) - around(baseline.minute, baseline.minute + span);
	const cpuSeconds = ((await treeTicks(program.pid)) - ticks0) / CLK_TCK;
	console.log(`\n## Soak result (${MINUTES} min; ended ${new Date().toISOString()})`);
	console.log(`- VmRSS at minute ${baseline.minute.toFixed(1)}: ${mb(baseline.rssBytes)}; at the end (minute ${final.minute.toFixed(1)}): ${mb(final.rssBytes)}`);
	console.log(`- growth, median of ${span.toFixed(1)} min at each end: ${(growth / 1024 / 1024).toFixed(1)} MB (${(growth / 1024 / 1024 / Math.max(final.minute - baseline.minute, 1 / 60)).toFixed(2)} MB/min)`);
	console.log(`- peak VmRSS sampled every ${SAMPLE_EVERY_MS / 1000} s: ${mb(peak)}; client CPU ${(cpuSeconds / MINUTES).toFixed(1)} s per minute`);
	console.log(`- ${peak <= TARGETS.rssMb * 1024 * 1024 ? 'PASS' : 'FAIL'}  RSS ≤ ${TARGETS.rssMb} MB throughout: ${mb(peak)}`);
	console.log(`- ${growth <= TARGETS.growthMb * 1024 * 1024 ? 'PASS' : 'FAIL'}  growth ≤ ${TARGETS.growthMb} MB from minute ${BASELINE_MINUTE} to the end: ${(growth / 1024 / 1024).toFixed(1)} MB`);
});
