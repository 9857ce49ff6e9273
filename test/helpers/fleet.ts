// A fleet pool as the Prometheus collector builds it (its servicePool: sums, the members in its
// order), for model and view tests of the pools drill-down without a Prometheus.
import type {PoolEndpoint, PoolInstance, PoolMetrics} from '../../source/readings/types.js';
import {servicePool} from '../../source/collectors/pools/prometheus-fleet.js';

export const prometheusEndpoint: PoolEndpoint = {id: 'endpoint-prometheus', name: null, url: 'http://127.0.0.1:9090', maskedUrl: 'http://127.0.0.1:9090', kind: 'prometheus', forcedFormat: null, selector: null, bearerToken: null};
export const noRates = {waitsPerSecond: null, waitingAverage: null, timeoutsPerMinute: null};

/** One instance: `active` busy of `max`, `waiting` queued; open = active + idle. */
export function instance(name: string, active: number, waiting: number, max = 10, extra: Partial<PoolInstance> = {}): PoolInstance {
	return {instance: name, max, open: active, active, idle: 0, waiting, oldestWaitSeconds: null, sourceRates: noRates, isAtMax: active >= max, ...extra};
}

/** The service pool the Prometheus collector makes of these instances (its own grouping, order and sums). */
export function fleetPool(service: string, members: PoolInstance[], pool = 'HikariPool-1'): PoolMetrics {
	return servicePool(service, pool, members);
}
