// `lifeguard check`: one line for Nagios, Icinga or cron, and the exit code they read (0 OK,
// 1 WARNING, 2 CRITICAL, 3 UNKNOWN), every server and pool read once.
import process from 'node:process';
import {formatCheck, formatServersCheck} from '../output/check.js';
import {type Command, READING_FLAGS, SAMPLE_FLAGS} from './command.js';
import {openServers, readOnce} from './servers.js';

export const checkCommand: Command = {
	name: 'check',
	word: 'check',
	label: 'lifeguard check',
	usage: 'lifeguard check [--db URL] [--sample 40s]',
	summary: 'one line for Nagios/Icinga/cron; exit 0/1/2/3',
	flags: [...READING_FLAGS, ...SAMPLE_FLAGS],
	// UNKNOWN: a monitoring system must not read a verdict nobody could see as OK or WARNING.
	failureExitCode: 3,
	async run(options) {
		const servers = await openServers(options);
		// A lone server that cannot be reached is UNKNOWN; among several, each down one is named in the line.
		if (servers.named.length === 1 && servers.reasons[0]) {
			process.stdout.write(`LIFEGUARD UNKNOWN - ${servers.reasons[0]}\n`);
			return 3;
		}

		const shots = await readOnce(options, servers);
		const {thresholds} = options;
		const result = shots.length === 1
			? formatCheck({picture: shots[0]!.picture, thresholds, error: shots[0]!.error ?? undefined})
			: formatServersCheck(shots.map(shot => ({name: shot.name!, picture: shot.picture, thresholds, error: shot.error ?? undefined})));
		process.stdout.write(`${result.line}\n`);
		return result.exitCode;
	},
};
