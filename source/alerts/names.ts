// The series the rule file records (level:metric:operation, Prometheus' naming practice): one set for
// every pool family, so the alerts, dashboards and `lifeguard --prometheus` users can read them alike.
import type {PoolField} from './families.js';

export type RecordedNames = Record<PoolField, string> & {
	/** busy / max, where the max is known and above 0 */
	usedRatio: string;
	/** > 0 while requests queue: the waiting gauge, or (no gauge) wait counters moving at the max */
	queued: string;
	serverConnections: string;
	serverUsable: string;
	serverUsedRatio: string;
	serverFree: string;
};

/** The names for a rate window (`1m` → `lifeguard:pool_timeouts:rate1m`). */
export function recordedNames(window: string): RecordedNames {
	return {
		max: 'lifeguard:pool_max',
		active: 'lifeguard:pool_active',
		waiting: 'lifeguard:pool_waiting',
		oldestWaitSeconds: 'lifeguard:pool_oldest_wait_seconds',
		timeoutsRate: `lifeguard:pool_timeouts:rate${window}`,
		waitsRate: `lifeguard:pool_waits:rate${window}`,
		waitSecondsRate: `lifeguard:pool_wait_seconds:rate${window}`,
		usedRatio: 'lifeguard:pool_used:ratio',
		queued: 'lifeguard:pool_queued',
		serverConnections: 'lifeguard:server_connections',
		serverUsable: 'lifeguard:server_usable_connections',
		serverUsedRatio: 'lifeguard:server_used:ratio',
		serverFree: 'lifeguard:server_free_connections',
	};
}
