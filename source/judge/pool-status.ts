// Fold one endpoint's reading into the pools the judge holds: a good reading replaces that endpoint's
// rows; a failure keeps their last good metrics (shown with their age) and records the error.
import {safeText} from '../text/sanitize.js';
import type {PoolEndpoint, PoolReading} from '../readings/types.js';
import type {PoolStatus} from './types.js';

/**
 * The name a pool row gets: NAME alone when it names one pool; NAME/<pool label> when several pools
 * sit behind one URL; without NAME, the pool's own label, else the URL's host.
 */
export function poolDisplayName(endpoint: PoolEndpoint, outsideLabel: string | null, poolsBehindUrl: number): string {
	// A label is text an endpoint controls: made safe here, where it enters the judge.
	const label = outsideLabel === null ? null : safeText(outsideLabel);
	if (endpoint.name !== null) {
		return poolsBehindUrl > 1 && label !== null ? `${endpoint.name}/${label}` : endpoint.name;
	}

	return label ?? hostOf(endpoint);
}

function hostOf(endpoint: PoolEndpoint): string {
	try {
		return new URL(endpoint.url).host;
	} catch {
		return endpoint.maskedUrl;
	}
}

/** The row an endpoint shows before its first good sample, or when it never answered. */
export function placeholderPool(endpoint: PoolEndpoint, error: string | null = null): PoolStatus {
	return {
		name: poolDisplayName(endpoint, null, 1),
		endpointId: endpoint.id,
		endpoint: endpoint.maskedUrl,
		format: endpoint.kind === 'pgbouncer' ? 'pgbouncer' : endpoint.forcedFormat,
		metrics: null,
		sampledAtMs: null,
		error,
	};
}

export function applyPoolReading(pools: readonly PoolStatus[], endpoint: PoolEndpoint, reading: PoolReading, atMs: number): PoolStatus[] {
	const others = pools.filter(pool => pool.endpointId !== endpoint.id);
	const mine = pools.filter(pool => pool.endpointId === endpoint.id);
	if (reading.ok) {
		const omitted = reading.omittedPools ? {omittedPools: reading.omittedPools} : {};
		const fresh = reading.pools.map((metrics): PoolStatus => ({
			name: poolDisplayName(endpoint, metrics.label, reading.pools.length),
			endpointId: endpoint.id,
			endpoint: endpoint.maskedUrl,
			format: reading.format,
			// Impossible numbers are no numbers: the row says what was wrong instead.
			...(metrics.error === undefined
				? {metrics, sampledAtMs: atMs, error: null}
				: {metrics: null, sampledAtMs: null, error: safeText(metrics.error), isInvalidReading: true}),
			...omitted,
		}));
		return [...others, ...fresh];
	}

	const error = safeText(reading.error);
	const notAConsole = reading.isNotAConsole ? {isNotAConsole: true} : {};
	const failed = mine.length > 0
		? mine.map(({isNotAConsole: _, ...pool}) => ({...pool, error, ...notAConsole}))
		: [{...placeholderPool(endpoint, error), ...notAConsole}];
	return [...others, ...failed];
}
