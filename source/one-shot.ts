// One answer about everything, for --json, `check` and the plain summary: every server and every pool
// endpoint concurrently, the pools given at most one pool timeout. Read once, or (--sample) polled at
// the interval for a window and judged as the live screen judges, so an answer made after the window
// holds everything the screen would show then, the findings that need history included.
import type {PoolCollector} from './collectors/pools/create-collector.js';
import type {PostgresSource} from './collectors/postgres-activity.js';
import {ADVICE_SAMPLE_MS, hasUsageCounters} from './judge/advice.js';
import {placeholderPool} from './judge/pool-status.js';
import type {Thresholds} from './judge/types.js';
import {emptyWatch, judgePoolReading, judgeServerReading, type Watch} from './judge/watch.js';
import {judgedGroups} from './output/groups.js';
import type {HistoryRead, ServerShot} from './output/json.js';
import {priorChanges, priorStory} from './judge/before-start.js';
import type {PriorStory} from './judge/change-event.js';
import type {Picture} from './judge/picture.js';
import {readPast} from './prior-trend.js';
import type {PoolReading, ServerReading} from './readings/types.js';

export type {ServerShot} from './output/json.js';

/** One derivation of one observation: --json, `check` and the plain summary all print it. */
export type OneShot = Omit<ServerShot, 'name' | 'target'>;

/** A server to read once: its source, or why it could not be opened. */
export type OneShotServer = {name: string | null; target: string; role?: string; postgres: PostgresSource | null; error?: string};

/** --sample: how long to observe and how often to poll. */
export type SampleWindow = {sampleMs: number; intervalMs: number};

type CollectInput = {
	servers: readonly OneShotServer[];
	poolCollectors: readonly PoolCollector[];
	poolTimeoutMs: number;
	thresholds: Thresholds;
	now: () => number;
	/** Observe for a window instead of reading once. */
	sample?: SampleWindow | null;
	/** How the window waits between polls (tests give a fake clock's). */
	sleep?: (ms: number) => Promise<void>;
	/** `--json`: read what --prometheus's last minutes showed, beside the reads. */
	withHistory?: boolean;
};

export async function collectOnce(input: {
	postgres: PostgresSource;
	poolCollectors: readonly PoolCollector[];
	poolTimeoutMs: number;
	thresholds: Thresholds;
	now: () => number;
	role?: string;
}): Promise<OneShot> {
	const [shot] = await collectServers({...input, servers: [{name: null, target: '', role: input.role, postgres: input.postgres}]});
	return {picture: shot!.picture, error: shot!.error, groups: shot!.groups, sample: shot!.sample};
}

const realSleep = async (ms: number) => new Promise<void>(resolve => {
	setTimeout(resolve, ms);
});

/**
 * Every server and the pools, once or over the sample window; the pools are judged against the first
 * server. Polls never overlap: each starts at its tick, or at once when the last one ran late.
 */
export async function collectServers(input: CollectInput): Promise<ServerShot[]> {
	const {servers, poolCollectors} = input;
	let watches = servers.map((server, index) => emptyWatch(input.thresholds, {role: server.role, pools: index === 0 ? poolCollectors.map(collector => placeholderPool(collector.endpoint)) : []}));
	const collectPools = async () => Promise.all(poolCollectors.map(async collector => collector.collect(input.poolTimeoutMs)));
	const sleep = input.sleep ?? realSleep;
	const history = input.withHistory ? historyRead(poolCollectors, input.now(), input.poolTimeoutMs) : null;
	// One reading shows no rate: without --sample, pools that expose usage counters are read once more
	// ADVICE_SAMPLE_MS earlier, so the sizing advice has a demand to size by (the pools' own history).
	if (!input.sample && servers[0]?.postgres && poolCollectors.length > 0) {
		const early = await collectPools();
		if (early.some(reading => hasUsageCounters(reading))) {
			const earlyMs = input.now();
			watches[0] = poolCollectors.reduce((watch, collector, pool) => judgePoolReading(watch, collector.endpoint, early[pool]!, earlyMs).watch, watches[0]!);
			await sleep(ADVICE_SAMPLE_MS);
		}
	}

	let readings: ServerReading[] = [];
	const startMs = input.now();
	const endMs = startMs + (input.sample?.sampleMs ?? 0);
	let polls = 0;
	for (;;) {
		const [serverReadings, poolReadings] = await Promise.all([
			Promise.all(servers.map(async (server): Promise<ServerReading> => (server.postgres
				? server.postgres.poll()
				: {ok: false, error: server.error ?? 'not connected', isDisconnected: true}))),
			collectPools(),
		]);
		readings = serverReadings;
		polls++;
		const atMs = input.now();
		watches = watches.map((watch, index) => judged(watch, readings[index]!, index === 0 ? poolCollectors : [], poolReadings, atMs));
		if (!input.sample || atMs >= endMs) {
			break;
		}

		const nextMs = Math.min(endMs, startMs + (polls * input.sample.intervalMs));
		await sleep(Math.max(0, nextMs - input.now()));
	}

	const told = await history;
	return servers.map((server, index) => {
		const watch = watches[index]!;
		const reading = readings[index]!;
		// The pools are the first server's: so is their history, its changes among the picture's.
		const isFirst = index === 0 && told !== null;
		return {
			name: server.name,
			target: server.target,
			picture: isFirst ? withPriorChanges(watch.live, told.story) : watch.live,
			...(isFirst ? {history: told} : {}),
			error: reading.ok ? null : reading.error,
			groups: judgedGroups(watch.suspectHistory, watch.live),
			sample: input.sample ? {seconds: (input.now() - startMs) / 1000, polls} : null,
		};
	});
}

/** `--prometheus`: what its last minutes showed (the live screen's start-up read), or null without it. */
async function historyRead(collectors: readonly PoolCollector[], startMs: number, timeoutMs: number): Promise<HistoryRead | null> {
	const endpoints = collectors.map(collector => collector.endpoint);
	const read = await readPast(endpoints, startMs, {timeoutMs});
	return read && {story: priorStory(read.pasts, startMs, 'Prometheus'), ...(read.error === undefined ? {} : {error: read.error})};
}

function withPriorChanges(picture: Picture, story: PriorStory | null): Picture {
	const changes = [...priorChanges(story), ...(picture.changes ?? [])];
	return changes.length > 0 ? {...picture, changes} : picture;
}

/** The live screen's judge, one step: the server first, then the pools judged against it. */
function judged(watch: Watch, reading: ServerReading, collectors: readonly PoolCollector[], poolReadings: readonly PoolReading[], atMs: number): Watch {
	let next = judgeServerReading(watch, reading, atMs).watch;
	for (const [pool, collector] of collectors.entries()) {
		next = judgePoolReading(next, collector.endpoint, poolReadings[pool]!, atMs).watch;
	}

	return next;
}
