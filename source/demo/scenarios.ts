// The demo's scenarios as one table: the server they need, the application's pool and demand, the
// troublemakers beside it, and the finding each one is about.
import type {FindingCode} from '../judge/types.js';
import type {Options} from '../options.js';
import {holdSession, leakConnections, type BackgroundClients} from './background-clients.js';
import type {SimulatedAppOptions} from './simulated-app.js';

export type ScenarioName = 'pool-too-small' | 'server-full' | 'idle-in-transaction' | 'lock-contention';

/** URLs for the roles the demo creates. */
export type DemoUrls = {app: string; jobs: string};

export type Scenario = {
	name: ScenarioName;
	/** One line for the terminal: what happens and what to press. */
	story: string;
	finding: FindingCode;
	maxConnections: number;
	/** Overrides of the screen's options so the finding shows within seconds, not minutes. */
	idleInTransactionSeconds?: number;
	idleAfterSeconds?: number;
	app: Pick<SimulatedAppOptions, 'max' | 'users' | 'requestsPerSecond' | 'acquireTimeoutMs' | 'request' | 'applicationName'>;
	/** Started before the application, after lifeguard's monitor connection is open. */
	before?: (urls: DemoUrls) => Promise<BackgroundClients>;
	/** Started after the application. */
	after?: (urls: DemoUrls) => Promise<BackgroundClients>;
};

const SLEEP_100_TO_300_MS = {sql: 'select pg_sleep($1)', params: () => [0.1 + (Math.random() * 0.2)]};

/**
 * pool-too-small, open loop. A request holds its connection 200 ms on average, so a pool of max M
 * serves about 5 × M requests a second. 50 a second need M ≥ 10: at the starting max 5 (25 a second)
 * the queue grows by ~25 a second, up to what the 3 s acquire timeout lets wait (~150); `+` adds 5,
 * so 15 starts draining it, 20 drains it in seconds, and 30 (five presses, 150 a second of capacity,
 * well within the server's 97 slots) takes it to 0 within a few seconds; back at 5 it refills.
 */
export const CHECKOUT_REQUESTS_PER_SECOND = 50;
export const CHECKOUT_ACQUIRE_TIMEOUT_MS = 3000;

export const scenarios: readonly Scenario[] = [
	{
		name: 'pool-too-small',
		story: `checkout gets ${CHECKOUT_REQUESTS_PER_SECOND} requests/s of 100–300 ms on a pool of max 5, so requests queue; press + to raise the pool max (to 20 or more drains it), - to lower it`,
		finding: 'pool-saturated',
		maxConnections: 100,
		app: {
			applicationName: 'checkout',
			max: 5,
			requestsPerSecond: () => CHECKOUT_REQUESTS_PER_SECOND,
			acquireTimeoutMs: CHECKOUT_ACQUIRE_TIMEOUT_MS,
			request: SLEEP_100_TO_300_MS,
		},
	},
	{
		name: 'server-full',
		story: 'max_connections 20, a report job leaked idle connections; press i, t, y to terminate the idle ones',
		finding: 'server-saturated',
		maxConnections: 20,
		idleAfterSeconds: 5,
		app: {applicationName: 'checkout', max: 5, users: () => 5, request: SLEEP_100_TO_300_MS},
		// Far more than the server takes: the job stops at the first refusal.
		before: async urls => leakConnections(urls.jobs, 'report-job', 100),
	},
	{
		name: 'idle-in-transaction',
		story: 'a nightly job left a transaction open on account 1 and blocks checkout; select it and press t, y',
		finding: 'idle-in-transaction',
		maxConnections: 40,
		idleInTransactionSeconds: 8,
		app: {
			applicationName: 'checkout',
			max: 10,
			users: () => 4,
			request: {sql: 'update accounts set balance = balance + 1 where id = $1', params: () => [1]},
		},
		before: async urls => holdSession(urls.jobs, 'nightly-job', 'begin; update accounts set balance = balance - 1 where id = 1'),
	},
	{
		name: 'lock-contention',
		story: 'a migration holds an exclusive lock on accounts while checkout queues behind it; select it and press c, y',
		finding: 'lock-contention',
		maxConnections: 40,
		app: {
			applicationName: 'checkout',
			max: 10,
			users: () => 6,
			request: {sql: 'select balance from accounts where id = $1', params: () => [1 + Math.floor(Math.random() * 100)]},
		},
		before: async urls => holdSession(urls.jobs, 'migrate', 'begin; alter table accounts add column note text; select pg_sleep(600)'),
	},
];

export const scenarioNames = scenarios.map(scenario => scenario.name);

export function findScenario(name: string): Scenario | undefined {
	return scenarios.find(scenario => scenario.name === name);
}

/** The screen's options for a scenario: its lower thresholds, so the finding shows in seconds. */
export function demoOptions(scenario: Scenario, options: Options): Options {
	return {
		...options,
		thresholds: {
			...options.thresholds,
			idleInTransactionSeconds: scenario.idleInTransactionSeconds ?? options.thresholds.idleInTransactionSeconds,
		},
		idleAfterSeconds: scenario.idleAfterSeconds ?? options.idleAfterSeconds,
	};
}
