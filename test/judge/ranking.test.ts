// The one order of findings: level, then certainty (measured above inferred), then how much each
// explains, then subject. Pure.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {evidenceOf, sortFindings} from '../../source/judge/diagnosis.js';
import {poolSubject, serverSubject, subjectLabel} from '../../source/judge/subject.js';
import {CODE_EVIDENCE, type Finding} from '../../source/judge/types.js';

const finding = (code: Finding['code'], level: Finding['level'], subject: Finding['subject'] = serverSubject, extra: Partial<Finding> = {}): Finding => ({code, level, subject, message: code, ...extra});
const suspected = (level: Finding['level'], application = 'checkout') => finding('pool-suspected', level, {kind: 'group', application, client: '10.0.0.5'});
const order = (findings: readonly Finding[]) => sortFindings(findings).map(each => `${each.level} ${each.code} ${subjectLabel(each.subject)}`);

describe('ranking', () => {
	it('a critical lock chain comes before a critical suspected pool, whatever order they arrive in', () => {
		const lock = finding('lock-contention', 'critical', {kind: 'pid', pid: 3215});
		for (const input of [[suspected('critical'), lock], [lock, suspected('critical')]]) {
			assert.deepEqual(order(input), ['critical lock-contention pid 3215', 'critical pool-suspected checkout (10.0.0.5)']);
		}
	});

	it('an inferred finding is below every measured one of its level, and above every one of a lower level', () => {
		const findings = [
			suspected('critical', 'a'),
			finding('privileges-partial', 'critical', {kind: 'privileges'}),
			finding('pool-endpoint-down', 'critical', poolSubject('api')),
			finding('server-saturated', 'warning'),
			suspected('warning', 'b'),
			finding('privileges-partial', 'warning', {kind: 'privileges'}),
		];
		assert.deepEqual(order(findings), [
			'critical pool-endpoint-down api',
			'critical privileges-partial privileges',
			'critical pool-suspected a (10.0.0.5)',
			'warning server-saturated server',
			'warning privileges-partial privileges',
			'warning pool-suspected b (10.0.0.5)',
		]);
	});

	it('the level still comes first: a critical inferred finding is above a warning measured one', () => {
		assert.deepEqual(order([finding('lock-contention', 'warning', {kind: 'pid', pid: 7}), suspected('critical')]), ['critical pool-suspected checkout (10.0.0.5)', 'warning lock-contention pid 7']);
	});

	it('a finding may say it is inferred even when its code is measured', () => {
		const guessed = finding('pool-saturated', 'critical', poolSubject('api'), {evidence: 'inferred'});
		assert.equal(evidenceOf(guessed), 'inferred');
		assert.deepEqual(order([guessed, finding('lock-contention', 'critical', {kind: 'pid', pid: 9})]), ['critical lock-contention pid 9', 'critical pool-saturated api']);
	});

	it('pool-suspected is the one inferred code today; every code says how it knows', () => {
		assert.deepEqual(Object.entries(CODE_EVIDENCE).filter(([, evidence]) => evidence === 'inferred').map(([code]) => code), ['pool-suspected']);
	});

});
