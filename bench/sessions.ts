// Child process that plays the sessions a benchmark watches, so their sockets and timers do not count in
// the measuring process. Driven over IPC (see SessionsRequest):
//   a shape  (shapes.ts: steady, lock-chain, findings, …) the sessions in fixed states; nothing changes
//            state once set up. The count follows the shape (the bench's count, or enough to fill the
//            server to a share of its usable slots), and so do the application names.
//   busy     the bench's count of sessions; every second each moves to another state (idle, a short
//            query, idle in transaction).
//   churn    busy, and every second `churnPerSecond` sessions end and as many new ones connect, each with
//            an application name never used before (new pids, new names: new strings on every screen).
// Bounded: it exits when the parent goes away (IPC disconnect) and after `maxSeconds` whatever happens.
import pg from 'pg';
import {sleep, waitFor} from './proc.js';
import {applicationOf, longQuery, type Role, type Shape, type ShapeName, shapeNamed} from './shapes.js';

export type SessionsMode = ShapeName | 'busy' | 'churn';
export type SessionsRequest = {type: 'mode'; mode: SessionsMode} | {type: 'close'};
export type SessionsReply = {type: 'ready'; sessions: number} | {type: 'mode-set'; mode: SessionsMode; sessions: number} | {type: 'failed'; error: string} | {type: 'closed'};

const [url, sessionsArgument, maxSecondsArgument, churnArgument] = process.argv.slice(2);
const SESSIONS = Number(sessionsArgument ?? 58);
const MAX_SECONDS = Number(maxSecondsArgument ?? 600);
const CHURN_PER_SECOND = Number(churnArgument ?? 5);
/** The row lock holders take and waiters queue for. */
const LOCK_TABLE = 'lifeguard_bench_lock';
const SQL: Record<Exclude<Role, 'idle' | 'long-report'>, string> = {
	'idle-in-transaction': 'begin; select 1',
	'lock-holder': `begin; update ${LOCK_TABLE} set n = n + 1 where id = 1`,
	'lock-waiter': `update ${LOCK_TABLE} set n = n + 1 where id = 1`,
	'long-query': 'select pg_sleep(3600)',
};

type Session = {client: pg.Client; pid: number; application: string; running: Promise<void> | undefined; isInTransaction: boolean};

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

const isMoving = () => mode === 'busy' || mode === 'churn';

function reply(message: SessionsReply) {
	process.send?.(message);
}

async function open(applicationName: string): Promise<Session> {
	const client = new pg.Client({connectionString: url, application_name: applicationName, connectionTimeoutMillis: 30_000});
	client.on('error', () => undefined);
	await client.connect();
	const {rows} = await client.query<{pid: number}>('select pg_backend_pid() as pid');
	return {client, pid: rows[0]!.pid, application: applicationName, running: undefined, isInTransaction: false};
}

/**
 * Run one step on a session unless its previous one is still running; errors (cancels) are expected.
 * Resolves when the step ends (at once if it was skipped).
 */
async function step(session: Session, sql: string, after: (session: Session) => void = () => undefined): Promise<void> {
	if (session.running) {
		return;
	}

	session.running = session.client.query(sql).then(
		() => {
			after(session);
		},
		() => undefined,
	).finally(() => {
		session.running = undefined;
	});
	return session.running;
}

/**
 * Back to plain idle: cancel what runs, end what is open (used when the mode changes). Sessions already
 * idle are left alone, so their time in state keeps counting from when they went idle. A cancel that
 * reached a backend before its statement did is sent again.
 */
async function settle() {
	const cancelled = new Set<number>();
	for (let attempt = 0; sessions.some(session => session.running); attempt++) {
		if (attempt === 5) {
			throw new Error('sessions still running after 5 cancels');
		}

		const running = sessions.filter(session => session.running);
		for (const session of running) {
			cancelled.add(session.pid);
		}

		await control!.query('select pg_cancel_backend(pid) from unnest($1::int[]) as pid', [running.map(session => session.pid)]);
		await Promise.race([Promise.all(running.map(async session => session.running)), sleep(2000)]);
	}

	await Promise.all(sessions.filter(session => session.isInTransaction || cancelled.has(session.pid)).map(async session => {
		await session.client.query('rollback').catch(() => undefined);
		session.isInTransaction = false;
	}));
}

/** Open or end sessions until there are `count`; new ones get the default application names. */
async function resize(count: number) {
	for (const session of sessions.splice(count)) {
		session.client.end().catch(() => undefined);
	}

	while (sessions.length < count) {
		const base = sessions.length;
		sessions.push(...await Promise.all(Array.from({length: Math.min(20, count - base)}, async (_, i) => open(applicationOf(base + i)))));
	}
}

