// I/O of `lifeguard doctor`: read every part the checks need, each on its own so one refusal (a
// missing privilege, a pooler without some SHOW command) leaves the rest of the review standing.
// Plain values out; a part that failed carries its one-line, masked reason.
import pg from 'pg';
import type {PoolCollector} from '../collectors/pools/create-collector.js';
import {type ConsoleGuard, guardConsole} from '../collectors/pools/console-guard.js';
import {consoleClient, endConsole} from '../collectors/pools/pgbouncer-collector.js';
import {columnNumber, columnText} from '../collectors/pools/pgbouncer-rows.js';
import {describeQueryError} from '../connection/describe-error.js';
import {maskText, urlSecrets} from '../connection/mask.js';
import {applyPoolReading, placeholderPool} from '../judge/pool-status.js';
import {ADVICE_SAMPLE_MS, type AdviceInput, exposesHoldTimes, hasUsageCounters} from '../judge/advice.js';
import {poolRates, type PoolRates} from '../judge/rates.js';
import type {Observation, PoolStatus} from '../judge/types.js';
import type {PoolEndpoint} from '../readings/types.js';
import {withDeadline} from '../polling/deadline.js';
import {
	APPLICATION_USAGE, CHANGED_SETTINGS, CLIENT_CONNECTIONS, DATABASES, FILE_SETTINGS_PENDING, LOGIN_ROLES, MONITOR_PRIVILEGES, PGBOUNCER_CONFIG, PGBOUNCER_DATABASES,
	PGBOUNCER_LISTS, PGBOUNCER_POOLS, ROLE_AND_DATABASE_SETTINGS, SERVER_SETTINGS,
} from './queries.js';
import type {
	ApplicationUsage, DatabaseLimit, DoctorInput, FileSetting, LoginRole, MonitorPrivileges, Part, PgBouncerConfig, PgBouncerDatabase,
	PoolCapacity, RoleDatabaseSetting, ServerSettings, Setting, SettingRow,
} from './types.js';

type Row = Record<string, unknown>;
type Queryable = Pick<pg.Client, 'query'>;

export type ReadOptions = {
	client: Queryable;
	/** Masked out of every error line. */
	password?: string;
	poolCollectors: readonly PoolCollector[];
	poolTimeoutMs: number;
	warnRatio: number;
	now?: () => number;
	/** Between the two readings of pools that expose usage counters (default ADVICE_SAMPLE_MS). */
	sampleMs?: number;
};

export async function readDoctorInput(options: ReadOptions): Promise<DoctorInput> {
	const {client, password} = options;
	const now = options.now ?? Date.now;
	// The pools and PgBouncer consoles answer concurrently with the server's reads.
	const poolsPromise = readPools(options.poolCollectors, options.poolTimeoutMs, now, options.sampleMs ?? ADVICE_SAMPLE_MS);
	const bouncersPromise = Promise.all(options.poolCollectors
		.filter(collector => collector.endpoint.kind === 'pgbouncer')
		.map(async collector => ({endpoint: collector.endpoint.maskedUrl, config: await readPgBouncerConfig(collector.endpoint, options.poolTimeoutMs)})));
	// One statement at a time on the one connection; each part fails alone.
	const settings = await part(client, password, SERVER_SETTINGS, mapSettings);
	const privileges = await part(client, password, MONITOR_PRIVILEGES, rows => mapPrivileges(rows[0]!));
	const activity = await part(client, password, CLIENT_CONNECTIONS, rows => ({connections: Number(rows[0]!['connections']), hidden: Number(rows[0]!['hidden'])}));
	const roles = await part(client, password, LOGIN_ROLES, rows => rows.map(row => mapRole(row)));
	const databases = await part(client, password, DATABASES, rows => rows.map(row => mapDatabase(row)));
	const roleSettings = await part(client, password, ROLE_AND_DATABASE_SETTINGS, rows => rows.map(row => mapRoleSetting(row)));
	const applications = await part(client, password, APPLICATION_USAGE, rows => rows.map(row => mapApplication(row)));
	const changedSettings = await part(client, password, CHANGED_SETTINGS, rows => rows.map(row => mapSettingRow(row)));
	const fileSettings = await part(client, password, FILE_SETTINGS_PENDING, rows => rows.map(row => mapFileSetting(row)));
	const [pools, pgbouncers] = await Promise.all([poolsPromise, bouncersPromise]);
	return {settings, privileges, activity, roles, databases, roleSettings, applications, changedSettings, fileSettings, pools, pgbouncers, warnRatio: options.warnRatio};
}

