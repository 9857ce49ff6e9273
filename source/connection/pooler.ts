// `--db` must reach PostgreSQL itself: through a pooler, lifeguard's statement_timeout can be lost,
// its own pid is some pooled server connection's, and its one connection takes a slot of the pool
// it watches. Told once per login: PgBouncer refuses the monitor's startup parameters; pgpool-II lets
// them through but answers `SHOW POOL_VERSION` (its own command), asked only when the server's port
// is not the one dialled (a plain server at its own port never sees the unknown command).
import type pg from 'pg';
import type {Target} from './target.js';

/** A login that reached a connection pooler instead of PostgreSQL; `message` is the one line to print. */
export class PoolerError extends Error {
	constructor(readonly pooler: string, message: string) {
		super(message);
	}
}

/** PgBouncer refuses a startup parameter it does not track (statement_timeout, lock_timeout, options) with 08P01. */
export function isPgBouncerRefusal(error: unknown): boolean {
	const {code, message} = (error ?? {}) as {code?: unknown; message?: unknown};
	return code === '08P01' && typeof message === 'string' && message.startsWith('unsupported startup parameter');
}

/** The pooler a failed login reached, or null. */
export function poolerOfLoginError(error: unknown): string | null {
	if (error instanceof PoolerError) {
		return error.pooler;
	}

	return isPgBouncerRefusal(error) ? 'PgBouncer' : null;
}

type Place = {host: string; port: number; database: string};

/** Where the target is, as an operator typed it (no credentials): host:port/database. */
function placeOf(target: Place): string {
	const host = target.host.includes(':') ? `[${target.host}]` : target.host;
	return target.host.startsWith('/') ? `${target.host} (port ${target.port})` : `${host}:${target.port}/${target.database}`;
}

/**
 * The one line for `--db` at a pooler: what it is (`what`: "PgBouncer, a connection pooler"), why
 * lifeguard thinks so, and what to give instead. A PgBouncer-like pooler has an admin console for --pool.
 */
export function poolerAdvice(target: Place, what: string, why: string, hasConsole: boolean): string {
	const host = target.host.startsWith('/') ? 'HOST' : (target.host.includes(':') ? `[${target.host}]` : target.host);
	const instead = hasConsole
		? `give --db the PostgreSQL server itself, and the pooler as --pool pgbouncer://USER@${host}:${target.port}/pgbouncer (its admin console) to see who waits`
		: 'give --db the PostgreSQL server behind it';
	return `--db ${placeOf(target)} is ${what}, not the PostgreSQL server (${why}): ${instead}`;
}

type Identity = {statement_timeout_ms: string | null; server_port: number | null; server_addr: string | null};

/**
 * Throws a PoolerError when the open connection does not reach PostgreSQL directly: the statement
 * timeout asked for at login is not in force (null: none was asked), or pgpool-II answers.
 */
export async function refusePooler(client: pg.Client, target: Target, statementTimeoutMs: number | null): Promise<void> {
	const {rows} = await client.query<Identity>('select (select setting from pg_settings where name = \'statement_timeout\') as statement_timeout_ms, inet_server_port() as server_port, host(inet_server_addr()) as server_addr');
	const identity = rows[0]!;
	if (statementTimeoutMs !== null && Number(identity.statement_timeout_ms) !== statementTimeoutMs) {
		// A startup parameter dropped on the way: PgBouncer with ignore_startup_parameters does this.
		const why = `lifeguard's statement_timeout of ${statementTimeoutMs} ms is ${identity.statement_timeout_ms ?? 'unknown'} ms on the server: dropped on the way`;
		throw new PoolerError('a connection pooler', poolerAdvice(target, 'a connection pooler (probably PgBouncer with ignore_startup_parameters)', why, true));
	}

	const isSocket = target.host.startsWith('/');
	const isSamePort = isSocket ? identity.server_port === null : identity.server_port === target.port;
	if (isSamePort) {
		return;
	}

	// Another port: NAT, a proxy, or pgpool-II. Only pgpool-II knows this command.
	const version = await pgpoolVersion(client);
	if (version !== null) {
		const behind = identity.server_addr === null ? '' : `; the server behind it answers at ${identity.server_addr}:${identity.server_port}`;
		throw new PoolerError('pgpool-II', poolerAdvice(target, `pgpool-II ${version}, a connection pooler`, `it answers SHOW POOL_VERSION${behind}`, false));
	}
}

/** pgpool-II's version ("4.3.5"), as only pgpool-II answers SHOW POOL_VERSION; null from anything else. */
export async function pgpoolVersion(client: pg.Client): Promise<string | null> {
	const version: unknown = await client.query('SHOW POOL_VERSION').then(result => (result.rows[0] as {pool_version?: unknown} | undefined)?.pool_version, () => null);
	return typeof version === 'string' ? version.split(' ')[0]! : null;
}
