// lifeguard's judge as the dashboard runs it, against a real server (and a real PgBouncer console when
// given): the real collectors polled every POLL_EVERY_MS, each reading judged in turn, every picture
// kept. Stops by itself after `limitMs`.
import {createPoolCollector, type PoolCollector} from '../../../source/collectors/pools/create-collector.js';
import {createPostgresSource} from '../../../source/collectors/postgres-activity.js';
import {parsePoolSpec} from '../../../source/connection/pool-endpoint.js';
import {openMonitorClient} from '../../../source/connection/monitor-client.js';
import {resolveTarget} from '../../../source/connection/target.js';
import type {AlarmChange} from '../../../source/judge/alarms.js';
import type {Picture} from '../../../source/judge/picture.js';
import type {Finding} from '../../../source/judge/types.js';
import {emptyWatch, judgePoolReading, judgeServerReading} from '../../../source/judge/watch.js';
import {pollUntil, type TestServer} from '../postgres.js';
import {LOAD_LIMIT_MS} from './pg-clients.js';

/** The dashboard's default --interval is 1 s; twice as often gives the pooler track more chances, as a busy screen would. */
const POLL_EVERY_MS = 500;

export type Judging = {
	startedAtMs: number;
	pictures: Picture[];
	changes: AlarmChange[];
	/** Every pool-suspected finding any picture showed. */
	suspected: () => Finding[];
	/** Until a picture has a finding `predicate` picks; that finding. */
	waitForFinding: (predicate: (finding: Finding) => boolean, options: {timeoutMs: number; what: string}) => Promise<Finding>;
	/** Until the judge has watched for `ms` since it started. */
	waitFor: (ms: number) => Promise<void>;
	stop: () => Promise<void>;
};

export async function startJudging(server: TestServer, options: {pool?: string; limitMs?: number} = {}): Promise<Judging> {
	const target = resolveTarget(server.url, {HOME: '/nonexistent'});
	const source = createPostgresSource(target, await openMonitorClient(target), () => Date.now());
	let collector: PoolCollector | null = null;
	if (options.pool) {
		collector = createPoolCollector(parsePoolSpec(options.pool));
	}

	const startedAtMs = Date.now();
	const stopAtMs = startedAtMs + (options.limitMs ?? LOAD_LIMIT_MS);
	let isRunning = true;
	const pictures: Picture[] = [];
	const changes: AlarmChange[] = [];
	let watch = emptyWatch({warnRatio: 0.8, criticalRatio: 0.95, idleInTransactionSeconds: 60});
	const loop = (async () => {
		while (isRunning && Date.now() < stopAtMs) {
			const judged = judgeServerReading(watch, await source.poll(), Date.now());
			watch = judged.watch;
			changes.push(...judged.changes);
			if (collector) {
				const pooled = judgePoolReading(watch, collector.endpoint, await collector.collect(2000), Date.now());
				watch = pooled.watch;
				changes.push(...pooled.changes);
			}

			pictures.push(watch.live);
			await new Promise(resolve => {
				setTimeout(resolve, POLL_EVERY_MS);
			});
		}
	})();

	return {
		startedAtMs,
		pictures,
		changes,
		suspected: () => pictures.flatMap(picture => picture.findings.filter(finding => finding.code === 'pool-suspected')),
		waitForFinding: async (predicate, {timeoutMs, what}) => pollUntil(() => pictures.at(-1)?.findings.find(finding => predicate(finding)), {timeoutMs, everyMs: 100, what}),
		waitFor: async ms => {
			await pollUntil(() => (pictures.at(-1)?.atMs ?? 0) - startedAtMs >= ms, {timeoutMs: ms + 10_000, everyMs: 200, what: `${ms} ms of judging`});
		},
		async stop() {
			isRunning = false;
			await loop;
			await source.close();
			await collector?.close();
		},
	};
}
