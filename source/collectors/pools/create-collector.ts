// One collector per configured endpoint: HTTP (Prometheus / JSON) or the PgBouncer admin console.
// collect() never throws and never outlasts its timeout, whatever the server does.
import {maskText, urlSecrets} from '../../connection/mask.js';
import type {PoolEndpoint, PoolReading} from '../../readings/types.js';
import {createHttpCollector} from './http-collector.js';
import {poolSelector} from '../../connection/pool-endpoint.js';
import {selectPool} from './select-pool.js';
import {createPgBouncerCollector} from './pgbouncer-collector.js';
import {capPools} from './validate-pools.js';
import {createPrometheusApiCollector} from './prometheus-api.js';

export type PoolCollector = {
	endpoint: PoolEndpoint;
	collect(timeoutMs: number): Promise<PoolReading>;
	close(): Promise<void>;
};

export type PoolCollectorOptions = {
	/** Response-size cap for HTTP endpoints; default 1 MiB (32 MiB per query for a Prometheus). */
	maxBytes?: number;
};

// The inner collectors enforce the timeout themselves; this backstop only catches a bug there.
const BACKSTOP_SLACK_MS = 250;

export function createPoolCollector(endpoint: PoolEndpoint, options: PoolCollectorOptions = {}): PoolCollector {
	const inner = endpoint.kind === 'pgbouncer'
		? createPgBouncerCollector(endpoint)
		: endpoint.kind === 'prometheus'
			? createPrometheusApiCollector(endpoint, {maxBytes: options.maxBytes})
			: createHttpCollector(endpoint, {maxBytes: options.maxBytes});
	// `#pool=NAME`: one pool out of an exposition with many (never sent to the server)
	const selector = poolSelector(endpoint.url);
	return {
		endpoint,
		async collect(timeoutMs) {
			let timer: NodeJS.Timeout | undefined;
			const backstop = new Promise<PoolReading>(resolve => {
				timer = setTimeout(() => {
					resolve({ok: false, error: `timed out after ${timeoutMs} ms`});
				}, timeoutMs + BACKSTOP_SLACK_MS);
			});
			try {
				const reading = await Promise.race([inner.collect(timeoutMs), backstop]);
				// The cap after `#pool=`: a selected pool is found even among 15,000.
				return capPools(selector === null ? reading : selectPool(reading, selector));
			} catch (error) {
				const secrets = [...urlSecrets(endpoint.url), endpoint.bearerToken ?? undefined];
				return {ok: false, error: maskText(error instanceof Error ? error.message : String(error), secrets).replace(/\s+/g, ' ')};
			} finally {
				clearTimeout(timer);
			}
		},
		async close() {
			await inner.close().catch(() => undefined);
		},
	};
}

