// The judging of `lifeguard doctor`, table-driven on fixed inputs: no server, no clock.
import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {capacityObserved, capacityTotal, reservedSlots} from '../../source/doctor/capacity-checks.js';
import {durationMs, effectiveSetting, exitCodeFor, pgbouncerServerConnections} from '../../source/doctor/checks.js';
import {databaseConnectionLimit, pgbouncerMaxClientConn, roleConnectionLimit, signalBackend, visibility} from '../../source/doctor/limit-checks.js';
import {runChecks} from '../../source/doctor/run-doctor.js';
import {idleInTransactionTimeout, idleSessionTimeout, poolAcquireTimeout, statementTimeout, tcpKeepalive} from '../../source/doctor/timeout-checks.js';
import type {Check, CheckStatus, DoctorInput, MonitorPrivileges, PgBouncerConfig, PoolCapacity, ServerSettings, Setting} from '../../source/doctor/types.js';

function setting(value: string, source = 'default', unit: string | null = null): Setting {
	return {value, unit, source};
}

function settings(overrides: Partial<ServerSettings> = {}, values: Record<string, Setting> = {}): ServerSettings {
	return {
		version: '18.4',
		versionNum: 180_004,
		maxConnections: 100,
		superuserReservedConnections: 3,
		reservedConnections: 0,
		...overrides,
		settings: {
			idle_in_transaction_session_timeout: setting('0', 'default', 'ms'),
			idle_session_timeout: setting('0', 'default', 'ms'),
			statement_timeout: setting('0', 'default', 'ms'),
			tcp_keepalives_idle: setting('7200', 'default', 's'),
			tcp_keepalives_interval: setting('75', 'default', 's'),
			tcp_keepalives_count: setting('9'),
			tcp_user_timeout: setting('0', 'default', 'ms'),
			...values,
		},
	};
}

function pool(overrides: Partial<PoolCapacity> = {}): PoolCapacity {
	return {name: 'checkout', maxPerInstance: 5, instances: 1, observed: {active: 5, open: 5, waiting: 0}, isPgBouncer: false, error: null, ...overrides};
}

function input(overrides: Partial<DoctorInput> = {}): DoctorInput {
	return {
		settings: {ok: true, value: settings()},
		privileges: {ok: true, value: {role: 'monitor', isSuperuser: false, canReadAllStats: true, canSignalBackend: true, canUseReserved: true, isUnixSocket: false}},
		activity: {ok: true, value: {connections: 8, hidden: 0}},
		roles: {ok: true, value: [
			{name: 'monitor', isSuperuser: false, connectionLimit: null, connections: 1},
			{name: 'postgres', isSuperuser: true, connectionLimit: null, connections: 0},
			{name: 'shop', isSuperuser: false, connectionLimit: null, connections: 5},
		]},
		databases: {ok: true, value: [{name: 'app', connectionLimit: null, connections: 6}, {name: 'postgres', connectionLimit: null, connections: 2}]},
		roleSettings: {ok: true, value: []},
		applications: {ok: true, value: [{application: 'checkout', role: 'shop', database: 'app', connections: 5}]},
		changedSettings: {ok: true, value: []},
		fileSettings: {ok: true, value: []},
		pools: [],
		pgbouncers: [],
		warnRatio: 0.8,
		...overrides,
	};
}

function bouncer(overrides: Partial<PgBouncerConfig> = {}): PgBouncerConfig {
	return {
		endpoint: 'pgbouncer://stats:***@127.0.0.1:6432/pgbouncer',
		defaultPoolSize: 20,
		reservePoolSize: 0,
		maxDbConnections: 0,
		maxClientConn: 100,
		queryWaitTimeoutSeconds: 120,
		databases: [{name: 'app', poolSize: null, reservePool: null, maxDbConnections: 0, forceUser: null, users: ['shop']}],
		clients: 10,
		...overrides,
	};
}

type Case = {name: string; run: (input: DoctorInput) => Check; input: DoctorInput; status: CheckStatus; found?: RegExp; fix?: RegExp | null; numbers?: Record<string, number | null>};

