// `lifeguard doctor` on the server named by LIFEGUARD_TEST_DATABASE_URL (CI: the machine's PostgreSQL
// 15). Read-only towards the server's settings: only a role of its own, created and dropped here.
import {after, before, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import pg from 'pg';
import {externalServer} from '../helpers/postgres.js';
import {review, withUser} from './helpers.js';

const server = externalServer();

describe('doctor on the external server', {skip: server ? false : 'LIFEGUARD_TEST_DATABASE_URL not set'}, () => {
	const role = `lg_doctor_${randomBytes(4).toString('hex')}`;
	const password = randomBytes(8).toString('hex');
	let admin: pg.Client;

	before(async () => {
		admin = new pg.Client({connectionString: server!.url});
		await admin.connect();
		await admin.query(`create role ${role} login password '${password}'`);
	});

	after(async () => {
		await admin.query(`drop role if exists ${role}`).catch(() => undefined);
		await admin.end();
	});

	it('reads the version, the slots and the settings; before 16 a non-superuser gets no reserved slot (warn), a superuser does', async () => {
		const result = await review(withUser(server!.url, role, password));
		assert.ok(result.input.settings.ok);
		const {versionNum, maxConnections, superuserReservedConnections, reservedConnections} = result.input.settings.value;
		const {rows} = await admin.query<{max: string; su: string}>("select current_setting('max_connections') as max, current_setting('superuser_reserved_connections') as su");
		assert.equal(maxConnections, Number(rows[0]!.max));
		assert.equal(superuserReservedConnections, Number(rows[0]!.su));
		assert.ok(result.input.privileges.ok);
		const reserved = result.byId('reserved-slots');
		if (versionNum < 160_000) {
			assert.equal(reservedConnections, 0);
			assert.equal(result.input.privileges.value.canUseReserved, null, 'no pg_use_reserved_connections before 16: NULL, not an error');
			assert.equal(reserved.status, 'warn', reserved.found);
			assert.match(reserved.found, /reserved slots are for superusers only/);
		} else {
			assert.notEqual(reserved.status, 'pass');
		}

		assert.equal(result.byId('visibility').status, 'fail');
		const superuser = await review(server!.url);
		if (superuser.input.privileges.ok && superuser.input.privileges.value.isSuperuser) {
			assert.equal(superuser.byId('reserved-slots').status, superuserReservedConnections > 0 ? 'pass' : 'fail');
		}
	});
});