async function part<T>(client: Queryable, password: string | undefined, sql: string, map: (rows: Row[]) => T): Promise<Part<T>> {
	try {
		const result = await client.query(sql);
		return {ok: true, value: map(result.rows as Row[])};
	} catch (error) {
		return {ok: false, error: describeQueryError(error, password)};
	}
}

export function mapSettings(rows: Row[]): ServerSettings {
	const settings: Record<string, Setting> = {};
	for (const row of rows) {
		settings[String(row['name'])] = {value: String(row['setting']), unit: row['unit'] === null ? null : String(row['unit']), source: String(row['source'])};
	}

	const integer = (name: string, fallback: number) => (settings[name] ? Number(settings[name].value) : fallback);
	const version = settings['server_version']?.value ?? '';
	return {
		// "15.20 (Debian 15.20-0+deb12u1)" -> "15.20"
		version: version.split(' ')[0] ?? version,
		versionNum: integer('server_version_num', 0),
		maxConnections: integer('max_connections', 0),
		superuserReservedConnections: integer('superuser_reserved_connections', 0),
		reservedConnections: integer('reserved_connections', 0),
		settings,
	};
}

const textOrNull = (value: unknown) => (value === null || value === undefined ? null : String(value));
const lineOrNull = (value: unknown) => (value === null || value === undefined || !Number.isFinite(Number(value)) ? null : Number(value));

export function mapSettingRow(row: Row): SettingRow {
	return {
		name: String(row['name']),
		setting: String(row['setting'] ?? ''),
		unit: textOrNull(row['unit']),
		bootValue: textOrNull(row['boot_val']),
		resetValue: textOrNull(row['reset_val']),
		source: String(row['source']),
		file: textOrNull(row['sourcefile']),
		line: lineOrNull(row['sourceline']),
		isPendingRestart: row['pending_restart'] === true,
	};
}

function mapFileSetting(row: Row): FileSetting {
	return {name: String(row['name']), setting: String(row['setting'] ?? ''), file: String(row['sourcefile'] ?? ''), line: lineOrNull(row['sourceline'])};
}

function mapPrivileges(row: Row): MonitorPrivileges {
	return {
		role: String(row['role']),
		isSuperuser: row['is_superuser'] === true,
		canReadAllStats: row['can_read_all_stats'] === true,
		canSignalBackend: row['can_signal_backend'] === true,
		canUseReserved: row['can_use_reserved'] === null ? null : row['can_use_reserved'] === true,
		isUnixSocket: row['is_unix_socket'] === true,
	};
}

function limitOf(value: unknown): number | null {
	const limit = Number(value);
	// -1 = unlimited; -2 marks an invalid database (interrupted DROP DATABASE).
	return Number.isFinite(limit) && limit >= 0 ? limit : null;
}

function mapRole(row: Row): LoginRole {
	return {name: String(row['name']), isSuperuser: row['is_superuser'] === true, connectionLimit: limitOf(row['connection_limit']), connections: Number(row['connections'])};
}

function mapDatabase(row: Row): DatabaseLimit {
	return {name: String(row['name']), connectionLimit: limitOf(row['connection_limit']), connections: Number(row['connections'])};
}

/** setconfig is text[] of "name=value"; node-postgres parses it into an array of strings. */
export function mapRoleSetting(row: Row): RoleDatabaseSetting {
	const settings: Record<string, string> = {};
	for (const entry of (row['settings'] as string[] | null) ?? []) {
		const equals = entry.indexOf('=');
		if (equals > 0) {
			settings[entry.slice(0, equals)] = entry.slice(equals + 1);
		}
	}

	return {role: row['role'] === null ? null : String(row['role']), database: row['database'] === null ? null : String(row['database']), settings};
}

function mapApplication(row: Row): ApplicationUsage {
	return {application: String(row['application']), role: String(row['role']), database: String(row['database']), connections: Number(row['connections'])};
}

// --- pools ---------------------------------------------------------------------------------------

