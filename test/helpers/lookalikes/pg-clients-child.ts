// A load program (see load-process.ts for its contract): `clients` node-postgres clients of one
// application, each running short transactions back to back (BEGIN; pg_sleep; COMMIT: three round
// trips, as an ORM does), reconnecting after `reconnectEvery` transactions when that is not 0.
//   node --import tsx pg-clients-child.ts '{"url": …, "applicationName": …, …}'   (PGPASSWORD by env)
import process from 'node:process';
import pg from 'pg';

export type PgClientsConfig = {
	/** Without a password: node-postgres reads PGPASSWORD. */
	url: string;
	applicationName: string;
	clients: number;
	/** How long each transaction's pg_sleep lasts. */
	transactionMs: number;
	/** Transactions per connection before it disconnects and connects again; 0: never. */
	reconnectEvery: number;
	limitMs: number;
};

export type PgClientsStatus = {
	at: number;
	/** Clients logged in right now. */
	connected: number;
	/** Transactions committed since the start. */
	transactions: number;
	/** Logins since the start. */
	logins: number;
	errors: number;
	lastError: string | null;
};

const config = JSON.parse(process.argv[2] ?? '{}') as PgClientsConfig;
const stopAtMs = Date.now() + config.limitMs;
let isStopping = false;
const running = () => !isStopping && Date.now() < stopAtMs;
const status: PgClientsStatus = {at: 0, connected: 0, transactions: 0, logins: 0, errors: 0, lastError: null};
const open = new Set<pg.Client>();
const pause = async (ms: number) => new Promise(resolve => {
	setTimeout(resolve, ms);
});

async function session(): Promise<void> {
	const client = new pg.Client({connectionString: config.url, application_name: config.applicationName});
	client.on('error', () => undefined);
	open.add(client);
	let isLoggedIn = false;
	try {
		await client.connect();
		isLoggedIn = true;
		status.logins++;
		status.connected++;
		for (let done = 0; running() && (config.reconnectEvery === 0 || done < config.reconnectEvery); done++) {
			await client.query('begin');
			await client.query('select pg_sleep($1)', [config.transactionMs / 1000]);
			await client.query('commit');
			status.transactions++;
		}
	} finally {
		if (isLoggedIn) {
			status.connected--;
		}

		open.delete(client);
		await client.end().catch(() => undefined);
	}
}

async function loop(): Promise<void> {
	while (running()) {
		try {
			await session();
		} catch (error) {
			if (running()) {
				status.errors++;
				status.lastError = error instanceof Error ? error.message : String(error);
				await pause(100);
			}
		}
	}
}

function report(extra: Record<string, unknown> = {}): void {
	status.at = Date.now();
	process.stdout.write(`${JSON.stringify({...extra, ...status})}\n`);
}

function stop(): void {
	isStopping = true;
	// A client still waiting to be let in (pgpool-II's listen queue) may not notice end(): exit anyway.
	setTimeout(() => process.exit(0), 1000).unref();
	for (const client of open) {
		client.end().catch(() => undefined);
	}
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const) {
	process.on(signal, stop);
}

process.stdin.on('end', stop).on('close', stop).resume();
const loops = Array.from({length: config.clients}, loop);
const reporter = setInterval(report, 200);
// Ready once one transaction went all the way through: the path works.
while (status.transactions === 0 && running()) {
	await pause(20);
}

report({ready: true, pid: process.pid});
await Promise.all(loops);
clearInterval(reporter);
report();
process.exit(0);
