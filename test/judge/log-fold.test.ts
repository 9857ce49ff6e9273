// The incident log's ceiling (issue 19): a flapping subject and a churning label set are folded into
// `fold` lines with the count and the span, the log grows by at most 1 MiB in any minute whatever comes
// in, the operator's own events are always written, and the timeline reads the fold lines back.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {createLogFolder, FOLD_LIMITS, FOLD_SUBJECT_COUNT_CAP} from '../../source/judge/log-fold.js';
import {type LogEvent, logTime} from '../../source/judge/log-events.js';
import {poolSubject, serverSubject} from '../../source/judge/subject.js';
import {renderTimeline} from '../../source/output/timeline.js';
import {baseTimeMs} from '../helpers/snapshots.js';

type Written = {atMs: number; bytes: number; event: LogEvent};

/** The writer's part, as actions/incident-log.ts plays it: every line that reaches the file, with its time. */
function writeAll(events: ReadonlyArray<{event: LogEvent; atMs: number}>, endMs?: number): Written[] {
	const folder = createLogFolder();
	const out: Written[] = [];
	const put = (event: LogEvent, atMs: number) => out.push({atMs, bytes: Buffer.byteLength(`${JSON.stringify(event)}\n`), event});
	for (const {event, atMs} of events) {
		const {before, isWritten} = folder.admit(event, atMs, Buffer.byteLength(`${JSON.stringify(event)}\n`));
		for (const fold of before) {
			put(fold, atMs);
		}

		if (isWritten) {
			put(event, atMs);
		}
	}

	for (const fold of folder.flush(endMs ?? events.at(-1)?.atMs ?? baseTimeMs)) {
		put(fold, endMs ?? baseTimeMs);
	}

	return out;
}

/** A level line as the writer writes it; `subject`: `server` or `pool NAME`. */
function level(subject: string, to: 'ok' | 'warning' | 'critical', atMs: number, from: 'ok' | 'warning' | 'critical' = 'ok'): LogEvent {
	const pool = subject.startsWith('pool ') ? subject.slice(5) : undefined;
	return {
		at: logTime(atMs),
		type: 'level',
		subject: pool === undefined ? serverSubject : poolSubject(pool),
		from,
		to,
		...(to === 'ok' ? {} : {code: 'pool-saturated' as const, message: `Pool ${pool ?? subject} is saturated: 10/10 busy, 40 waiting, while the server has 96 free slots: raise the pool's max.`}),
		numbers: {pools: [{name: pool ?? subject, active: 10, max: 10, waiting: 40, waitsPerSecond: null, timeoutsPerMinute: null}]},
	};
}

/** 200 pools whose labels change on every scrape, at --interval 0.5: each scrape 200 appear critical and 200 clear. */
function churn(seconds: number): Array<{event: LogEvent; atMs: number}> {
	const events: Array<{event: LogEvent; atMs: number}> = [];
	for (let scrape = 0; scrape < seconds * 2; scrape++) {
		const atMs = baseTimeMs + (scrape * 500);
		for (let pool = 0; pool < 200; pool++) {
			events.push({event: level(`pool churn/p${pool}-s${scrape}`, 'critical', atMs), atMs});
			if (scrape > 0) {
				events.push({event: level(`pool churn/p${pool}-s${scrape - 1}`, 'ok', atMs, 'critical'), atMs});
			}
		}
	}

	return events;
}

const folds = (written: readonly Written[]) => written.map(({event}) => event).filter(event => event.type === 'fold');
const counted = (written: readonly Written[]) => folds(written).reduce((sum, event) => sum + event.count, 0);

/** The most bytes written within any `windowMs`. */
function peakBytes(written: readonly Written[], windowMs: number): number {
	let peak = 0;
	let sum = 0;
	let start = 0;
	for (const [index, line] of written.entries()) {
		sum += line.bytes;
		while (written[start]!.atMs <= line.atMs - windowMs) {
			sum -= written[start]!.bytes;
			start++;
		}

		peak = Math.max(peak, sum);
		assert.ok(index >= start);
	}

	return peak;
}

