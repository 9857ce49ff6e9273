// `lifeguard demo --doctor [--scenario NAME]`: start the headless demo, wait until its scenario shows
// (the finding it is about, as the live screen would diagnose it), then review the demo's server and
// its simulated pool exactly as `lifeguard doctor` would, and stop everything.
import {openMonitorClient} from '../connection/monitor-client.js';
import type {Demo} from './start-demo.js';
import {collectOnce} from '../one-shot.js';
import type {Options} from '../options.js';
import {doctorOutput, runDoctor} from '../doctor/run-doctor.js';

/** How long the scenario gets to show its finding before the review runs anyway. */
const SCENARIO_WAIT_MS = 20_000;
const SCENARIO_POLL_MS = 250;

/** Poll the demo like the screen does until the scenario's finding appears (or the wait is over). */
export async function waitForScenario(demo: Demo, options: Options, waitMs = SCENARIO_WAIT_MS): Promise<boolean> {
	const deadline = Date.now() + waitMs;
	while (Date.now() < deadline) {
		const shot = await collectOnce({postgres: demo.postgres, poolCollectors: demo.poolCollectors, poolTimeoutMs: options.poolTimeoutMs, thresholds: options.thresholds, now: () => Date.now(), role: demo.target.user});
		if (shot.picture.findings.some(finding => finding.code === demo.scenario.finding)) {
			return true;
		}

		await new Promise(resolve => {
			setTimeout(resolve, SCENARIO_POLL_MS);
		});
	}

	return false;
}

export async function reviewDemo(demo: Demo, options: Options, write: (text: string) => void): Promise<0 | 1 | 2 | 3> {
	const client = await openMonitorClient(demo.target, {isServerDefaults: true});
	try {
		return await runDoctor({
			target: demo.target.display,
			password: demo.password,
			client,
			poolCollectors: demo.poolCollectors,
			poolTimeoutMs: options.poolTimeoutMs,
			warnRatio: options.thresholds.warnRatio,
			...doctorOutput(options),
		}, write);
	} finally {
		await client.end().catch(() => undefined);
	}
}
