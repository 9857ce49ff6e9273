// `#pool=NAME`: one pool out of an exposition that holds many.
import type {PoolReading} from '../../readings/types.js';

/** Keep only the selected pool; a reading without it is a failure that names the pools there are. */
export function selectPool(reading: PoolReading, name: string): PoolReading {
	if (!reading.ok) {
		return reading;
	}

	const pools = reading.pools.filter(pool => pool.label === name);
	if (pools.length > 0) {
		return {...reading, pools};
	}

	const found = reading.pools.map(pool => pool.label ?? '(unnamed)');
	const list = found.length > 5 ? `${found.slice(0, 5).join(', ')}, …` : found.join(', ');
	return {ok: false, error: `no pool "${name}" in response (found: ${list || 'none'})`};
}
