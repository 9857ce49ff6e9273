// Every check of `lifeguard doctor` against a real PostgreSQL (embedded 18) set up to fail it, and the
// same server set up to pass it. The server is this file's own: each test restores what it changed.
import {after, before, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {publishPool, review, withUser, type PublishedPool} from './helpers.js';

const PASSWORD = 'doctor-test-pw';

describe('doctor against a real PostgreSQL 18', () => {
	let server: TestServer;
	let admin: pg.Client;
	let monitorUrl: string;
	let appUrl: string;

	/** Run SQL as the superuser. */
	const sql = async (text: string) => admin.query(text);

	/** ALTER SYSTEM, reload, and wait until a new session sees the value. */
	const setSystem = async (name: string, value: string | null, shown: string) => {
		await sql(value === null ? `alter system reset ${name}` : `alter system set ${name} = '${value}'`);
		await sql('select pg_reload_conf()');
		await pollUntil(async () => {
			const probe = new pg.Client({connectionString: server.url});
			await probe.connect();
			try {
				const {rows} = await probe.query<{value: string}>(`select current_setting('${name}') as value`);
				return rows[0]!.value === shown;
			} finally {
				await probe.end();
			}
		}, {what: `${name} = ${shown} after reload`});
	};

	before(async () => {
		server = await startEmbeddedPostgres({maxConnections: 40, superuserReserved: 3, reserved: 2});
		admin = new pg.Client({connectionString: server.url});
		await admin.connect();
		await sql(`create role lg_monitor login password '${PASSWORD}'`);
		await sql(`create role shop login password '${PASSWORD}'`);
		await sql('create database app');
		monitorUrl = withUser(server.url, 'lg_monitor', PASSWORD);
		appUrl = withUser(server.url, 'shop', PASSWORD, 'app');
	});

	after(async () => {
		await admin?.end().catch(() => undefined);
		await server?.stop();
	});

	it('reads the usable slots as max_connections − superuser_reserved − reserved (40 − 3 − 2)', async () => {
		const {input} = await review(monitorUrl);
		assert.ok(input.settings.ok);
		assert.equal(input.settings.value.maxConnections, 40);
		assert.equal(input.settings.value.reservedConnections, 2);
		assert.ok(input.privileges.ok);
		assert.equal(input.privileges.value.role, 'lg_monitor');
		assert.equal(input.privileges.value.canUseReserved, false);
	});

	describe('capacity-total', () => {
		it('fails when two instances × max 20 exceed 35 usable slots, passes at max 5', async () => {
			const published: PublishedPool[] = [];
			try {
				for (const max of [20, 20]) {
					published.push(await publishPool('api', {connectionString: appUrl, max}));
				}

				const failing = (await review(monitorUrl, published.map(p => p.spec))).byId('capacity-total');
				assert.equal(failing.status, 'fail', failing.found);
				assert.match(failing.found, /api 20 × 2 instances = 40 vs usable 35 \(max_connections 40 − superuser_reserved 3 − reserved 2\)/);
				assert.deepEqual({usable: failing.numbers['usable'], total: failing.numbers['total']}, {usable: 35, total: 40});
				assert.match(failing.fix ?? '', /api max 20 → 17/);

				for (const p of published) {
					p.pool.options.max = 5;
				}

				const passing = (await review(monitorUrl, published.map(p => p.spec))).byId('capacity-total');
				assert.equal(passing.status, 'pass', passing.found);
				assert.equal(passing.numbers['total'], 10);
			} finally {
				await Promise.all(published.map(async p => p.close()));
			}
		});
	});

	describe('capacity-observed', () => {
		it('fails when the pool is at max with waiters while the server has room; passes with a pool big enough', async () => {
			// The requests block on an advisory lock this test holds (advisory locks are per database: the
			// holder is in the pools' database): the pool stays full, the rest queue in it.
			const holder = new pg.Client({connectionString: withUser(server.url, server.user, server.password, 'app')});
			await holder.connect();
			await holder.query('select pg_advisory_lock(4242)');
			const small = await publishPool('checkout', {connectionString: appUrl, max: 2, application_name: 'checkout'});
			const big = await publishPool('checkout', {connectionString: appUrl, max: 10, application_name: 'checkout'});
			const requests: Array<Promise<unknown>> = [];
			try {
				for (let index = 0; index < 6; index++) {
					requests.push(small.pool.query('select pg_advisory_lock_shared(4242)').catch(() => undefined));
					requests.push(big.pool.query('select pg_advisory_lock_shared(4242)').catch(() => undefined));
				}

				await pollUntil(() => small.pool.waitingCount === 4 && small.pool.idleCount === 0 && big.pool.totalCount === 6 && big.pool.idleCount === 0, {what: 'the small pool full with 4 waiting'});
				const failing = (await review(monitorUrl, [small.spec])).byId('capacity-observed');
				assert.equal(failing.status, 'fail', failing.found);
				assert.match(failing.found, /checkout: 2 of max 2 × 1 instance in use, 4 waiting; server \d+ of 35 usable slots used, \d+ free( \(\d+ counted without details\))?: the pool is the bottleneck/);
				// pool-stats publishes no usage counters: what is missing, never a number from the 4 waiting.
				assert.equal(failing.numbers['suggestedMax'], null);
				assert.match(failing.fix ?? '', /^checkout's demand is unknown: its source exposes no hold time: add servedTotal and holdSecondsTotal to its JSON/);

				const passing = (await review(monitorUrl, [big.spec])).byId('capacity-observed');
				assert.equal(passing.status, 'pass', passing.found);
				assert.match(passing.found, /no waiters at the review \(checkout 6\/10\)/);
				// Still blocked: the readings above were of pools in that state, not of finished requests.
				assert.equal(small.pool.waitingCount, 4);
			} finally {
				await holder.end();
				await Promise.all(requests);
				await small.close();
				await big.close();
			}
		});
	});

	describe('reserved-slots', () => {
		it('fails while the monitoring role may not use the 2 reserved slots, passes with the grant', async () => {
			const failing = (await review(monitorUrl)).byId('reserved-slots');
			assert.equal(failing.status, 'fail', failing.found);
			assert.equal(failing.fix, 'GRANT pg_use_reserved_connections TO "lg_monitor";');
			await sql('grant pg_use_reserved_connections to lg_monitor');
			try {
				const passing = (await review(monitorUrl)).byId('reserved-slots');
				assert.equal(passing.status, 'pass', passing.found);
				assert.match(passing.found, /2 reserved_connections, and lg_monitor has pg_use_reserved_connections/);
			} finally {
				await sql('revoke pg_use_reserved_connections from lg_monitor');
			}
		});
	});

	describe('timeouts', () => {
		it('idle_in_transaction_session_timeout: off fails the application role, ALTER SYSTEM passes it, ALTER ROLE … 0 fails it again', async () => {
			const off = (await review(monitorUrl)).byId('idle-in-transaction-timeout');
			assert.equal(off.status, 'warn', off.found);
			assert.match(off.found, /server-wide 0 \(off\); off for shop \(every database\)/);
			assert.match(off.fix ?? '', /^ALTER SYSTEM SET idle_in_transaction_session_timeout = '60s'; SELECT pg_reload_conf\(\);$/);
			await setSystem('idle_in_transaction_session_timeout', '60s', '1min');
			try {
				const on = (await review(monitorUrl)).byId('idle-in-transaction-timeout');
				assert.equal(on.status, 'pass', on.found);
				assert.match(on.found, /server-wide 1 min; on for 1 application role \(shop\)/);
				await sql('alter role shop set idle_in_transaction_session_timeout = 0');
				const roleOff = (await review(monitorUrl)).byId('idle-in-transaction-timeout');
				assert.equal(roleOff.status, 'warn', roleOff.found);
				assert.match(roleOff.found, /off for shop \(every database, set by role\)/);
				assert.equal(roleOff.fix, `ALTER ROLE "shop" SET idle_in_transaction_session_timeout = '60s';`);
			} finally {
				await sql('alter role shop reset idle_in_transaction_session_timeout');
				await setSystem('idle_in_transaction_session_timeout', null, '0');
			}
		});

		it('statement_timeout: off on the application role warns; ALTER ROLE … SET passes; ALTER DATABASE covers one database only', async () => {
			const off = (await review(monitorUrl)).byId('statement-timeout');
			assert.equal(off.status, 'warn', off.found);
			assert.equal(off.fix, `ALTER ROLE "shop" SET statement_timeout = '30s';`);
			await sql("alter database app set statement_timeout = '30s'");
			try {
				const oneDatabase = (await review(monitorUrl)).byId('statement-timeout');
				assert.equal(oneDatabase.status, 'warn', oneDatabase.found);
				assert.match(oneDatabase.found, /overrides: database app 30 s; off for shop \(postgres\)/);
				await sql("alter role shop set statement_timeout = '30s'");
				const on = (await review(monitorUrl)).byId('statement-timeout');
				assert.equal(on.status, 'pass', on.found);
			} finally {
				await sql('alter database app reset statement_timeout');
				await sql('alter role shop reset statement_timeout');
			}
		});

		it("statement_timeout: read as the server gives it, not as lifeguard's own session sets it (2 s)", async () => {
			const {input} = await review(monitorUrl);
			assert.ok(input.settings.ok);
			assert.deepEqual(input.settings.value.settings['statement_timeout'], {value: '0', unit: 'ms', source: 'default'});
		});

		it('idle_session_timeout: server-wide with pools warns, off passes', async () => {
			const published = await publishPool('api', {connectionString: appUrl, max: 2});
			try {
				const off = (await review(monitorUrl, [published.spec])).byId('idle-session-timeout');
				assert.equal(off.status, 'pass', off.found);
				await setSystem('idle_session_timeout', '10min', '10min');
				const on = (await review(monitorUrl, [published.spec])).byId('idle-session-timeout');
				assert.equal(on.status, 'warn', on.found);
				assert.match(on.found, /server-wide 10 min: it also closes the idle connections pools keep/);
			} finally {
				await setSystem('idle_session_timeout', null, '0');
				await published.close();
			}
		});

		it("TCP keepalive: the OS default (idle 7200 s) warns, 60 s + 6 × 10 s passes", async () => {
			const defaults = (await review(monitorUrl)).byId('tcp-keepalive');
			assert.equal(defaults.status, 'warn', defaults.found);
			assert.equal(defaults.numbers['idleSeconds'], 7200, 'the OS default, as a TCP session reads it');
			await sql('alter system set tcp_keepalives_idle = 60');
			await sql('alter system set tcp_keepalives_interval = 10');
			await setSystem('tcp_keepalives_count', '6', '6');
			try {
				const tuned = (await review(monitorUrl)).byId('tcp-keepalive');
				assert.equal(tuned.status, 'pass', tuned.found);
				assert.deepEqual([tuned.numbers['idleSeconds'], tuned.numbers['intervalSeconds'], tuned.numbers['count'], tuned.numbers['detectSeconds']], [60, 10, 6, 120]);
			} finally {
				await sql('alter system reset tcp_keepalives_idle');
				await sql('alter system reset tcp_keepalives_interval');
				// Over TCP an unset keepalive setting reads as the OS value (Linux: 9 probes).
				await setSystem('tcp_keepalives_count', null, '9');
			}
		});
	});

	describe('limits that bite first', () => {
		it('rolconnlimit below the pool that logs in as the role fails; a limit above it passes', async () => {
			const published = await publishPool('checkout', {connectionString: appUrl, max: 5, application_name: 'checkout'});
			const held = await published.pool.connect(); // one session, so the pool maps to its role and database
			try {
				await sql('alter role shop connection limit 3');
				const failing = (await review(monitorUrl, [published.spec])).byId('role-connection-limit');
				assert.equal(failing.status, 'fail', failing.found);
				assert.match(failing.found, /shop limit 3, 1 connected; pools checkout 5 × 1 instance = 5/);
				assert.equal(failing.fix, 'ALTER ROLE "shop" CONNECTION LIMIT 6;');
				await sql('alter role shop connection limit 10');
				const passing = (await review(monitorUrl, [published.spec])).byId('role-connection-limit');
				assert.equal(passing.status, 'pass', passing.found);
			} finally {
				held.release();
				await sql('alter role shop connection limit -1');
				await published.close();
			}
		});

		it('datconnlimit below the pool fails; a limit above it passes', async () => {
			const published = await publishPool('checkout', {connectionString: appUrl, max: 5, application_name: 'checkout'});
			const held = await published.pool.connect();
			try {
				await sql('alter database app connection limit 2');
				const failing = (await review(monitorUrl, [published.spec])).byId('database-connection-limit');
				assert.equal(failing.status, 'fail', failing.found);
				assert.match(failing.found, /app limit 2, 1 connected; pools checkout 5 × 1 instance = 5/);
				assert.equal(failing.fix, 'ALTER DATABASE "app" CONNECTION LIMIT 6;');
				await sql('alter database app connection limit 20');
				const passing = (await review(monitorUrl, [published.spec])).byId('database-connection-limit');
				assert.equal(passing.status, 'pass', passing.found);
			} finally {
				held.release();
				await sql('alter database app connection limit -1');
				await published.close();
			}
		});
	});

	describe('visibility', () => {
		it('without pg_monitor / pg_signal_backend: fail and warn, with the GRANTs; with them: pass', async () => {
			const bare = await review(monitorUrl);
			assert.equal(bare.byId('visibility').status, 'fail');
			assert.equal(bare.byId('visibility').fix, 'GRANT pg_monitor TO "lg_monitor";');
			assert.equal(bare.byId('signal-backend').status, 'warn');
			await sql('grant pg_monitor, pg_signal_backend to lg_monitor');
			try {
				const granted = await review(monitorUrl);
				assert.equal(granted.byId('visibility').status, 'pass');
				assert.equal(granted.byId('signal-backend').status, 'pass');
			} finally {
				await sql('revoke pg_monitor, pg_signal_backend from lg_monitor');
			}
		});
	});

	describe('a role without privileges', () => {
		it("says which checks it could not make and why, and still reports the rest", async () => {
			await sql(`create role lg_nobody login password '${PASSWORD}'`);
			// A locked-down platform: the per-role settings catalog is not readable by everyone.
			await sql('revoke select on pg_db_role_setting from public');
			const holder = await new pg.Client({connectionString: appUrl, application_name: 'checkout'});
			await holder.connect();
			try {
				const result = await review(withUser(server.url, 'lg_nobody', PASSWORD));
				assert.ok(!result.input.roleSettings.ok);
				assert.match(result.input.roleSettings.error, /permission denied for table pg_db_role_setting \(42501\)/);
				const statement = result.byId('statement-timeout');
				assert.equal(statement.status, 'warn', 'the server-wide 0 is still known');
				assert.match(statement.found, /per-role settings not read: permission denied for table pg_db_role_setting/);
				assert.equal(result.byId('visibility').status, 'fail');
				assert.match(result.byId('visibility').found, /lg_nobody has no pg_read_all_stats: [1-9]\d* other sessions show no state/);
				assert.equal(result.byId('reserved-slots').status, 'fail');
				// Counted without details: the hidden sessions still count against the slots.
				assert.ok(result.input.activity.ok);
				assert.ok(result.input.activity.value.hidden >= 1);
				assert.ok(result.checks.every(check => check.found.length > 0));
			} finally {
				await holder.end();
				await sql('grant select on pg_db_role_setting to public');
				await sql('drop role lg_nobody');
			}
		});
	});
});
