import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {diagnose} from '../../source/judge/diagnosis.js';
import {rootBlockers} from '../../source/judge/session-findings.js';
import {poolSubject, serverSubject, subjectLabel} from '../../source/judge/subject.js';
import {compactAge} from '../../source/text/words.js';
import type {Finding, Observation} from '../../source/judge/types.js';
import type {PoolMetrics, ServerSnapshot} from '../../source/readings/types.js';
import {baseTimeMs, defaultThresholds, observation, poolStatus, serverSnapshot, session} from '../helpers/snapshots.js';

const saturatedApi: Partial<PoolMetrics> = {active: 5, max: 5, waiting: 812, oldestWaitSeconds: 3.2};

/** A server at 93/97 where leaky-worker hoards idle connections. */
const busyServer = (overrides: Parameters<typeof serverSnapshot>[0] = {}): ServerSnapshot =>
	serverSnapshot({
		connections: 93,
		states: {active: 30, idle: 63},
		applications: [
			{name: 'api', connections: 20, idle: 2},
			{name: 'leaky-worker', connections: 60, idle: 58},
			{name: 'psql', connections: 13, idle: 3},
		],
		users: [
			{name: 'app', connections: 33, limit: null},
			{name: 'worker', connections: 60, limit: null},
		],
		...overrides,
	});

const now = (server: ServerSnapshot | null, pools: Observation['pools'] = []): Observation[] => [
	observation({atMs: baseTimeMs, server, pools}),
];

type Case = {name: string; history: Observation[]; role?: string; expected: Finding[]};

function run(cases: Case[]): void {
	for (const {name, history, role, expected} of cases) {
		it(name, () => {
			assert.deepEqual(diagnose(history, defaultThresholds, role === undefined ? {} : {role}), expected);
		});
	}
}

describe('pool-saturated', () => {
	run([
		{
			name: 'a pool at its max with waiters while the server has room',
			history: now(serverSnapshot(), [poolStatus({metrics: saturatedApi})]),
			expected: [
				{
					code: 'pool-saturated',
					level: 'critical',
					subject: poolSubject('api'),
					message:
						"Pool api is saturated: 5/5 busy, 812 waiting (oldest 3.2 s), while the server has 84 free slots: raise the pool's max (its source exposes no hold time to size it).",
				},
			],
		},
		{
			name: 'a pool at its max with nobody waiting is not saturated: it is busy, at the critical line',
			history: now(serverSnapshot(), [poolStatus({metrics: {active: 5, max: 5, waiting: 0}})]),
			expected: [
				{
					code: 'pool-busy',
					level: 'critical',
					subject: poolSubject('api'),
					message: 'Pool api is 5/5 busy (100%), nobody waiting yet; the server has 84 free slots. The next burst will queue: raise its max if the server has room.',
				},
			],
		},
		{
			name: 'waiters below the max are not saturation: the pool cannot open connections',
			history: now(serverSnapshot(), [poolStatus({metrics: {active: 3, max: 5, waiting: 2}})]),
			expected: [
				{
					code: 'pool-waiting',
					level: 'warning',
					subject: poolSubject('api'),
					message: 'Pool api has requests waiting below its max (3/5 busy, 2 waiting (oldest 0 s)): it cannot open connections fast enough; check its logs for refused logins.',
				},
			],
		},
		{
			name: 'waiters behind a full server: raising the pool would not help',
			history: now(
				serverSnapshot({connections: 97, states: {active: 90, idle: 7}, applications: [{name: 'api', connections: 97, idle: 7}], users: [{name: 'app', connections: 97, limit: null}]}),
				[poolStatus({metrics: saturatedApi})],
			),
			expected: [
				{
					code: 'server-saturated',
					level: 'critical',
					subject: serverSubject,
					message:
						'Server at 100% of usable connections (97/97); new connections are being refused: remaining slots are reserved. Top consumers api 97 (7 idle); by user app 97. Terminate idle sessions or lower pool sizes.',
				},
				{
					code: 'pool-waiting',
					level: 'critical',
					subject: poolSubject('api'),
					message: "Pool api has requests waiting (5/5 busy, 812 waiting (oldest 3.2 s)) behind a full server (97/97): free server slots first; raising the pool's max will not help.",
				},
			],
		},
		{
			name: 'unknown max with waiters: a warning that says so',
			history: now(serverSnapshot({connections: 96}), [
				poolStatus({metrics: {active: 7, max: null, waiting: 1, oldestWaitSeconds: null}}),
			]),
			expected: [
				{
					code: 'server-saturated',
					level: 'critical',
					subject: serverSubject,
					message:
						'Server at 99% of usable connections (96/97): top consumers api 13 (12 idle); by user app 13. Terminate idle sessions or lower pool sizes.',
				},
				{
					code: 'pool-saturated',
					level: 'warning',
					subject: poolSubject('api'),
					message:
						"Pool api may be saturated: 7 busy, 1 waiting, and its max is unknown, while the server has 1 free slot. Check the pool's max and raise it if it is the limit.",
				},
			],
		},
		{
			name: 'stale metrics of a failed endpoint do not ask to raise the max',
			history: now(serverSnapshot(), [
				poolStatus({metrics: saturatedApi, sampledAtMs: baseTimeMs - 42_000, error: 'connect ECONNREFUSED 10.0.0.7:9090'}),
			]),
			expected: [
				{
					code: 'pool-endpoint-down',
					level: 'warning',
					subject: poolSubject('api'),
					message:
						'Pool api endpoint is down: connect ECONNREFUSED 10.0.0.7:9090 (last good sample 40 s ago). Check that the application is up and its metrics endpoint answers at http://10.0.0.7:9090/metrics.',
				},
			],
		},
	]);
});

