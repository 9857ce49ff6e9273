// The simulated application, in this process: a pg.Pool serving requests, and the pool published on a
// loopback HTTP endpoint through `poolStatsPayload`, exactly as a real application would do it (or not
// published, for the blind-pool story). Demand is either open loop, requests arriving at a rate
// whatever the pool does (a web service: the queue grows while the pool is too small and drains once
// it is big enough), or closed loop, a fixed number of users each sending one request after another.
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import pg from 'pg';
import {poolStatsPayload} from '../pool-stats.js';

export type PoolControl = {raise(): string; lower(): string};

export type AppRequest = {
	/** The statement one request runs on its connection. */
	sql: string;
	params?: () => unknown[];
};

export type SimulatedAppOptions = {
	/** A URL for the application's role. */
	url: string;
	name: string;
	applicationName: string;
	max: number;
	/** Open loop: requests arriving per second at `elapsedMs` since start. */
	requestsPerSecond?: (elapsedMs: number) => number;
	/** Closed loop: virtual users wanted at `elapsedMs` since start (used when no rate is given). */
	users?: (elapsedMs: number) => number;
	request: AppRequest;
	/**
	 * A request waiting longer than this for a connection gives up (pg's connectionTimeoutMillis) and
	 * counts as a timeout: with arrivals at a rate, the queue holds about rate × this at most. 0: wait forever.
	 */
	acquireTimeoutMs?: number;
	/** How much `+` / `-` change the pool's max. */
	step?: number;
	/** Publish the pool on an HTTP endpoint (default true); false: the pool nobody pointed lifeguard at. */
	isPublished?: boolean;
};

export type SimulatedApp = {
	/** `NAME=json+http://127.0.0.1:PORT/pool`, for --pool; null when not published. */
	poolSpec: string | null;
	pool: pg.Pool;
	control: PoolControl;
	setMax(max: number): string;
	/** Requests that failed (connection refused by the server, timeouts, errors), since start. */
	failures(): number;
	/** Requests that gave up waiting for a connection, or were turned away with the queue full, since start. */
	timeouts(): number;
	/** Requests waiting for a connection now. */
	waiting(): number;
	/** The last failure's SQLSTATE or message, for the demo's own checks. */
	lastFailure(): string | null;
	stop(): Promise<void>;
};

const TICK_MS = 100;
// A user who just failed waits before trying again, as a client with a retry would.
const RETRY_DELAY_MS = 1000;
const THINK_MS = 50;
/** Requests beyond this many waiting are turned away at once (and count as timeouts): memory stays bounded. */
export const MAX_WAITING = 1000;

/** What the application knows of its own requests (counters, as a pool reports them), since start. */
type Counts = {
	/** Requests waiting for a connection now, each with when it started waiting. */
	waitingSince: Set<{atMs: number}>;
	failures: number;
	/** Acquisitions that found the pool full, and the milliseconds they spent queued. */
	waits: number;
	waitMs: number;
	timeouts: number;
	/** Connections given back, and the milliseconds they were held: a usage timer, as HikariCP's. */
	served: number;
	holdMs: number;
	lastFailure: string | null;
	isStopping: boolean;
};

function createPool(options: SimulatedAppOptions): pg.Pool {
	// In the URL: node-postgres lets a connectionString override the config's fields.
	const url = new URL(options.url);
	url.searchParams.set('application_name', options.applicationName);
	const pool = new pg.Pool({connectionString: url.toString(), max: options.max, idleTimeoutMillis: 10_000, connectionTimeoutMillis: options.acquireTimeoutMs ?? 0});
	// A terminated backend (the operator, the server stopping) emits 'error' on the pool or, while a
	// client is checked out between queries, on the client: a real app logs it and carries on.
	pool.on('error', () => undefined);
	pool.on('connect', client => {
		client.on('error', () => undefined);
	});
	return pool;
}

/** A connection for one request, counted as a wait when the pool was full; null when none came. */
async function acquire(pool: pg.Pool, counts: Counts): Promise<pg.PoolClient | null> {
	const mark = {atMs: Date.now()};
	counts.waitingSince.add(mark);
	const isQueued = pool.idleCount === 0 && pool.totalCount >= (pool.options.max ?? 10);
	if (isQueued) {
		counts.waits++;
	}

	try {
		return await pool.connect();
	} catch (error) {
		if (!counts.isStopping) {
			counts.failures++;
			const message = (error as Error).message;
			// pg-pool's connectionTimeoutMillis: "timeout exceeded when trying to connect".
			if (message.includes('timeout exceeded')) {
				counts.timeouts++;
			}

			counts.lastFailure = (error as {code?: string}).code ?? message;
		}

		return null;
	} finally {
		counts.waitingSince.delete(mark);
		if (isQueued) {
			counts.waitMs += Date.now() - mark.atMs;
		}
	}
}

/** One request; resolves false when it got no connection. */
async function oneRequest(pool: pg.Pool, request: AppRequest, counts: Counts): Promise<boolean> {
	if (counts.waitingSince.size >= MAX_WAITING) {
		counts.failures++;
		counts.timeouts++;
		return false;
	}

	const client = await acquire(pool, counts);
	if (client === null) {
		return false;
	}

	let broken: Error | undefined;
	const heldSince = Date.now();
	try {
		await client.query(request.sql, request.params?.());
	} catch (error) {
		broken = error as Error;
		if (!counts.isStopping) {
			counts.failures++;
			counts.lastFailure = (error as {code?: string}).code ?? broken.message;
		}
	} finally {
		// pg-pool never shrinks on its own when max is lowered: discard connections above it.
		client.release(broken ?? pool.totalCount > (pool.options.max ?? 10));
		counts.served++;
		counts.holdMs += Date.now() - heldSince;
	}

	return true;
}

