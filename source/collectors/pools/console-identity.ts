// What a `pgbouncer://` URL reached when it is not PgBouncer's admin console: pgpool-II's SQL port,
// its PCP port, or PostgreSQL itself. Told from what each answers (recorded in
// test/fixtures/lookalikes/): PgBouncer's errors carry no source file or routine, PostgreSQL's do,
// pgpool-II's own name pool_*.c / pcp_*.c; PostgreSQL and pgpool-II answer SHOW POOLS with 42704,
// and only pgpool-II answers SHOW POOL_VERSION.
import type pg from 'pg';
import {pgpoolVersion} from '../../connection/pooler.js';
import {safeText} from '../../text/sanitize.js';

/** The endpoint answered, but is not a PgBouncer console: `message` says what it is. */
export class NotAConsoleError extends Error {}

type ServerError = {code?: unknown; message?: unknown; file?: unknown; routine?: unknown};

const PREFIX = 'not a PgBouncer console: ';

/** The login's failure, when it shows who answered and that it is not PgBouncer; else null. */
export function notAConsoleAtLogin(error: unknown): NotAConsoleError | null {
	const {message, file, routine} = (error ?? {}) as ServerError;
	const text = typeof message === 'string' ? safeText(message.split('\n')[0] ?? '') : '';
	if (/invalid PCP packet/.test(text)) {
		return new NotAConsoleError(`${PREFIX}this is pgpool-II's PCP port (it answered "${text}")`);
	}

	if (typeof file === 'string' && /^(?:pool|pcp)_/.test(file)) {
		return new NotAConsoleError(`${PREFIX}this is pgpool-II (it answered "${text}")`);
	}

	if (typeof routine === 'string' && routine !== '') {
		// PostgreSQL, or pgpool-II passing on its backend's answer: both say "database … does not exist" alike.
		return new NotAConsoleError(`${PREFIX}PostgreSQL answers here, directly or through pgpool-II (it answered "${text}")`);
	}

	return null;
}

/** After SHOW POOLS failed with `error`: a NotAConsoleError naming what answers, or null when it is something else. */
export async function notAConsoleAfterLogin(client: pg.Client, error: unknown): Promise<NotAConsoleError | null> {
	if ((error as ServerError | null)?.code !== '42704') {
		return null;
	}

	const version = await pgpoolVersion(client);
	return version !== null
		? new NotAConsoleError(`${PREFIX}this is pgpool-II ${safeText(version)} (it answers SHOW POOL_VERSION, not SHOW POOLS)`)
		: new NotAConsoleError(`${PREFIX}this is PostgreSQL itself (SHOW POOLS: unrecognized configuration parameter)`);
}
