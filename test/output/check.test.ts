import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {alertThreshold, formatCheck, formatServersCheck, type CheckInput, type CheckResult} from '../../source/output/check.js';
import {serverLevel} from '../../source/judge/levels.js';
import {pictureOf} from '../../source/judge/picture.js';
import {poolSubject} from '../../source/judge/subject.js';
import type {Finding, PoolStatus, Thresholds} from '../../source/judge/types.js';
import type {ServerSnapshot} from '../../source/readings/types.js';
import {defaultThresholds, observation, poolStatus, serverSnapshot} from '../helpers/snapshots.js';

/** What the real command prints: the one picture of one observation. */
function diagnosed(input: {server?: ServerSnapshot | null; pools?: PoolStatus[]; error?: string}): CheckInput {
	const picture = pictureOf(observation({server: input.server === undefined ? serverSnapshot() : input.server, pools: input.pools ?? []}), defaultThresholds);
	return {picture, thresholds: defaultThresholds, ...(input.error ? {error: input.error} : {})};
}

/** A picture with the given findings, as a future finding might read. */
function withFindings(findings: Finding[]): CheckInput {
	const input = diagnosed({});
	return {...input, picture: {...input.picture, findings, level: findings.some(finding => finding.level === 'critical') ? 'critical' : 'warning'}};
}

const base = diagnosed({});

describe('formatCheck', () => {
	const cases: Array<{name: string; input: CheckInput; expected: CheckResult}> = [
		{
			name: 'OK with no pools',
			input: base,
			expected: {
				exitCode: 0,
				line: 'LIFEGUARD OK - 13/97 connections (13%) | connections=13;77;92;0;97 lock_waiting=0 hidden=0',
			},
		},
		{
			name: 'OK with two quiet pools',
			input: diagnosed({pools: [poolStatus(), poolStatus({name: 'worker', metrics: {active: 1, max: 4, waiting: null, timeoutsTotal: null}})]}),
			expected: {
				exitCode: 0,
				line:
					"LIFEGUARD OK - 13/97 connections (13%), 2 pools ok | connections=13;77;92;0;97 lock_waiting=0 hidden=0 'pool_api_active'=2;;;0;10 'pool_api_waiting'=0 'pool_api_timeouts'=0c 'pool_worker_active'=1;;;0;4",
			},
		},
		{
			name: 'WARNING from a pool with waiters below its max, with the finding that says why',
			input: diagnosed({server: serverSnapshot(), pools: [poolStatus({metrics: {active: 3, waiting: 2}}), poolStatus({name: 'worker'})]}),
			expected: {
				exitCode: 1,
				line:
					"LIFEGUARD WARNING - Pool api has requests waiting below its max (3/10 busy, 2 waiting (oldest 0 s)): it cannot open connections fast enough; check its logs for refused logins. | connections=13;77;92;0;97 lock_waiting=0 hidden=0 'pool_api_active'=3;;;0;10 'pool_api_waiting'=2 'pool_api_timeouts'=0c 'pool_worker_active'=2;;;0;10 'pool_worker_waiting'=0 'pool_worker_timeouts'=0c",
			},
		},
		{
			name: 'WARNING from a finding, with a count of the others',
			input: diagnosed({
				server: serverSnapshot({hidden: 4, lockWaiting: 1}),
				pools: [poolStatus({name: 'billing api', metrics: null, error: 'HTTP 503'})],
			}),
			expected: {
				exitCode: 1,
				line:
					"LIFEGUARD WARNING - Pool billing api endpoint is down: HTTP 503 (no good sample yet). Check that the application is up and its metrics endpoint answers at http://10.0.0.7:9090/metrics. (+1 more finding) | connections=13;77;92;0;97 lock_waiting=1 hidden=4",
			},
		},
		{
			name: 'CRITICAL: a saturated pool; odd labels quoted, unknown max left out',
			input: diagnosed({
				server: serverSnapshot(),
				pools: [
					poolStatus({metrics: {active: 5, max: 5, waiting: 812, oldestWaitSeconds: 3.2, timeoutsTotal: 17}}),
					poolStatus({name: "db/o'neil=x", format: 'pgbouncer', metrics: {active: 3, max: null, waiting: 0, timeoutsTotal: null}}),
				],
			}),
			expected: {
				exitCode: 2,
				line:
					"LIFEGUARD CRITICAL - Pool api is saturated: 5/5 busy, 812 waiting (oldest 3.2 s), while the server has 84 free slots: raise the pool's max (its source exposes no hold time to size it). | connections=13;77;92;0;97 lock_waiting=0 hidden=0 'pool_api_active'=5;;;0;5 'pool_api_waiting'=812 'pool_api_timeouts'=17c 'pool_db/o''neil_x_active'=3;;;0 'pool_db/o''neil_x_waiting'=0",
			},
		},
		{
			name: 'CRITICAL from the server level, with its finding',
			input: diagnosed({server: serverSnapshot({connections: 93})}),
			expected: {
				exitCode: 2,
				line: 'LIFEGUARD CRITICAL - Server at 96% of usable connections (93/97): top consumers api 13 (12 idle); by user app 13. Terminate idle sessions or lower pool sizes. | connections=93;77;92;0;97 lock_waiting=0 hidden=0',
			},
		},
		{
			name: 'UNKNOWN when the server cannot be reached; pool numbers still reported',
			input: diagnosed({
				server: null,
				pools: [poolStatus({metrics: {active: 1, max: 5, waiting: 0, timeoutsTotal: null}})],
				error: 'connect ECONNREFUSED 127.0.0.1:5432 (postgres://app:***@127.0.0.1/app)',
			}),
			expected: {
				exitCode: 3,
				line:
					"LIFEGUARD UNKNOWN - connect ECONNREFUSED 127.0.0.1:5432 (postgres://app:***@127.0.0.1/app) | 'pool_api_active'=1;;;0;5 'pool_api_waiting'=0",
			},
		},
		{
			name: 'UNKNOWN without a reason; a failed endpoint\'s stale numbers left out',
			input: diagnosed({server: null, pools: [poolStatus({error: 'HTTP 500'})]}),
			expected: {exitCode: 3, line: 'LIFEGUARD UNKNOWN - no data from the server'},
		},
		{
			name: 'a pipe or newline in a message cannot break the format',
			input: withFindings([{code: 'pool-endpoint-down', level: 'warning', subject: poolSubject('api'), message: 'bad | thing\nsecond line'}]),
			expected: {
				exitCode: 1,
				line: 'LIFEGUARD WARNING - bad / thing second line | connections=13;77;92;0;97 lock_waiting=0 hidden=0',
			},
		},
	];
	for (const {name, input, expected} of cases) {
		it(name, () => {
			assert.deepEqual(formatCheck(input), expected);
		});
	}

	it('picks the worst finding even when the list is not sorted', () => {
		const result = formatCheck(withFindings([
			{code: 'privileges-partial', level: 'warning', subject: {kind: 'privileges'}, message: 'partial'},
			{code: 'lock-contention', level: 'critical', subject: {kind: 'pid', pid: 1}, message: 'locks'},
		]));
		assert.equal(result.exitCode, 2);
		assert.match(result.line, /^LIFEGUARD CRITICAL - locks \(\+1 more finding\) \| /);
	});
});

