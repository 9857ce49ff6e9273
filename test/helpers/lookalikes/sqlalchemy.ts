// SQLAlchemy's QueuePool over psycopg2 (Debian python3-sqlalchemy, python3-psycopg2) in a Python
// child: a real library pool, in the three shapes the pool-suspected inference must tell apart.
import {existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import type {TestServer} from '../postgres.js';
import {LOAD_LIMIT_MS} from './pg-clients.js';
import {startLoadProcess, type LoadProcess} from './load-process.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('sqlalchemy-pool.py', import.meta.url));

export const SQLALCHEMY_MISSING = existsSync(PYTHON) && existsSync('/usr/lib/python3/dist-packages/sqlalchemy') && existsSync('/usr/lib/python3/dist-packages/psycopg2')
	? null
	: 'SQLAlchemy or psycopg2 not installed: apt-get install python3-sqlalchemy python3-psycopg2';

export type PoolShape = {
	poolSize: number;
	maxOverflow: number;
	threads: number;
	/** Each checkout runs one pg_sleep this long. */
	querySeconds: number;
	/** Think time between checkouts: uniform between the two. */
	gapSeconds: [number, number];
	/** Connections opened at start. */
	prewarm: number;
};

/** pool_size 4, no overflow, 12 threads that never rest: 4 checked out, 8 waiting, all the time. */
export const CAPPED: PoolShape = {poolSize: 4, maxOverflow: 0, threads: 12, querySeconds: 0.05, gapSeconds: [0, 0], prewarm: 4};
/** pool_size 20 (+10), 6 threads each checking out for 50 ms every ~0.25 s: 6 open, mostly idle. */
export const ROOMY: PoolShape = {poolSize: 20, maxOverflow: 10, threads: 6, querySeconds: 0.05, gapSeconds: [0.15, 0.25], prewarm: 6};
/** pool_size 40, 30 threads, 100 ms per checkout, 20–120 ms apart: 30 open, about 14–23 checked out. */
export const FAST: PoolShape = {poolSize: 40, maxOverflow: 0, threads: 30, querySeconds: 0.1, gapSeconds: [0.02, 0.12], prewarm: 30};

export type SqlAlchemyStatus = {at: number; checkedOut: number; idleInPool: number; waiting: number; checkouts: number; errors: number; lastError: string | null};

export type SqlAlchemyPool = LoadProcess<SqlAlchemyStatus> & {applicationName: string; shape: PoolShape};

export async function startSqlAlchemyPool(server: TestServer, applicationName: string, shape: PoolShape, limitMs = LOAD_LIMIT_MS): Promise<SqlAlchemyPool> {
	if (SQLALCHEMY_MISSING) {
		throw new Error(SQLALCHEMY_MISSING);
	}

	const config = {
		host: server.host,
		port: server.port,
		user: server.user,
		dbname: 'postgres',
		application_name: applicationName,
		pool_size: shape.poolSize,
		max_overflow: shape.maxOverflow,
		threads: shape.threads,
		query_seconds: shape.querySeconds,
		gap_seconds: shape.gapSeconds,
		prewarm: shape.prewarm,
		limit_seconds: limitMs / 1000,
	};
	const child = await startLoadProcess<SqlAlchemyStatus>(PYTHON, [SCRIPT, JSON.stringify(config)], {
		env: {PGPASSWORD: server.password || undefined},
		what: `the SQLAlchemy pool ${applicationName}`,
	});
	return {...child, applicationName, shape};
}
