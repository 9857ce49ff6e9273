// `actuator+http(s)://host/actuator`: Spring Boot Actuator's metrics endpoint, read per HikariCP meter
// and pool (Micrometer's HikariCP binding), one GET after another within the poll's deadline.
import {endpointAuthorization} from '../../connection/credentials.js';
import {createHttpClient, type HttpClient} from '../../connection/http.js';
import {poolSelector} from '../../connection/pool-endpoint.js';
import type {PoolEndpoint, PoolMetrics, PoolReading} from '../../readings/types.js';
import type {Deadline} from '../../polling/deadline.js';
import type {EndpointCollector} from './http-collector.js';
import {noMetrics, validatePool} from './validate-pools.js';

const ACCEPT_ACTUATOR = 'application/vnd.spring-boot.actuator.v3+json,application/json;q=0.9,*/*;q=0.1';

/** Micrometer's HikariCP meters as Spring Boot Actuator serves them, one request per meter and pool. */
const ACTUATOR_METERS = {
	open: 'hikaricp.connections',
	active: 'hikaricp.connections.active',
	idle: 'hikaricp.connections.idle',
	waiting: 'hikaricp.connections.pending',
	max: 'hikaricp.connections.max',
	timeoutsTotal: 'hikaricp.connections.timeout',
} as const;
type MeterField = keyof typeof ACTUATOR_METERS;
const USAGE_METER = 'hikaricp.connections.usage';
/** More pools than this in one application is a misconfiguration, not something to poll. */
const ACTUATOR_MAX_POOLS = 8;

type Meter = {ok: true; value: unknown} | {ok: false; error: string; isMissing?: boolean};
type Walk = {client: HttpClient; base: URL; signal: AbortSignal; maxBytes: number};

export function createActuatorCollector(endpoint: PoolEndpoint, maxBytes: number): EndpointCollector {
	const base = new URL(endpoint.url);
	base.hash = '';
	// With #pool=NAME only that pool's meters are requested (create-collector reports it when absent).
	const only = poolSelector(endpoint.url);
	const client = createHttpClient({isHttps: base.protocol === 'https:', maxSockets: 1, authorization: endpointAuthorization(endpoint)});
	return {
		async collect({signal}: Deadline) {
			return readActuator({client, base, signal, maxBytes}, only);
		},
		async close() {
			client.close();
		},
	};
}

async function readActuator(walk: Walk, only: string | null): Promise<PoolReading> {
	const index = await fetchMeter(walk, ACTUATOR_METERS.open, null);
	if (!index.ok) {
		return {ok: false, error: index.error};
	}

	const listed = actuatorPools(index.value);
	const pools = only !== null && listed.includes(only) ? [only] : listed;
	if (pools.length === 0) {
		return {ok: false, error: 'actuator: hikaricp.connections lists no pool tag'};
	}

	const result: PoolMetrics[] = [];
	for (const pool of pools.slice(0, ACTUATOR_MAX_POOLS)) {
		const metrics = await readPool(walk, pool);
		if (!metrics.ok) {
			return metrics;
		}

		result.push(validatePool(metrics.metrics));
	}

	return {ok: true, format: 'json', pools: result};
}

async function readPool(walk: Walk, pool: string): Promise<{ok: true; metrics: PoolMetrics} | {ok: false; error: string}> {
	const metrics: PoolMetrics = noMetrics(pool);
	for (const [field, meter] of Object.entries(ACTUATOR_METERS) as Array<[MeterField, string]>) {
		const response = await fetchMeter(walk, meter, pool);
		if (!response.ok) {
			if (response.isMissing) {
				continue; // an older Micrometer without this meter: the field stays "not exposed"
			}

			return {ok: false, error: response.error};
		}

		metrics[field] = actuatorMeasurement(response.value, field === 'timeoutsTotal' ? 'COUNT' : 'VALUE');
	}

	if (Object.keys(ACTUATOR_METERS).every(field => metrics[field as MeterField] === null)) {
		return {ok: false, error: `actuator: no hikaricp.connections.* meter for pool "${pool}"`};
	}

	// The usage timer (COUNT, and TOTAL_TIME in its base unit, seconds): the pool's demand, for the
	// sizing advice. Optional: without it (or when it fails) the pool stands without.
	const usage = await fetchMeter(walk, USAGE_METER, pool);
	const served = usage.ok ? actuatorMeasurement(usage.value, 'COUNT') : null;
	const held = usage.ok ? actuatorMeasurement(usage.value, 'TOTAL_TIME') : null;
	return {ok: true, metrics: served === null || held === null ? metrics : {...metrics, servedTotal: served, holdSecondsTotal: held}};
}

async function fetchMeter(walk: Walk, meter: string, pool: string | null): Promise<Meter> {
	const url = new URL(walk.base);
	url.pathname = `${walk.base.pathname.replace(/\/+$/, '')}/metrics/${meter}`;
	url.search = pool === null ? '' : `?tag=pool:${encodeURIComponent(pool)}`;
	const response = await walk.client.request({url, accept: ACCEPT_ACTUATOR, signal: walk.signal, maxBytes: walk.maxBytes});
	if (!response.ok) {
		const isMissing = response.error.startsWith('HTTP 404');
		return {ok: false, error: isMissing ? `actuator: ${meter} not found (is HikariCP's Micrometer binding on?)` : response.error, isMissing};
	}

	try {
		return {ok: true, value: JSON.parse(response.body) as unknown};
	} catch {
		return {ok: false, error: `actuator: ${meter} is not JSON`};
	}
}

/** The pool tag values of an Actuator metric response: `availableTags: [{tag: 'pool', values: [...]}]`. */
export function actuatorPools(body: unknown): string[] {
	if (typeof body !== 'object' || body === null) {
		return [];
	}

	const tags = (body as {availableTags?: unknown}).availableTags;
	if (!Array.isArray(tags)) {
		return [];
	}

	const pool = tags.find((tag: unknown) => typeof tag === 'object' && tag !== null && (tag as {tag?: unknown}).tag === 'pool') as {values?: unknown} | undefined;
	return Array.isArray(pool?.values) ? pool.values.filter((value): value is string => typeof value === 'string').sort() : [];
}

/** One statistic of an Actuator metric response: `measurements: [{statistic: 'VALUE', value: 2}]`. */
export function actuatorMeasurement(body: unknown, statistic: string): number | null {
	if (typeof body !== 'object' || body === null) {
		return null;
	}

	const measurements = (body as {measurements?: unknown}).measurements;
	if (!Array.isArray(measurements)) {
		return null;
	}

	const found = measurements.find((item: unknown) => typeof item === 'object' && item !== null && (item as {statistic?: unknown}).statistic === statistic) as {value?: unknown} | undefined;
	return typeof found?.value === 'number' && Number.isFinite(found.value) ? found.value : null;
}
