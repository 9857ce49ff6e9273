#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=131072 MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=1 --heap-growing-percent=20 --no-memory-reducer --single-threaded
// (A 1 MB young generation: a dashboard allocates little per frame, and the default 16 MB costs
// ~30 MB of resident memory for nothing. The old generation grows 20 % past what survived the last
// collection instead of up to 4×: 150 -> 100 MB at --interval 0.2. No memory reducer: its idle-time
// collections cost a paused screen 0.24 instead of 0.14 s CPU a minute. Two malloc arenas (glibc), not
// one per thread: 6 MB less; freed malloc memory above 128 kB goes back to the system instead of
// staying as the heap's high-water mark (compiler zones: [heap] 15 -> 9 MB). V8 single-threaded: its
// collector and compiler run on the main thread, which holds 3-5 MB less, for no more CPU on a screen
// this small. Measured in bench/README.md.)
// Composition root: flags -> options -> collectors -> render or print -> close connections.
import './source/runtime-env.js';
import process from 'node:process';
import {createReadStream} from 'node:fs';
import {once} from 'node:events';
import meow from 'meow';
import {createPoolCollector} from './source/collectors/pools/create-collector.js';
import {createPostgresSource} from './source/collectors/postgres-activity.js';
import {SCREEN_SESSION_ROW_CAP} from './source/collectors/postgres-queries.js';
import {describeConnectionError} from './source/connection/describe-error.js';
import {maskText} from './source/connection/mask.js';
import {openMonitorClient} from './source/connection/monitor-client.js';
import {type NamedTarget, resolveTargets, TargetError} from './source/connection/target.js';
import {exitProcess, flushOutput, guardOutput} from './source/hang-up.js';
import {keysHelpText} from './source/keys/bindings.js';
import {collectServers, type ServerShot} from './source/one-shot.js';
import {OptionsError, parseCommandLine, type Options} from './source/options.js';
import {formatCheck, formatServersCheck} from './source/output/check.js';
import {serversJson, snapshotJson} from './source/output/json.js';
import {plainSummary} from './source/output/summary.js';
import {streamTimeline} from './source/output/timeline-stream.js';
import {safeJson, safeText} from './source/text/sanitize.js';
import {watch, WatchError} from './source/watch.js';

// meow only answers --help and --version; the flags are read and checked by options.ts.
meow(`
	Usage
	  $ lifeguard [--db URL] [options]      live dashboard (--db NAME=URL, repeated: several servers)
	  $ lifeguard check [--db URL]          one line for Nagios/Icinga/cron; exit 0/1/2/3
	  $ lifeguard doctor [--db URL]         review the configuration; exit 0/1/2/3
	  $ lifeguard timeline FILE             an incident log (--log) as a Markdown timeline
	  $ lifeguard demo [--scenario NAME]    the incident, reproduced on an embedded PostgreSQL
	  $ lifeguard demo --doctor             doctor on the demo scenario's server and pool

	Target: --db URL, else DATABASE_URL, else PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD,
	PGSSLMODE, PGAPPNAME, PGCONNECT_TIMEOUT and ~/.pgpass, as psql reads them.

	Options
	  --db [NAME=]URL                 postgres://user@host:5432/db (the password is never shown);
	                                  repeat for several servers: --db primary=… --db replica=…
	                                  (the pools are judged against the first)
	  --pool [NAME=]URL               a pool endpoint, repeatable: http(s)://, prom+http(s)://,
	                                  json+http(s)://, pgbouncer://user:pass@host:6432/pgbouncer
	                                  (also LIFEGUARD_POOLS, space-separated)
	  --prometheus [NAME=]URL         a fleet's pools through a Prometheus API, repeatable (also
	                                  LIFEGUARD_PROMETHEUS); basic auth in the URL, or a bearer
	                                  token in LIFEGUARD_PROMETHEUS_TOKEN_<NAME> (or in
	                                  LIFEGUARD_PROMETHEUS_TOKEN for the one endpoint without
	                                  credentials of its own)
	  --prometheus-selector '{...}'   label matchers added to every query: '{namespace="shop"}'
	  --interval SECONDS              refresh interval, 0.2 to 60 (default 1)
	  --pool-timeout SECONDS          per-endpoint timeout (default 2)
	  --warn PERCENT                  warning level of used/usable and pool active/max (default 80)
	  --critical PERCENT              critical level (default 95)
	  --idle-after DURATION           what \`i\` marks: idle at least this long (default 5m)
	  --idle-in-transaction-after D   idle-in-transaction finding threshold (default 60s)
	  --read-only                     disable terminate and cancel
	  --log FILE                      live screen: append an incident log (JSON Lines, new file 0600)
	  --no-bell                       no terminal bell when something turns critical
	  --json                          print one snapshot as JSON and exit (doctor: the report)
	  --markdown                      doctor: the report as Markdown, for a postmortem or a ticket
	  --scenario NAME                 demo: pool-too-small, server-full, idle-in-transaction, lock-contention
	  --no-endpoint                   demo: the application does not publish its pool (find it anyway)

	Keys: ${keysHelpText()}.
`, {
	importMeta: import.meta,
	allowUnknownFlags: true,
});

