// Issue 22, item 2: the server's configuration reloaded or the server restarted while watching is a
// `change` line in the log (from the snapshot's pg_conf_load_time and pg_postmaster_start_time), one
// line of the timeline with its time, and a note on the screen's Changes line until it is old.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {type LogEvent, logTime, parseLogEvent} from '../../source/judge/log-events.js';
import {noteChanges, RECENT_CHANGES_MS, recentChangesText} from '../../source/judge/recent-changes.js';
import {emptyWatch, judgeServerReading, type Watch} from '../../source/judge/watch.js';
import {renderTimeline} from '../../source/output/timeline.js';
import {baseTimeMs, defaultThresholds, serverSnapshot} from '../helpers/snapshots.js';

const startedMs = baseTimeMs - 3_600_000;
const at = (second: number) => baseTimeMs + (second * 1000);

/** Snapshots in turn through the judge (`isReconnected` where asked): the watch and every log line. */
function judged(snapshots: ReadonlyArray<[number, Parameters<typeof serverSnapshot>[0], boolean?]>): {watch: Watch; log: LogEvent[]} {
	let watch: Watch = emptyWatch(defaultThresholds);
	const log: LogEvent[] = [];
	for (const [second, overrides, isReconnected = false] of snapshots) {
		const snapshot = serverSnapshot({takenAtMs: at(second), startedMs, confLoadedMs: startedMs, pendingRestart: [], ...overrides});
		const step = judgeServerReading(watch, {ok: true, snapshot, isReconnected}, at(second));
		watch = step.watch;
		log.push(...step.log);
	}

	return {watch, log};
}

const changes = (log: readonly LogEvent[]) => log.filter(event => event.type === 'change');
const bullets = (log: readonly LogEvent[]) => renderTimeline(log.map(event => JSON.stringify(event)).join('\n')).markdown.split('\n').filter(line => line.startsWith('- **1'));

describe('the server\'s configuration reloaded or the server restarted while watching', () => {
	it('a reload: one change line with the server\'s load time and the settings pending a restart; none while it stays', () => {
		const {log} = judged([[0, {}], [1, {}], [2, {confLoadedMs: at(1.5), pendingRestart: ['shared_buffers']}], [3, {confLoadedMs: at(1.5), pendingRestart: ['shared_buffers']}]]);
		assert.deepEqual(changes(log), [{at: logTime(at(2)), type: 'change', subject: {kind: 'server'}, what: 'reload', loadedAt: logTime(at(1.5)), pendingRestart: ['shared_buffers']}]);
		assert.deepEqual(bullets(log), ['- **12:00:02 UTC:** Server configuration reloaded at 12:00:01 UTC (setting pending a restart: shared_buffers)']);
	});

	it('a restart: one restart line, not a reload besides; a reconnect to the same server reads an earlier load time and says nothing', () => {
		const restarted = judged([[0, {confLoadedMs: at(-10)}], [5, {startedMs: at(4), confLoadedMs: at(4)}, true]]);
		assert.deepEqual(changes(restarted.log).map(event => event.type === 'change' && event.what), ['restart']);
		assert.match(bullets(restarted.log).find(line => /restarted/.test(line))!, /^- \*\*12:00:05 UTC:\*\* Server restarted at 12:00:04 UTC \(previous start 11:00:00\)$/);
		// The old backend loaded the configuration after the postmaster did: a new backend reads the postmaster's time.
		const reconnected = judged([[0, {confLoadedMs: at(-10)}], [5, {confLoadedMs: at(-10.2)}, true]]);
		assert.deepEqual(changes(reconnected.log), []);
	});

	it('the Changes line: newest first, how long before the first finding, gone after its minutes', () => {
		const {watch} = judged([[0, {}], [60, {confLoadedMs: at(59)}], [80, {connections: 95, states: {active: 5, idle: 90}}], [200, {connections: 95, states: {active: 5, idle: 90}}]]);
		assert.equal(recentChangesText(watch.live.changes ?? [], watch.live.atMs), 'config reloaded 2 min ago (finding 20 s later)');
		assert.deepEqual(noteChanges(watch.live.changes ?? [], [], [], at(60) + RECENT_CHANGES_MS + 1), []);
	});
});

describe('the log\'s contract for change lines', () => {
	const line = (fields: Record<string, unknown>) => JSON.stringify({at: logTime(at(0)), type: 'change', subject: {kind: 'server'}, ...fields});
	it('reads a reload, a restart, an old max line and another setting\'s numbers; refuses a reload without its time', () => {
		assert.ok(parseLogEvent(line({what: 'reload', loadedAt: logTime(at(0))})));
		assert.ok(parseLogEvent(line({what: 'restart', from: logTime(at(-9)), to: logTime(at(0))})));
		assert.ok(parseLogEvent(line({subject: {kind: 'pool', name: 'api'}, what: 'max', from: 20, to: 5})));
		assert.ok(parseLogEvent(line({what: 'pool_size', from: 20, to: 5})));
		assert.equal(parseLogEvent(line({what: 'reload'})), null);
		assert.equal(parseLogEvent(line({what: 'reload', loadedAt: logTime(at(0)), pendingRestart: [1]})), null);
		assert.equal(parseLogEvent(line({what: 'restart', from: 1, to: 2})), null);
	});

	it('many pending settings: the first five and a count', () => {
		const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
		const event = {at: logTime(at(0)), type: 'change', subject: {kind: 'server'}, what: 'reload', loadedAt: logTime(at(0)), pendingRestart: names} as LogEvent;
		assert.match(bullets([event])[0]!, /\(settings pending a restart: a, b, c, d, e and 2 more\)$/);
	});
});
