export declare class BoundedCache<K = unknown, V = unknown> {
	constructor(capacity: number);
	readonly capacity: number;
	readonly size: number;
	get(key: K): V | undefined;
	set(key: K, value: V): void;
}

export declare function register(name: string, fn: (...args: never[]) => unknown, cache: BoundedCache): void;
