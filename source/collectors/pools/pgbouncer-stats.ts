// SHOW STATS as a pool's usage counters (served count, hold time) for the sizing advice.
import type pg from 'pg';
import type {PoolMetrics} from '../../readings/types.js';
import type {ConsoleGuard} from './console-guard.js';
import {columnNumber, columnText, type Row} from './pgbouncer-rows.js';
import {validatePool} from './validate-pools.js';

/** SHOW STATS rows, or null where the console has none (pgpool, an old or odd pooler): the pools stand without. */
export async function showStats(client: pg.Client, guard: ConsoleGuard | null): Promise<Row[] | null> {
	guard?.begin('SHOW STATS');
	try {
		return (await client.query('SHOW STATS')).rows as Row[];
	} catch {
		// A cap reached destroyed the socket: this reading keeps its pools, the next one reconnects.
		return null;
	}
}

/**
 * SHOW STATS as usage counters: in transaction (or statement) pooling a server connection is held for
 * one transaction, so `total_xact_count` and `total_xact_time` (µs) are the pool's served count and
 * hold time. Stats are per database: only a database with one pool gets them, and never in session
 * pooling (a connection is held for the whole client session there, longer than its transactions).
 */
export function withTransactionStats(pools: PoolMetrics[], poolRows: Row[], stats: Row[] | null): PoolMetrics[] {
	if (!stats) {
		return pools;
	}

	const pooled = new Map<string, {database: string; mode: string | null}>();
	const poolsOf = new Map<string, number>();
	for (const row of poolRows) {
		const database = columnText(row['database']);
		const user = columnText(row['user']);
		if (database !== null && user !== null && database !== 'pgbouncer') {
			pooled.set(`${database}/${user}`, {database, mode: columnText(row['pool_mode'])});
			poolsOf.set(database, (poolsOf.get(database) ?? 0) + 1);
		}
	}

	const byDatabase = new Map<string, {count: number; micros: number}>();
	for (const row of stats) {
		const database = columnText(row['database']);
		const count = columnNumber(row['total_xact_count']);
		const micros = columnNumber(row['total_xact_time']);
		if (database !== null && count !== null && micros !== null) {
			byDatabase.set(database, {count, micros});
		}
	}

	return pools.map(pool => {
		const where = pool.label === null ? undefined : pooled.get(pool.label);
		const totals = where ? byDatabase.get(where.database) : undefined;
		const isPerTransaction = where?.mode === 'transaction' || where?.mode === 'statement';
		if (!where || !totals || !isPerTransaction || poolsOf.get(where.database) !== 1 || pool.error !== undefined) {
			return pool;
		}

		return validatePool({...pool, servedTotal: totals.count, holdSecondsTotal: totals.micros / 1e6});
	});
}
