// The headless demo: server, roles, lifeguard's monitor connection, the simulated application and the
// scenario's troublemakers, in that order. Used by `lifeguard demo`, the tests and the media script.
import process from 'node:process';
import pg from 'pg';
import {createPoolCollector, type PoolCollector} from '../collectors/pools/create-collector.js';
import {parsePoolSpec} from '../connection/pool-endpoint.js';
import {createPostgresSource, type PostgresSource} from '../collectors/postgres-activity.js';
import {openMonitorClient} from '../connection/monitor-client.js';
import {resolveTarget, type Target} from '../connection/target.js';
import type {BackgroundClients} from './background-clients.js';
import {DemoError, startEmbeddedServer} from './embedded-server.js';
import {findScenario, scenarioNames, type DemoUrls, type Scenario} from './scenarios.js';
import {startSimulatedApp, type PoolControl, type SimulatedApp} from './simulated-app.js';

export type Demo = {
	scenario: Scenario;
	target: Target;
	password: string;
	/** Superuser URL of the embedded server (password included: never print it). */
	postgresUrl: string;
	/** `--pool` spec of the simulated application's endpoint; null with isPoolPublished false. */
	poolSpec: string | null;
	poolControl: PoolControl;
	app: SimulatedApp;
	/** lifeguard's monitor connection, opened before any troublemaker. */
	postgres: PostgresSource;
	poolCollectors: PoolCollector[];
	dataDir: string;
	/** Stop everything and remove the server's directory; safe to call more than once. */
	stop(): Promise<void>;
};

export type StartDemoOptions = {
	/** On SIGINT, SIGTERM and SIGHUP: stop, then exit 128+n. Default true. */
	handleSignals?: boolean;
	/** Publish the application's pool endpoint and watch it (default true); false: `--no-endpoint`. */
	isPoolPublished?: boolean;
};

const SIGNAL_NUMBERS = {SIGHUP: 1, SIGINT: 2, SIGTERM: 15} as const;

export function unknownScenario(name: string): DemoError {
	return new DemoError(`unknown scenario "${name}" (use ${scenarioNames.join(', ')})`, 2);
}

/** On SIGINT, SIGTERM and SIGHUP: `stop`, then exit 128+n. Returns what removes the handlers. */
function stopOnSignals(stop: () => Promise<void>): () => Promise<void> {
	const onSignal = (signal: keyof typeof SIGNAL_NUMBERS) => {
		void stop().finally(() => process.exit(128 + SIGNAL_NUMBERS[signal]));
	};

	for (const signal of Object.keys(SIGNAL_NUMBERS) as Array<keyof typeof SIGNAL_NUMBERS>) {
		process.on(signal, onSignal);
	}

	return async () => {
		for (const signal of Object.keys(SIGNAL_NUMBERS)) {
			process.off(signal, onSignal);
		}
	};
}

export async function startDemo(name: string, options: StartDemoOptions = {}): Promise<Demo> {
	const scenario = findScenario(name);
	if (!scenario) {
		throw unknownScenario(name);
	}

	const stops: Array<() => Promise<void>> = [];
	let stopping: Promise<void> | undefined;
	// Last started, first stopped; every step runs even when one fails.
	const stop = async () => {
		stopping ??= (async () => {
			for (const step of stops.reverse()) {
				await step().catch(() => undefined);
			}
		})();
		return stopping;
	};

	if (options.handleSignals ?? true) {
		stops.push(stopOnSignals(stop));
	}

	try {
		const server = await startEmbeddedServer({maxConnections: scenario.maxConnections});
		stops.push(server.stop);
		const base = `postgres://127.0.0.1:${server.port}/postgres`;
		const postgresUrl = withUser(base, server.user, server.password);
		const urls: DemoUrls = {app: withUser(base, 'shop', server.password), jobs: withUser(base, 'reports', server.password)};
		await createSchema(postgresUrl, server.password);

		// The monitor connection first: once the server is full, only an open connection gets in.
		const target = resolveTarget(postgresUrl, {PGAPPNAME: 'lifeguard', PGSSLMODE: 'disable'});
		const postgres = createPostgresSource(target, await openMonitorClient(target), () => Date.now());
		stops.push(postgres.close);

		const troublemakers: BackgroundClients[] = [];
		stops.push(async () => {
			await Promise.all(troublemakers.map(async clients => clients.stop()));
		});
		if (scenario.before) {
			troublemakers.push(await scenario.before(urls));
		}

		const app = await startSimulatedApp({...scenario.app, url: urls.app, name: 'checkout', isPublished: options.isPoolPublished ?? true});
		stops.push(app.stop);
		if (scenario.after) {
			troublemakers.push(await scenario.after(urls));
		}

		const poolCollectors = app.poolSpec === null ? [] : [createPoolCollector(parsePoolSpec(app.poolSpec))];
		stops.push(async () => {
			await Promise.all(poolCollectors.map(async collector => collector.close()));
		});
		return {
			scenario,
			target,
			password: server.password,
			postgresUrl,
			poolSpec: app.poolSpec,
			poolControl: app.control,
			app,
			postgres,
			poolCollectors,
			dataDir: server.dataDir,
			stop,
		};
	} catch (error) {
		await stop();
		throw error instanceof DemoError ? error : new DemoError(`demo start-up failed: ${(error as Error).message.split('\n')[0]}`);
	}
}

function withUser(base: string, user: string, password: string): string {
	const url = new URL(base);
	url.username = user;
	url.password = password;
	return url.toString();
}

/** Two ordinary roles (the application, the batch jobs) and the table the scenarios fight over. */
async function createSchema(url: string, password: string): Promise<void> {
	const client = new pg.Client({connectionString: url, application_name: 'demo-setup'});
	client.on('error', () => undefined);
	await client.connect();
	try {
		const literal = client.escapeLiteral(password);
		await client.query(`
			create role shop login password ${literal};
			create role reports login password ${literal};
			create table accounts (id int primary key, balance int not null);
			insert into accounts select n, 100 from generate_series(1, 100) n;
			grant select, update on accounts to shop, reports;
			alter table accounts owner to reports;
		`);
	} finally {
		await client.end();
	}
}
