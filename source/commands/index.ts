// Every subcommand, one row each: options.ts picks and validates from this table, --help and the
// README's command list are made from it. Adding a command: its own file, and one row here.
import type {Command} from './command.js';
import {alertsCommand} from './alerts.js';
import {checkCommand} from './check.js';
import {demoCommand, demoDoctorCommand} from './demo.js';
import {doctorCommand} from './doctor.js';
import {recordCommand} from './record.js';
import {reportCommand, reportPrometheusCommand} from './report.js';
import {jsonCommand} from './snapshot.js';
import {timelineCommand} from './timeline.js';
import {watchCommand} from './watch.js';

/** In the order --help lists them; the words in this order make the "unknown command" hint. */
export const COMMANDS: readonly Command[] = [
	watchCommand,
	jsonCommand,
	checkCommand,
	doctorCommand,
	timelineCommand,
	demoCommand,
	demoDoctorCommand,
	alertsCommand,
	recordCommand,
	reportCommand,
	reportPrometheusCommand,
];

/** The row named `name` (Options.command). */
export function commandNamed(name: string): Command {
	const command = COMMANDS.find(candidate => candidate.name === name);
	if (!command) {
		throw new Error(`no command ${name}`);
	}

	return command;
}
