// A load program (see load-process.ts for its contract): `clients` idle node-postgres connections of
// one application. On SIGUSR2 it replaces them: `burst` closes them all and opens as many new ones at
// once (an application restarted or deployed); `rotate` replaces one at a time, evenly over
// `rotateMs` (a pool's max-lifetime rotation). `replaced` counts the new connections logged in.
//   node --import tsx reconnecting-clients-child.ts '{"url": …, "applicationName": …, …}'   (PGPASSWORD by env)
import process from 'node:process';
import pg from 'pg';

export type ReconnectingClientsConfig = {
	/** Without a password: node-postgres reads PGPASSWORD. */
	url: string;
	applicationName: string;
	clients: number;
	mode: 'burst' | 'rotate';
	/** `rotate`: the replacements are spread evenly over this long. */
	rotateMs: number;
	limitMs: number;
};

export type ReconnectingClientsStatus = {at: number; connected: number; replaced: number; isDone: boolean; errors: number; lastError: string | null};

const config = JSON.parse(process.argv[2] ?? '{}') as ReconnectingClientsConfig;
const status: ReconnectingClientsStatus = {at: 0, connected: 0, replaced: 0, isDone: false, errors: 0, lastError: null};
const open = new Set<pg.Client>();
const pause = async (ms: number) => new Promise(resolve => {
	setTimeout(resolve, ms);
});

async function connect(): Promise<pg.Client> {
	const client = new pg.Client({connectionString: config.url, application_name: config.applicationName});
	client.on('error', () => undefined);
	await client.connect();
	open.add(client);
	status.connected++;
	return client;
}

async function close(client: pg.Client): Promise<void> {
	open.delete(client);
	status.connected--;
	await client.end().catch(() => undefined);
}

async function replace(clients: pg.Client[]): Promise<void> {
	try {
		if (config.mode === 'burst') {
			await Promise.all(clients.map(close));
			await Promise.all(clients.map(async () => {
				await connect();
				status.replaced++;
			}));
		} else {
			const everyMs = config.rotateMs / clients.length;
			for (const client of clients) {
				await pause(everyMs);
				await close(client);
				await connect();
				status.replaced++;
			}
		}
	} catch (error) {
		status.errors++;
		status.lastError = error instanceof Error ? error.message : String(error);
	}

	status.isDone = true;
}

function report(extra: Record<string, unknown> = {}): void {
	status.at = Date.now();
	process.stdout.write(`${JSON.stringify({...extra, ...status})}\n`);
}

function stop(): void {
	setTimeout(() => process.exit(0), 1000).unref();
	Promise.all([...open].map(async client => client.end().catch(() => undefined))).then(() => process.exit(0), () => process.exit(0));
}

process.on('SIGTERM', stop);
process.stdin.on('end', stop).on('close', stop).resume();
setTimeout(stop, config.limitMs).unref();
const first = await Promise.all(Array.from({length: config.clients}, connect));
let isStarted = false;
process.on('SIGUSR2', () => {
	if (!isStarted) {
		isStarted = true;
		void replace(first);
	}
});
setInterval(report, 200);
report({ready: true, pid: process.pid});
