// The PgBouncer admin console over one persistent pg.Client: `SHOW POOLS` every call, pool sizes
// (`SHOW DATABASES`, `SHOW USERS`, `SHOW CONFIG`) on the first call and then every ~30 s.
// Simple query protocol only (no values, no names), columns read by name: they differ across versions.
import pg from 'pg';
import {isConsoleTls, urlUserinfo} from '../../connection/credentials.js';
import {maskText, urlSecrets} from '../../connection/mask.js';
import type {PoolEndpoint, PoolMetrics} from '../../readings/types.js';
import {validatePool} from './validate-pools.js';
import {columnNumber, columnText, type Row} from './pgbouncer-rows.js';
import {showStats, withTransactionStats} from './pgbouncer-stats.js';
import {type ConsoleCaps, type ConsoleGuard, guardConsole} from './console-guard.js';
import {waitingClientsByPool} from './pgbouncer-clients.js';
import {NotAConsoleError, notAConsoleAfterLogin, notAConsoleAtLogin} from './console-identity.js';
import type {EndpointCollector} from './http-collector.js';
import {oneLine} from '../../text/words.js';

export type PgBouncerOptions = {
	/** How often pool sizes are re-read; default 30 s. */
	sizesEveryMs?: number;
	now?: () => number;
	/** Rows and bytes one answer may hold (default: MAX_CONSOLE_ROWS, MAX_CONSOLE_BYTES). */
	caps?: ConsoleCaps;
};


/**
 * An endpoint found not to be a console is asked again only this often: each login at pgpool-II takes
 * one of its children (and a backend), so one a poll would use up the pool being watched.
 */
export const NOT_A_CONSOLE_RECHECK_MS = 60_000;
type Sizes = {byDatabase: Map<string, number>; byUser: Map<string, number>; defaultPoolSize: number | null};

/**
 * The console's one connection and what it remembers between polls (sizes, a not-a-console verdict,
 * a client list too long to ask for). Over 80 lines on purpose: the closures share that state, and
 * each step (connect, read, who waits, collect under the deadline) is a short function of its own.
 */
export function createPgBouncerCollector(endpoint: PoolEndpoint, options: PgBouncerOptions = {}): EndpointCollector {
	const sizesEveryMs = options.sizesEveryMs ?? 30_000;
	const now = options.now ?? Date.now;
	const secrets = urlSecrets(endpoint.url);
	const user = userOf(endpoint.url);
	let client: pg.Client | null = null;
	let guard: ConsoleGuard | null = null;
	let sizes: Sizes | null = null;
	let sizesAtMs = 0;
	let notAConsole: {error: string; atMs: number} | null = null;
	// Set when SHOW CLIENTS once answered past the caps: not asked again (it would cost a login a poll).
	let isClientListTooLong = false;

	const drop = () => {
		const stale = client;
		client = null;
		guard = null;
		if (stale) {
			// Destroy the socket: end() waits for a reply a hung server never sends.
			destroySocket(stale);
			stale.end().catch(() => undefined);
		}
	};

	const connect = async (): Promise<pg.Client> => {
		const fresh = consoleClient(endpoint.url);
		guard = guardConsole(fresh, options.caps);
		fresh.on('error', () => {
			if (client === fresh) {
				client = null; // reconnect on the next call
			}
		});
		client = fresh;
		await fresh.connect().catch((error: unknown) => {
			throw notAConsoleAtLogin(error) ?? error;
		});
		return fresh;
	};

	const readOnce = async (): Promise<PoolMetrics[]> => {
		// A local reference: an attempt abandoned by a timeout must not pick up the next call's client.
		const active = client ?? await connect();

		const mine = guard;
		if (!sizes || now() - sizesAtMs >= sizesEveryMs) {
			sizes = await readSizes(active, mine);
			sizesAtMs = now();
		}

		const read = await readPools(active, mine, sizes);
		// A cap SHOW STATS reached closed the socket (the pools stand without its counters): no SHOW
		// CLIENTS on it, or its failure would be taken for a client list too long.
		if (isClientListTooLong || mine?.reason || !read.some(pool => (pool.waiting ?? 0) > 0)) {
			return read;
		}

		// Who waits: asked only while someone does.
		mine?.begin('SHOW CLIENTS');
		const clients = await active.query('SHOW CLIENTS').then(result => result.rows as Row[], () => null);
		if (mine?.reason) {
			isClientListTooLong = true;
			drop();
		}

		return clients === null ? read : withWaitingClients(read, clients);
	};

	return {
		async collect({signal}) {
			if (notAConsole && now() - notAConsole.atMs < NOT_A_CONSOLE_RECHECK_MS) {
				return {ok: false, error: notAConsole.error, isNotAConsole: true};
			}

			notAConsole = null;
			// The deadline passing destroys the socket: the attempt fails at once, and the next poll reconnects.
			const onAbort = () => {
				drop();
			};

			signal.addEventListener('abort', onAbort, {once: true});
			try {
				return {ok: true, format: 'pgbouncer', pools: await readOnce()};
			} catch (error) {
				// A cap reached destroyed the socket: say so, not "connection reset".
				const capped = guard?.reason ?? null;
				drop();
				if (error instanceof NotAConsoleError) {
					notAConsole = {error: `pgbouncer: ${oneLine(maskText(error.message, secrets))}`, atMs: now()};
					return {ok: false, error: notAConsole.error, isNotAConsole: true};
				}

				return {ok: false, error: capped === null ? describe(error, secrets, user) : `pgbouncer: ${capped}`};
			} finally {
				signal.removeEventListener('abort', onAbort);
			}
		},
		async close() {
			const closing = client;
			client = null;
			if (closing) {
				await endConsole(closing, 1000);
			}
		},
	};
}