function fail(message: string, exitCode: number): never {
	// One printable line, whatever the message quotes.
	console.error(`lifeguard: ${safeText(message)}`);
	return exitProcess(exitCode);
}

async function main(options: Options): Promise<number> {
	if (options.command === 'timeline') {
		return printTimeline(options.timelineFile!);
	}

	if (options.command === 'demo') {
		const {runDemo} = await import('./source/demo/run-demo.js');
		return runDemo(options);
	}

	if (options.logFile !== undefined && !(process.stdout.isTTY && process.stdin.isTTY)) {
		// options.ts refuses --log with --json, check and doctor; here the plain summary would ignore it.
		return fail('--log: only the live screen keeps an incident log, and it needs a terminal; without one lifeguard prints one summary', 2);
	}

	let named: NamedTarget[];
	try {
		named = resolveTargets(options.dbs, process.env);
	} catch (error) {
		return fail((error as Error).message, error instanceof TargetError ? 2 : 1);
	}

	const isCheck = options.command === 'check';
	const isDoctor = options.command === 'doctor';
	const isSeveral = named.length > 1;
	// Every server's one connection, opened at once; one that is down among several is shown as down.
	const opened = await Promise.allSettled(named.map(async ({target}) =>
		// doctor judges the server's own timeouts: no session settings of lifeguard's in the way.
		openMonitorClient(target, {isServerDefaults: isDoctor})));
	const reasons = opened.map((result, index) => (result.status === 'rejected' ? describeConnectionError(result.reason, named[index]!.target) : null));
	if (!isSeveral && reasons[0]) {
		if (isCheck) {
			process.stdout.write(`LIFEGUARD UNKNOWN - ${reasons[0]}\n`);
			return 3;
		}

		return fail(reasons[0], isDoctor ? 3 : 1);
	}

	const clients = opened.map(result => (result.status === 'fulfilled' ? result.value : null));
	// `check` reports even this (UNKNOWN, naming each); every other output needs one server's data.
	if (!isCheck && reasons.every(Boolean)) {
		return fail(noServerAnswered(named.map(({name}, index) => ({name, error: reasons[index] ?? null}))), 1);
	}

	if (isDoctor) {
		const {runDoctorCommand} = await import('./source/doctor/command.js');
		return runDoctorCommand(options, named[0]!.target, clients[0]!);
	}

	const now = () => Date.now();
	const isInteractive = !options.isJson && !isCheck && process.stdout.isTTY && process.stdin.isTTY;

	// The screen shows a few dozen rows: it ships fewer than --json does.
	const sources = named.map(({target}, index) => createPostgresSource(target, clients[index] ?? null, now, isInteractive ? {sessionRowCap: SCREEN_SESSION_ROW_CAP} : {}));
	const poolCollectors = options.pools.map(endpoint => createPoolCollector(endpoint));
	const closeAll = async () => {
		await Promise.all([...sources.map(async source => source.close()), ...poolCollectors.map(async collector => collector.close())]);
	};

	try {
		if (!isInteractive) {
			const shots = await collectServers({
				servers: named.map(({name, target}, index) => ({name, target: target.display, role: target.user, postgres: clients[index] ? sources[index]! : null, error: reasons[index] ?? undefined})),
				poolCollectors,
				poolTimeoutMs: options.poolTimeoutMs,
				thresholds: options.thresholds,
				now,
			});
			return printShots(options, shots);
		}

		return await watch(options, {
			servers: named.map(({name, target}, index) => ({name, target: target.display, password: target.password, role: target.user, postgres: sources[index]!, startError: reasons[index] ?? undefined})),
			poolCollectors,
		});
	} finally {
		await closeAll();
	}
}

