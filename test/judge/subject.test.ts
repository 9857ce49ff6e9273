// A subject is a value: its alarm is keyed by what it is, never by the finding's code, and its words
// are made in one place.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {derivePicture} from '../../source/judge/picture.js';
import {findingText, poolSubject, type Subject, subjectKey, subjectLabel, subjectText, subjectTitle} from '../../source/judge/subject.js';
import type {Suspect} from '../../source/judge/suspected-pools.js';
import {baseTimeMs, defaultThresholds, observation, poolStatus} from '../helpers/snapshots.js';

const suspect = (application: string, client: string | null, instances = 1): Suspect => ({
	application, client, pooler: null, keys: [], instances, ceiling: 5, connections: 5 * instances, busyShare: 1, sinceMs: baseTimeMs - 200_000, heldForMs: 200_000, serverFree: 80, level: 'critical',
});

describe('an alarm is keyed by its subject, not by its finding\'s code', () => {
	test('a capped group suspected of the same name as a measured pool holds its own level; the quiet pool stays ok', () => {
		const history = [observation({pools: [poolStatus({name: 'api', metrics: {active: 1, max: 10, waiting: 0}})]})];
		const {picture} = derivePicture(history, defaultThresholds, {}, {suspects: [suspect('api', null, 3)]});
		const suspected = picture.findings.find(finding => finding.code === 'pool-suspected');
		assert.deepEqual(suspected?.subject, {kind: 'group', application: 'api', client: null});
		assert.equal(picture.pools[0]?.level, 'ok', 'the pool row shows its own level, not the suspect\'s');
		assert.equal(picture.alarms[subjectKey(poolSubject('api'))], undefined);
		assert.equal(picture.alarms[subjectKey(suspected.subject)]?.level, 'critical');
		assert.equal(picture.level, 'critical');
	});

	test('every kind has keys of its own, and a server\'s name keeps servers apart', () => {
		const subjects: Subject[] = [
			{kind: 'server'}, {kind: 'privileges'}, {kind: 'fleet'}, poolSubject('server'), poolSubject('pid 1'),
			{kind: 'group', application: 'server', client: null}, {kind: 'group', application: 'pool server', client: null}, {kind: 'pid', pid: 1},
		];
		const keys = subjects.flatMap(subject => [subjectKey(subject), subjectKey(subject, 'primary'), subjectKey(subject, 'replica')]);
		assert.equal(new Set(keys).size, keys.length, keys.join(' | '));
	});
});

describe('the words of a subject', () => {
	const cases: Array<{subject: Subject; label: string; text: string; title: string}> = [
		{subject: {kind: 'server'}, label: 'server', text: 'server', title: 'Server'},
		{subject: poolSubject('api'), label: 'api', text: 'pool api', title: 'Pool api'},
		{subject: {kind: 'group', application: 'checkout', client: '10.0.0.5'}, label: 'checkout (10.0.0.5)', text: 'suspected pool checkout (10.0.0.5)', title: 'Suspected pool checkout (10.0.0.5)'},
		{subject: {kind: 'group', application: '', client: null}, label: '(no application name)', text: 'suspected pool (no application name)', title: 'Suspected pool (no application name)'},
		{subject: {kind: 'pid', pid: 42}, label: 'pid 42', text: 'pid 42', title: 'pid 42'},
		{subject: {kind: 'privileges'}, label: 'privileges', text: 'privileges', title: 'Privileges'},
	];
	for (const {subject, label, text, title} of cases) {
		test(`${JSON.stringify(subject)}: ${label} / ${text} / ${title}`, () => {
			assert.equal(subjectLabel(subject), label);
			assert.equal(subjectText(subject), text);
			assert.equal(subjectTitle(subject), title);
			assert.equal(subjectLabel(subject, 'replica'), `replica: ${label}`);
		});
	}

	test('a finding of one of several servers names it once, in front', () => {
		assert.equal(findingText({message: 'Server at 96%'}), 'Server at 96%');
		assert.equal(findingText({message: 'Server at 96%', server: 'replica'}), 'replica: Server at 96%');
	});
});
