import assert from 'node:assert/strict';
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, test} from 'node:test';
import {maskText, maskUrl} from '../../source/connection/mask.js';
import {lookupPgpass, resolveTarget, resolveTargets, TargetError} from '../../source/connection/target.js';

const home = mkdtempSync(path.join(os.tmpdir(), 'lifeguard-target-'));
after(() => {
	rmSync(home, {recursive: true, force: true});
});

describe('resolveTarget', () => {
	test('--db URL wins over DATABASE_URL and PG variables; the display masks the password', () => {
		const target = resolveTarget('postgres://monitor:s3cret@db.example:6543/app?sslmode=disable', {
			DATABASE_URL: 'postgres://other@elsewhere/x', PGHOST: 'ignored', PGPASSWORD: 'nope', HOME: home,
		});
		assert.deepEqual(
			{host: target.host, port: target.port, user: target.user, database: target.database, password: target.password, sslMode: target.sslMode},
			{host: 'db.example', port: 6543, user: 'monitor', database: 'app', password: 's3cret', sslMode: 'disable'},
		);
		assert.equal(target.display, 'postgres://monitor:***@db.example:6543/app');
		assert.equal(target.applicationName, 'lifeguard');
		assert.equal(target.connectTimeoutMs, 5000);
	});

	test('DATABASE_URL is used when --db is absent; PG variables fill what the URL leaves out', () => {
		const target = resolveTarget(undefined, {DATABASE_URL: 'postgres://app@h1/shop', PGPORT: '5433', PGPASSWORD: 'envpw', HOME: home});
		assert.equal(target.host, 'h1');
		assert.equal(target.port, 5433);
		assert.equal(target.password, 'envpw');
		assert.equal(target.display, 'postgres://app:***@h1:5433/shop');
	});

	test('libpq variables alone, with psql defaults: database = user, sslmode prefer', () => {
		const target = resolveTarget(undefined, {PGHOST: '127.0.0.1', PGUSER: 'ops', PGAPPNAME: 'oncall', PGCONNECT_TIMEOUT: '1', HOME: home});
		assert.equal(target.database, 'ops');
		assert.equal(target.sslMode, 'prefer');
		assert.equal(target.applicationName, 'oncall');
		// libpq raises connect_timeout values under 2 s to 2 s
		assert.equal(target.connectTimeoutMs, 2000);
		assert.equal(target.password, undefined);
		assert.equal(target.display, 'postgres://ops@127.0.0.1:5432/ops');
	});

	test('keyword/value connection strings are parsed, quoted passwords included', () => {
		const target = resolveTarget("host=db port=5000 user=u password='p w' dbname=app", {HOME: home});
		assert.deepEqual([target.host, target.port, target.user, target.password, target.database], ['db', 5000, 'u', 'p w', 'app']);
	});

	test('percent-encoded credentials are decoded', () => {
		const target = resolveTarget('postgres://lifeguard:p%40ss%3Aw%2Frd@db/app', {HOME: home});
		assert.equal(target.password, 'p@ss:w/rd');
		assert.equal(target.display, 'postgres://lifeguard:***@db:5432/app');
	});

	test('bad values are one-line TargetErrors that never echo the password', () => {
		assert.throws(() => resolveTarget('postgres://u:hunter2@h:notaport/db', {HOME: home}), (error: Error) =>
			error instanceof TargetError && !error.message.includes('hunter2') && !error.message.includes('\n'));
		assert.throws(() => resolveTarget('postgres://u@h/db?sslmode=sometimes', {HOME: home}), /invalid sslmode "sometimes"/);
		assert.throws(() => resolveTarget('mysql://u@h/db', {HOME: home}), /invalid connection string/);
	});

	test('errors name where the bad value came from; a malformed %-escape is a TargetError, masked', () => {
		const cases: Array<[string | undefined, Record<string, string>, string]> = [
			['postgres://u:hunter%zz2@h/db', {}, '--db: invalid connection URL "postgres://u:***@h/db": malformed %-escape'],
			['postgres://u@h/%E0%A4%A', {}, '--db: invalid connection URL "postgres://u@h/%E0%A4%A": malformed %-escape'],
			[undefined, {DATABASE_URL: 'postgres://u:hunter%zz2@h/db'}, 'DATABASE_URL: invalid connection URL "postgres://u:***@h/db": malformed %-escape'],
			['postgres://u@h/db?sslmode=sometimes', {}, '--db: invalid sslmode "sometimes" (use disable, allow, prefer, require, verify-ca or verify-full)'],
			[undefined, {PGSSLMODE: 'sometimes'}, 'PGSSLMODE: invalid sslmode "sometimes" (use disable, allow, prefer, require, verify-ca or verify-full)'],
			[undefined, {PGPORT: 'abc'}, 'PGPORT: invalid port "abc"'],
			[undefined, {PGCONNECT_TIMEOUT: 'soon'}, 'PGCONNECT_TIMEOUT: invalid connect_timeout "soon"'],
			['host=h connect_timeout=soon', {}, '--db: invalid connect_timeout "soon"'],
			['\u001B]0;pwned\u0007', {}, '--db: invalid connection string "␛]0;pwned␇": expected postgres://user@host:port/database or host=... dbname=...'],
		];
		for (const [db, env, message] of cases) {
			assert.throws(() => resolveTarget(db, {HOME: home, ...env}), (error: Error) => {
				assert.ok(error instanceof TargetError, String(error));
				assert.equal(error.message, message);
				return true;
			});
		}
	});
});

