// One collector per configured endpoint, chosen by the kind its URL was parsed to: a GET of an
// exporter or JSON payload, Spring Boot Actuator's meters, a Prometheus API, or the PgBouncer admin
// console. collect() never throws, never outlasts its timeout (one deadline per poll, held here), and
// every failure it returns is one masked line.
import {endpointSecrets} from '../../connection/credentials.js';
import {maskText} from '../../connection/mask.js';
import {poolSelector} from '../../connection/pool-endpoint.js';
import type {PoolEndpoint, PoolReading} from '../../readings/types.js';
import {withDeadline} from '../../polling/deadline.js';
import {createActuatorCollector} from './actuator.js';
import {createHttpCollector, DEFAULT_MAX_BYTES, type EndpointCollector} from './http-collector.js';
import {createPgBouncerCollector} from './pgbouncer-collector.js';
import {createPrometheusApiCollector} from './prometheus-api.js';
import {selectPool} from './select-pool.js';
import {capPools} from './validate-pools.js';
import {oneLine} from '../../text/words.js';

export type PoolCollector = {
	endpoint: PoolEndpoint;
	collect(timeoutMs: number): Promise<PoolReading>;
	close(): Promise<void>;
};

export type PoolCollectorOptions = {
	/** Decoded bytes of one HTTP answer; default 1 MiB (4 MiB per query, 8 MiB per refresh for a Prometheus). */
	maxBytes?: number;
};

function endpointCollector(endpoint: PoolEndpoint, maxBytes: number | undefined): EndpointCollector {
	switch (endpoint.kind) {
		case 'pgbouncer': {
			return createPgBouncerCollector(endpoint);
		}

		case 'prometheus': {
			return createPrometheusApiCollector(endpoint, maxBytes);
		}

		case 'actuator': {
			return createActuatorCollector(endpoint, maxBytes ?? DEFAULT_MAX_BYTES);
		}

		default: {
			return createHttpCollector(endpoint, maxBytes ?? DEFAULT_MAX_BYTES);
		}
	}
}

export function createPoolCollector(endpoint: PoolEndpoint, options: PoolCollectorOptions = {}): PoolCollector {
	const inner = endpointCollector(endpoint, options.maxBytes);
	// `#pool=NAME`: one pool out of an exposition with many (never sent to the server)
	const selector = poolSelector(endpoint.url);
	const secrets = endpointSecrets(endpoint);
	const failure = (error: unknown): PoolReading => ({ok: false, error: error instanceof Error ? error.message : String(error)});
	// The console's failures all name it (`pgbouncer: …`), its timeout too.
	const timedOut = (message: string) => failure(endpoint.kind === 'pgbouncer' ? `pgbouncer: ${message}` : message);
	return {
		endpoint,
		async collect(timeoutMs) {
			// Not expected to throw (failures are values); caught so that collect never does.
			const reading = await withDeadline(timeoutMs, async deadline => inner.collect(deadline).catch(failure), timedOut);
			// The cap after `#pool=`: a selected pool is found even among 15,000.
			const selected = capPools(selector === null ? reading : selectPool(reading, selector));
			// Every failure, of every kind of endpoint, masked and on one line here.
			return selected.ok ? selected : {...selected, error: oneLine(maskText(selected.error, secrets))};
		},
		async close() {
			await inner.close().catch(() => undefined);
		},
	};
}