describe('server-saturated and idle-hoarding', () => {
	run([
		{
			name: 'a healthy server has no findings',
			history: now(serverSnapshot()),
			expected: [],
		},
		{
			name: '77/97 is below the warning ratio',
			history: now(busyServer({connections: 77, states: {active: 30, idle: 47}})),
			expected: [],
		},
		{
			name: '93/97 with most connections idle: critical saturation and idle hoarding',
			history: now(busyServer()),
			expected: [
				{
					code: 'server-saturated',
					level: 'critical',
					subject: serverSubject,
					message:
						'Server at 96% of usable connections (93/97): top consumers leaky-worker 60 (58 idle), api 20 (2 idle), psql 13 (3 idle); by user worker 60, app 33. Terminate idle sessions or lower pool sizes.',
				},
				{
					code: 'idle-hoarding',
					level: 'warning',
					subject: serverSubject,
					message:
						'63 of 93 client connections (68%) sit idle, most from leaky-worker (58), while the server is at 96% of usable connections (93/97). Terminate idle sessions, set idle timeouts on the pools, or set idle_session_timeout.',
				},
			],
		},
		{
			name: 'busy at 80% but mostly active: warning, no hoarding',
			history: now(busyServer({connections: 80, states: {active: 60, idle: 20}})),
			expected: [
				{
					code: 'server-saturated',
					level: 'warning',
					subject: serverSubject,
					message:
						'Server at 82% of usable connections (80/97): top consumers leaky-worker 60 (58 idle), api 20 (2 idle), psql 13 (3 idle); by user worker 60, app 33. Terminate idle sessions or lower pool sizes.',
				},
			],
		},
		{
			name: 'exactly half idle is not "most"',
			history: now(busyServer({connections: 80, states: {active: 40, idle: 40}})),
			expected: [
				{
					code: 'server-saturated',
					level: 'warning',
					subject: serverSubject,
					message:
						'Server at 82% of usable connections (80/97): top consumers leaky-worker 60 (58 idle), api 20 (2 idle), psql 13 (3 idle); by user worker 60, app 33. Terminate idle sessions or lower pool sizes.',
				},
			],
		},
		{
			name: 'mostly idle on a quiet server is no finding',
			history: now(serverSnapshot({connections: 13, states: {active: 1, idle: 12}})),
			expected: [],
		},
	]);

	it('a busy server with a saturated pool reports both, pool first', () => {
		const findings = diagnose(
			now(busyServer({connections: 85, states: {active: 60, idle: 25}}), [poolStatus({metrics: saturatedApi})]),
			defaultThresholds,
		);
		assert.deepEqual(
			findings.map(f => [f.code, f.level, subjectLabel(f.subject)]),
			[
				['pool-saturated', 'critical', 'api'],
				['server-saturated', 'warning', 'server'],
			],
		);
		assert.match(findings[0]!.message, /while the server has 12 free slots/);
	});
});

