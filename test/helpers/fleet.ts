// A fleet pool as the Prometheus collector builds it (sums, and the members in the collector's
// order), for model and view tests of the pools drill-down without a Prometheus.
import type {PoolEndpoint, PoolInstance, PoolMetrics} from '../../source/model/types.js';
import {exposedPool} from './snapshots.js';

export const prometheusEndpoint: PoolEndpoint = {name: null, url: 'http://127.0.0.1:9090', maskedUrl: 'http://127.0.0.1:9090', kind: 'prometheus', forcedFormat: null, selector: null, bearerToken: null};
export const noRates = {waitsPerSecond: null, waitingAverage: null, timeoutsPerMinute: null};

/** One instance: `active` busy of `max`, `waiting` queued; open = active + idle. */
export function instance(name: string, active: number, waiting: number, max = 10, extra: Partial<PoolInstance> = {}): PoolInstance {
	return {instance: name, max, open: active, active, idle: 0, waiting, oldestWaitSeconds: null, sourceRates: noRates, isAtMax: active >= max, ...extra};
}

export function fleetPool(service: string, members: PoolInstance[], pool = 'HikariPool-1'): PoolMetrics {
	const sum = (pick: (member: PoolInstance) => number | null) => members.reduce((total, member) => total + (pick(member) ?? 0), 0);
	const fullness = (member: PoolInstance) => (member.active ?? 0) / (member.max ?? 1);
	const sorted = [...members].sort((a, b) => (b.waiting ?? -1) - (a.waiting ?? -1) || fullness(b) - fullness(a) || a.instance.localeCompare(b.instance));
	const maxes = new Set(members.map(member => member.max));
	return exposedPool({
		label: `${service}/${pool}`,
		max: sum(member => member.max),
		open: sum(member => member.open),
		active: sum(member => member.active),
		idle: sum(member => member.idle),
		waiting: sum(member => member.waiting),
		sourceRates: noRates,
		fleet: {service, pool, instances: members.length, atMax: members.filter(member => member.isAtMax).length, maxPerInstance: maxes.size === 1 ? members[0]!.max : null, worst: sorted[0]!, members: sorted},
	});
}