async function readPools(collectors: readonly PoolCollector[], timeoutMs: number, now: () => number, sampleMs: number): Promise<PoolCapacity[]> {
	const readAll = async () => {
		const readings = await Promise.all(collectors.map(async collector => collector.collect(timeoutMs)));
		const atMs = now();
		let statuses: PoolStatus[] = collectors.map(collector => placeholderPool(collector.endpoint));
		for (const [index, collector] of collectors.entries()) {
			statuses = applyPoolReading(statuses, collector.endpoint, readings[index]!, atMs);
		}

		return {readings, statuses, atMs};
	};

	const first = await readAll();
	if (!first.readings.some(reading => hasUsageCounters(reading))) {
		return poolCapacities(first.statuses);
	}

	// Usage counters give demand only as rates: a second reading, as the live screen's next poll.
	await new Promise(resolve => {
		setTimeout(resolve, sampleMs);
	});
	const second = await readAll();
	return poolCapacities(second.statuses, first.statuses.map((status, index) => [
		{atMs: first.atMs, server: null, pools: [status]},
		{atMs: second.atMs, server: null, pools: [second.statuses[index]!]},
	]));
}

/**
 * Pools as the capacity arithmetic wants them: one instance per endpoint that reports a pool of that
 * name (`--pool api=http://a … --pool api=http://b` is one pool on two instances).
 */
export function poolCapacities(statuses: readonly PoolStatus[], histories?: ReadonlyArray<readonly Observation[]>): PoolCapacity[] {
	const byName = new Map<string, Array<{status: PoolStatus; rates: PoolRates | null}>>();
	for (const [index, status] of statuses.entries()) {
		// Each endpoint's own two readings: endpoints of one name are instances of one pool.
		const history = histories?.[index];
		byName.set(status.name, [...(byName.get(status.name) ?? []), {status, rates: history ? poolRates(history, status.name) : null}]);
	}

	return [...byName].map(([name, entries]) => {
		const group = entries.map(entry => entry.status);
		const maxima = group.map(status => status.metrics?.max ?? null);
		const known = maxima.filter((max): max is number => max !== null);
		const sum = (pick: (status: PoolStatus) => number | null) => group.reduce<number | null>((total, status) => {
			const value = status.metrics ? pick(status) : null;
			return total === null || value === null ? null : total + value;
		}, 0);
		const answered = group.filter(status => status.metrics !== null);
		return {
			name,
			// The largest when instances differ: the arithmetic should not promise room that is not there.
			maxPerInstance: known.length === group.length ? Math.max(...known) : null,
			instances: group.length,
			observed: answered.length === group.length
				? {active: sum(status => status.metrics!.active), open: sum(status => status.metrics!.open), waiting: sum(status => status.metrics!.waiting)}
				: null,
			isPgBouncer: group.every(status => status.format === 'pgbouncer'),
			error: group.map(status => status.error).find(error => error !== null) ?? null,
			demand: {
				rates: summedRates(entries.map(entry => entry.rates)),
				hasHoldTimes: group.every(status => status.metrics !== null && exposesHoldTimes(status.metrics)),
				format: group[0]?.format ?? null,
			},
		};
	});
}

/** Demand rates summed over a pool's instances (hold time weighted by what each served); null unless every instance has them. */
function summedRates(rates: ReadonlyArray<PoolRates | null>): AdviceInput['rates'] | null {
	if (rates.length === 0 || rates.some(rate => rate === null || rate.servedPerSecond === null)) {
		return null;
	}

	const all = rates as PoolRates[];
	const sum = (pick: (rate: PoolRates) => number | null) => all.reduce((total, rate) => total + (pick(rate) ?? 0), 0);
	const served = sum(rate => rate.servedPerSecond);
	const held = all.some(rate => rate.meanHoldSeconds === null && (rate.servedPerSecond ?? 0) > 0) ? null : sum(rate => (rate.meanHoldSeconds ?? 0) * (rate.servedPerSecond ?? 0));
	return {
		servedPerSecond: served,
		meanHoldSeconds: held === null || served <= 0 ? null : held / served,
		timeoutsPerMinute: sum(rate => rate.timeoutsPerMinute),
		queueGrowthPerSecond: sum(rate => rate.queueGrowthPerSecond),
	};
}

// --- PgBouncer console ---------------------------------------------------------------------------

