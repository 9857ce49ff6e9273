// Issue 22, item 2 (its first piece): a pool's max that changed while watching is a `change` line in
// the log, held by the log's ceiling like a level change, and a line of the timeline (steps seconds
// apart as one); the first change after the first sign is the summary's fix.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {createLogFolder} from '../../source/judge/log-fold.js';
import {type LogEvent, logTime} from '../../source/judge/log-events.js';
import {emptyWatch, judgePoolReading, type Watch} from '../../source/judge/watch.js';
import {renderTimeline} from '../../source/output/timeline.js';
import type {PoolEndpoint, PoolMetrics, PoolReading} from '../../source/readings/types.js';
import {baseTimeMs, defaultThresholds, exposedPool} from '../helpers/snapshots.js';

const endpoint: PoolEndpoint = {id: 'endpoint-api', name: 'api', url: 'http://127.0.0.1:9/pool.json', maskedUrl: 'http://127.0.0.1:9/pool.json', kind: 'http', forcedFormat: 'json'};
const good = (metrics: Partial<PoolMetrics>): PoolReading => ({ok: true, format: 'json', pools: [exposedPool({label: null, ...metrics})]});

/** The readings in turn through the judge: every log line it wrote. */
function judged(readings: ReadonlyArray<[number, PoolReading]>): LogEvent[] {
	let watch: Watch = emptyWatch(defaultThresholds);
	const log: LogEvent[] = [];
	for (const [second, reading] of readings) {
		const step = judgePoolReading(watch, endpoint, reading, baseTimeMs + second * 1000);
		watch = step.watch;
		log.push(...step.log);
	}

	return log;
}

const changes = (log: readonly LogEvent[]) => log.filter(event => event.type === 'change');

describe('a pool\'s max that changed while watching', () => {
	it('20 → 5: one change line with its time, none while it stays, none from a failed poll or a fleet\'s sum', () => {
		const log = judged([
			[0, good({max: 20, active: 4, idle: 16, waiting: 0})],
			[1, good({max: 20, active: 5, idle: 15, waiting: 0})],
			[2, {ok: false, error: 'connection refused'}],
			[3, good({max: 5, active: 5, idle: 0, waiting: 30})],
			[4, good({max: 5, active: 5, idle: 0, waiting: 60})],
		]);
		assert.deepEqual(changes(log), [{at: logTime(baseTimeMs + 3000), type: 'change', subject: {kind: 'pool', name: 'api'}, what: 'max', from: 20, to: 5}]);
		const fleet = {instances: 2, atMax: 0, maxPerInstance: 10, service: 'api', pool: null, members: []} as unknown as PoolMetrics['fleet'];
		assert.deepEqual(changes(judged([[0, good({max: 20, fleet})], [1, good({max: 30, fleet})]])), [], 'an instance more is no setting changed');
	});

	it('in the timeline: its own line, before the level it caused', () => {
		const log = judged([
			[0, good({max: 20, active: 4, idle: 16, waiting: 0})],
			[60, good({max: 5, active: 5, idle: 0, waiting: 30})],
			[61, good({max: 5, active: 5, idle: 0, waiting: 60})],
		]);
		const bullets = renderTimeline(log.map(event => JSON.stringify(event)).join('\n')).markdown.split('\n').filter(line => /^- \*\*\d\d:/.test(line));
		assert.match(bullets[0]!, /^- \*\*12:01:00 UTC:\*\* Pool api max 20 → 5$/);
		assert.match(bullets[1]!, /^- \*\*12:01:0\d UTC:\*\* Pool api went from ok to critical/);
	});

	it('+ pressed four times: one line of four steps; the first is the summary\'s fix', () => {
		const readings: Array<[number, PoolReading]> = [[0, good({max: 5, active: 5, idle: 0, waiting: 150})], [1, good({max: 5, active: 5, idle: 0, waiting: 150})]];
		for (const [index, max] of [10, 15, 20, 25].entries()) {
			readings.push([30 + index, good({max, active: max, idle: 0, waiting: 150 - (index * 40)})]);
		}

		readings.push([60, good({max: 25, active: 12, idle: 13, waiting: 0})], [61, good({max: 25, active: 12, idle: 13, waiting: 0})], [62, good({max: 25, active: 12, idle: 13, waiting: 0})]);
		const {markdown} = renderTimeline(judged(readings).map(event => JSON.stringify(event)).join('\n'));
		assert.match(markdown, /^- \*\*12:00:30 UTC:\*\* Pool api max 5 → 25 in 4 steps from 12:00:30 to 12:00:33 UTC$/m);
		assert.match(markdown, /^- \*\*Fix:\*\* 12:00:30 UTC: Pool api max 5 → 10; then 3 more actions or changes before the clear$/m);
		assert.match(markdown, /^- \*\*Recovered:\*\* 12:01:0\d UTC, 1 min \d+ s after the first sign \(3\d s after the fix\); everything ok$/m);
	});

	it('a max that flaps is held by the log\'s ceiling: four written, the rest one fold line the timeline reads', () => {
		const folder = createLogFolder();
		const written: LogEvent[] = [];
		for (let index = 0; index < 10; index++) {
			const atMs = baseTimeMs + index * 1000;
			const event: LogEvent = {at: logTime(atMs), type: 'change', subject: {kind: 'pool', name: 'api'}, what: 'max', from: index % 2 ? 10 : 5, to: index % 2 ? 5 : 10};
			const {before, isWritten} = folder.admit(event, atMs, JSON.stringify(event).length + 1);
			written.push(...before, ...(isWritten ? [event] : []));
		}

		written.push(...folder.flush(baseTimeMs + 10_000));
		assert.equal(changes(written).length, 4);
		const fold = written.find(event => event.type === 'fold' && event.reason === 'flapping');
		assert.deepEqual(fold?.type === 'fold' && fold.reason === 'flapping' ? {subject: fold.subject, count: fold.count, last: fold.last} : null, {subject: 'pool api max', count: 6, last: '5'});
		const {markdown} = renderTimeline(written.map(event => JSON.stringify(event)).join('\n'));
		assert.match(markdown, /Pool api max 5 → 5 in 4 steps from 12:00:00 to 12:00:03 UTC/);
		assert.match(markdown, /pool api max changed 6 more times from 12:00:04 to 12:00:09 UTC \(folded in the log\); ended 5 at 12:00:09/);
	});
});
