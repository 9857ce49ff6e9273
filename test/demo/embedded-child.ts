// Test-only entry: one start of the tests' embedded server (test/helpers/postgres.ts) in a process of
// its own, whose TMPDIR the caller chose (test-tmp.ts reads it when it loads): where the server's data
// directory was, printed as JSON; then stopped.
import process from 'node:process';
import pg from 'pg';
import {startEmbeddedPostgres} from '../helpers/postgres.js';

const server = await startEmbeddedPostgres();
try {
	const client = new pg.Client({connectionString: server.url});
	await client.connect();
	const {rows} = await client.query<{directory: string}>('select current_setting(\'data_directory\') as directory');
	await client.end();
	process.stdout.write(`${JSON.stringify({dataDirectory: rows[0]!.directory})}\n`);
} finally {
	await server.stop();
}
