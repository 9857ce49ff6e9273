// What Prometheus showed before lifeguard started, told from the past points: a pool's max that
// changed (a setting, never a fleet's sum), each queue's start and peak; the log line that carries it
// read back through the log's contract and told by the timeline, whose summary's first sign it can be.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {type PastPools} from '../../source/judge/backfill.js';
import {priorChanges, priorStory} from '../../source/judge/before-start.js';
import {logTime, parseLogEvent, poolChangeEvents} from '../../source/judge/log-events.js';
import {recentChangesText} from '../../source/judge/recent-changes.js';
import {renderTimeline} from '../../source/output/timeline.js';
import {fleetPool, instance, prometheusEndpoint} from '../helpers/fleet.js';
import {baseTimeMs, poolStatus} from '../helpers/snapshots.js';

const STEP_MS = 10_000;
const startMs = baseTimeMs + (30 * STEP_MS) + 3500;
const atStep = (step: number) => baseTimeMs + (step * STEP_MS);
const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** One service pool per step: `maxAt(step)` per instance, `waitingAt(step)` on the first instance; `instancesAt` names who is there. */
function course(steps: number, maxAt: (step: number, name: string) => number, waitingAt: (step: number) => number = () => 0, instancesAt: (step: number) => string[] = () => ['a', 'b']): PastPools[] {
	return Array.from({length: steps}, (_, step) => ({
		atMs: atStep(step),
		pools: [fleetPool('checkout', instancesAt(step).map((name, index) => instance(name, maxAt(step, name), index === 0 ? waitingAt(step) : 0, maxAt(step, name))))],
	}));
}

const story = (points: PastPools[]) => priorStory([{endpoint: prometheusEndpoint, points}], startMs, 'Prometheus');

test('a max that went from 20 to 5 on every instance is one change at the first point that showed 5; the queue after it is told with its start and peak', () => {
	const waiting = (step: number) => (step >= 13 ? Math.min(150, (step - 12) * 20) : 0);
	const told = story(course(30, step => (step >= 10 ? 5 : 20), waiting))!;
	assert.deepEqual(told.changes, [{at: logTime(atStep(10)), type: 'change', subject: {kind: 'pool', name: 'checkout/HikariPool-1'}, what: 'max', from: 20, to: 5}]);
	assert.deepEqual(told.pools, [{name: 'checkout/HikariPool-1', queueSince: logTime(atStep(13)), peakWaiting: {value: 150, at: logTime(atStep(20))}}]);
	assert.equal(told.from, logTime(atStep(0)));
	// On the Changes line: marked as Prometheus', with the queue of its pool that began 30 s after it.
	const [change] = priorChanges(told);
	assert.equal(change!.findingAfterMs, atStep(13));
	assert.equal(recentChangesText([change!], startMs), 'checkout/HikariPool-1 max 20→5 3 min ago (Prometheus; finding 30 s later)');
});

test('a constant max, or instances that merely come and go (the fleet\'s sum moves), say nothing; no queue: no story', () => {
	assert.equal(story(course(30, () => 10)), null);
	// b leaves at step 10, c arrives at step 20: the sum of max goes 20 → 10 → 20, each instance's stays 10.
	const churn = course(30, () => 10, () => 0, step => (step < 10 ? ['a', 'b'] : step < 20 ? ['a'] : ['a', 'c']));
	assert.notEqual(churn[5]!.pools[0]!.max, churn[15]!.pools[0]!.max, 'the sum moved');
	assert.equal(story(churn), null);
});

test('a rolling deploy (instances disagree for a while) is one change, timed when the first instance showed the new max', () => {
	const told = story(course(30, (step, name) => (step >= 12 || (name === 'a' && step >= 8) ? 5 : 20)))!;
	assert.deepEqual(told.changes.map(change => [change.at, change.from, change.to]), [[logTime(atStep(8)), 20, 5]]);
});

