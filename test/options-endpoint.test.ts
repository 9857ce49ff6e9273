import assert from 'node:assert/strict';
import {test} from 'node:test';
import {buildOptions, OptionsError} from '../source/options.js';

test('--no-endpoint: the demo publishes no pool endpoint; default publishes; other commands refuse it', () => {
	assert.equal(buildOptions(['demo'], {}, {}).hasDemoEndpoint, true);
	assert.equal(buildOptions(['demo'], {endpoint: false}, {}).hasDemoEndpoint, false);
	assert.throws(() => buildOptions([], {endpoint: false}, {}), (error: unknown) => error instanceof OptionsError && error.message === '--no-endpoint is for the demo: lifeguard demo --no-endpoint');
});
