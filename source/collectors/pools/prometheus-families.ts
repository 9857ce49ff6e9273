// The pool families lifeguard recognises in a Prometheus exposition, one entry per family: which
// samples give which field, the label that keys a pool, and the joins a family needs. The one list
// of metric names lifeguard reads (README, Pool endpoints); prometheus-pools.ts applies it.
import type {PoolMetrics} from '../../readings/types.js';
import type {PromSample} from './prometheus-text.js';

export type Labels = Record<string, string>;
export type Field = Exclude<keyof PoolMetrics, 'label' | 'error' | 'sourceRates' | 'fleet' | 'waitingClients'>;

/** One series: a sample name, optionally restricted to some label values, optionally rescaled (ns → s). */
type Series = {name: string; where?: (labels: Labels) => boolean; scale?: number};
/** Alternatives in order of preference; the series of one alternative are summed. */
export type FieldSpec = Series[][];

export type Recognizer = {
	id: string;
	/** The pool key of a sample, or null to leave the sample out (e.g. PgBouncer's admin database). */
	key: (labels: Labels) => string | null;
	fields: Partial<Record<Field, FieldSpec>>;
	/** Fill fields that need another family or a rule (go_sql max 0 = unlimited). */
	finish?: (metrics: PoolMetrics, labels: Labels, index: SampleIndex) => void;
	/** Only used when no other recognizer found a pool (Spring's generic jdbc_* duplicates hikaricp_*). */
	isFallback?: boolean;
	/** Other families `finish` reads (so a Prometheus query for this family fetches them too). */
	reads?: string[];
};

export type SampleIndex = Map<string, PromSample[]>;

// --- helpers to keep the table readable ---

/** Each name is its own alternative, first found wins. */
const oneOf = (...names: string[]): FieldSpec => names.map(name => [{name}]);
/** A counter with or without `_total` (text 0.0.4 exporters differ; OpenMetrics always adds it). */
const counter = (...bases: string[]): FieldSpec => bases.flatMap(base => [[{name: `${base}_total`}], [{name: base}]]);
const sumOf = (...names: string[]): FieldSpec => [names.map(name => ({name}))];
/** A counter in another unit, with or without `_total`: `scaled(1e-9, 'x_nanoseconds')`. */
const scaledCounter = (scale: number, ...bases: string[]): FieldSpec => bases.flatMap(base => [[{name: `${base}_total`, scale}], [{name: base, scale}]]);
/** The first of these labels present names the pool; '' when none (one unnamed pool). */
const keyFrom = (...labelNames: string[]) => (labels: Labels): string => {
	for (const name of labelNames) {
		const value = labels[name];
		if (value !== undefined) {
			return value;
		}
	}

	return '';
};

const otelState = (state: string) => (labels: Labels) => (labels['db_client_connection_state'] ?? labels['state']) === state;

const PGBOUNCER_SERVER_STATES = ['active', 'active_cancel', 'being_canceled', 'idle', 'used', 'testing', 'login'];