describe('idle-in-transaction', () => {
	const idleTx = (stateSeconds: number, overrides: Parameters<typeof session>[0] = {}) =>
		session({pid: 4711, user: 'billing', application: 'invoicer', state: 'idle in transaction', stateSeconds, ...overrides});

	run([
		{
			name: '59 s with a 60 s threshold is no finding',
			history: now(serverSnapshot({sessions: [idleTx(59)]})),
			expected: [],
		},
		{
			name: '60 s is not longer than 60 s',
			history: now(serverSnapshot({sessions: [idleTx(60)]})),
			expected: [],
		},
		{
			name: '61 s blocking nobody: warning',
			history: now(serverSnapshot({sessions: [idleTx(61)]})),
			expected: [
				{
					code: 'idle-in-transaction',
					level: 'warning',
					subject: {kind: 'pid', pid: 4711},
					message:
						'pid 4711 (billing / invoicer) has been idle in transaction for 1 min, blocking nobody yet. Find why the application leaves the transaction open, or set idle_in_transaction_session_timeout.',
				},
			],
		},
		{
			name: 'the oldest of several, blocking two: critical',
			history: now(
				serverSnapshot({
					sessions: [
						idleTx(90, {pid: 300}),
						idleTx(312, {state: 'idle in transaction (aborted)'}),
						session({pid: 501, state: 'active', stateSeconds: 3, blockedBy: [4711]}),
						session({pid: 502, state: 'active', stateSeconds: 2, blockedBy: [300, 4711]}),
					],
				}),
			),
			expected: [
				{
					code: 'idle-in-transaction',
					level: 'critical',
					subject: {kind: 'pid', pid: 4711},
					message:
						'pid 4711 (billing / invoicer) has been idle in an aborted transaction for 5 min, blocking 2 sessions; 1 more session idle in transaction over 60 s. Terminate pid 4711 to release its locks, and set idle_in_transaction_session_timeout.',
				},
			],
		},
		{
			name: 'a session beyond the row cap, from the server-side summary',
			history: now(
				serverSnapshot({sessionsOmitted: 40, oldestIdleInTransaction: {pid: 9001, seconds: 3700, blocking: 1}}),
			),
			expected: [
				{
					code: 'idle-in-transaction',
					level: 'critical',
					subject: {kind: 'pid', pid: 9001},
					message:
						'pid 9001 has been idle in transaction for 1 h 1 min, blocking 1 session. Terminate pid 9001 to release its locks, and set idle_in_transaction_session_timeout.',
				},
			],
		},
	]);
});

