// `lifeguard demo [--scenario NAME]`: start the headless demo, open the normal screen on it, and
// stop everything (server and its directory included) however the screen ends.
import process from 'node:process';
import type {Options} from '../options.js';
import {watch} from '../watch.js';
import {DemoError, loadEmbeddedPostgres, serverTempDir} from './embedded-server.js';
import {demoOptions, findScenario} from './scenarios.js';
import {startDemo, unknownScenario, type Demo} from './start-demo.js';

export const DEFAULT_SCENARIO = 'pool-too-small';

export async function runDemo(options: Options): Promise<number> {
	const name = options.scenario ?? DEFAULT_SCENARIO;
	const scenario = findScenario(name);
	if (!scenario) {
		return failWith(unknownScenario(name));
	}

	let demo: Demo;
	try {
		// Said first: without the package, or where its server cannot run, nothing else matters.
		await loadEmbeddedPostgres();
		await serverTempDir();
		if (options.isDoctor) {
			return await runDemoDoctor(name, scenario.story, demoOptions(scenario, options));
		}

		if (!process.stdout.isTTY || !process.stdin.isTTY) {
			throw new DemoError('the demo is interactive: run it in a terminal', 2);
		}

		const blind = options.hasDemoEndpoint ? '' : ' (--no-endpoint: the pool publishes nothing, lifeguard sees only the server side)';
		process.stderr.write(`lifeguard demo ${name}: ${scenario.story}${blind}. Starting PostgreSQL…\n`);
		demo = await startDemo(name, {isPoolPublished: options.hasDemoEndpoint});
	} catch (error) {
		return failWith(error);
	}

	try {
		return await watch(demoOptions(scenario, options), {
			servers: [{name: null, target: demo.target.display, password: demo.password, role: demo.target.user, postgres: demo.postgres}],
			poolCollectors: demo.poolCollectors,
			poolControl: demo.poolControl,
		});
	} finally {
		await demo.stop();
		process.stderr.write('lifeguard demo: stopped; the temporary server and its directory are gone.\n');
	}
}

/** `demo --doctor`: the configuration review of the scenario's server and pool, printed, then stop. */
async function runDemoDoctor(name: string, story: string, options: Options): Promise<number> {
	const {reviewDemo, waitForScenario} = await import('./doctor.js');
	process.stderr.write(`lifeguard demo ${name}: ${story}. Starting PostgreSQL, then lifeguard doctor…\n`);
	const demo = await startDemo(name);
	try {
		if (!(await waitForScenario(demo, options))) {
			process.stderr.write(`lifeguard demo: the ${demo.scenario.finding} finding did not show; reviewing anyway\n`);
		}

		return await reviewDemo(demo, options, text => process.stdout.write(text));
	} finally {
		await demo.stop();
	}
}

function failWith(error: unknown): number {
	const message = error instanceof Error ? error.message : String(error);
	process.stderr.write(`lifeguard: ${message.split('\n')[0]}\n`);
	return error instanceof DemoError ? error.exitCode : 1;
}
