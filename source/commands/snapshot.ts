// `lifeguard --json`: one snapshot of every server and pool as JSON, for scripts; and the plain
// summary the live screen prints instead when there is no terminal. Both read everything once.
import process from 'node:process';
import type {ServerShot} from '../one-shot.js';
import type {Options} from '../options.js';
import {serversJson, snapshotJson} from '../output/json.js';
import {plainSummary} from '../output/summary.js';
import {safeJson} from '../text/sanitize.js';
import {type Command, CommandError, READING_FLAGS, SAMPLE_FLAGS} from './command.js';
import {noServerAnswered, openServers, readOnce, requireAnswer} from './servers.js';

/** How one shot, or the shots of several servers, are printed. */
type Printer = {one(shot: ServerShot): string; several(shots: readonly ServerShot[]): string; withHistory?: boolean};

const JSON_PRINTER: Printer = {
	// Scripts get what --prometheus showed before the answer; the summary and `check` do not ask for it.
	withHistory: true,
	one: shot => safeJson(snapshotJson(shot), 2),
	several: shots => safeJson(serversJson(shots), 2),
};

export const SUMMARY_PRINTER: Printer = {
	one: shot => plainSummary(shot.target, shot.picture),
	several: shots => shots.map(shot => (shot.picture.server ? plainSummary(`${shot.name}: ${shot.target}`, shot.picture) : `lifeguard ${shot.name}: ${shot.target}\n${shot.error ?? 'no data'}`)).join('\n\n'),
};

/** Read once and print; exit 1 when a server was not read (some data is better than none, but a script must know). */
export async function printOnce(options: Options, printer: Printer): Promise<number> {
	const servers = await openServers(options);
	requireAnswer(servers);
	const shots = await readOnce(options, servers, {withHistory: printer.withHistory ?? false});
	if (shots.length === 1) {
		if (!shots[0]!.picture.server) {
			throw new CommandError(shots[0]!.error ?? 'no data', 1);
		}

		process.stdout.write(`${printer.one(shots[0]!)}\n`);
		return 0;
	}

	if (shots.every(shot => !shot.picture.server)) {
		throw new CommandError(noServerAnswered(shots), 1);
	}

	process.stdout.write(`${printer.several(shots)}\n`);
	return shots.every(shot => shot.picture.server) ? 0 : 1;
}

export const jsonCommand: Command = {
	name: 'json',
	word: null,
	selector: 'json',
	label: 'lifeguard --json',
	usage: 'lifeguard --json [--db URL] [--sample 40s]',
	summary: 'one snapshot of every server and pool as JSON, for scripts',
	flags: ['json', ...READING_FLAGS, ...SAMPLE_FLAGS],
	run: async options => printOnce(options, JSON_PRINTER),
};
