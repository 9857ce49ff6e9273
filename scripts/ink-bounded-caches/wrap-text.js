// Substitute for ink/build/wrap-text.js (Ink 6.8.0), bundled into dist/cli.js by scripts/build.mjs.
// Ink keeps every wrapped or truncated string it ever produced in a module-level object and never
// evicts (upstream issue vadimdemedes/ink#986, "measureText / wrapText caches are unbounded and never
// evicted"): a dashboard whose rows change every second grows without bound. Same code, same results;
// the cache is an LRU of WRAP_TEXT_CACHE_CAPACITY entries. In the bundle, bare imports resolve from
// Ink's directory, as the original's do.
//
// One deliberate difference: Ink's key is `text + maxWidth + wrapType`, so ('ab1', 23) and ('ab12', 3)
// share a key and the second call can get the first one's result. Here the key cannot collide.
import wrapAnsi from 'wrap-ansi';
import cliTruncate from 'cli-truncate';
import {BoundedCache, register} from './bounded-cache.js';

/**
 * Far more distinct (text, width, wrap) triples than one frame lays out: a frame is one Text per line,
 * 45 at 160×45. At 4096 (both caches) the live heap after 2.5 minutes at --interval 0.2 was 1.1 MB larger
 * (14.9 against 13.8 MB after a forced collection), for the same CPU.
 */
const WRAP_TEXT_CACHE_CAPACITY = 1024;
const cache = new BoundedCache(WRAP_TEXT_CACHE_CAPACITY);

const wrapText = (text, maxWidth, wrapType) => {
	// wrapType and maxWidth never hold NUL, so the first two NULs delimit them whatever the text holds.
	const cacheKey = `${String(wrapType)}\u0000${String(maxWidth)}\u0000${text}`;
	const cachedText = cache.get(cacheKey);
	if (cachedText) {
		return cachedText;
	}

	let wrappedText = text;
	if (wrapType === 'wrap') {
		wrappedText = wrapAnsi(text, maxWidth, {
			trim: false,
			hard: true,
		});
	}

	if (wrapType.startsWith('truncate')) {
		let position = 'end';
		if (wrapType === 'truncate-middle') {
			position = 'middle';
		}

		if (wrapType === 'truncate-start') {
			position = 'start';
		}

		wrappedText = cliTruncate(text, maxWidth, {position});
	}

	cache.set(cacheKey, wrappedText);
	return wrappedText;
};

register('wrapText', wrapText, cache);
export default wrapText;