async function rename(session: Session, application: string) {
	if (session.application !== application) {
		await session.client.query('select set_config(\'application_name\', $1, false)', [application]);
		session.application = application;
	}
}

/** A shape's session count: fixed, or enough that all client connections fill `usedRatio` of the usable slots. */
async function countFor(shape: Shape): Promise<number> {
	if (shape.size.kind === 'sessions') {
		return SESSIONS;
	}

	const {rows} = await control!.query<{usable: number; clients: number}>(`select current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
		- coalesce(current_setting('reserved_connections', true)::int, 0) as usable,
		(select count(*)::int from pg_stat_activity where backend_type = 'client backend') as clients`);
	const {usable, clients} = rows[0]!;
	const others = clients - sessions.length;
	const count = Math.ceil(shape.size.usedRatio * usable) - others;
	if (count < 1 || count + others > usable) {
		throw new Error(`cannot fill ${usable} usable slots to ${shape.size.usedRatio} with ${others} other connections`);
	}

	return count;
}

/** Set up a steady shape: the right sessions, their names, then their states (lock holders before their waiters). */
async function applyShape(shape: Shape) {
	await resize(await countFor(shape));
	const plans = sessions.map((_, index) => shape.plan(index, sessions.length));
	await Promise.all(sessions.map(async (session, index) => rename(session, plans[index]!.application)));
	const markInTransaction = (session: Session) => {
		session.isInTransaction = true;
	};

	const byRole = (role: Role) => sessions.filter((_, index) => plans[index]!.role === role);
	await Promise.all(byRole('lock-holder').map(async session => step(session, SQL['lock-holder'], markInTransaction)));
	await Promise.all(byRole('idle-in-transaction').map(async session => step(session, SQL['idle-in-transaction'], markInTransaction)));
	const waiting = [...byRole('lock-waiter'), ...byRole('long-query'), ...byRole('long-report')];
	for (const session of waiting) {
		const {role} = plans[sessions.indexOf(session)]!;
		step(session, role === 'long-report' ? longQuery(sessions.indexOf(session)) : SQL[role as 'lock-waiter' | 'long-query']);
	}

	// Set up means the server shows it: every waiter waits on the lock, every long query runs.
	const pids = waiting.map(session => session.pid);
	const waiters = byRole('lock-waiter').map(session => session.pid);
	await waitFor('the shape\'s active sessions', async () => {
		const {rows} = await control!.query<{active: number; locked: number}>(`select count(*) filter (where state = 'active')::int as active,
			count(*) filter (where state = 'active' and wait_event_type = 'Lock' and pid = any($2::int[]))::int as locked
			from pg_stat_activity where pid = any($1::int[])`, [pids, waiters]);
		return rows[0]!.active === pids.length && rows[0]!.locked === waiters.length;
	}, 15_000);
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
	if (!isMoving() || isClosing) {
		return;
	}

	// Chained: a tick starts one second after the previous one started, never two at once.
	const started = Date.now();
	const run = async () => {
		if (mode === 'churn') {
			await churn();
		}

		if (isMoving()) {
			moveEveryone();
		}
	};

	run().catch(() => undefined).finally(() => {
		if (isMoving() && !isClosing) {
			timer = setTimeout(schedule, Math.max(0, 1000 - (Date.now() - started)));
		}
	});
}

async function setMode(next: SessionsMode) {
	clearTimeout(timer);
	mode = next;
	await settle();
	const shape = shapeNamed(next);
	if (shape) {
		await applyShape(shape);
		return;
	}

	// Moving modes play the bench's own sessions, under their usual names.
	await resize(SESSIONS);
	await Promise.all(sessions.map(async (session, index) => rename(session, applicationOf(index))));
	schedule();
}

async function closeAll() {
	isClosing = true;
	clearTimeout(timer);
	await Promise.all([...sessions.splice(0).map(async session => session.client.end().catch(() => undefined)), control?.end().catch(() => undefined)]);
}

process.on('message', (message: SessionsRequest) => {
	if (message.type === 'mode') {
		setMode(message.mode).then(() => {
			reply({type: 'mode-set', mode: message.mode, sessions: sessions.length});
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
	await control.query(`create table if not exists ${LOCK_TABLE} (id int primary key, n bigint not null default 0); insert into ${LOCK_TABLE} (id) values (1) on conflict do nothing`);
	await resize(SESSIONS);
	reply({type: 'ready', sessions: sessions.length});
} catch (error) {
	reply({type: 'failed', error: (error as Error).message});
	process.exit(1);
}
