// What the server sees of a workload, in plain SQL on pg_stat_activity (never through lifeguard),
// and which backends belong to which local process (from /proc: on loopback every client comes from
// 127.0.0.1, so the address alone cannot tell a pooler's server connections from anyone else's).
import {readdirSync, readFileSync, readlinkSync} from 'node:fs';
import pg from 'pg';
import {pollUntil} from '../postgres.js';

export type ActivityRow = {
	pid: number;
	applicationName: string;
	clientAddr: string | null;
	clientPort: number | null;
	backendStartMs: number;
	state: string | null;
	xactStartMs: number | null;
	queryStartMs: number | null;
	stateChangeMs: number | null;
	waitEventType: string | null;
	query: string;
};

export type ActivitySample = {atMs: number; rows: ActivityRow[]};

/** Which client backends to look at: any of these application names, client ports or pids. */
export type ActivityFilter = {applicationNames?: string[]; clientPorts?: number[]; pids?: number[]};

const ACTIVITY = `
select pid, application_name, host(client_addr) as client_addr, client_port, backend_start, state,
       xact_start, query_start, state_change, wait_event_type, query
from pg_stat_activity
where backend_type = 'client backend' and pid <> pg_backend_pid()
  and (application_name = any($1::text[]) or client_port = any($2::int[]) or pid = any($3::int[]))
order by pid`;

type Raw = Record<string, unknown>;
const ms = (value: unknown) => (value instanceof Date ? value.getTime() : null);

export type ServerView = {
	sample: (filter: ActivityFilter) => Promise<ActivitySample>;
	/** Sample every `everyMs` until `isEnough(samples)` holds; fails after `timeoutMs`. */
	watch: (filter: ActivityFilter | (() => ActivityFilter), options: {everyMs?: number; timeoutMs?: number; what: string; isEnough: (samples: ActivitySample[]) => boolean}) => Promise<ActivitySample[]>;
	/** Any query as the superuser, for what pg_stat_activity does not show (locks). */
	query: (sql: string, values?: unknown[]) => Promise<Raw[]>;
	close: () => Promise<void>;
};

export async function openServerView(url: string): Promise<ServerView> {
	const client = new pg.Client({connectionString: url, application_name: 'lookalikes-observer'});
	client.on('error', () => undefined);
	await client.connect();
	const sample = async (filter: ActivityFilter): Promise<ActivitySample> => {
		const {rows} = await client.query<Raw>(ACTIVITY, [filter.applicationNames ?? [], filter.clientPorts ?? [], filter.pids ?? []]);
		return {
			atMs: Date.now(),
			rows: rows.map(row => ({
				pid: Number(row['pid']),
				applicationName: String(row['application_name']),
				clientAddr: (row['client_addr'] as string | null) ?? null,
				clientPort: row['client_port'] === null ? null : Number(row['client_port']),
				backendStartMs: ms(row['backend_start']) ?? 0,
				state: (row['state'] as string | null) ?? null,
				xactStartMs: ms(row['xact_start']),
				queryStartMs: ms(row['query_start']),
				stateChangeMs: ms(row['state_change']),
				waitEventType: (row['wait_event_type'] as string | null) ?? null,
				query: String(row['query'] ?? ''),
			})),
		};
	};

	return {
		sample,
		async watch(filter, {everyMs = 100, timeoutMs = 20_000, what, isEnough}) {
			const samples: ActivitySample[] = [];
			await pollUntil(async () => {
				samples.push(await sample(typeof filter === 'function' ? filter() : filter));
				return isEnough(samples);
			}, {everyMs, timeoutMs, what});
			return samples;
		},
		async query(sql, values) {
			return (await client.query<Raw>(sql, values)).rows;
		},
		async close() {
			await client.end().catch(() => undefined);
		},
	};
}

/** Busy as the server sees it: running a statement, or inside a transaction. */
export function isBusy(row: ActivityRow): boolean {
	return row.state === 'active' || row.state === 'idle in transaction' || row.state === 'idle in transaction (aborted)';
}

/** The share of (sample, connection) pairs that were busy, 0–1. */
export function busyShare(samples: ActivitySample[]): number {
	const rows = samples.flatMap(entry => entry.rows);
	return rows.length === 0 ? 0 : rows.filter(row => isBusy(row)).length / rows.length;
}

/** The processes `pid` started, and theirs (pgpool-II's children), from /proc. */
export function descendantsOf(pid: number): number[] {
	const byParent = new Map<number, number[]>();
	for (const entry of readdirSync('/proc').filter(name => /^\d+$/.test(name))) {
		try {
			const parent = Number(/\) \S (\d+)/.exec(readFileSync(`/proc/${entry}/stat`, 'utf8'))?.[1]);
			byParent.set(parent, [...(byParent.get(parent) ?? []), Number(entry)]);
		} catch {
			// gone meanwhile
		}
	}

	const found: number[] = [];
	const queue = [pid];
	while (queue.length > 0) {
		for (const child of byParent.get(queue.shift()!) ?? []) {
			found.push(child);
			queue.push(child);
		}
	}

	return found;
}

/**
 * The local ports of the TCP connections these processes hold open to `remotePort` on loopback: for
 * a pooler, the client_port of each of its server connections as pg_stat_activity shows it.
 */
export function localPortsTo(pids: number[], remotePort: number): number[] {
	const inodes = new Set<string>();
	for (const pid of pids) {
		let fds: string[] = [];
		try {
			fds = readdirSync(`/proc/${pid}/fd`);
		} catch {
			continue;
		}

		for (const fd of fds) {
			try {
				const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
				if (inode) {
					inodes.add(inode);
				}
			} catch {
				// closed meanwhile
			}
		}
	}

	const ports: number[] = [];
	// sl local_address rem_address st ... inode: addresses as hex IP:PORT, st 01 = ESTABLISHED
	for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
		const fields = line.trim().split(/\s+/);
		const [local, remote, state, inode] = [fields[1], fields[2], fields[3], fields[9]];
		if (local && remote && state === '01' && inode && inodes.has(inode) && Number.parseInt(remote.split(':')[1]!, 16) === remotePort) {
			ports.push(Number.parseInt(local.split(':')[1]!, 16));
		}
	}

	return ports.sort((a, b) => a - b);
}
