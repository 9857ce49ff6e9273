// `lifeguard record --for DURATION --out FILE`: a load test recorded headless (no terminal needed):
// every --interval the server and the pools are read and judged as the live screen judges them, and
// one JSON line of what it would show is written (report/recording.ts has the format). The file is
// new, 0600, and every line is written at once: a kill loses only the line being written.
import {closeSync, fstatSync} from 'node:fs';
import process from 'node:process';
import {setTimeout as sleep} from 'node:timers/promises';
import {maskStrings, openPrivateFile, reason, writeAll} from '../actions/incident-log.js';
import {createPoolCollector, type PoolCollector} from '../collectors/pools/create-collector.js';
import {createPostgresSource, type PostgresSource} from '../collectors/postgres-activity.js';
import {SCREEN_SESSION_ROW_CAP} from '../collectors/postgres-queries.js';
import {placeholderPool} from '../judge/pool-status.js';
import {emptyWatch, judgePoolReading, judgeServerReading, type Watch} from '../judge/watch.js';
import type {Options} from '../options.js';
import {recordingEnd, recordingHeader, recordingSample} from '../report/recording.js';
import {safeJson, safeText} from '../text/sanitize.js';
import {type Command, CommandError, READING_FLAGS} from './command.js';
import {openServers, requireAnswer} from './servers.js';

export const recordCommand: Command = {
	name: 'record',
	word: 'record',
	label: 'lifeguard record',
	usage: 'lifeguard record --for DURATION --out FILE [--db URL]',
	summary: 'record a load test headless, one JSON line per sample (for report)',
	flags: ['for', 'out', 'interval', ...READING_FLAGS],
	refuse(options) {
		if (options.recordForMs === undefined) {
			return 'record: give --for DURATION (how long: 30s, 10m, 2h)';
		}

		if (options.outFile === undefined) {
			return 'record: give --out FILE (the recording to write)';
		}

		return options.dbs.length > 1 ? '--db: record reads one server; give one --db' : null;
	},
	async run(options) {
		const file = options.outFile!;
		const fd = openRecording(file);
		let samples = 0;
		try {
			samples = await recordInto(fd, options);
		} finally {
			closeSync(fd);
		}

		process.stdout.write(`lifeguard record: ${samples} samples written to ${safeText(file)}\n`);
		return 0;
	},
};

/** A new file (or an empty one): a recording is never appended to another, nor written over one. */
function openRecording(file: string): number {
	let fd: number;
	try {
		fd = openPrivateFile(file, 'the recording');
	} catch (error) {
		throw new CommandError((error as Error).message, 2);
	}

	if (fstatSync(fd).size > 0) {
		closeSync(fd);
		throw new CommandError(`--out: ${file} already holds data; record into a new file`, 2);
	}

	return fd;
}

type Sources = {postgres: PostgresSource; poolCollectors: PoolCollector[]; target: string; password: string | undefined; role: string};

/** Header, a sample every interval until --for has passed (or SIGINT/SIGTERM), the end line. */
async function recordInto(fd: number, options: Options): Promise<number> {
	const servers = await openServers(options);
	requireAnswer(servers);
	const {target} = servers.named[0]!;
	const now = () => Date.now();
	const sources: Sources = {
		postgres: createPostgresSource(target, servers.clients[0] ?? null, now, {sessionRowCap: SCREEN_SESSION_ROW_CAP}),
		poolCollectors: options.pools.map(endpoint => createPoolCollector(endpoint)),
		target: target.display,
		password: target.password,
		role: target.user,
	};
	const stop = new AbortController();
	const onSignal = () => {
		stop.abort();
	};

	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);
	try {
		return await sampleUntil(fd, options, sources, stop.signal);
	} finally {
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
		await Promise.all([sources.postgres.close(), ...sources.poolCollectors.map(async collector => collector.close())]);
	}
}

async function sampleUntil(fd: number, options: Options, sources: Sources, stopped: AbortSignal): Promise<number> {
	const write = (value: unknown) => {
		try {
			// The last line of defence, as for the incident log: the password never reaches the file.
			writeAll(fd, `${safeJson(maskStrings(value, [sources.password]))}\n`);
		} catch (error) {
			throw new CommandError(`cannot write to the recording ${options.outFile!}: ${reason(error)}`, 1);
		}
	};

	const startedAtMs = Date.now();
	const forMs = options.recordForMs!;
	write(recordingHeader({startedAtMs, intervalMs: options.intervalMs, forMs, target: sources.target, warnRatio: options.thresholds.warnRatio, criticalRatio: options.thresholds.criticalRatio}));
	let watch: Watch = emptyWatch(options.thresholds, {role: sources.role, pools: sources.poolCollectors.map(collector => placeholderPool(collector.endpoint))});
	let samples = 0;
	// Ticks on a fixed grid from the start: a slow read delays one sample, not every later one.
	for (let tick = 0; !stopped.aborted && tick * options.intervalMs < forMs; tick++) {
		const dueMs = startedAtMs + (tick * options.intervalMs);
		await sleep(Math.max(0, dueMs - Date.now()), undefined, {signal: stopped}).catch(() => undefined);
		if (stopped.aborted) {
			break;
		}

		const [reading, poolReadings] = await Promise.all([
			sources.postgres.poll(),
			Promise.all(sources.poolCollectors.map(async collector => collector.collect(options.poolTimeoutMs))),
		]);
		const atMs = Date.now();
		// The live screen's judge: the server first, then each pool against it.
		watch = judgeServerReading(watch, reading, atMs).watch;
		for (const [index, collector] of sources.poolCollectors.entries()) {
			watch = judgePoolReading(watch, collector.endpoint, poolReadings[index]!, atMs).watch;
		}

		write(recordingSample(watch.live, reading.ok ? null : reading.error, atMs));
		samples++;
	}

	write(recordingEnd(Date.now(), samples));
	return samples;
}
