// Substitute for ink/build/measure-text.js (Ink 6.8.0), bundled into dist/cli.js by scripts/build.mjs.
// Ink keeps every distinct string it ever measured in a module-level Map and never evicts (upstream
// issue vadimdemedes/ink#986, "measureText / wrapText caches are unbounded and never evicted"): a
// dashboard whose rows change every second grows without bound. Same code, same results; the cache is
// an LRU of MEASURE_TEXT_CACHE_CAPACITY entries. In the bundle, bare imports resolve from Ink's
// directory, as the original's do.
import widestLine from 'widest-line';
import {BoundedCache, register} from './bounded-cache.js';

/** Far more distinct strings than one frame lays out (one Text per line: 45 at 160×45); see wrap-text.js. */
const MEASURE_TEXT_CACHE_CAPACITY = 1024;
const cache = new BoundedCache(MEASURE_TEXT_CACHE_CAPACITY);

const measureText = text => {
	if (text.length === 0) {
		return {
			width: 0,
			height: 0,
		};
	}

	const cachedDimensions = cache.get(text);
	if (cachedDimensions) {
		return cachedDimensions;
	}

	const width = widestLine(text);
	const height = text.split('\n').length;
	const dimensions = {width, height};
	cache.set(text, dimensions);
	return dimensions;
};

register('measureText', measureText, cache);
export default measureText;