function runCases(cases: Case[]): void {
	for (const testCase of cases) {
		it(testCase.name, () => {
			const result = testCase.run(testCase.input);
			assert.equal(result.status, testCase.status, `${result.found}`);
			if (testCase.found) {
				assert.match(result.found, testCase.found);
			}

			if (testCase.fix === null) {
				assert.equal(result.fix, null);
			} else if (testCase.fix) {
				assert.match(result.fix ?? '', testCase.fix);
			}

			for (const [key, value] of Object.entries(testCase.numbers ?? {})) {
				assert.equal(result.numbers[key], value, key);
			}
		});
	}
}

describe('capacity-total: Σ max × instances (+ PgBouncer) vs usable slots', () => {
	runCases([
		{name: 'no pool: skipped', run: capacityTotal, input: input(), status: 'skip'},
		{
			name: '40 instances × max 20 against max_connections 500: fail, with the arithmetic',
			run: capacityTotal,
			input: input({settings: {ok: true, value: settings({maxConnections: 500})}, pools: [pool({name: 'api', maxPerInstance: 20, instances: 40})]}),
			status: 'fail',
			found: /api 20 × 40 instances = 800 vs usable 497 \(max_connections 500 − superuser_reserved 3 − reserved 0\)/,
			fix: /api max 20 → 12/,
			numbers: {usable: 497, total: 800, poolConnections: 800},
		},
		{
			name: 'reserved_connections counts against usable on 16+',
			run: capacityTotal,
			input: input({settings: {ok: true, value: settings({maxConnections: 100, reservedConnections: 5})}, pools: [pool({maxPerInstance: 10, instances: 2})]}),
			status: 'pass',
			numbers: {usable: 92, total: 20},
		},
		{
			name: 'at 85% of usable: warn',
			run: capacityTotal,
			input: input({pools: [pool({maxPerInstance: 41, instances: 2})]}),
			status: 'warn',
			numbers: {usable: 97, total: 82},
		},
		{
			name: 'PgBouncer server side adds pool_size × databases × users, not its client pools',
			run: capacityTotal,
			input: input({
				pools: [pool({maxPerInstance: 10}), pool({name: 'app/shop', maxPerInstance: 20, isPgBouncer: true})],
				pgbouncers: [{endpoint: 'b', config: {ok: true, value: bouncer({databases: [
					{name: 'app', poolSize: null, reservePool: null, maxDbConnections: 0, forceUser: null, users: ['shop', 'jobs']},
					{name: 'reports', poolSize: 30, reservePool: 5, maxDbConnections: 0, forceUser: null, users: []},
				]})}}],
			}),
			status: 'warn',
			found: /checkout 10 × 1 instance \+ pgbouncer app \(20\) × 2 users = 40 \+ reports \(30 \+ 5 reserve\) × 1 user = 35 = 85/,
			numbers: {poolConnections: 10, pgbouncerConnections: 75, total: 85},
		},
		{
			name: 'a pool whose max is not exposed is named, and the rest still counted',
			run: capacityTotal,
			input: input({pools: [pool({maxPerInstance: 10}), pool({name: 'go', maxPerInstance: null})]}),
			status: 'unknown',
			found: /not counted: go max not exposed/,
			numbers: {total: 10},
		},
		{name: 'settings unreadable: could not check', run: capacityTotal, input: input({settings: {ok: false, error: 'permission denied'}, pools: [pool()]}), status: 'unknown', found: /permission denied/},
	]);
});

