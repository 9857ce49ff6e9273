// `lifeguard demo [--scenario NAME]`: start the headless demo, open the normal screen on it, and
// stop everything (server and its directory included) however the screen ends.
import process from 'node:process';
import type {Options} from '../options.js';
import {watch} from '../watch.js';
import {DemoError, loadEmbeddedPostgres, serverTempDir} from './embedded-server.js';
import {demoOptions, findScenario, type Scenario} from './scenarios.js';
import {startDemo, unknownScenario, type Demo} from './start-demo.js';

export const DEFAULT_SCENARIO = 'pool-too-small';

/** The scenario named by --scenario, after making sure its server can run here; or why not. */
async function prepare(options: Options): Promise<{name: string; scenario: Scenario} | {error: unknown}> {
	const name = options.scenario ?? DEFAULT_SCENARIO;
	const scenario = findScenario(name);
	if (!scenario) {
		return {error: unknownScenario(name)};
	}

	try {
		// Said first: without the package, or where its server cannot run, nothing else matters.
		await loadEmbeddedPostgres();
		await serverTempDir();
		return {name, scenario};
	} catch (error) {
		return {error};
	}
}

export async function runDemo(options: Options): Promise<number> {
	const prepared = await prepare(options);
	if ('error' in prepared) {
		return failWith(prepared.error);
	}

	const {name, scenario} = prepared;
	let demo: Demo;
	try {
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
export async function runDemoDoctor(options: Options): Promise<number> {
	const prepared = await prepare(options);
	if ('error' in prepared) {
		return failWith(prepared.error);
	}

	const {name, scenario} = prepared;
	const {reviewDemo, waitForScenario} = await import('./doctor.js');
	process.stderr.write(`lifeguard demo ${name}: ${scenario.story}. Starting PostgreSQL, then lifeguard doctor…\n`);
	let demo: Demo;
	try {
		demo = await startDemo(name);
	} catch (error) {
		return failWith(error);
	}

	try {
		const review = demoOptions(scenario, options);
		if (!(await waitForScenario(demo, review))) {
			process.stderr.write(`lifeguard demo: the ${demo.scenario.finding} finding did not show; reviewing anyway\n`);
		}

		return await reviewDemo(demo, review, text => process.stdout.write(text));
	} finally {
		await demo.stop();
	}
}

function failWith(error: unknown): number {
	const message = error instanceof Error ? error.message : String(error);
	process.stderr.write(`lifeguard: ${message.split('\n')[0]}\n`);
	return error instanceof DemoError ? error.exitCode : 1;
}
