// `lifeguard doctor`: review the configuration of one server and the pools named with --pool or
// --prometheus (exit 0 all pass, 1 warnings, 2 failures, 3 could not check), everything closed after.
import process from 'node:process';
import {createPoolCollector} from '../collectors/pools/create-collector.js';
import type {Command} from './command.js';
import {openServers, requireAnswer} from './servers.js';

export const doctorCommand: Command = {
	name: 'doctor',
	word: 'doctor',
	label: 'lifeguard doctor',
	usage: 'lifeguard doctor [--db URL]',
	summary: 'review the configuration; exit 0/1/2/3',
	// --warn is the review's level; it judges no live course, so neither --critical nor the screen's flags.
	flags: ['db', 'pool', 'prometheus', 'prometheus-selector', 'pool-timeout', 'warn', 'json', 'markdown'],
	refuse: options => (options.dbs.length > 1 ? '--db: doctor reviews one server at a time; give one --db' : null),
	async run(options) {
		const servers = await openServers(options, {isServerDefaults: true});
		requireAnswer(servers, 3);
		const {runDoctor, doctorOutput} = await import('../doctor/run-doctor.js');
		const {target} = servers.named[0]!;
		const client = servers.clients[0]!;
		const poolCollectors = options.pools.map(endpoint => createPoolCollector(endpoint));
		try {
			return await runDoctor({
				target: target.display,
				password: target.password,
				client,
				poolCollectors,
				poolTimeoutMs: options.poolTimeoutMs,
				warnRatio: options.thresholds.warnRatio,
				...doctorOutput(options),
			}, text => process.stdout.write(text));
		} finally {
			await Promise.all([client.end().catch(() => undefined), ...poolCollectors.map(async collector => collector.close())]);
		}
	},
};
