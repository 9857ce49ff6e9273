// The client groups --json carries, judged over the inference's window, and what it says inferred
// findings need. Pure.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {emptyPicture} from '../../source/judge/picture.js';
import type {SuspectSample} from '../../source/judge/suspect-samples.js';
import {judgedGroups} from '../../source/output/groups.js';
import {inferredNote} from '../../source/output/json.js';

const sample = (atMs: number, groups: Array<[string, number, number]>): SuspectSample => ({
	atMs,
	serverFree: 80,
	groups: groups.map(([application, connections, busy]) => ({application, client: '10.0.0.5', connections, busy, pooler: null, key: `${application}\u000010.0.0.5`})),
});

test('each group of the latest sample: its connections now, busy share and ceiling over the last 30 s, suspected or not', () => {
	const history = [
		sample(0, [['old', 9, 9]]),
		...Array.from({length: 31}, (_, index) => sample(10_000 + (index * 1000), [['checkout', 4, 4], ['reports', index % 2 === 0 ? 6 : 3, 1]])),
	];
	const picture = {...emptyPicture, findings: [{code: 'pool-suspected' as const, level: 'warning' as const, subject: {kind: 'group' as const, application: 'checkout', client: '10.0.0.5'}, message: '…'}]};
	assert.deepEqual(judgedGroups(history, picture), [
		{application: 'checkout', address: '10.0.0.5', connections: 4, busyShare: 1, ceiling: 4, pooler: null, suspected: 'warning', samples: 31},
		{application: 'reports', address: '10.0.0.5', connections: 6, busyShare: 0.22, ceiling: 6, pooler: null, suspected: null, samples: 31},
	]);
	assert.deepEqual(judgedGroups([], emptyPicture), []);
});

test('what inferred findings need: a window, and one at least as long as the inference looks', () => {
	assert.equal(inferredNote(null), 'needs --sample (e.g. --sample 40s): one reading cannot show a plateau');
	assert.equal(inferredNote({seconds: 10.2, polls: 11}), 'needs --sample of at least 30s: 10 s cannot show a 30 s plateau');
	assert.equal(inferredNote({seconds: 40.1, polls: 41}), 'judged over 40 s (41 polls), as the live screen would after that long');
});
