import assert from 'node:assert/strict';
import {test} from 'node:test';
import {backoffMs, startPoller, type Timer} from '../../source/polling/poller.js';

/** A manual timer: nothing fires until the test advances it. */
function fakeTimer() {
	let now = 0;
	let nextId = 0;
	const pending = new Map<number, {at: number; callback: () => void}>();
	const timer: Timer = {
		setTimeout(callback, ms) {
			pending.set(++nextId, {at: now + ms, callback});
			return nextId;
		},
		clearTimeout(handle) {
			pending.delete(handle as number);
		},
	};
	return {
		timer,
		get now() {
			return now;
		},
		pendingDelays: () => [...pending.values()].map(entry => entry.at - now),
		/** Fire every timer due within `ms`, in order. */
		async advance(ms: number) {
			const end = now + ms;
			for (;;) {
				const due = [...pending.entries()].filter(([, entry]) => entry.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
				if (!due) {
					break;
				}

				pending.delete(due[0]);
				now = due[1].at;
				due[1].callback();
				await flush();
			}

			now = end;
		},
	};
}

const flush = async () => {
	for (let index = 0; index < 5; index++) {
		await Promise.resolve();
	}
};

test('backoff doubles per failure up to the ceiling', () => {
	assert.deepEqual([0, 1, 2, 3, 4, 10].map(failures => backoffMs(1000, failures, 5000)), [1000, 2000, 4000, 5000, 5000, 5000]);
	assert.equal(backoffMs(10_000, 3, 5000), 10_000);
});

test('polls never overlap: the next poll waits for the previous one to complete', async () => {
	const clock = fakeTimer();
	let running = 0;
	let maxRunning = 0;
	const releases: Array<() => void> = [];
	const poller = startPoller({
		timer: clock.timer,
		intervalMs: 100,
		async task() {
			running++;
			maxRunning = Math.max(maxRunning, running);
			await new Promise<void>(resolve => {
				releases.push(resolve);
			});
			running--;
			return 'ok';
		},
		onResult() {},
	});
	await clock.advance(0);
	assert.equal(releases.length, 1);
	await clock.advance(1000);
	poller.pollNow();
	await clock.advance(1000);
	assert.equal(releases.length, 1, 'no second poll while the first is in flight');
	releases[0]!();
	await flush();
	await clock.advance(0);
	assert.equal(releases.length, 2, 'the requested poll runs right after');
	assert.equal(maxRunning, 1);
	poller.stop();
});

test('failures back off, a success resets the interval, stop cancels the next poll', async () => {
	const clock = fakeTimer();
	const outcomes = [false, false, false, true];
	const results: boolean[] = [];
	const poller = startPoller({
		timer: clock.timer,
		intervalMs: 1000,
		maxBackoffMs: 5000,
		task: async () => outcomes.shift() ?? true,
		isFailure: ok => !ok,
		onResult(ok) {
			results.push(ok);
		},
	});
	await clock.advance(0);
	assert.deepEqual(clock.pendingDelays(), [2000]);
	await clock.advance(2000);
	assert.deepEqual(clock.pendingDelays(), [4000]);
	await clock.advance(4000);
	assert.deepEqual(clock.pendingDelays(), [5000]);
	await clock.advance(5000);
	assert.deepEqual(results, [false, false, false, true]);
	assert.deepEqual(clock.pendingDelays(), [1000]);
	poller.stop();
	assert.deepEqual(clock.pendingDelays(), []);
	assert.equal(poller.isRunning, false);
});

test('pause holds polling, resume polls at once', async () => {
	const clock = fakeTimer();
	let polls = 0;
	const poller = startPoller({timer: clock.timer, intervalMs: 1000, task: async () => ++polls, onResult() {}});
	await clock.advance(0);
	poller.pause();
	await clock.advance(10_000);
	assert.equal(polls, 1);
	poller.resume();
	await clock.advance(0);
	assert.equal(polls, 2);
	poller.stop();
});

test('firstDelayMs: a caller holding a fresh result waits one interval before the first poll', async () => {
	const clock = fakeTimer();
	let polls = 0;
	const poller = startPoller({timer: clock.timer, intervalMs: 1000, firstDelayMs: 1000, task: async () => ++polls, onResult() {}});
	assert.deepEqual(clock.pendingDelays(), [1000]);
	await clock.advance(999);
	assert.equal(polls, 0);
	await clock.advance(1);
	assert.equal(polls, 1);
	poller.stop();
});
