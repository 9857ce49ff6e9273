import {writeFileSync} from 'node:fs';
import {startBouncerLoad} from '/work/wt/poolers/test/helpers/lookalikes/pgbouncer-load.js';
import {startEmbeddedPostgres} from '/work/wt/poolers/test/helpers/postgres.js';
const server = await startEmbeddedPostgres({maxConnections: 100});
const load = await startBouncerLoad(server, {services: [{applicationName: 'orders', clients: 24}, {applicationName: 'billing-reports-nightly-export-service', clients: 16}], limitMs: 110_000});
writeFileSync('/tmp/poolers-exp/urls', `${server.url}\n${load.bouncer.adminUrl()}\n`);
await new Promise(resolve => setTimeout(resolve, 100_000));
await load.stop(); await server.stop();