describe('capacity-observed: waiters on a pool at max while the server has room', () => {
	runCases([
		{
			name: 'the incident: max 5, 195 waiting, server 8 of 97: sized by demand (Little\'s law), not by the queue',
			run: capacityObserved,
			// The demo's steady state: 25 served and 25 timed out a second, the queue level, 0.2 s holds.
			input: input({pools: [pool({observed: {active: 5, open: 5, waiting: 195}, demand: {rates: {servedPerSecond: 25, meanHoldSeconds: 0.2, timeoutsPerMinute: 1500, queueGrowthPerSecond: 0}, hasHoldTimes: true, format: 'json'}})]}),
			status: 'fail',
			found: /checkout: 5 of max 5 × 1 instance in use, 195 waiting; server 8 of 97 usable slots used, 89 free: the pool is the bottleneck/,
			fix: /^checkout needs ~10 connections \(≈ 50 req\/s × 0\.20 s\); set max 15 for headroom; keep Σ max × instances ≤ 97$/,
			numbers: {neededMax: 10, suggestedMax: 15, free: 89, waiting: 195},
		},
		{
			name: 'a source without hold times: what is missing, no number from the queue',
			run: capacityObserved,
			input: input({pools: [pool({maxPerInstance: 5, instances: 2, observed: {active: 10, open: 10, waiting: 3}, demand: {rates: null, hasHoldTimes: false, format: 'prometheus'}})]}),
			status: 'fail',
			fix: /checkout's demand is unknown: its source exposes no hold time: add a usage timer \(HikariCP hikaricp_connections_usage_seconds/,
			numbers: {neededMax: null, suggestedMax: null},
		},
		{
			name: 'a fleet of 12 instances bounded by the server: PgBouncer or max_connections first',
			run: capacityObserved,
			// 12 × 5 open, 70 of 97 used: 27 free; 38 req/s an instance of 0.26 s holds need ~10 each.
			input: input({
				activity: {ok: true, value: {connections: 70, hidden: 0}},
				pools: [pool({maxPerInstance: 5, instances: 12, observed: {active: 60, open: 60, waiting: 80}, demand: {rates: {servedPerSecond: 456, meanHoldSeconds: 0.26, timeoutsPerMinute: 0, queueGrowthPerSecond: 0}, hasHoldTimes: true, format: 'prometheus'}})],
			}),
			status: 'fail',
			fix: /checkout needs ~10 connections per instance \(≈ 456 req\/s × 0\.26 s ÷ 12 instances\); 12 instances × 15 = 180 > 77 slots to spare \(27 free \+ 60 its own − 10 kept free\): put PgBouncer in front or raise max_connections first/,
			numbers: {neededMax: 10, suggestedMax: null},
		},
		{
			name: 'server full: raising the pool would not help',
			run: capacityObserved,
			input: input({activity: {ok: true, value: {connections: 97, hidden: 0}}, pools: [pool({observed: {active: 5, open: 5, waiting: 40}})]}),
			status: 'warn',
			found: /the server is full/,
		},
		{name: 'no waiters: pass', run: capacityObserved, input: input({pools: [pool()]}), status: 'pass', found: /no waiters/},
		{
			name: 'waiting not exposed (Go database/sql): could not check',
			run: capacityObserved,
			input: input({pools: [pool({observed: {active: 5, open: 5, waiting: null}})]}),
			status: 'unknown',
			found: /waiting not exposed by checkout/,
		},
		{name: 'endpoint down: could not check', run: capacityObserved, input: input({pools: [pool({observed: null, error: 'connection refused'})]}), status: 'unknown', found: /connection refused/},
	]);
});

describe('reserved-slots: room for the operator', () => {
	const on = (overrides: Partial<ServerSettings>, privileges: Partial<MonitorPrivileges> = {}) => input({
		settings: {ok: true, value: settings(overrides)},
		privileges: {ok: true, value: {role: 'monitor', isSuperuser: false, canReadAllStats: true, canSignalBackend: true, canUseReserved: false, isUnixSocket: false, ...privileges}},
	});
	runCases([
		{name: '16+, reserved 0: fail', run: reservedSlots, input: on({reservedConnections: 0}), status: 'fail', fix: /ALTER SYSTEM SET reserved_connections = 3; then restart; GRANT pg_use_reserved_connections TO "monitor";/},
		{name: '16+, reserved 3, no grant: fail', run: reservedSlots, input: on({reservedConnections: 3}), status: 'fail', fix: /^GRANT pg_use_reserved_connections TO "monitor";$/},
		{name: '16+, reserved 3 and the grant: pass', run: reservedSlots, input: on({reservedConnections: 3}, {canUseReserved: true}), status: 'pass', fix: null},
		{name: 'superuser with superuser slots: pass', run: reservedSlots, input: on({}, {isSuperuser: true}), status: 'pass'},
		{name: 'superuser, superuser_reserved 0: fail', run: reservedSlots, input: on({superuserReservedConnections: 0}, {isSuperuser: true}), status: 'fail'},
		{name: '15, not a superuser: warn (no reserved_connections before 16)', run: reservedSlots, input: on({version: '15.20', versionNum: 150_020}, {canUseReserved: null}), status: 'warn'},
		{name: 'a role name that needs quoting is quoted', run: reservedSlots, input: on({reservedConnections: 3}, {role: 'Ops Team'}), status: 'fail', fix: /TO "Ops Team";/},
	]);
});