/**
 * A console client: no startup parameters beyond user and database (PgBouncer rejects unknown ones,
 * and node-postgres would otherwise copy PGOPTIONS / PGAPPNAME from the environment). Doctor reads
 * the same console with one.
 */
export function consoleClient(url: string): pg.Client {
	const client = new pg.Client(consoleClientConfig(url));
	const parameters = (client as unknown as {connectionParameters: Record<string, unknown>}).connectionParameters;
	parameters['options'] = undefined;
	parameters['application_name'] = undefined;
	return client;
}

/** Say goodbye, but wait at most `waitMs` for a console that does not answer, then drop its socket. */
export async function endConsole(client: pg.Client, waitMs: number): Promise<void> {
	await Promise.race([client.end().catch(() => undefined), new Promise(resolve => {
		setTimeout(resolve, waitMs).unref();
	})]);
	destroySocket(client);
}

function destroySocket(client: pg.Client): void {
	(client as unknown as {connection?: {stream?: {destroy(): void}}}).connection?.stream?.destroy();
}

/** Map `SHOW POOLS` rows (1.15–1.25, pgcat, Odyssey) to pools; the admin database is left out. */
export function poolsFromShowPools(rows: Row[], sizes: Sizes | null): PoolMetrics[] {
	const pools: PoolMetrics[] = [];
	for (const row of rows) {
		const database = columnText(row['database']);
		const user = columnText(row['user']);
		if (database === null || user === null || database === 'pgbouncer') {
			continue;
		}

		let open: number | null = null;
		for (const [column, value] of Object.entries(row)) {
			// sv_total (PgDog) already is the sum
			if (column.startsWith('sv_') && column !== 'sv_total') {
				const count = columnNumber(value);
				if (count !== null) {
					open = (open ?? 0) + count;
				}
			}
		}

		open = columnNumber(row['sv_total']) ?? open;
		const svIdle = columnNumber(row['sv_idle']);
		const svUsed = columnNumber(row['sv_used']);
		const maxwait = columnNumber(row['maxwait']);
		const maxwaitUs = columnNumber(row['maxwait_us']);
		pools.push(validatePool({
			label: `${database}/${user}`,
			max: sizes ? effectivePoolSize(sizes, database, user) : null,
			open,
			active: columnNumber(row['sv_active']),
			idle: svIdle === null && svUsed === null ? null : (svIdle ?? 0) + (svUsed ?? 0),
			waiting: columnNumber(row['cl_waiting']),
			oldestWaitSeconds: maxwait === null ? null : maxwait + (maxwaitUs ?? 0) / 1e6,
			timeoutsTotal: null,
			// SHOW STATS total_wait_time is per database, not per pool, and counts no waits
			waitsTotal: null,
			waitSecondsTotal: null,
		}));
	}

	return pools;
}

/** Each pool with the clients that wait for it, from SHOW CLIENTS rows. */
function withWaitingClients(pools: PoolMetrics[], rows: readonly Row[]): PoolMetrics[] {
	const byPool = waitingClientsByPool(rows);
	const databaseOf = (label: string | null) => label?.slice(0, label.lastIndexOf('/')) ?? null;
	return pools.map(pool => {
		// A database with a forced user (`user=` in [databases]) pools its clients under that user, not
		// theirs: its waiting clients are its own when it is the database's only pool, else unknown.
		const database = databaseOf(pool.label);
		const isOnlyPool = pools.filter(other => databaseOf(other.label) === database).length === 1;
		const waitingClients = pool.label === null ? undefined : byPool.get(pool.label) ?? (isOnlyPool ? byPool.get(`${database}/`) : undefined);
		if (!waitingClients) {
			return pool;
		}

		// The client list is the later reading of the same queue: its count, so the row and the groups agree.
		const waiting = waitingClients.groups.reduce((sum, group) => sum + group.clients, waitingClients.omittedClients);
		return {...pool, waiting, waitingClients};
	});
}

