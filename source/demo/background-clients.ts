// The troublemakers some scenarios add beside the application: a job that leaks connections, one
// that leaves a transaction open, a migration that holds a table lock. Each owns plain pg.Clients,
// swallows their errors (the operator terminating them is the point) and closes them on stop().
import pg from 'pg';

export type BackgroundClients = {stop(): Promise<void>};

function newClient(url: string, applicationName: string): pg.Client {
	const client = new pg.Client({connectionString: url, application_name: applicationName});
	// Terminated from lifeguard: the socket closes with an error nobody needs to see.
	client.on('error', () => undefined);
	return client;
}

async function endAll(clients: readonly pg.Client[]): Promise<void> {
	await Promise.all(clients.map(async client => client.end().catch(() => undefined)));
}

/**
 * Open connections until the server refuses one (53300), then sit on them idle. Once only: after
 * the operator terminates them, the slots stay free.
 */
export async function leakConnections(url: string, applicationName: string, limit: number): Promise<BackgroundClients & {count: number}> {
	const clients: pg.Client[] = [];
	for (let index = 0; index < limit; index++) {
		const client = newClient(url, applicationName);
		try {
			await client.connect();
			await client.query('select 1');
		} catch {
			await client.end().catch(() => undefined);
			break;
		}

		clients.push(client);
	}

	return {count: clients.length, stop: async () => endAll(clients)};
}

/** Run `sql` on a client of its own and keep the session (a transaction, a lock) until stop(). */
export async function holdSession(url: string, applicationName: string, sql: string): Promise<BackgroundClients & {pid: number}> {
	const client = newClient(url, applicationName);
	await client.connect();
	const {rows} = await client.query<{pid: number}>('select pg_backend_pid() as pid');
	// Not awaited when it blocks (a long statement); a cancel or terminate ends it, which is fine.
	client.query(sql).catch(() => undefined);
	return {pid: rows[0]!.pid, stop: async () => endAll([client])};
}
