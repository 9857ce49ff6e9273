// One deadline per poll: the work's own result in time, the timeout at the deadline with the signal
// aborted, and many requests under one signal without Node taking them for a leak.
import assert from 'node:assert/strict';
import {once} from 'node:events';
import {test} from 'node:test';
import {abortMessage, withDeadline} from '../../source/polling/deadline.js';

test('in time: the work\'s own result, and the signal never aborts', async () => {
	let seen: AbortSignal | undefined;
	const result = await withDeadline(1000, async ({signal, timeoutMs}) => {
		seen = signal;
		assert.equal(timeoutMs, 1000);
		return 'read';
	}, message => message);
	assert.equal(result, 'read');
	assert.equal(seen?.aborted, false);
});

test('past the deadline: the timeout, at once, with the signal aborted for whatever is still in flight', async () => {
	let seen: AbortSignal | undefined;
	const started = performance.now();
	const result = await withDeadline(200, async ({signal}) => {
		seen = signal;
		await once(signal, 'abort');
		return 'too late';
	}, message => `failed: ${message}`);
	assert.equal(result, 'failed: timed out after 200 ms');
	assert.ok(performance.now() - started < 1000);
	assert.equal(seen?.aborted, true);
	assert.equal(abortMessage(seen!), 'timed out after 200 ms');
});

test('twenty requests listening to one poll\'s signal: no MaxListenersExceededWarning', async () => {
	const warnings: Error[] = [];
	const onWarning = (warning: Error) => {
		warnings.push(warning);
	};

	process.on('warning', onWarning);
	try {
		await withDeadline(1000, async ({signal}) => {
			for (let index = 0; index < 20; index++) {
				signal.addEventListener('abort', () => undefined);
			}
		}, () => undefined);
		// Warnings are emitted on the next tick.
		await new Promise(resolve => {
			setImmediate(resolve);
		});
	} finally {
		process.off('warning', onWarning);
	}

	assert.deepEqual(warnings.map(warning => warning.name), []);
});
