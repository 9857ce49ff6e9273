// The servers a command reads (--db, or DATABASE_URL and the libpq variables), each with its one
// connection opened at once, and one reading of every server and pool for the one-shot commands.
import process from 'node:process';
import type pg from 'pg';
import {createPoolCollector} from '../collectors/pools/create-collector.js';
import {createPostgresSource} from '../collectors/postgres-activity.js';
import {describeConnectionError} from '../connection/describe-error.js';
import {openMonitorClient} from '../connection/monitor-client.js';
import {poolerOfLoginError} from '../connection/pooler.js';
import {type NamedTarget, resolveTargets, TargetError} from '../connection/target.js';
import {collectServers, type ServerShot} from '../one-shot.js';
import type {Options} from '../options.js';
import {CommandError} from './command.js';

/** In --db order: each server's connection, or (one that is down among several) why not. */
export type OpenServers = {named: NamedTarget[]; clients: Array<pg.Client | null>; reasons: Array<string | null>};

/** Resolve the targets (a bad one: exit 2) and open every connection at once. */
export async function openServers(options: Options, {isServerDefaults = false} = {}): Promise<OpenServers> {
	let named: NamedTarget[];
	try {
		named = resolveTargets(options.dbs, process.env);
	} catch (error) {
		throw new CommandError((error as Error).message, error instanceof TargetError ? 2 : 1);
	}

	// doctor judges the server's own timeouts: no session settings of lifeguard's in the way.
	const opened = await Promise.allSettled(named.map(async ({target}) => openMonitorClient(target, {isServerDefaults})));
	// A pooler given as --db is bad input, not a server that is down: one line, exit 2, whatever the others do.
	const atPooler = opened.findIndex(result => result.status === 'rejected' && poolerOfLoginError(result.reason) !== null);
	if (atPooler !== -1) {
		await Promise.all(opened.map(async result => (result.status === 'fulfilled' ? result.value.end().catch(() => undefined) : undefined)));
		const {target} = named[atPooler]!;
		throw new CommandError(describeConnectionError((opened[atPooler] as PromiseRejectedResult).reason, target), 2);
	}

	return {
		named,
		clients: opened.map(result => (result.status === 'fulfilled' ? result.value : null)),
		reasons: opened.map((result, index) => (result.status === 'rejected' ? describeConnectionError(result.reason, named[index]!.target) : null)),
	};
}

/** Every output but `check` needs one server's data: a lone server down, or all of several, is a failure. */
export function requireAnswer(servers: OpenServers, exitCode = 1): void {
	if (servers.named.length === 1 && servers.reasons[0]) {
		throw new CommandError(servers.reasons[0], exitCode);
	}

	if (servers.reasons.every(Boolean)) {
		throw new CommandError(noServerAnswered(servers.named.map(({name}, index) => ({name, error: servers.reasons[index] ?? null}))), exitCode);
	}
}

export function noServerAnswered(servers: ReadonlyArray<{name: string | null; error: string | null}>): string {
	return `no server answered: ${servers.map(({name, error}) => `${name}: ${error ?? 'no data'}`).join('; ')}`;
}

/** One reading of every server and every pool (--json, check, the plain summary); every connection closed after. */
export async function readOnce(options: Options, servers: OpenServers, {withHistory = false} = {}): Promise<ServerShot[]> {
	const now = () => Date.now();
	const sources = servers.named.map(({target}, index) => createPostgresSource(target, servers.clients[index] ?? null, now));
	const poolCollectors = options.pools.map(endpoint => createPoolCollector(endpoint));
	try {
		return await collectServers({
			servers: servers.named.map(({name, target}, index) => ({name, target: target.display, role: target.user, postgres: servers.clients[index] ? sources[index]! : null, error: servers.reasons[index] ?? undefined})),
			poolCollectors,
			poolTimeoutMs: options.poolTimeoutMs,
			thresholds: options.thresholds,
			now,
			sample: options.sampleMs === null ? null : {sampleMs: options.sampleMs, intervalMs: options.intervalMs},
			withHistory,
		});
	} finally {
		await Promise.all([...sources.map(async source => source.close()), ...poolCollectors.map(async collector => collector.close())]);
	}
}