describe('alertThreshold', () => {
	// The perfdata threshold must alert (value > t) exactly where the level turns.
	const thresholds: Thresholds[] = [defaultThresholds, {warnRatio: 0.7, criticalRatio: 0.9, idleInTransactionSeconds: 60}];
	for (const t of thresholds) {
		for (const usable of [1, 10, 97, 100, 497]) {
			it(`agrees with the level for ${usable} usable at ${t.warnRatio}/${t.criticalRatio}`, () => {
				const warn = alertThreshold(usable, t, 'warning');
				const crit = alertThreshold(usable, t, 'critical');
				for (let connections = 0; connections <= usable; connections++) {
					const level = serverLevel(serverSnapshot({maxConnections: usable, superuserReservedConnections: 0, connections}), t);
					const expected = connections > crit ? 'critical' : connections > warn ? 'warning' : 'ok';
					assert.equal(level, expected, `${connections}/${usable}`);
				}
			});
		}
	}

	it('gives 79 and 94 for 100 usable at 0.8/0.95 (the level turns at 80 and 95)', () => {
		assert.equal(alertThreshold(100, defaultThresholds, 'warning'), 79);
		assert.equal(alertThreshold(100, defaultThresholds, 'critical'), 94);
	});
});

describe('check with several servers', () => {
	const named = (name: string, input: CheckInput) => ({name, ...input});

	it('reports the worst server by name, how the others stand, and every server\'s perfdata', () => {
		const result = formatServersCheck([
			named('primary', diagnosed({server: serverSnapshot({connections: 13})})),
			named('replica', diagnosed({server: serverSnapshot({connections: 96, states: {idle: 95}})})),
		]);
		assert.equal(result.exitCode, 2);
		assert.match(result.line, /^LIFEGUARD CRITICAL - replica: Server at 99% of usable connections \(96\/97\).*; primary OK \|/);
		assert.match(result.line, /'primary_connections'=13;77;92;0;97 /);
		assert.match(result.line, /'replica_connections'=96;77;92;0;97 /);
	});

	it('a server that cannot be read outranks a warning, not a critical one', () => {
		const down = named('replica', diagnosed({server: null, error: 'cannot connect to postgres://u:***@r/app: connection refused'}));
		const warning = named('primary', diagnosed({server: serverSnapshot({connections: 80, states: {idle: 79}})}));
		const critical = named('primary', diagnosed({server: serverSnapshot({connections: 96, states: {idle: 95}})}));
		const unknown = formatServersCheck([warning, down]);
		assert.equal(unknown.exitCode, 3);
		assert.match(unknown.line, /^LIFEGUARD UNKNOWN - replica: cannot connect to postgres:\/\/u:\*\*\*@r\/app: connection refused; primary WARNING \|/);
		assert.equal(formatServersCheck([critical, down]).exitCode, 2);
		assert.equal(formatServersCheck([named('a', diagnosed({})), named('b', diagnosed({}))]).exitCode, 0);
	});
});