export const RECOGNIZERS: Recognizer[] = [
	{
		// HikariCP via Micrometer (Spring Boot) and HikariCP's own simpleclient collector
		id: 'hikaricp',
		key: keyFrom('pool'),
		fields: {
			max: oneOf('hikaricp_connections_max', 'hikaricp_max_connections'),
			open: oneOf('hikaricp_connections'),
			active: oneOf('hikaricp_connections_active', 'hikaricp_active_connections'),
			idle: oneOf('hikaricp_connections_idle', 'hikaricp_idle_connections'),
			waiting: oneOf('hikaricp_connections_pending', 'hikaricp_pending_threads'),
			timeoutsTotal: counter('hikaricp_connections_timeout', 'hikaricp_connection_timeout'),
			// The usage timer (how long each connection was held): Micrometer in seconds (with or without
			// the unit in the name), HikariCP's own collector in milliseconds. Same order in both fields,
			// so a count and its sum come from one timer.
			servedTotal: oneOf('hikaricp_connections_usage_seconds_count', 'hikaricp_connections_usage_count', 'hikaricp_connection_usage_millis_count'),
			holdSecondsTotal: [
				[{name: 'hikaricp_connections_usage_seconds_sum'}],
				[{name: 'hikaricp_connections_usage_sum'}],
				[{name: 'hikaricp_connection_usage_millis_sum', scale: 1e-3}],
			],
		},
	},
	{
		// @christiangalsterer/node-postgres-prometheus-exporter
		id: 'pg_pool',
		key(labels) {
			const {host, database} = labels;
			return host !== undefined && database !== undefined ? `${host}/${database}` : keyFrom('database', 'host', 'pool')(labels);
		},
		fields: {
			max: oneOf('pg_pool_max'),
			open: oneOf('pg_pool_size'),
			active: oneOf('pg_pool_active_connections'),
			idle: oneOf('pg_pool_idle_connections'),
			waiting: oneOf('pg_pool_waiting_connections'),
		},
	},
	{
		// OpenTelemetry semconv, new (db.client.connection.*) and old (db.client.connections.*)
		id: 'otel',
		key: keyFrom('db_client_connection_pool_name', 'pool_name'),
		fields: {
			max: oneOf('db_client_connection_max', 'db_client_connections_max'),
			active: [
				[{name: 'db_client_connection_count', where: otelState('used')}],
				[{name: 'db_client_connections_usage', where: otelState('used')}],
			],
			idle: [
				[{name: 'db_client_connection_count', where: otelState('idle')}],
				[{name: 'db_client_connections_usage', where: otelState('idle')}],
			],
			waiting: oneOf('db_client_connection_pending_requests', 'db_client_connections_pending_requests'),
			timeoutsTotal: counter('db_client_connection_timeouts', 'db_client_connections_timeouts'),
			// use_time: how long a connection was held, new semconv in seconds, old in milliseconds.
			// (wait_time covers every acquisition, fast ones too: it is not a count of waits.)
			servedTotal: oneOf('db_client_connection_use_time_seconds_count', 'db_client_connections_use_time_milliseconds_count'),
			holdSecondsTotal: [
				[{name: 'db_client_connection_use_time_seconds_sum'}],
				[{name: 'db_client_connections_use_time_milliseconds_sum', scale: 1e-3}],
			],
		},
	},
	{
		// Go database/sql: client_golang's DBStats collector, and dlmiddlecote/sqlstats. No waiting
		// gauge: DBStats.WaitCount (counted when a wait starts) and WaitDuration (credited when it ends).
		id: 'go_sql',
		key: keyFrom('db_name'),
		fields: {
			max: oneOf('go_sql_max_open_connections', 'go_sql_stats_connections_max_open'),
			open: oneOf('go_sql_open_connections', 'go_sql_stats_connections_open'),
			active: oneOf('go_sql_in_use_connections', 'go_sql_stats_connections_in_use'),
			idle: oneOf('go_sql_idle_connections', 'go_sql_stats_connections_idle'),
			waitsTotal: counter('go_sql_wait_count', 'go_sql_stats_connections_waited_for'),
			waitSecondsTotal: counter('go_sql_wait_duration_seconds', 'go_sql_stats_connections_blocked_seconds'),
		},
		finish(metrics) {
			if (metrics.max === 0) {
				metrics.max = null; // SetMaxOpenConns(0) = unlimited: no ceiling to draw
			}
		},
	},
	{
		// pgx pools: IBM/pgxpoolprometheus, exaring/otelpgx (pgxpool_*), cmackenzie1 (pgx_pool_*).
		// No waiting gauge; canceled acquires are the closest thing to timeouts. Waits: acquires that found
		// the pool empty. Wait time only from otelpgx (pgx ≥ 5.7.3): acquire_duration covers every acquire.
		id: 'pgxpool',
		key: keyFrom('db_client_connection_pool_name', 'pool', 'db', 'db_name', 'database', 'pool_name'),
		fields: {
			max: oneOf('pgxpool_max_conns', 'pgxpool_max_connections', 'pgx_pool_max_connections'),
			open: oneOf('pgxpool_total_conns', 'pgxpool_total_connections', 'pgx_pool_total_connections'),
			active: oneOf('pgxpool_acquired_conns', 'pgxpool_acquired_connections', 'pgx_pool_acquire_connections'),
			idle: oneOf('pgxpool_idle_conns', 'pgxpool_idle_connections', 'pgx_pool_idle_connections'),
			timeoutsTotal: counter('pgxpool_canceled_acquire_count', 'pgxpool_canceled_acquires', 'pgx_pool_canceled_acquire_count'),
			waitsTotal: counter('pgxpool_empty_acquire', 'pgxpool_empty_acquire_count', 'pgx_pool_empty_acquire_count'),
			waitSecondsTotal: scaledCounter(1e-9, 'pgxpool_empty_acquire_wait_time_nanoseconds', 'pgxpool_empty_acquire_wait_time'),
		},
	},
	{
		// prometheus-community/pgbouncer_exporter: one pool per database/user
		id: 'pgbouncer_exporter',
		key(labels) {
			const {database, user} = labels;
			return database === undefined || user === undefined || database === 'pgbouncer' ? null : `${database}/${user}`;
		},
		fields: {
			open: sumOf(...PGBOUNCER_SERVER_STATES.map(state => `pgbouncer_pools_server_${state}_connections`)),
			active: oneOf('pgbouncer_pools_server_active_connections'),
			idle: sumOf('pgbouncer_pools_server_idle_connections', 'pgbouncer_pools_server_used_connections'),
			waiting: oneOf('pgbouncer_pools_client_waiting_connections'),
			// whole seconds only: the exporter drops maxwait_us
			oldestWaitSeconds: oneOf('pgbouncer_pools_client_maxwait_seconds'),
		},
		reads: ['pgbouncer_databases_pool_size'],
		finish(metrics, labels, index) {
			// SHOW DATABASES rows are keyed by the PgBouncer database name (`name`), not `database`
			const sizes = valuesByLabel(index.get('pgbouncer_databases_pool_size'), 'name').get(labels['database']!) ?? [];
			if (sizes.length > 1) {
				metrics.error = 'duplicate series pgbouncer_databases_pool_size';
			}

			metrics.max = sizes[0] ?? null;
		},
	},
	{
		// Debian's prometheus-pgbouncer-exporter (Christopher Baines' project, not prometheus-community's):
		// SHOW POOLS cl_active / cl_waiting by PgBouncer database and user, SHOW DATABASES pool_size by the
		// *server* database. active is cl_active: clients linked to a server connection, which is the
		// busy count in session pooling (in transaction pooling it also counts clients between transactions).
		id: 'pgbouncer_exporter_debian',
		key(labels) {
			const {database, user} = labels;
			return database === undefined || user === undefined || database === 'pgbouncer' ? null : `${database}/${user}`;
		},
		fields: {
			active: oneOf('pgbouncer_active_clients'),
			waiting: oneOf('pgbouncer_waiting_clients'),
		},
		reads: ['pgbouncer_pool_size'],
		finish(metrics, labels, index) {
			metrics.max = debianPoolSize(index.get('pgbouncer_pool_size'), labels['database']!);
		},
	},
	{
		// Agroal (Quarkus)
		id: 'agroal',
		key: keyFrom('datasource'),
		fields: {
			active: oneOf('agroal_active_count'),
			idle: oneOf('agroal_available_count'),
			waiting: oneOf('agroal_awaiting_count'),
		},
	},
	{
		// Spring Boot's generic DataSourcePoolMetrics: no waiting; the hikaricp_* families say more
		id: 'jdbc',
		key: keyFrom('name'),
		isFallback: true,
		fields: {
			max: oneOf('jdbc_connections_max'),
			active: oneOf('jdbc_connections_active'),
			idle: oneOf('jdbc_connections_idle'),
		},
	},
];

