// One layer of a paused lifeguard's work, once a second, in a process of its own so that /proc counts
// it alone (see poll-floor.ts). Modes, each adding to the one before:
//   timer     a 1 s timer and nothing else: Node's own floor
//   select-1  `select 1` over a monitor connection like lifeguard's (node-postgres, named statement)
//   snapshot  the snapshot statement, parsed by node-postgres, not mapped
//   collect   lifeguard's collector: the statement, then the row mapped and made display-safe
//   model     the collector's readings through updateDesk on a paused board (alarms, findings, history)
// Runs the V8 flags of the bin's #! line (the parent passes them). Prints nothing; exits after
// `seconds`, or when the parent goes away.
import {createPostgresSource} from '../source/collectors/postgres-activity.js';
import {SNAPSHOT_OF_CLIENT_CONNECTIONS, SCREEN_SESSION_ROW_CAP} from '../source/collectors/postgres-queries.js';
import {openMonitorClient} from '../source/connection/monitor-client.js';
import {resolveTarget} from '../source/connection/target.js';
import {initialState, withPause} from '../source/screen/board.js';
import {deskOf, updateDesk} from '../source/screen/desk.js';
import {COMMANDS} from '../source/commands/index.js';
import {parseCommandLine} from '../source/options.js';

const [mode, url, secondsText] = process.argv.slice(2);
const seconds = Number(secondsText);
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(0), (seconds + 30) * 1000).unref();
const tick = async () => new Promise<void>(resolve => {
	setTimeout(resolve, 1000);
});

async function main() {
	if (mode === 'timer') {
		for (let i = 0; i < seconds; i++) {
			await tick();
		}

		return;
	}

	const options = parseCommandLine(['--db', url!], process.env, COMMANDS);
	const target = resolveTarget(url, process.env);
	if (mode === 'select-1' || mode === 'snapshot') {
		const client = await openMonitorClient(target);
		const statement = mode === 'select-1'
			? {name: 'floor_select_1', text: 'select 1'}
			: {name: 'floor_snapshot', text: SNAPSHOT_OF_CLIENT_CONNECTIONS, values: [SCREEN_SESSION_ROW_CAP]};
		for (let i = 0; i < seconds; i++) {
			await client.query(statement);
			await tick();
		}

		await client.end();
		return;
	}

	const source = createPostgresSource(target, null, Date.now, {sessionRowCap: SCREEN_SESSION_ROW_CAP});
	let desk = deskOf([withPause(initialState(options.thresholds), true)]);
	for (let i = 0; i < seconds; i++) {
		const reading = await source.poll();
		if (mode === 'model') {
			desk = updateDesk(desk, {type: 'server-polled', server: 0, reading, atMs: Date.now()}).desk;
		}

		await tick();
	}

	await source.close();
}

await main();
process.exit(0);