describe('timeouts, per role and per database', () => {
	const withRows = (rows: DoctorInput['roleSettings'], values: Record<string, Setting> = {}) => input({roleSettings: rows, settings: {ok: true, value: settings({}, values)}});
	runCases([
		{
			name: 'idle_in_transaction off server-wide: warn, fixed with ALTER SYSTEM',
			run: idleInTransactionTimeout,
			input: withRows({ok: true, value: []}),
			status: 'warn',
			found: /server-wide 0 \(off\); off for shop \(every database\)/,
			fix: /^ALTER SYSTEM SET idle_in_transaction_session_timeout = '60s'; SELECT pg_reload_conf\(\);$/,
		},
		{
			name: 'idle_in_transaction on server-wide: pass',
			run: idleInTransactionTimeout,
			input: withRows({ok: true, value: []}, {idle_in_transaction_session_timeout: setting('60000', 'configuration file', 'ms')}),
			status: 'pass',
			found: /server-wide 1 min; on for 1 application role \(shop\)/,
		},
		{
			name: 'on server-wide but switched off for one role: warn, fixed on that role',
			run: idleInTransactionTimeout,
			input: withRows({ok: true, value: [{role: 'shop', database: null, settings: {idle_in_transaction_session_timeout: '0'}}]}, {idle_in_transaction_session_timeout: setting('60000', 'configuration file', 'ms')}),
			status: 'warn',
			found: /off for shop \(every database, set by role\)/,
			fix: /^ALTER ROLE "shop" SET idle_in_transaction_session_timeout = '60s';$/,
		},
		{
			name: 'statement_timeout off: warn, fixed per role (not server-wide)',
			run: statementTimeout,
			input: withRows({ok: true, value: []}),
			status: 'warn',
			fix: /^ALTER ROLE "shop" SET statement_timeout = '30s';$/,
		},
		{
			name: 'statement_timeout set on the role: pass',
			run: statementTimeout,
			input: withRows({ok: true, value: [{role: 'shop', database: null, settings: {statement_timeout: '30s'}}]}),
			status: 'pass',
			found: /overrides: shop 30 s/,
		},
		{
			name: 'statement_timeout set on one database only: warn for the other',
			run: statementTimeout,
			input: withRows({ok: true, value: [{role: null, database: 'app', settings: {statement_timeout: '30s'}}]}),
			status: 'warn',
			found: /off for shop \(postgres\)/,
		},
		{
			name: 'per-role settings unreadable: could not check, and why',
			run: statementTimeout,
			input: withRows({ok: false, error: 'permission denied for table pg_db_role_setting (42501)'}, {statement_timeout: setting('30000', 'configuration file', 'ms')}),
			status: 'unknown',
			found: /per-role settings not read: permission denied/,
		},
		{
			name: "the monitor session's own value hides the server's: could not check",
			run: statementTimeout,
			input: withRows({ok: true, value: []}, {statement_timeout: setting('2000', 'client', 'ms')}),
			status: 'unknown',
			found: /hidden by this session's own settings/,
		},
		{name: 'idle_session_timeout off: pass', run: idleSessionTimeout, input: input(), status: 'pass'},
		{
			name: 'idle_session_timeout server-wide with pools: warn',
			run: idleSessionTimeout,
			input: input({pools: [pool()], settings: {ok: true, value: settings({}, {idle_session_timeout: setting('60000', 'configuration file', 'ms')})}}),
			status: 'warn',
			fix: /ALTER SYSTEM RESET idle_session_timeout/,
		},
		{name: 'idle_session_timeout before 14: skip', run: idleSessionTimeout, input: input({settings: {ok: true, value: settings({version: '13.9', versionNum: 130_009})}}), status: 'skip'},
		{name: 'keepalive: Linux defaults warn with the detection time', run: tcpKeepalive, input: input(), status: 'warn', found: /~2 h 11 min 15 s/, numbers: {detectSeconds: 7875}},
		{
			name: 'keepalive: 60 + 6 × 10: pass',
			run: tcpKeepalive,
			input: input({settings: {ok: true, value: settings({}, {tcp_keepalives_idle: setting('60', 'configuration file', 's'), tcp_keepalives_interval: setting('10', 'configuration file', 's'), tcp_keepalives_count: setting('6', 'configuration file')})}}),
			status: 'pass',
			numbers: {detectSeconds: 120},
		},
		{
			name: 'keepalive over a Unix socket: skip',
			run: tcpKeepalive,
			input: input({privileges: {ok: true, value: {role: 'monitor', isSuperuser: true, canReadAllStats: true, canSignalBackend: true, canUseReserved: true, isUnixSocket: true}}}),
			status: 'skip',
		},
		{name: 'acquire timeout: no source exposes it: skip, saying so', run: poolAcquireTimeout, input: input({pools: [pool()]}), status: 'skip', found: /checkout: acquire timeout not exposed/},
		{
			name: 'PgBouncer query_wait_timeout 0: warn',
			run: poolAcquireTimeout,
			input: input({pgbouncers: [{endpoint: 'b', config: {ok: true, value: bouncer({queryWaitTimeoutSeconds: 0})}}]}),
			status: 'warn',
			fix: /query_wait_timeout = 120/,
		},
	]);
});

