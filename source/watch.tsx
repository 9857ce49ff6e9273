// The live screen: open the incident log, render the dashboard, wait for q, Ctrl-C or SIGTERM.
import process from 'node:process';
import {render} from 'ink';
import {openIncidentLog, type IncidentLog} from './actions/incident-log.js';
import type {PoolCollector} from './collectors/pools/create-collector.js';
import type {PostgresSource} from './collectors/postgres-activity.js';
import {maskText} from './connection/mask.js';
import {watchHangUp} from './hang-up.js';
import {signalSessions} from './actions/terminate.js';
import {initialState} from './screen/board.js';
import {type Desk, type DeskEffect, deskOf, updateDesk} from './screen/desk.js';
import {type LogEvent, logTime, startLimits} from './judge/log-events.js';
import {placeholderPool} from './judge/pool-status.js';
import {firstReadings} from './first-readings.js';
import {priorChanges} from './judge/before-start.js';
import {priorTrend, type PriorTrend} from './prior-trend.js';
import type {SignalKind, SignalResult} from './readings/signals.js';
import type {ServerReading, Session} from './readings/types.js';
import type {Options} from './options.js';
import {App, type PoolControl} from './ui/app.js';
import {screenRenderOptions} from './ui/render-options.js';
import {ThemeContext} from './ui/theme.js';
import type {DashboardDeps} from './ui/use-dashboard.js';

/** One watched server: its name among several (null alone), masked target, and its one connection. */
export type WatchedServer = {
	name: string | null;
	target: string;
	password: string | undefined;
	role: string;
	postgres: PostgresSource;
	/** Why its connection could not be opened at start (one of several): shown down, retried by polls. */
	startError?: string;
};

export type WatchSources = {
	/** In `--db` order; the pools are judged against the first. */
	servers: WatchedServer[];
	poolCollectors: PoolCollector[];
	poolControl?: PoolControl;
	/** The servers' first readings, asked for before this module loaded (first-readings.ts); asked here when absent. */
	firstReadings?: Promise<ServerReading[]>;
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

/** The dashboard's I/O, from each server's source and the pool collectors. */
export function liveSources(postgres: readonly PostgresSource[], poolCollectors: readonly PoolCollector[]): Pick<DashboardDeps, 'servers' | 'pools'> {
	return {
		servers: postgres.map(source => ({
			poll: async () => source.poll(),
			signal: async (action, targets) => signalWith(source, action, targets),
		})),
		pools: poolCollectors,
	};
}

/**
 * The live screen, until q, Ctrl-C, a signal (SIGHUP, SIGTERM, SIGINT) or the terminal going away:
 * each one stops polling, logs `quit` with the findings still open, and returns 0.
 */
export async function watch(options: Options, sources: WatchSources): Promise<number> {
	const {servers} = sources;
	// Before anything else: a hang-up during the first polls still ends with a quit line.
	const hangUp = watchHangUp();
	const secrets = servers.map(server => server.password);
	let log: IncidentLog | undefined;
	if (options.logFile) {
		try {
			log = openIncidentLog(options.logFile, {secrets});
		} catch (error) {
			throw new WatchError(maskText((error as Error).message, secrets), 2);
		}
	}

	const now = () => Date.now();
	// Every server's first reading at once: the first frame shows data, the pollers start an interval later.
	// Beside them, --prometheus's last minutes for the history strip, within one pool timeout.
	const [firsts, prior] = await Promise.all([
		sources.firstReadings ?? firstReadings(servers),
		priorTrend(sources.poolCollectors.map(collector => collector.endpoint), now(), {timeoutMs: options.poolTimeoutMs, columns: process.stdout.columns}),
	]);
	// What Prometheus showed before the start opens the log, so the timeline opens with it.
	if (prior.story) {
		log?.write({at: logTime(now()), type: 'history', ...prior.story});
	}

	for (const [index, server] of servers.entries()) {
		log?.write(startEvent(server, firsts[index]!, now()));
	}
	const {desk, initialEffects} = firstDesk(options, sources, firsts, now, prior);

	const isColor = !('NO_COLOR' in process.env) && process.env['TERM'] !== 'dumb';
	const app = render(
		<ThemeContext.Provider value={{isColor}}>
			<App
				initial={desk}
				initialEffects={initialEffects}
				targets={servers.map(server => server.target)}
				{...liveSources(servers.map(server => server.postgres), sources.poolCollectors)}
				intervalMs={options.intervalMs}
				poolTimeoutMs={options.poolTimeoutMs}
				now={now}
				log={log ? event => {
					const result = log!.write(event);
					return result.ok ? null : result.error;
				} : undefined}
				ring={options.isBell ? () => process.stdout.write('\u0007') : undefined}
				poolControl={sources.poolControl}
				subscribeHangUp={hangUp.subscribe}
			/>
		</ThemeContext.Provider>,
		screenRenderOptions(process.stdout),
	);
	await app.waitUntilExit();
	hangUp.dispose();
	log?.close();
	return 0;
}

function startEvent(server: WatchSources['servers'][number], first: ServerReading, atMs: number): LogEvent {
	return {
		at: logTime(atMs),
		...(server.name ? {server: server.name} : {}),
		type: 'start',
		target: server.target,
		version: first.ok ? first.snapshot.version : null,
		limits: first.ok ? startLimits(first.snapshot) : null,
		// What a reload line would say, seen at start: the restart the server waits for may be the change.
		...(first.ok && first.snapshot.pendingRestart ? {pendingRestart: [...first.snapshot.pendingRestart]} : {}),
	};
}

/** The desk of the first frame: every server's first reading judged, the start-up warnings on its status line. */
function firstDesk(options: Options, sources: WatchSources, firsts: readonly ServerReading[], now: () => number, prior: PriorTrend): {desk: Desk; initialEffects: DeskEffect[]} {
	const {servers} = sources;
	const isSeveral = servers.length > 1;
	const pools = sources.poolCollectors.map(collector => placeholderPool(collector.endpoint));
	const boards = servers.map((server, index) => initialState(options.thresholds, {
		isReadOnly: options.isReadOnly,
		role: server.role,
		// The pools are judged against the first server.
		pools: index === 0 ? pools : [],
		...(index === 0 && prior.trend ? {trend: prior.trend} : {}),
		...(index === 0 ? {changes: priorChanges(prior.story ?? null)} : {}),
		hasPoolControl: Boolean(sources.poolControl),
		hasServers: isSeveral,
		idleAfterSeconds: options.idleAfterSeconds,
	}));
	let desk = deskOf(boards, servers.map(server => server.name));
	// The start-up warnings went to stderr, above the first frame, where the screen soon hides them:
	// the status line shows them too, for its notice's time.
	const notices = [...options.warnings.map(warning => `warning: ${warning}`), ...(prior.notice ? [prior.notice] : [])];
	if (notices.length > 0) {
		desk = updateDesk(desk, {type: 'notify', text: notices.join('; '), atMs: now()}).desk;
	}

	// Findings that already hold are logged like any later change.
	const initialEffects: DeskEffect[] = [];
	for (const [index, first] of firsts.entries()) {
		// A lone server that fails its first poll is polled again at once; one of several shows why it is down.
		if (first.ok || isSeveral) {
			const step = updateDesk(desk, {type: 'server-polled', server: index, reading: first, atMs: now()});
			desk = step.desk;
			initialEffects.push(...step.effects);
		}
	}
	return {desk, initialEffects};
}
