// A least-recently-used cache with a fixed capacity, for the two Ink modules substituted at build time
// (see README.md here). A Map keeps insertion order: a hit moves its key to the end, and an insert past
// the capacity drops the first (least recently used) key. Both are O(1).
//
// Each cache registers itself under a global symbol, so a test can reach the copy that is actually
// inside dist/cli.js and check that it stays bounded (test/build/bounded-caches.test.ts).
const REGISTRY = Symbol.for('lifeguard.ink-bounded-caches');

export class BoundedCache {
	#entries = new Map();

	constructor(capacity) {
		if (!Number.isInteger(capacity) || capacity < 1) {
			throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
		}

		this.capacity = capacity;
	}

	get size() {
		return this.#entries.size;
	}

	get(key) {
		const value = this.#entries.get(key);
		if (value !== undefined) {
			this.#entries.delete(key);
			this.#entries.set(key, value);
		}

		return value;
	}

	set(key, value) {
		this.#entries.delete(key);
		this.#entries.set(key, value);
		if (this.#entries.size > this.capacity) {
			this.#entries.delete(this.#entries.keys().next().value);
		}
	}
}

/** Record a substituted module's function and its cache where a test can find them. */
export function register(name, fn, cache) {
	globalThis[REGISTRY] ??= {};
	globalThis[REGISTRY][name] = {fn, cache};
}