/** --json, `check` or the plain summary of one reading of every server. */
function printShots(options: Options, shots: readonly ServerShot[]): number {
	const {thresholds} = options;
	if (options.command === 'check') {
		const result = shots.length === 1
			? formatCheck({picture: shots[0]!.picture, thresholds, error: shots[0]!.error ?? undefined})
			: formatServersCheck(shots.map(shot => ({name: shot.name!, picture: shot.picture, thresholds, error: shot.error ?? undefined})));
		process.stdout.write(`${result.line}\n`);
		return result.exitCode;
	}

	const first = shots[0]!;
	if (shots.length === 1) {
		if (!first.picture.server) {
			return fail(first.error ?? 'no data', 1);
		}

		process.stdout.write(options.isJson
			? `${safeJson(snapshotJson({target: first.target, picture: first.picture}), 2)}\n`
			: `${plainSummary(first.target, first.picture)}\n`);
		return 0;
	}

	if (shots.every(shot => !shot.picture.server)) {
		return fail(noServerAnswered(shots), 1);
	}

	process.stdout.write(options.isJson
		? `${safeJson(serversJson(shots), 2)}\n`
		: `${shots.map(shot => (shot.picture.server ? plainSummary(`${shot.name}: ${shot.target}`, shot.picture) : `lifeguard ${shot.name}: ${shot.target}\n${shot.error ?? 'no data'}`)).join('\n\n')}\n`);
	// Some data is better than none, but a script must know a server was not read.
	return shots.every(shot => shot.picture.server) ? 0 : 1;
}

function noServerAnswered(servers: ReadonlyArray<{name: string | null; error: string | null}>): string {
	return `no server answered: ${servers.map(({name, error}) => `${name}: ${error ?? 'no data'}`).join('; ')}`;
}

/** Stream the log through the timeline: memory grows neither with the file nor with its lines. */
async function printTimeline(file: string): Promise<number> {
	try {
		await streamTimeline(createReadStream(file), async text => {
			if (!process.stdout.write(text)) {
				await once(process.stdout, 'drain');
			}
		});
	} catch (error) {
		return fail(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 1);
	}

	return 0;
}

let options: Options;
try {
	options = parseCommandLine(process.argv.slice(2), process.env);
} catch (error) {
	fail(error instanceof OptionsError ? error.message : String(error), 2);
}

// A reader that stops reading (`| head -c1`) or a terminal that went away is no error of ours.
guardOutput();

for (const warning of options.warnings) {
	// Once, before the screen: it stays in the terminal's scrollback above the first frame.
	console.error(`lifeguard: warning: ${safeText(warning)}`);
}

process.on('uncaughtException', error => {
	// Never a stack trace on the operator's screen; the message is masked like everything else.
	fail(maskText(error.message), 1);
});

process.exitCode = await main(options).catch((error: Error) => fail(maskText(error.message), error instanceof WatchError ? error.exitCode : 1));
// What was printed reaches a slow reader whole; sockets of slow endpoints may linger, the work is done.
await flushOutput();
exitProcess();