const sleep = async (ms: number) => new Promise<void>(resolve => {
	setTimeout(resolve, ms).unref();
});

/** The demand, driven every TICK_MS: requests arriving at a rate, or users each sending one request after another. */
function startDemand(options: SimulatedAppOptions, serve: () => Promise<boolean>, counts: Counts): () => void {
	const startedAt = Date.now();
	let activeUsers = 0;
	let nextId = 0;
	let owed = 0;
	const userLoop = async (id: number) => {
		while (!counts.isStopping && id < activeUsers) {
			const isServed = await serve();
			await sleep(isServed ? Math.random() * THINK_MS : RETRY_DELAY_MS);
		}
	};

	const tick = () => {
		const elapsedMs = Date.now() - startedAt;
		if (options.requestsPerSecond) {
			// Whole requests per tick, the fractions carried over: the rate holds at any tick length.
			owed += Math.max(0, options.requestsPerSecond(elapsedMs)) * TICK_MS / 1000;
			for (; owed >= 1; owed--) {
				void serve();
			}

			return;
		}

		activeUsers = Math.max(0, Math.round(options.users?.(elapsedMs) ?? 0));
		// Users beyond the curve finish their request and leave; missing ones arrive.
		nextId = Math.min(nextId, activeUsers);
		while (nextId < activeUsers) {
			void userLoop(nextId++);
		}
	};

	tick();
	const ticker = setInterval(tick, TICK_MS);
	return () => {
		clearInterval(ticker);
	};
}

/** The pool as the application publishes it: pool-stats' payload, and what the application counted itself. */
function poolPayload(name: string, pool: pg.Pool, counts: Counts): unknown {
	const [stats] = poolStatsPayload({[name]: pool}).pools;
	const oldest = Math.min(...[...counts.waitingSince].map(mark => mark.atMs));
	return {
		pools: [{
			...stats,
			oldestWaitSeconds: Number.isFinite(oldest) ? Math.max(0, (Date.now() - oldest) / 1000) : 0,
			// Requests that got no connection at all: lifeguard shows them as timeouts per minute.
			timeoutsTotal: counts.failures,
			waitsTotal: counts.waits,
			waitSecondsTotal: counts.waitMs / 1000,
			// The usage timer: with the timeouts and the queue, what lifeguard sizes the pool from.
			servedTotal: counts.served,
			holdSecondsTotal: counts.holdMs / 1000,
		}],
	};
}

export async function startSimulatedApp(options: SimulatedAppOptions): Promise<SimulatedApp> {
	const step = options.step ?? 5;
	const pool = createPool(options);
	const counts: Counts = {waitingSince: new Set(), failures: 0, waits: 0, waitMs: 0, timeouts: 0, served: 0, holdMs: 0, lastFailure: null, isStopping: false};
	const stopDemand = startDemand(options, async () => oneRequest(pool, options.request, counts), counts);
	const server = (options.isPublished ?? true) ? await publish(() => poolPayload(options.name, pool, counts)) : null;
	const setMax = (max: number) => {
		const before = pool.options.max ?? 10;
		const after = Math.max(1, Math.round(max));
		pool.options.max = after;
		pulse(pool);
		return `pool ${options.name} max ${before} → ${after}`;
	};

	return {
		poolSpec: server ? `${options.name}=json+http://127.0.0.1:${(server.address() as AddressInfo).port}/pool` : null,
		pool,
		control: {
			raise: () => setMax((pool.options.max ?? 10) + step),
			lower: () => setMax((pool.options.max ?? 10) - step),
		},
		setMax,
		failures: () => counts.failures,
		timeouts: () => counts.timeouts,
		waiting: () => pool.waitingCount,
		lastFailure: () => counts.lastFailure,
		async stop() {
			counts.isStopping = true;
			stopDemand();
			if (server) {
				server.closeAllConnections();
				await new Promise<void>(resolve => {
					server.close(() => {
						resolve();
					});
				});
			}

			// Not awaited: checked-out clients may be blocked on a lock until the server stops.
			void pool.end().catch(() => undefined);
		},
	};
}

async function publish(payload: () => unknown): Promise<http.Server> {
	const server = http.createServer((request, response) => {
		response.writeHead(200, {'content-type': 'application/json'});
		response.end(JSON.stringify(payload()));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			resolve();
		});
	});
	return server;
}

type PoolInternals = {_pendingQueue: unknown[]; _idle: unknown[]; _isFull(): boolean; _pulseQueue(): void};

/**
 * pg-pool reads options.max only when a request arrives or a client is released; queued requests
 * would keep waiting for a release. Pulse the queue once per free slot so each opens a connection.
 */
function pulse(pool: pg.Pool): void {
	const internals = pool as unknown as PoolInternals;
	if (typeof internals._pulseQueue !== 'function' || !Array.isArray(internals._pendingQueue)) {
		return;
	}

	let guard = pool.options.max ?? 10;
	while (internals._pendingQueue.length > 0 && !internals._isFull() && guard-- > 0) {
		internals._pulseQueue();
	}
}
