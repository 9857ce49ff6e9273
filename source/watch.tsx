// The live screen: open the incident log, render the dashboard, wait for q, Ctrl-C or SIGTERM.
import process from 'node:process';
import {render} from 'ink';
import {openIncidentLog, type IncidentLog} from './actions/incident-log.js';
import type {PoolCollector} from './collectors/pools/create-collector.js';
import type {PostgresSource} from './collectors/postgres-activity.js';
import {maskText} from './connection/mask.js';
import {signalSessions} from './actions/terminate.js';
import {initialState, update} from './model/dashboard.js';
import {logTime, startLimits} from './model/log-events.js';
import {placeholderPool} from './model/pool-status.js';
import type {SignalKind, SignalResult} from './model/signal-results.js';
import type {Session} from './model/types.js';
import type {Options} from './options.js';
import {App, type PoolControl} from './ui/app.js';
import {ThemeContext} from './ui/theme.js';
import type {DashboardDeps} from './ui/use-dashboard.js';

export type WatchSources = {
	target: string;
	password: string | undefined;
	role: string;
	postgres: PostgresSource;
	poolCollectors: PoolCollector[];
	poolControl?: PoolControl;
};

/** A start-up failure of the screen, with the exit code it deserves. */
export class WatchError extends Error {
	constructor(message: string, readonly exitCode: number) {
		super(message);
	}
}

/** Terminate or cancel over the monitor's one connection; every target gets a result. */
async function signalWith(postgres: PostgresSource, action: SignalKind, targets: Session[]): Promise<SignalResult[]> {
	const client = postgres.client();
	if (!client) {
		return targets.map(session => ({pid: session.pid, user: session.user, application: session.application, state: session.state, outcome: 'failed', detail: 'disconnected from the server'}));
	}

	return signalSessions(client, action, targets.map(session => ({...session, backendStartMicros: session.backendStartMicros ?? ''})));
}

/** The dashboard's I/O, from the server's source and the pool collectors. */
export function liveSources(postgres: PostgresSource, poolCollectors: readonly PoolCollector[]): Pick<DashboardDeps, 'poll' | 'pools' | 'signal'> {
	return {
		poll: async () => postgres.poll(),
		pools: poolCollectors,
		signal: async (action, targets) => signalWith(postgres, action, targets),
	};
}

/** The live screen, until q, Ctrl-C or SIGTERM. */
export async function watch(options: Options, sources: WatchSources): Promise<number> {
	let log: IncidentLog | undefined;
	if (options.logFile) {
		try {
			log = openIncidentLog(options.logFile, {secrets: [sources.password]});
		} catch (error) {
			throw new WatchError(maskText((error as Error).message, [sources.password]), 2);
		}
	}

	const now = () => Date.now();
	const first = await sources.postgres.poll();
	log?.write({
		at: logTime(now()),
		type: 'start',
		target: sources.target,
		version: first.ok ? first.snapshot.version : null,
		limits: first.ok ? startLimits(first.snapshot) : null,
	});
	const empty = initialState(options.thresholds, {
		isReadOnly: options.isReadOnly,
		role: sources.role,
		pools: sources.poolCollectors.map(collector => placeholderPool(collector.endpoint)),
		hasPoolControl: Boolean(sources.poolControl),
		idleAfterSeconds: options.idleAfterSeconds,
	});
	// The first frame shows data at once, and the poller starts one interval later. Findings that
	// already hold are logged like any later change.
	const started = first.ok ? update(empty, {type: 'server-polled', reading: first, atMs: now()}) : {state: empty, effects: []};
	const isColor = !('NO_COLOR' in process.env) && process.env['TERM'] !== 'dumb';
	const app = render(
		<ThemeContext.Provider value={{isColor}}>
			<App
				initial={started.state}
				initialEffects={started.effects}
				target={sources.target}
				{...liveSources(sources.postgres, sources.poolCollectors)}
				intervalMs={options.intervalMs}
				poolTimeoutMs={options.poolTimeoutMs}
				now={now}
				log={log ? event => {
					const result = log!.write(event);
					return result.ok ? null : result.error;
				} : undefined}
				ring={options.isBell ? () => process.stdout.write('\u0007') : undefined}
				poolControl={sources.poolControl}
			/>
		</ThemeContext.Provider>,
		{patchConsole: false, maxFps: 10, exitOnCtrlC: false},
	);
	const onSignal = () => {
		log?.write({at: logTime(now()), type: 'quit'});
		app.unmount();
	};

	process.once('SIGTERM', onSignal);
	process.once('SIGHUP', onSignal);
	await app.waitUntilExit();
	process.off('SIGTERM', onSignal);
	process.off('SIGHUP', onSignal);
	log?.close();
	return 0;
}