describe('log folding', () => {
	test('a subject that flaps: four changes written, the rest one fold line with the count, the span and where it was left', () => {
		const events = Array.from({length: 12}, (_, index) => {
			const atMs = baseTimeMs + (index * 5000);
			return {event: level('pool api', index % 2 === 0 ? 'critical' : 'ok', atMs, index % 2 === 0 ? 'ok' : 'critical'), atMs};
		});
		const written = writeAll(events, baseTimeMs + 200_000);
		assert.equal(written.filter(({event}) => event.type === 'level').length, 4);
		assert.deepEqual(folds(written).map(event => ({...event, at: undefined})), [{
			at: undefined, type: 'fold', reason: 'flapping', subject: {kind: 'pool', name: 'api'}, count: 8,
			from: logTime(baseTimeMs + 20_000), to: logTime(baseTimeMs + 55_000), last: 'ok',
			// The numbers of its last change, as a level line would carry them.
			numbers: {pools: [{name: 'api', active: 10, max: 10, waiting: 40, waitsPerSecond: null, timeoutsPerMinute: null}]},
		}]);
	});

	test('the fold line is due a span after the first change it holds, not at the end of the run', () => {
		const folder = createLogFolder();
		for (let index = 0; index < 6; index++) {
			const atMs = baseTimeMs + (index * 1000);
			folder.admit(level('server', index % 2 === 0 ? 'critical' : 'ok', atMs), atMs, 300);
		}

		assert.equal(folder.nextDueMs(), baseTimeMs + 4000 + FOLD_LIMITS.foldSpanMs);
		assert.deepEqual(folder.due(baseTimeMs + 4000 + FOLD_LIMITS.foldSpanMs - 1), []);
		const [line] = folder.due(baseTimeMs + 4000 + FOLD_LIMITS.foldSpanMs);
		assert.equal(line?.type === 'fold' && line.reason === 'flapping' ? line.count : null, 2);
		assert.equal(folder.nextDueMs(), null);
	});

	test('a label set that churns: under 1 MiB in any minute, every change accounted for, fold lines say how many', () => {
		const events = churn(180);
		const written = writeAll(events);
		const levels = written.filter(({event}) => event.type === 'level').length;
		assert.equal(levels + counted(written), events.length, 'every change written or counted');
		assert.ok(peakBytes(written, 60_000) <= 1024 * 1024, `${peakBytes(written, 60_000)} bytes in one minute`);
		const budget = folds(written).filter(event => event.reason === 'budget');
		assert.ok(budget.length >= 3, `one budget fold a minute: ${budget.length}`);
		assert.ok(budget.every(event => event.reason === 'budget' && event.subjects > 1000 && event.examples.length === 3));
		// 24,000 new pools a minute: the distinct count stops at its cap, and says so.
		assert.ok(budget.every(event => event.reason === 'budget' && event.subjects === FOLD_SUBJECT_COUNT_CAP && event.subjectsCapped === true));
		assert.match(renderTimeline(JSON.stringify(budget[0])).markdown, new RegExp(`changes of at least ${FOLD_SUBJECT_COUNT_CAP} subjects`));
		// Once over, the rest of the minute is one line, not a trickle of arbitrary survivors.
		const total = written.reduce((sum, line) => sum + line.bytes, 0);
		assert.ok(total < 1.5 * 1024 * 1024, `${total} bytes in 3 minutes`);
	});

	test('over the budget, the operator\'s events, the server\'s level and start/quit are still written', () => {
		const events = churn(5);
		const atMs = baseTimeMs + 5000;
		const mine: LogEvent[] = [
			{at: logTime(atMs), type: 'flag', note: 'pool churn is churning', numbers: {server: null, pools: []}, findings: []},
			{at: logTime(atMs), type: 'terminate', sessions: [{pid: 42, user: 'app', application: 'api', state: 'idle', outcome: 'done'}]},
			level('server', 'critical', atMs),
			{at: logTime(atMs), type: 'quit', findings: []},
		];
		const written = writeAll([...events, ...mine.map(event => ({event, atMs}))]);
		const kept = written.map(({event}) => event);
		for (const event of mine) {
			assert.ok(kept.includes(event), `${event.type} written`);
		}

		// Quit closes the log: the folds due or not come before it.
		assert.equal(kept.at(-1)?.type, 'quit');
		assert.equal(kept.at(-2)?.type, 'fold');
	});

	test('the timeline reads the fold lines back', () => {
		const flapping = Array.from({length: 8}, (_, index) => {
			const atMs = baseTimeMs + (index * 5000);
			return {event: level('pool api', index % 2 === 0 ? 'critical' : 'ok', atMs, index % 2 === 0 ? 'ok' : 'critical'), atMs};
		});
		const written = writeAll([...flapping, ...churn(3).map(({event, atMs}) => ({event, atMs: atMs + 60_000}))]);
		const {markdown} = renderTimeline(written.map(({event}) => JSON.stringify(event)).join('\n'));
		assert.match(markdown, /Pool api changed 4 more times from 12:00:20 to 12:00:35 UTC \(folded in the log\); ended ok at 12:00:35/);
		assert.match(markdown, /The log was over its budget: \d+ changes of \d+ subjects from 12:01:\d\d to 12:01:\d\d UTC counted, not written \(e\.g\. pool churn\/p\d+-s\d+, /);
		assert.doesNotMatch(markdown, /lines that were not valid/);
	});
});
