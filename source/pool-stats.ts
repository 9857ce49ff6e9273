// `lifeguard/pool-stats`: a few lines an application adds to show its pg.Pool to lifeguard.
// Only counters are read: pool.options holds the connection string, password included.
import type pg from 'pg';

/** One pool in lifeguard's JSON payload. */
export type PoolStats = {
	name: string;
	/** pool.options.max (node-postgres defaults it to 10). */
	max: number;
	/** Clients created, the ones still connecting included. */
	total: number;
	/** Connected and not checked out. */
	idle: number;
	/** connect() / query() calls queued because every client is checked out. */
	waiting: number;
};

export type PoolStatsPayload = {pools: PoolStats[]};

/** Read the live counters of one pg.Pool. */
export function poolStats(pool: pg.Pool, name = 'default'): PoolStats {
	const {max} = pool.options;
	return {
		name,
		max: typeof max === 'number' ? max : 10,
		total: pool.totalCount,
		idle: pool.idleCount,
		waiting: pool.waitingCount,
	};
}

/**
 * lifeguard's JSON payload for several pools, read with `--pool NAME=json+http://host:port/path`.
 *
 * @example
 * ```ts
 * import http from 'node:http';
 * import pg from 'pg';
 * import {poolStatsPayload} from 'lifeguard/pool-stats';
 *
 * const pool = new pg.Pool({connectionString: process.env.DATABASE_URL, max: 10});
 * http.createServer((request, response) => {
 * 	response.writeHead(200, {'content-type': 'application/json'});
 * 	response.end(JSON.stringify(poolStatsPayload({api: pool})));
 * }).listen(9187, '127.0.0.1');
 * // lifeguard postgres://monitor@db/app --pool api=json+http://127.0.0.1:9187/
 * ```
 */
export function poolStatsPayload(pools: Record<string, pg.Pool> | Array<[string, pg.Pool]>): PoolStatsPayload {
	const entries = Array.isArray(pools) ? pools : Object.entries(pools);
	return {pools: entries.map(([name, pool]) => poolStats(pool, name))};
}