describe('lock-contention', () => {
	const blocker = session({pid: 200, state: 'active', stateSeconds: 40, application: 'migrate', query: 'ALTER TABLE orders ADD COLUMN note text'});
	const waiter = (pid: number, stateSeconds: number, blockedBy: number[] = [200]) =>
		session({pid, state: 'active', stateSeconds, waitEventType: 'Lock', waitEvent: 'relation', blockedBy});
	const withLocks = (atMs: number, lockWaiting: number, sessions = [blocker, waiter(301, 1)]): Observation =>
		observation({atMs, server: serverSnapshot({takenAtMs: atMs, lockWaiting, sessions})});

	run([
		{
			name: 'a waiter for 1 s is not contention yet',
			history: [withLocks(baseTimeMs, 1)],
			expected: [],
		},
		{
			name: 'waiters seen across 5 s exactly: not yet',
			history: [withLocks(baseTimeMs, 1), withLocks(baseTimeMs + 5000, 1)],
			expected: [],
		},
		{
			name: 'waiters across 6 s of history: warning naming the root blocker',
			history: [withLocks(baseTimeMs, 1), withLocks(baseTimeMs + 3000, 2), withLocks(baseTimeMs + 6000, 2)],
			expected: [
				{
					code: 'lock-contention',
					level: 'warning',
					subject: {kind: 'pid', pid: 200},
					message:
						"2 sessions have waited on locks for 6 s, behind pid 200 (active, migrate). Cancel pid 200's query, or terminate it if its work can be lost.",
				},
			],
		},
		{
			name: 'a gap without waiters restarts the clock',
			history: [withLocks(baseTimeMs, 1), withLocks(baseTimeMs + 3000, 0), withLocks(baseTimeMs + 6000, 1)],
			expected: [],
		},
		{
			name: 'a single waiter whose own age passes 5 s',
			history: [withLocks(baseTimeMs, 1, [blocker, waiter(301, 5.5)])],
			expected: [
				{
					code: 'lock-contention',
					level: 'warning',
					subject: {kind: 'pid', pid: 200},
					message:
						"1 session has waited on locks for 5.5 s, behind pid 200 (active, migrate). Cancel pid 200's query, or terminate it if its work can be lost.",
				},
			],
		},
		{
			name: 'a chain: the root is the blocker that is not blocked; 5 waiters is critical',
			history: [
				withLocks(baseTimeMs, 5, [
					session({pid: 100, state: 'idle in transaction', stateSeconds: 20, application: 'invoicer'}),
					waiter(200, 8, [100]),
					waiter(301, 7),
					waiter(302, 7),
					waiter(303, 6),
					waiter(304, 6),
				]),
			],
			expected: [
				{
					code: 'lock-contention',
					level: 'critical',
					subject: {kind: 'pid', pid: 100},
					message:
						'5 sessions have waited on locks for 8 s, behind pid 100 (idle in transaction, invoicer). Terminate pid 100: an idle transaction has no query to cancel.',
				},
			],
		},
		{
			name: 'over 60 s is critical even for one waiter',
			history: [withLocks(baseTimeMs, 1, [blocker, waiter(301, 61)])],
			expected: [
				{
					code: 'lock-contention',
					level: 'critical',
					subject: {kind: 'pid', pid: 200},
					message:
						"1 session has waited on locks for 1 min, behind pid 200 (active, migrate). Cancel pid 200's query, or terminate it if its work can be lost.",
				},
			],
		},
		{
			name: 'a blocker lifeguard cannot see',
			history: [withLocks(baseTimeMs, 1, [waiter(301, 9, [555]), session({pid: 555, blockedBy: [301]})])],
			expected: [
				{
					code: 'lock-contention',
					level: 'warning',
					subject: serverSubject,
					message:
						'1 session has waited on locks for 9 s, behind a blocker lifeguard cannot see. Look for it in pg_locks with a role that sees all sessions.',
				},
			],
		},
	]);

	it('counts each waiter once per root, through chains', () => {
		const roots = rootBlockers([
			session({pid: 1}),
			session({pid: 2, blockedBy: [1]}),
			session({pid: 3, blockedBy: [2]}),
			session({pid: 4, blockedBy: [1, 9]}),
		]);
		assert.deepEqual([...roots].sort((a, b) => a[0] - b[0]), [
			[1, 3],
			[9, 1],
		]);
	});
});

describe('pool-endpoint-down', () => {
	run([
		{
			name: 'an endpoint that never answered',
			history: now(serverSnapshot(), [poolStatus({name: 'worker', metrics: null, error: 'HTTP 404 Not Found'})]),
			expected: [
				{
					code: 'pool-endpoint-down',
					level: 'warning',
					subject: poolSubject('worker'),
					message:
						'Pool worker endpoint is down: HTTP 404 Not Found (no good sample yet). Check that the application is up and its metrics endpoint answers at http://10.0.0.7:9090/metrics.',
				},
			],
		},
		{
			name: 'a healthy endpoint is no finding',
			history: now(serverSnapshot(), [poolStatus()]),
			expected: [],
		},
	]);
});

describe('privileges-partial', () => {
	const partial = serverSnapshot({hidden: 12, privileges: {canReadAllStats: false}});
	run([
		{
			name: 'hidden sessions, role unknown',
			history: now(partial),
			expected: [
				{
					code: 'privileges-partial',
					level: 'warning',
					subject: {kind: 'privileges'},
					message:
						"Numbers are partial: 12 sessions are hidden from lifeguard's role. Run GRANT pg_monitor TO <lifeguard's role>; to see them all.",
				},
			],
		},
		{
			name: 'hidden sessions, role given',
			history: now(serverSnapshot({hidden: 1})),
			role: 'monitor',
			expected: [
				{
					code: 'privileges-partial',
					level: 'warning',
					subject: {kind: 'privileges'},
					message:
						'Numbers are partial: 1 session is hidden from lifeguard\'s role. Run GRANT pg_monitor TO "monitor"; to see them all.',
				},
			],
		},
		{
			name: 'a role name that needs quoting',
			history: now(serverSnapshot({hidden: 2})),
			role: 'Ops "Team"',
			expected: [
				{
					code: 'privileges-partial',
					level: 'warning',
					subject: {kind: 'privileges'},
					message:
						'Numbers are partial: 2 sessions are hidden from lifeguard\'s role. Run GRANT pg_monitor TO "Ops ""Team"""; to see them all.',
				},
			],
		},
	]);
});