/**
 * The Debian exporter labels pool_size by the server database (`SHOW DATABASES` column `database`),
 * the client gauges by the PgBouncer database. Same name: that row. Otherwise the size is known only
 * when every server database (the admin one aside) has the same size; ambiguous → null, never a guess.
 */
function debianPoolSize(sizes: readonly PromSample[] | undefined, database: string): number | null {
	const named = new Set(valuesByLabel(sizes, 'database').get(database));
	if (named.size > 0) {
		return named.size === 1 ? [...named][0]! : null;
	}

	const others = otherThanAdmin(sizes);
	return others.size === 1 ? [...others][0]! : null;
}

// Joins between families are looked up in maps built once per exposition: a search per pool would be
// quadratic (15,000 pools: seconds of CPU, past the endpoint's time budget).
const byLabelCache = new WeakMap<readonly PromSample[], Map<string, Map<string, number[]>>>();

/** label value → the values (NaN left out) of the samples that carry it, in exposition order. */
function valuesByLabel(samples: readonly PromSample[] | undefined, labelName: string): Map<string, number[]> {
	if (!samples) {
		return new Map();
	}

	let perLabel = byLabelCache.get(samples);
	if (!perLabel) {
		perLabel = new Map();
		byLabelCache.set(samples, perLabel);
	}

	let values = perLabel.get(labelName);
	if (!values) {
		values = new Map();
		for (const sample of samples) {
			const value = sample.labels[labelName];
			if (value !== undefined && !Number.isNaN(sample.value)) {
				const list = values.get(value);
				if (list) {
					list.push(sample.value);
				} else {
					values.set(value, [sample.value]);
				}
			}
		}

		perLabel.set(labelName, values);
	}

	return values;
}

const othersCache = new WeakMap<readonly PromSample[], Set<number>>();

/** The distinct sizes of every server database but PgBouncer's admin one. */
function otherThanAdmin(samples: readonly PromSample[] | undefined): Set<number> {
	if (!samples) {
		return new Set();
	}

	let others = othersCache.get(samples);
	if (!others) {
		others = new Set(samples.filter(sample => !Number.isNaN(sample.value) && sample.labels['database'] !== 'pgbouncer').map(sample => sample.value));
		othersCache.set(samples, others);
	}

	return others;
}
