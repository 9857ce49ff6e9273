// `lifeguard demo`: the incident, reproduced on an embedded PostgreSQL under the live screen; and
// `lifeguard demo --doctor`: the configuration review of the scenario's server and pool.
import type {Command} from './command.js';
import {SCREEN_FLAGS} from './command.js';

export const demoCommand: Command = {
	name: 'demo',
	word: 'demo',
	label: 'lifeguard demo',
	usage: 'lifeguard demo [--scenario NAME]',
	summary: 'the incident, reproduced on an embedded PostgreSQL',
	// No --db, --pool or --prometheus: the demo starts its own server and pool.
	flags: ['scenario', 'endpoint', 'pool-timeout', 'warn', 'critical', 'idle-in-transaction-after', ...SCREEN_FLAGS],
	async run(options) {
		const {runDemo} = await import('../demo/run-demo.js');
		return runDemo(options);
	},
};

export const demoDoctorCommand: Command = {
	name: 'demo-doctor',
	word: 'demo',
	selector: 'doctor',
	label: 'lifeguard demo --doctor',
	usage: 'lifeguard demo --doctor',
	summary: 'doctor on the demo scenario\'s server and pool',
	// --warn and --critical judge when the scenario's finding shows, --warn the review.
	flags: ['doctor', 'scenario', 'pool-timeout', 'warn', 'critical', 'json', 'markdown'],
	async run(options) {
		const {runDemoDoctor} = await import('../demo/run-demo.js');
		return runDemoDoctor(options);
	},
};
