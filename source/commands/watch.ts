// `lifeguard [--db URL] [options]`: the live screen of every server and pool; without a terminal
// (a pipe, a file, cron) one plain summary instead.
import process from 'node:process';
import {createPoolCollector} from '../collectors/pools/create-collector.js';
import {createPostgresSource} from '../collectors/postgres-activity.js';
import {SCREEN_SESSION_ROW_CAP} from '../collectors/postgres-queries.js';
import {firstReadings} from '../first-readings.js';
import {type Command, CommandError, READING_FLAGS, SCREEN_FLAGS} from './command.js';
import {openServers, requireAnswer} from './servers.js';
import {printOnce, SUMMARY_PRINTER} from './snapshot.js';

export const watchCommand: Command = {
	name: 'watch',
	word: null,
	label: 'the live screen',
	usage: 'lifeguard [--db URL] [options]',
	summary: 'live dashboard (--db NAME=URL, repeated: several servers)',
	flags: [...READING_FLAGS, ...SCREEN_FLAGS],
	async run(options) {
		if (!(process.stdout.isTTY && process.stdin.isTTY)) {
			if (options.logFile !== undefined) {
				throw new CommandError('--log: only the live screen keeps an incident log, and it needs a terminal; without one lifeguard prints one summary', 2);
			}

			return printOnce(options, SUMMARY_PRINTER);
		}

		const servers = await openServers(options);
		requireAnswer(servers);
		const now = () => Date.now();
		// The screen shows a few dozen rows: it ships fewer than --json does.
		const sources = servers.named.map(({target}, index) => createPostgresSource(target, servers.clients[index] ?? null, now, {sessionRowCap: SCREEN_SESSION_ROW_CAP}));
		const poolCollectors = options.pools.map(endpoint => createPoolCollector(endpoint));
		const watched = servers.named.map(({name, target}, index) => ({name, target: target.display, password: target.password, role: target.user, postgres: sources[index]!, startError: servers.reasons[index] ?? undefined}));
		// Asked for now, so the servers work on them while the screen's code loads (first-readings.ts).
		const firsts = firstReadings(watched);
		// Ink, React and yoga load only here, when there is a screen to draw: --help, --json, check and
		// the summary start without them (issue 24: start-up CPU).
		const {watch, WatchError} = await import('../watch.js');
		try {
			return await watch(options, {servers: watched, poolCollectors, firstReadings: firsts});
		} catch (error) {
			throw error instanceof WatchError ? new CommandError(error.message, error.exitCode) : error;
		} finally {
			await Promise.all([...sources.map(async source => source.close()), ...poolCollectors.map(async collector => collector.close())]);
		}
	},
};
