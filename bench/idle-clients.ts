// Child process that holds the benchmark's idle client connections, so their sockets and pg.Client
// objects do not count in the measuring process's memory or CPU. Driven over IPC by bench.ts:
//   {type: 'open', total}  -> opens connections (in bounded batches) until `total` are open
//   {type: 'close'}        -> ends them all and exits
// It exits by itself when the parent goes away (IPC disconnect).
import pg from 'pg';

export type IdleRequest = {type: 'open'; total: number} | {type: 'close'};
export type IdleReply = {type: 'opened'; total: number; ms: number} | {type: 'failed'; error: string} | {type: 'closed'};

const url = process.argv[2];
const BATCH = 50;
const APPLICATIONS = ['api', 'api', 'api', 'worker', 'worker', 'cron', 'reports', 'admin'];
const clients: pg.Client[] = [];

function reply(message: IdleReply) {
	process.send?.(message);
}

async function openOne(index: number): Promise<pg.Client> {
	const client = new pg.Client({
		connectionString: url,
		application_name: `${APPLICATIONS[index % APPLICATIONS.length]!}`,
		connectionTimeoutMillis: 30_000,
	});
	client.on('error', () => undefined);
	await client.connect();
	// Like a pooled application connection: it ran something, then went idle.
	await client.query('select 1');
	return client;
}

async function openUpTo(total: number) {
	const started = Date.now();
	while (clients.length < total) {
		const count = Math.min(BATCH, total - clients.length);
		const base = clients.length;
		const settled = await Promise.allSettled(Array.from({length: count}, async (_, i) => openOne(base + i)));
		for (const result of settled) {
			if (result.status === 'fulfilled') {
				clients.push(result.value);
			}
		}

		const failure = settled.find(result => result.status === 'rejected');
		if (failure) {
			throw (failure as PromiseRejectedResult).reason;
		}
	}

	return Date.now() - started;
}

async function closeAll() {
	const all = clients.splice(0);
	for (let i = 0; i < all.length; i += 100) {
		await Promise.all(all.slice(i, i + 100).map(async client => client.end().catch(() => undefined)));
	}
}

process.on('message', (message: IdleRequest) => {
	if (message.type === 'open') {
		openUpTo(message.total).then(
			ms => {
				reply({type: 'opened', total: clients.length, ms});
			},
			(error: unknown) => {
				reply({type: 'failed', error: String((error as Error).message ?? error)});
			},
		);
	} else {
		closeAll().finally(() => {
			reply({type: 'closed'});
			process.disconnect?.();
			process.exit(0);
		});
	}
});

// Parent gone (finished, crashed or interrupted): exiting closes every socket, so the backends end.
process.on('disconnect', () => {
	process.exit(0);
});
process.on('SIGINT', () => {
	process.exit(130);
});