/**
 * SHOW CONFIG / DATABASES / POOLS / LISTS on the admin console, within `timeoutMs` and within the caps
 * the live screen's console reads have (rows and bytes per answer): one that streams without end is
 * cut, and the part says which cap.
 */
export async function readPgBouncerConfig(endpoint: PoolEndpoint, timeoutMs: number): Promise<Part<PgBouncerConfig>> {
	const secrets = urlSecrets(endpoint.url);
	const client = consoleClient(endpoint.url);
	const guard = guardConsole(client);
	client.on('error', () => undefined);
	const failed = (error: unknown): Part<PgBouncerConfig> => {
		// A cap reached destroyed the socket: say so, not "connection terminated".
		const reason = guard.reason ?? (error instanceof Error ? error.message : String(error));
		return {ok: false, error: `pgbouncer: ${maskText(reason, secrets).replaceAll(/\s+/g, ' ')}`};
	};

	try {
		return await withDeadline(timeoutMs, async () => readConsole(client, guard, endpoint.maskedUrl).then(value => ({ok: true, value}), failed), message => failed(new Error(message)));
	} finally {
		await endConsole(client, 500);
	}
}

async function readConsole(client: pg.Client, guard: ConsoleGuard, endpoint: string): Promise<PgBouncerConfig> {
	await client.connect();
	const show = async (command: string): Promise<Row[] | null> => {
		guard.begin(command);
		return client.query(command).then(result => result.rows as Row[], () => {
			if (guard.reason) {
				throw new Error(guard.reason); // a cap, not a command this console lacks
			}

			return null;
		});
	};

	const config = await show(PGBOUNCER_CONFIG);
	if (config === null) {
		throw new Error('SHOW CONFIG refused (the console user needs admin_users or stats_users)');
	}

	const databases = (await show(PGBOUNCER_DATABASES)) ?? [];
	const pools = (await show(PGBOUNCER_POOLS)) ?? [];
	const lists = await show(PGBOUNCER_LISTS);
	return mapPgBouncer(endpoint, config, databases, pools, lists);
}

export function mapPgBouncer(endpoint: string, config: Row[], databases: Row[], pools: Row[], lists: Row[] | null): PgBouncerConfig {
	const setting = (key: string) => columnNumber(config.find(row => row['key'] === key)?.['value']);
	const usersByDatabase = new Map<string, Set<string>>();
	let clientsFromPools = 0;
	for (const row of pools) {
		const database = columnText(row['database']);
		const user = columnText(row['user']);
		if (database === null || user === null || database === 'pgbouncer') {
			continue;
		}

		usersByDatabase.set(database, (usersByDatabase.get(database) ?? new Set()).add(user));
		for (const [column, value] of Object.entries(row)) {
			if (column.startsWith('cl_') && column !== 'cl_cancel_req') {
				clientsFromPools += columnNumber(value) ?? 0;
			}
		}
	}

	const mapped: PgBouncerDatabase[] = databases
		.filter(row => columnText(row['name']) !== null && columnText(row['name']) !== 'pgbouncer')
		.map(row => {
			const name = columnText(row['name'])!;
			const forceUser = columnText(row['force_user']) ?? null;
			return {
				name,
				poolSize: nonNegative(row['pool_size']),
				reservePool: nonNegative(row['reserve_pool'] ?? row['reserve_pool_size']),
				maxDbConnections: columnNumber(row['max_connections']),
				forceUser: forceUser === '' ? null : forceUser,
				users: [...(usersByDatabase.get(name) ?? [])].sort(),
			};
		});
	const usedClients = lists?.find(row => row['list'] === 'used_clients');
	return {
		endpoint,
		defaultPoolSize: setting('default_pool_size'),
		reservePoolSize: setting('reserve_pool_size'),
		maxDbConnections: setting('max_db_connections'),
		maxClientConn: setting('max_client_conn'),
		queryWaitTimeoutSeconds: setting('query_wait_timeout'),
		databases: mapped,
		clients: usedClients ? columnNumber(usedClients['items']) : clientsFromPools,
	};
}

/** A pool size column: negative (-1) or empty means "use the default". */
function nonNegative(value: unknown): number | null {
	const parsed = columnNumber(value);
	return parsed === null || parsed < 0 ? null : parsed;
}
