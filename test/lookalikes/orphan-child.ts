// Test-only entry, run by cleanup.test.ts: start one load of each kind against the server described
// in LOOKALIKES_SERVER (JSON), print their pids as one line, and wait to be killed.
import process from 'node:process';
import {startPgClients} from '../helpers/lookalikes/pg-clients.js';
import {startPgpool} from '../helpers/lookalikes/pgpool.js';
import {descendantsOf} from '../helpers/lookalikes/server-view.js';
import {ROOMY, SQLALCHEMY_MISSING, startSqlAlchemyPool} from '../helpers/lookalikes/sqlalchemy.js';
import {pgbouncerBinary, startPgBouncer} from '../helpers/pgbouncer.js';
import type {TestServer} from '../helpers/postgres.js';
import {RUN_DIR} from '../helpers/test-tmp.js';

const server = JSON.parse(process.env['LOOKALIKES_SERVER'] ?? '{}') as TestServer;
const clients = await startPgClients(server.url, {applicationName: 'orphan-clients', clients: 2});
const python = SQLALCHEMY_MISSING ? null : await startSqlAlchemyPool(server, 'orphan-sqlalchemy', ROOMY);
const pgpool = await startPgpool(server, {ownDatabase: false});
const bouncer = pgbouncerBinary() ? await startPgBouncer({backend: server}) : null;
process.stdout.write(`${JSON.stringify({
	runDir: RUN_DIR,
	loads: [clients.pid, python?.pid, pgpool.pid, ...descendantsOf(pgpool.pid)].filter(Boolean),
	pgbouncer: bouncer?.pid() ?? null,
})}\n`);
setInterval(() => undefined, 60_000);
