// The simulated application, in this process: a pg.Pool serving virtual users (each one request
// after another), and the pool published on a loopback HTTP endpoint through `poolStatsPayload`,
// exactly as a real application would do it.
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
	/** Virtual users wanted at `elapsedMs` since start: the demand curve. */
	users: (elapsedMs: number) => number;
	request: AppRequest;
	/** How much `+` / `-` change the pool's max. */
	step?: number;
};

export type SimulatedApp = {
	/** `NAME=json+http://127.0.0.1:PORT/pool`, for --pool. */
	poolSpec: string;
	pool: pg.Pool;
	control: PoolControl;
	setMax(max: number): string;
	/** Requests that failed (connection refused by the server, errors), since start. */
	failures(): number;
	/** The last failure's SQLSTATE or message, for the demo's own checks. */
	lastFailure(): string | null;
	stop(): Promise<void>;
};

const TICK_MS = 100;
// A user who just failed waits before trying again, as a client with a retry would.
const RETRY_DELAY_MS = 1000;
const THINK_MS = 50;

export async function startSimulatedApp(options: SimulatedAppOptions): Promise<SimulatedApp> {
	const step = options.step ?? 5;
	// In the URL: node-postgres lets a connectionString override the config's fields.
	const url = new URL(options.url);
	url.searchParams.set('application_name', options.applicationName);
	const pool = new pg.Pool({connectionString: url.toString(), max: options.max, idleTimeoutMillis: 10_000});
	// A terminated backend (the operator, the server stopping) emits 'error' on the pool or, while a
	// client is checked out between queries, on the client: a real app logs it and carries on.
	pool.on('error', () => undefined);
	pool.on('connect', client => {
		client.on('error', () => undefined);
	});

	const startedAt = Date.now();
	const waitingSince = new Set<{atMs: number}>();
	let failureCount = 0;
	let lastFailure: string | null = null;
	let isStopping = false;
	const users = new Set<Promise<void>>();
	let activeUsers = 0;
	const sleep = async (ms: number) => new Promise<void>(resolve => {
		setTimeout(resolve, ms).unref();
	});

	const oneRequest = async () => {
		const mark = {atMs: Date.now()};
		waitingSince.add(mark);
		let client: pg.PoolClient;
		try {
			client = await pool.connect();
		} catch (error) {
			failureCount++;
			lastFailure = (error as {code?: string}).code ?? (error as Error).message;
			await sleep(RETRY_DELAY_MS);
			return;
		} finally {
			waitingSince.delete(mark);
		}

		let broken: Error | undefined;
		try {
			await client.query(options.request.sql, options.request.params?.());
		} catch (error) {
			broken = error as Error;
			if (!isStopping) {
				failureCount++;
				lastFailure = (error as {code?: string}).code ?? broken.message;
			}
		} finally {
			// pg-pool never shrinks on its own when max is lowered: discard connections above it.
			client.release(broken ?? pool.totalCount > (pool.options.max ?? 10));
		}
	};

	const userLoop = async (id: number) => {
		while (!isStopping && id < activeUsers) {
			await oneRequest();
			await sleep(Math.random() * THINK_MS);
		}
	};

	let nextId = 0;
	const tick = () => {
		activeUsers = Math.max(0, Math.round(options.users(Date.now() - startedAt)));
		// Users beyond the curve finish their request and leave; missing ones arrive.
		nextId = Math.min(nextId, activeUsers);
		while (nextId < activeUsers) {
			const user = userLoop(nextId++);
			users.add(user);
			void user.finally(() => users.delete(user));
		}
	};

	tick();
	const ticker = setInterval(tick, TICK_MS);

	const payload = () => {
		const [stats] = poolStatsPayload({[options.name]: pool}).pools;
		const oldest = Math.min(...[...waitingSince].map(mark => mark.atMs));
		return {
			pools: [{
				...stats,
				oldestWaitSeconds: Number.isFinite(oldest) ? Math.max(0, (Date.now() - oldest) / 1000) : 0,
				// Requests that got no connection at all: lifeguard shows them as timeouts per minute.
				timeoutsTotal: failureCount,
				waitsTotal: null,
				waitSecondsTotal: null,
			}],
		};
	};

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
	const {port} = server.address() as AddressInfo;

	const setMax = (max: number) => {
		const before = pool.options.max ?? 10;
		const after = Math.max(1, Math.round(max));
		pool.options.max = after;
		pulse(pool);
		return `pool ${options.name} max ${before} → ${after}`;
	};

	return {
		poolSpec: `${options.name}=json+http://127.0.0.1:${port}/pool`,
		pool,
		control: {
			raise: () => setMax((pool.options.max ?? 10) + step),
			lower: () => setMax((pool.options.max ?? 10) - step),
		},
		setMax,
		failures: () => failureCount,
		lastFailure: () => lastFailure,
		async stop() {
			isStopping = true;
			clearInterval(ticker);
			server.closeAllConnections();
			await new Promise<void>(resolve => {
				server.close(() => {
					resolve();
				});
			});
			// Not awaited: checked-out clients may be blocked on a lock until the server stops.
			void pool.end().catch(() => undefined);
		},
	};
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
