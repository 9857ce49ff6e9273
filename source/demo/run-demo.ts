import type {Options} from '../options.js';

export async function runDemo(_options: Options): Promise<number> {
	throw new Error('demo: not built yet');
}
