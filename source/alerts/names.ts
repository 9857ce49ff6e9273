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
	/** Sizing by Little's law, per instance, where a usage timer is recorded (judge/advice.ts's arithmetic). */
	arrivalsRate: string;
	meanHoldSeconds: string;
	neededConnections: string;
	suggestedMax: string;
	/** Instances of a pool (job, family, pool), and the server slots their max may take (one server only). */
	fleetInstances: string;
	fleetRoom: string;
	/** suggestedMax bounded by fleetRoom, or the most that fits; absent when nothing fits or the room is unknown. */
	advisedMax: string;
};

/**
 * The labels that make one pool of one service across its instances, as the screen groups a fleet
 * (prometheus-fleet.ts serviceOf: service, else app, else job); absent ones match as empty.
 */
export const FLEET_LABELS = ['service', 'app', 'job', 'lifeguard_family', 'lifeguard_pool'] as const;

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
		servedRate: `lifeguard:pool_served:rate${window}`,
		holdSecondsRate: `lifeguard:pool_hold_seconds:rate${window}`,
		usedRatio: 'lifeguard:pool_used:ratio',
		queued: 'lifeguard:pool_queued',
		serverConnections: 'lifeguard:server_connections',
		serverUsable: 'lifeguard:server_usable_connections',
		serverUsedRatio: 'lifeguard:server_used:ratio',
		serverFree: 'lifeguard:server_free_connections',
		arrivalsRate: `lifeguard:pool_arrivals:rate${window}`,
		meanHoldSeconds: `lifeguard:pool_hold_seconds:mean${window}`,
		neededConnections: 'lifeguard:pool_needed_connections',
		suggestedMax: 'lifeguard:pool_suggested_max',
		fleetInstances: 'lifeguard:pool_fleet_instances',
		fleetRoom: 'lifeguard:pool_fleet_room_connections',
		advisedMax: 'lifeguard:pool_advised_max',
	};
}