/** SHOW POOLS, with SHOW STATS as usage counters where the console has them. */
async function readPools(client: pg.Client, guard: ConsoleGuard | null, sizes: Sizes): Promise<PoolMetrics[]> {
	guard?.begin('SHOW POOLS');
	const pools = await client.query('SHOW POOLS').catch(async (error: unknown) => {
		throw (await notAConsoleAfterLogin(client, error)) ?? error;
	});
	const rows = pools.rows as Row[];
	return withTransactionStats(poolsFromShowPools(rows, sizes), rows, await showStats(client, guard));
}

/** Precedence as PgBouncer's own pool_pool_size(): user pool_size ≥ 0, database pool_size ≥ 0, default_pool_size. */
export function effectivePoolSize(sizes: Sizes, database: string, user: string): number | null {
	const byUser = sizes.byUser.get(user);
	if (byUser !== undefined && byUser >= 0) {
		return byUser;
	}

	const byDatabase = sizes.byDatabase.get(database);
	if (byDatabase !== undefined && byDatabase >= 0) {
		return byDatabase;
	}

	return sizes.defaultPoolSize;
}

async function readSizes(client: pg.Client, guard: ConsoleGuard | null): Promise<Sizes> {
	// Each one optional: poolers that mimic the console (pgcat, Odyssey) lack some commands.
	const show = async (command: string): Promise<Row[]> => {
		guard?.begin(command);
		return client.query(command).then(result => result.rows as Row[], () => {
			if (guard?.reason) {
				throw new Error(guard.reason); // a cap, not a missing command: the whole reading fails
			}

			return [];
		});
	};
	const databases = await show('SHOW DATABASES');
	const users = await show('SHOW USERS');
	const config = await show('SHOW CONFIG');
	return sizesFromRows(databases, users, config);
}

/** Pool sizes from `SHOW DATABASES`, `SHOW USERS` (pool_size only from 1.23) and `SHOW CONFIG` rows. */
export function sizesFromRows(databases: Row[], users: Row[], config: Row[]): Sizes {
	const byDatabase = new Map<string, number>();
	for (const row of databases) {
		const name = columnText(row['name']);
		const size = columnNumber(row['pool_size']);
		if (name !== null && size !== null) {
			byDatabase.set(name, size);
		}
	}

	const byUser = new Map<string, number>();
	for (const row of users) {
		const name = columnText(row['name']);
		const size = columnNumber(row['pool_size']);
		if (name !== null && size !== null) {
			byUser.set(name, size);
		}
	}

	const setting = config.find(row => row['key'] === 'default_pool_size');
	return {byDatabase, byUser, defaultPoolSize: setting ? columnNumber(setting['value']) : null};
}

/** The PgBouncer admin console's connection, from a `pgbouncer://` URL. */
function consoleClientConfig(url: string): pg.ClientConfig {
	const parsed = new URL(url);
	// parsePoolSpec refused malformed %-escapes, so these decode.
	const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'pgbouncer';
	const userinfo = urlUserinfo(parsed);
	return {
		host: parsed.hostname.replace(/^\[|\]$/g, ''),
		port: Number(parsed.port || 6432),
		user: userinfo?.user || undefined,
		password: userinfo?.password || undefined,
		database,
		// node-postgres cannot fall back like libpq's "prefer": only an explicit require turns TLS on
		ssl: !isConsoleTls(parsed) ? false : parsed.searchParams.get('sslmode')!.startsWith('verify-') ? true : {rejectUnauthorized: false},
	};
}

function userOf(url: string): string {
	try {
		return urlUserinfo(url)?.user ?? '';
	} catch {
		return '';
	}
}

function describe(error: unknown, secrets: string[], user: string): string {
	let message = error instanceof Error ? error.message : String(error);
	const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as {code: unknown}).code) : '';
	if (code === 'ECONNREFUSED') {
		message = 'connection refused';
	} else if (code === 'ECONNRESET' || /Connection terminated unexpectedly/.test(message)) {
		message = 'connection reset';
	} else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
		message = 'host not found';
	} else if (message === 'password authentication failed' && user) {
		message = `password authentication failed for user "${user}"`; // PgBouncer ≤ 1.2x leaves the user out
	}

	return `pgbouncer: ${oneLine(maskText(message, secrets))}`;
}
