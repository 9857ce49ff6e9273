// Child process that plays the sessions a benchmark watches, so their sockets and timers do not count in
// the measuring process. Driven over IPC (see SessionsRequest):
//   steady  the same sessions in fixed states: most idle, some idle in transaction, a few running a
//           long query. Nothing changes state.
//   busy    every second each session moves to another state (idle, a short query, idle in transaction).
//   churn   busy, and every second `churnPerSecond` sessions end and as many new ones connect, each with
//           an application name never used before (new pids, new names: new strings on every screen).
// Bounded: it exits when the parent goes away (IPC disconnect) and after `maxSeconds` whatever happens.
import pg from 'pg';

export type SessionsMode = 'steady' | 'busy' | 'churn';
export type SessionsRequest = {type: 'mode'; mode: SessionsMode} | {type: 'close'};
export type SessionsReply = {type: 'ready'; sessions: number} | {type: 'mode-set'; mode: SessionsMode} | {type: 'failed'; error: string} | {type: 'closed'};

const [url, sessionsArgument, maxSecondsArgument, churnArgument] = process.argv.slice(2);
const SESSIONS = Number(sessionsArgument ?? 58);
const MAX_SECONDS = Number(maxSecondsArgument ?? 600);
const CHURN_PER_SECOND = Number(churnArgument ?? 5);
const APPLICATIONS = ['api', 'api', 'api', 'worker', 'worker', 'cron', 'reports', 'admin'];

type Session = {client: pg.Client; pid: number; isBusy: boolean; isInTransaction: boolean};

const sessions: Session[] = [];
let control: pg.Client | undefined;
let mode: SessionsMode | undefined;
let timer: NodeJS.Timeout | undefined;
let churned = 0;
let isClosing = false;
/** A fixed-seed generator: two runs make the same moves. */
let seed = 11;
const random = () => {
	seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
	return seed / 2_147_483_648;
};

function reply(message: SessionsReply) {
	process.send?.(message);
}

async function open(applicationName: string): Promise<Session> {
	const client = new pg.Client({connectionString: url, application_name: applicationName, connectionTimeoutMillis: 30_000});
	client.on('error', () => undefined);
	await client.connect();
	const {rows} = await client.query<{pid: number}>('select pg_backend_pid() as pid');
	return {client, pid: rows[0]!.pid, isBusy: false, isInTransaction: false};
}

/** Run one step on a session unless its previous one is still running; errors (cancels) are expected. */
function step(session: Session, sql: string, after: (session: Session) => void = () => undefined) {
	if (session.isBusy) {
		return;
	}

	session.isBusy = true;
	session.client.query(sql).then(
		() => {
			after(session);
		},
		() => undefined,
	).finally(() => {
		session.isBusy = false;
	});
}

/**
 * Back to plain idle: cancel what runs, end what is open (used when the mode changes). Sessions already
 * idle are left alone, so their time in state keeps counting from when they went idle.
 */
async function settle() {
	const running = sessions.filter(session => session.isBusy).map(session => session.pid);
	if (running.length > 0) {
		await control!.query('select pg_cancel_backend(pid) from unnest($1::int[]) as pid', [running]);
	}

	await Promise.all(sessions.filter(session => session.isInTransaction || running.includes(session.pid)).map(async session => {
		await session.client.query('rollback').catch(() => undefined);
		session.isInTransaction = false;
	}));
}

function steady() {
	// Fixed states: 4 long queries (10 minutes, cancelled when the mode changes), 8 idle in transaction.
	sessions.forEach((session, index) => {
		if (index % 14 === 0) {
			step(session, 'select pg_sleep(600)');
		} else if (index % 7 === 3) {
			step(session, 'begin; select 1', s => {
				s.isInTransaction = true;
			});
		}
	});
}

function moveEveryone() {
	for (const session of sessions) {
		const roll = random();
		if (session.isInTransaction) {
			step(session, roll < 0.5 ? 'commit' : 'select 1', s => {
				s.isInTransaction = roll >= 0.5;
			});
		} else if (roll < 0.35) {
			step(session, `select pg_sleep(${(0.2 + random() * 0.6).toFixed(2)})`);
		} else if (roll < 0.55) {
			step(session, 'begin; select 1', s => {
				s.isInTransaction = true;
			});
		} else {
			step(session, 'select 1');
		}
	}
}

async function churn() {
	const leaving = sessions.splice(0, Math.min(CHURN_PER_SECOND, sessions.length));
	for (const session of leaving) {
		session.client.end().catch(() => undefined);
	}

	const arriving = await Promise.allSettled(leaving.map(async () => open(`churn-${process.pid}-${++churned}`)));
	for (const result of arriving) {
		if (result.status === 'fulfilled') {
			if (isClosing) {
				result.value.client.end().catch(() => undefined);
			} else {
				sessions.push(result.value);
			}
		}
	}
}

function schedule() {
	clearTimeout(timer);
	if (mode === 'steady' || isClosing) {
		return;
	}

	// Chained: a tick starts one second after the previous one started, never two at once.
	const started = Date.now();
	const run = async () => {
		if (mode === 'churn') {
			await churn();
		}

		moveEveryone();
	};

	run().catch(() => undefined).finally(() => {
		if (mode !== 'steady' && !isClosing) {
			timer = setTimeout(schedule, Math.max(0, 1000 - (Date.now() - started)));
		}
	});
}

async function setMode(next: SessionsMode) {
	clearTimeout(timer);
	mode = next;
	await settle();
	if (next === 'steady') {
		steady();
	} else {
		schedule();
	}
}

async function closeAll() {
	isClosing = true;
	clearTimeout(timer);
	await Promise.all([...sessions.splice(0).map(async session => session.client.end().catch(() => undefined)), control?.end().catch(() => undefined)]);
}

process.on('message', (message: SessionsRequest) => {
	if (message.type === 'mode') {
		setMode(message.mode).then(() => {
			reply({type: 'mode-set', mode: message.mode});
		}, (error: unknown) => {
			reply({type: 'failed', error: (error as Error).message});
		});
	} else {
		closeAll().finally(() => {
			reply({type: 'closed'});
			process.exit(0);
		});
	}
});

// Parent gone (finished, crashed or interrupted): exiting closes every socket, so the backends end.
process.on('disconnect', () => {
	process.exit(0);
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
	process.on(signal, () => {
		process.exit(130);
	});
}

setTimeout(() => {
	process.exit(0);
}, MAX_SECONDS * 1000).unref();

try {
	control = new pg.Client({connectionString: url, application_name: 'lifeguard-bench-control'});
	control.on('error', () => undefined);
	await control.connect();
	for (let i = 0; i < SESSIONS; i += 20) {
		sessions.push(...await Promise.all(Array.from({length: Math.min(20, SESSIONS - i)}, async (_, j) => open(APPLICATIONS[(i + j) % APPLICATIONS.length]!))));
	}

	reply({type: 'ready', sessions: sessions.length});
} catch (error) {
	reply({type: 'failed', error: (error as Error).message});
	process.exit(1);
}