describe('~/.pgpass', () => {
	test('matches with wildcards and escapes, and only when no password is set at all', () => {
		const file = path.join(home, '.pgpass');
		writeFileSync(file, '# comment\nother:5432:*:*:nope\ndb:*:app:ops:pa\\:ss\n*:*:*:*:fallback\n');
		chmodSync(file, 0o600);
		assert.equal(lookupPgpass({HOME: home}, {host: 'db', port: 5432, database: 'app', user: 'ops'}), 'pa:ss');
		assert.equal(lookupPgpass({HOME: home}, {host: 'x', port: 1, database: 'y', user: 'z'}), 'fallback');
		assert.equal(resolveTarget('postgres://ops@db/app', {HOME: home}).password, 'pa:ss');
		// An empty PGPASSWORD disables .pgpass, as in libpq.
		assert.equal(resolveTarget('postgres://ops@db/app', {HOME: home, PGPASSWORD: ''}).password, undefined);
	});

	test('is ignored when group or others may read it', () => {
		const file = path.join(home, 'loose.pgpass');
		writeFileSync(file, '*:*:*:*:loose\n');
		chmodSync(file, 0o644);
		assert.equal(lookupPgpass({PGPASSFILE: file}, {host: 'h', port: 5432, database: 'd', user: 'u'}), undefined);
	});
});

describe('masking', () => {
	test('URLs of every scheme lose their password, other parts stay', () => {
		assert.equal(maskUrl('postgres://monitor:secret@db:5432/app'), 'postgres://monitor:***@db:5432/app');
		assert.equal(maskUrl('pgbouncer://stats:pw@127.0.0.1:6432/pgbouncer'), 'pgbouncer://stats:***@127.0.0.1:6432/pgbouncer');
		assert.equal(maskUrl('http://u:p@h/metrics?password=x&a=1'), 'http://u:***@h/metrics?password=***&a=1');
		assert.equal(maskUrl('postgres://db/app'), 'postgres://db/app');
		assert.equal(maskUrl("host=db password='p w' user=u"), 'host=db password=*** user=u');
	});

	test('free text loses URL passwords and every known secret', () => {
		assert.equal(maskText('failed: connect postgres://a:b%40c@h/d and pw=hunter2', ['hunter2']), 'failed: connect postgres://a:***@h/d and pw=***');
	});
});

describe('resolveTargets: several servers', () => {
	test('names given are kept; unnamed servers are called by host and port, and by database when that alone tells them apart', () => {
		const targets = resolveTargets([
			{name: 'primary', text: 'postgres://u@p:5432/app'},
			{name: null, text: 'postgres://u@r:5433/app'},
			{name: null, text: 'postgres://u@s/app'},
			{name: null, text: 'postgres://u@s/other'},
		], {HOME: home});
		assert.deepEqual(targets.map(each => each.name), ['primary', 'r:5433', 's:5432/app', 's:5432/other']);
		assert.equal(targets[1]!.target.port, 5433);
	});

	test('one server needs no name; an error among several names its server', () => {
		assert.deepEqual(resolveTargets([], {HOME: home, DATABASE_URL: 'postgres://u@h/app'}).map(each => [each.name, each.target.host]), [[null, 'h']]);
		assert.throws(() => resolveTargets([{name: 'primary', text: 'postgres://u@p/app'}, {name: 'replica', text: 'postgres://u@r/app?sslmode=sometimes'}], {HOME: home}),
			(error: Error) => error instanceof TargetError && error.message === '--db replica: invalid sslmode "sometimes" (use disable, allow, prefer, require, verify-ca or verify-full)');
		assert.throws(() => resolveTargets([{name: null, text: 'postgres://u@p/app'}, {name: null, text: 'postgres://v@p/app'}], {HOME: home}),
			(error: Error) => error.message === '--db: p:5432/app is given twice');
		// A name the operator gave is never lengthened into another one.
		assert.throws(() => resolveTargets([{name: 'a', text: 'postgres://u@p/x'}, {name: 'a', text: 'postgres://u@r/y'}], {HOME: home}),
			(error: Error) => error.message === '--db: a is given twice');
	});
});