describe('while disconnected', () => {
	run([
		{
			name: 'only pool findings; no server finding from stale numbers',
			history: [
				observation({atMs: baseTimeMs, server: busyServer({hidden: 3, lockWaiting: 9})}),
				observation({
					atMs: baseTimeMs + 2000,
					server: null,
					pools: [poolStatus({metrics: saturatedApi, sampledAtMs: baseTimeMs + 2000}), poolStatus({name: 'worker', metrics: null, error: 'timeout after 2000 ms'})],
				}),
			],
			expected: [
				{
					code: 'pool-saturated',
					level: 'critical',
					subject: poolSubject('api'),
					message:
						"Pool api has requests waiting: 5/5 busy, 812 waiting (oldest 3.2 s); the server is unreachable, so whether it has room is unknown. Check the server before raising the pool's max.",
				},
				{
					code: 'pool-endpoint-down',
					level: 'warning',
					subject: poolSubject('worker'),
					message:
						'Pool worker endpoint is down: timeout after 2000 ms (no good sample yet). Check that the application is up and its metrics endpoint answers at http://10.0.0.7:9090/metrics.',
				},
			],
		},
		{
			name: 'no history, no findings',
			history: [],
			expected: [],
		},
	]);
});

describe('ordering', () => {
	it('sorts critical before warning, then by code priority', () => {
		const findings = diagnose(
			now(busyServer({hidden: 2, sessions: [session({pid: 7, state: 'idle in transaction', stateSeconds: 61})]}), [
				poolStatus({metrics: saturatedApi}),
				poolStatus({name: 'worker', metrics: null, error: 'HTTP 500'}),
			]),
			defaultThresholds,
		);
		assert.deepEqual(
			findings.map(f => `${f.level} ${f.code} ${subjectLabel(f.subject)}`),
			[
				'critical pool-saturated api',
				'critical server-saturated server',
				'warning idle-hoarding server',
				'warning idle-in-transaction pid 7',
				'warning pool-endpoint-down worker',
				'warning privileges-partial privileges',
			],
		);
	});
});

describe('one number for one thing', () => {
	it('an idle transaction blocking a chain: it and lock-contention count the same sessions', () => {
		const blocker = session({pid: 10, state: 'idle in transaction', stateSeconds: 120, backendStartMicros: '10'});
		const waiters = [
			session({pid: 11, state: 'active', waitEventType: 'Lock', blockedBy: [10], stateSeconds: 30, backendStartMicros: '11'}),
			session({pid: 12, state: 'active', waitEventType: 'Lock', blockedBy: [11], stateSeconds: 30, backendStartMicros: '12'}),
			session({pid: 13, state: 'active', waitEventType: 'Lock', blockedBy: [11], stateSeconds: 30, backendStartMicros: '13'}),
		];
		const findings = diagnose([observation({server: serverSnapshot({lockWaiting: 3, sessions: [blocker, ...waiters]})})], defaultThresholds);
		assert.match(findings.find(finding => finding.code === 'idle-in-transaction')!.message, /blocking 3 sessions/);
		assert.match(findings.find(finding => finding.code === 'lock-contention')!.message, /^3 sessions have waited on locks/);
	});
});

it('a pool\'s oldest wait reads the same in its finding as on its row', () => {
	const metrics = {waiting: 148, oldestWaitSeconds: 2.96};
	const finding = diagnose([observation({pools: [poolStatus({metrics: {max: 5, active: 5, idle: 0, open: 5, ...metrics}})]})], defaultThresholds)[0]!;
	assert.match(finding.message, /148 waiting \(oldest 2\.9 s\)/);
	assert.equal(compactAge(metrics.oldestWaitSeconds), '2s');
});