describe('limits that bite first', () => {
	const rolesWith = (limit: number, connections: number) => ({ok: true as const, value: [{name: 'shop', isSuperuser: false, connectionLimit: limit, connections}]});
	runCases([
		{
			name: 'rolconnlimit 10 below the pool of 20 that logs in as it: fail',
			run: roleConnectionLimit,
			input: input({roles: rolesWith(10, 5), pools: [pool({maxPerInstance: 20})]}),
			status: 'fail',
			found: /shop limit 10, 5 connected; pools checkout 20 × 1 instance = 20/,
			fix: /^ALTER ROLE "shop" CONNECTION LIMIT 21;$/,
		},
		{name: 'rolconnlimit above the pool: pass', run: roleConnectionLimit, input: input({roles: rolesWith(30, 5), pools: [pool({maxPerInstance: 20})]}), status: 'pass'},
		{name: 'rolconnlimit reached by connections alone: fail', run: roleConnectionLimit, input: input({roles: rolesWith(5, 5)}), status: 'fail'},
		{name: 'rolconnlimit 85% used: warn', run: roleConnectionLimit, input: input({roles: rolesWith(20, 17)}), status: 'warn'},
		{name: 'superusers are exempt', run: roleConnectionLimit, input: input({roles: {ok: true, value: [{name: 'postgres', isSuperuser: true, connectionLimit: 1, connections: 3}]}}), status: 'pass'},
		{
			name: 'datconnlimit below the pool: fail',
			run: databaseConnectionLimit,
			input: input({databases: {ok: true, value: [{name: 'app', connectionLimit: 10, connections: 6}]}, pools: [pool({maxPerInstance: 20})]}),
			status: 'fail',
			fix: /^ALTER DATABASE "app" CONNECTION LIMIT 21;$/,
		},
		{name: 'no PgBouncer: skip', run: pgbouncerMaxClientConn, input: input(), status: 'skip'},
		{name: 'PgBouncer at max_client_conn: fail', run: pgbouncerMaxClientConn, input: input({pgbouncers: [{endpoint: 'b', config: {ok: true, value: bouncer({clients: 100})}}]}), status: 'fail', fix: /max_client_conn = 200/},
		{name: 'PgBouncer with room: pass', run: pgbouncerMaxClientConn, input: input({pgbouncers: [{endpoint: 'b', config: {ok: true, value: bouncer()}}]}), status: 'pass', found: /10 clients of max_client_conn 100/},
		{name: 'PgBouncer console refused: could not check', run: pgbouncerMaxClientConn, input: input({pgbouncers: [{endpoint: 'b', config: {ok: false, error: 'pgbouncer: not allowed'}}]}), status: 'unknown', found: /not allowed/},
	]);
});

