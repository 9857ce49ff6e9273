// `lifeguard alerts`: Prometheus recording and alerting rules from the same judgement as the live
// screen (its --warn and --critical, for: durations from its hysteresis, annotations in its words).
// With --prometheus URL, only the families that Prometheus holds.
import process from 'node:process';
import {probeFamilies} from '../alerts/probe.js';
import {alertRules} from '../alerts/rules.js';
import {type Command, CommandError} from './command.js';

export const alertsCommand: Command = {
	name: 'alerts',
	word: 'alerts',
	label: 'lifeguard alerts',
	usage: 'lifeguard alerts [--prometheus URL]',
	summary: 'Prometheus alerting rules (YAML) in the live screen\'s words',
	flags: ['warn', 'critical', 'rule-interval', 'prometheus', 'prometheus-selector', 'pool-timeout'],
	refuse(options) {
		return options.pools.length > 1 ? 'alerts: --prometheus takes one URL here (the Prometheus the rules will run in)' : null;
	},
	async run(options) {
		const endpoint = options.pools[0];
		let sources;
		if (endpoint) {
			const probe = await probeFamilies(endpoint, options.poolTimeoutMs);
			if (!probe.ok) {
				throw new CommandError(probe.error, 1);
			}

			sources = probe.sources;
		}

		process.stdout.write(alertRules({
			warnRatio: options.thresholds.warnRatio,
			criticalRatio: options.thresholds.criticalRatio,
			sources,
			selector: endpoint?.selector ?? undefined,
			intervalSeconds: options.ruleIntervalSeconds,
		}));
		return 0;
	},
};