test('while watching, a fleet whose instances all change their max logs the change; one that gains an instance does not', () => {
	const pool = (metrics: ReturnType<typeof fleetPool>) => poolStatus({endpointId: 'p', name: 'checkout/HikariPool-1', metrics});
	const before = [pool(fleetPool('checkout', [instance('a', 1, 0, 20), instance('b', 1, 0, 20)]))];
	const lowered = [pool(fleetPool('checkout', [instance('a', 1, 0, 5), instance('b', 1, 0, 5)]))];
	const grown = [pool(fleetPool('checkout', [instance('a', 1, 0, 20), instance('b', 1, 0, 20), instance('c', 1, 0, 20)]))];
	assert.deepEqual(poolChangeEvents(before, lowered, startMs).map(event => event.type === 'change' && event.what === 'max' ? [event.from, event.to] : null), [[20, 5]]);
	assert.deepEqual(poolChangeEvents(before, grown, startMs), []);
});

test('a queue that drained before the start has no "since"; points at or after the start are the live screen\'s', () => {
	const told = story(course(40, () => 10, step => (step >= 5 && step < 10 ? 7 : step >= 31 ? 99 : 0)))!;
	assert.deepEqual(told.pools, [{name: 'checkout/HikariPool-1', queueSince: null, peakWaiting: {value: 7, at: logTime(atStep(5))}}]);
});

test('the history line keeps the log\'s contract and opens the timeline; the summary\'s first sign is the queue Prometheus showed', () => {
	const told = story(course(30, step => (step >= 10 ? 5 : 20), step => (step >= 13 ? 150 : 0)))!;
	const queueMs = atStep(13);
	const line = JSON.stringify({at: logTime(startMs), type: 'history', ...told});
	assert.ok(parseLogEvent(line), 'a valid line');
	// A change of a kind the history does not carry, or a time that is not one, breaks the contract.
	assert.equal(parseLogEvent(JSON.stringify({at: logTime(startMs), type: 'history', ...told, changes: [{...told.changes[0], at: 'soon'}]})), null);
	assert.equal(parseLogEvent(JSON.stringify({at: logTime(startMs), type: 'history', ...told, pools: [{name: 'x', queueSince: null}]})), null);
	const level = {at: logTime(startMs + 1000), type: 'level', subject: {kind: 'pool', name: 'checkout/HikariPool-1'}, from: 'ok', to: 'critical', code: 'pool-saturated', numbers: {pools: [{name: 'checkout/HikariPool-1', active: 10, max: 10, waiting: 150}]}};
	const {markdown, json} = renderTimeline([line, JSON.stringify({at: logTime(startMs), type: 'start', target: 'postgres://x@h/db', version: '16', limits: null}), JSON.stringify(level)].join('\n'));
	const bullets = markdown.split('\n').filter(row => row.startsWith('- **'));
	assert.match(bullets.find(row => row.startsWith('- **First sign:**'))!, new RegExp(`^- \\*\\*First sign:\\*\\* ${clock(queueMs)} UTC: pool checkout/HikariPool-1 queueing \\(from Prometheus, before lifeguard started\\)$`));
	// The live peak (150 at the start) is no higher: the earlier one, Prometheus', stands.
	assert.equal(bullets.find(row => row.startsWith('- **Peak:**')), `- **Peak:** 150 waiting in pool checkout/HikariPool-1 at ${clock(queueMs)} UTC (from Prometheus, before lifeguard started)`);
	const events = bullets.filter(row => /^- \*\*\d\d:/.test(row));
	assert.equal(events[0], `- **${clock(startMs)} UTC:** Before lifeguard started (from Prometheus, since ${clock(atStep(0))} UTC): pool checkout/HikariPool-1 queueing since ${clock(queueMs)}, peak 150 waiting at ${clock(queueMs)}; pool checkout/HikariPool-1 max 20 → 5 at ${clock(atStep(10))}`);
	assert.match(events[1]!, /Started watching/);
	const summary = (JSON.parse(json) as {summary: {firstSign: {at: string; source: string}}}).summary;
	assert.deepEqual([summary.firstSign.at, summary.firstSign.source], [logTime(queueMs), 'Prometheus']);
});

test('outside text in the history line is made safe in the timeline', () => {
	const hostile = {at: logTime(startMs), type: 'history', source: 'Prometheus', from: logTime(atStep(0)), pools: [{name: 'x\u001B[2J*y*', queueSince: logTime(atStep(3)), peakWaiting: {value: 3, at: logTime(atStep(4))}}], changes: []};
	const {markdown} = renderTimeline(JSON.stringify(hostile));
	assert.doesNotMatch(markdown, /\u001B/);
	assert.match(markdown, /pool x.*\\\*y\\\* queueing since/);
});