describe('visibility', () => {
	const as = (privileges: Partial<{isSuperuser: boolean; canReadAllStats: boolean; canSignalBackend: boolean}>) => input({
		privileges: {ok: true, value: {role: 'monitor', isSuperuser: false, canReadAllStats: false, canSignalBackend: false, canUseReserved: false, isUnixSocket: false, ...privileges}},
		activity: {ok: true, value: {connections: 12, hidden: 9}},
	});
	runCases([
		{name: 'no pg_read_all_stats: fail, GRANT pg_monitor', run: visibility, input: as({}), status: 'fail', found: /9 other sessions/, fix: /^GRANT pg_monitor TO "monitor";$/},
		{name: 'pg_read_all_stats: pass', run: visibility, input: as({canReadAllStats: true}), status: 'pass'},
		{name: 'no pg_signal_backend: warn', run: signalBackend, input: as({}), status: 'warn', fix: /GRANT pg_signal_backend TO "monitor";/},
		{name: 'superuser: pass', run: signalBackend, input: as({isSuperuser: true}), status: 'pass'},
	]);
});

describe('helpers', () => {
	it('durationMs reads settings in their base unit and with units', () => {
		assert.equal(durationMs('statement_timeout', '30000'), 30_000);
		assert.equal(durationMs('statement_timeout', '30s'), 30_000);
		assert.equal(durationMs('statement_timeout', '5min'), 300_000);
		assert.equal(durationMs('tcp_keepalives_idle', '60'), 60_000);
		assert.equal(durationMs('statement_timeout', 'soon'), null);
	});

	it("effectiveSetting follows PostgreSQL's order", () => {
		const rows = [
			{role: null, database: null, settings: {statement_timeout: '1s'}},
			{role: null, database: 'app', settings: {statement_timeout: '2s'}},
			{role: 'shop', database: null, settings: {statement_timeout: '3s'}},
			{role: 'shop', database: 'app', settings: {statement_timeout: '4s'}},
		];
		assert.deepEqual(effectiveSetting('statement_timeout', 'shop', 'app', rows, 0), {ms: 4000, origin: 'role in database', database: 'app'});
		assert.deepEqual(effectiveSetting('statement_timeout', 'shop', 'other', rows, 0), {ms: 3000, origin: 'role', database: 'other'});
		assert.deepEqual(effectiveSetting('statement_timeout', 'jobs', 'app', rows, 0), {ms: 2000, origin: 'database', database: 'app'});
		assert.deepEqual(effectiveSetting('statement_timeout', 'jobs', 'other', rows, 0), {ms: 1000, origin: 'all roles', database: 'other'});
		assert.deepEqual(effectiveSetting('statement_timeout', 'jobs', 'other', [], 5), {ms: 5, origin: 'server', database: 'other'});
	});

	it('pgbouncerServerConnections caps a database at max_db_connections', () => {
		const result = pgbouncerServerConnections(bouncer({databases: [{name: 'app', poolSize: 20, reservePool: 0, maxDbConnections: 0, forceUser: null, users: ['a', 'b', 'c']}], maxDbConnections: 50}));
		assert.equal(result.total, 50);
		assert.match(result.parts[0]!, /app \(20\) × 3 users, max_db_connections 50 = 50/);
	});

	it('exit codes: fail 2 > warn 1 > could not check 3 > pass 0; skip counts as pass', () => {
		const of = (...statuses: CheckStatus[]) => exitCodeFor(statuses.map(status => ({id: 'visibility', status, title: '', found: '', fix: null, numbers: {}})));
		assert.equal(of('pass', 'skip'), 0);
		assert.equal(of('pass', 'warn'), 1);
		assert.equal(of('fail', 'warn', 'unknown'), 2);
		assert.equal(of('pass', 'unknown'), 3);
		assert.equal(of('warn', 'unknown'), 1);
	});

	it('runChecks returns every check once, in order', () => {
		const ids = runChecks(input()).map(check => check.id);
		assert.equal(new Set(ids).size, 13);
		assert.equal(ids[0], 'capacity-total');
	});
});
