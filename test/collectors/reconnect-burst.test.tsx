// Issue 22, item 2, against a real server: an application's 10 connections closed and reopened within
// a second while lifeguard watches is one `reconnected` change (the log, the Changes line at 80×24 and
// the timeline, with its time); the same replacement spread over 20 s (a max-lifetime rotation), and 4
// connections named `lifeguard` reopened at once (lifeguard's own), say nothing.
import assert from 'node:assert/strict';
import process from 'node:process';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {renderToString} from 'ink';
import {createPostgresSource} from '../../source/collectors/postgres-activity.js';
import {openMonitorClient} from '../../source/connection/monitor-client.js';
import {resolveTarget} from '../../source/connection/target.js';
import type {LogEvent} from '../../source/judge/log-events.js';
import {BURST_SPREAD_SECONDS, MOST_REPLACED, OLD_SECONDS} from '../../source/judge/reconnect-bursts.js';
import {renderTimeline} from '../../source/output/timeline.js';
import {startPoller} from '../../source/polling/poller.js';
import {initialState} from '../../source/screen/board.js';
import {type Desk, deskOf, updateDesk} from '../../source/screen/desk.js';
import {deskLines} from '../../source/ui/components/dashboard.js';
import {Lines} from '../../source/ui/lines.js';
import {ThemeContext} from '../../source/ui/theme.js';
import {type LoadProcess, startLoadProcess} from '../helpers/lookalikes/load-process.js';
import type {ReconnectingClientsConfig, ReconnectingClientsStatus} from '../helpers/lookalikes/reconnecting-clients-child.js';
import {pollUntil, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {defaultThresholds} from '../helpers/snapshots.js';

const CHILD = fileURLToPath(new URL('../helpers/lookalikes/reconnecting-clients-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function startClients(server: TestServer, config: Omit<ReconnectingClientsConfig, 'url' | 'limitMs'>): Promise<LoadProcess<ReconnectingClientsStatus>> {
	const url = new URL(server.url);
	url.password = '';
	return startLoadProcess(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({...config, url: url.toString(), limitMs: 120_000})], {
		cwd: ROOT, env: {PGPASSWORD: server.password}, what: `the ${config.applicationName} clients`,
	});
}

const frame = (desk: Desk) => renderToString(
	<ThemeContext.Provider value={{isColor: false}}>
		<Lines lines={deskLines({desk, targets: ['embedded'], columns: 80, rows: 24})} width={80}/>
	</ThemeContext.Provider>,
	{columns: 80},
);

test('an application reconnecting at once is one change; a rotation over 20 s and lifeguard\'s own reconnects are none', async () => {
	const server = await startEmbeddedPostgres();
	const loads: Array<LoadProcess<ReconnectingClientsStatus>> = [];
	const target = resolveTarget(server.url, {HOME: '/nonexistent'});
	const source = createPostgresSource(target, await openMonitorClient(target), () => Date.now());
	let desk = deskOf([initialState(defaultThresholds, {pools: []})]);
	const log: LogEvent[] = [];
	const poller = startPoller({task: async () => source.poll(), intervalMs: 250, maxBackoffMs: 1000, isFailure: reading => !reading.ok, onResult(reading) {
		const step = updateDesk(desk, {type: 'server-polled', server: 0, reading, atMs: Date.now()});
		desk = step.desk;
		log.push(...step.effects.flatMap(effect => (effect.type === 'log' ? [effect.event] : [])));
	}});
	const changes = () => log.filter(event => event.type === 'change');
	try {
		const deploy = await startClients(server, {applicationName: 'billing-api', clients: 10, mode: 'burst', rotateMs: 0});
		loads.push(deploy);
		const rotation = await startClients(server, {applicationName: 'checkout', clients: 8, mode: 'rotate', rotateMs: 20_000});
		loads.push(rotation);
		const own = await startClients(server, {applicationName: 'lifeguard', clients: 4, mode: 'burst', rotateMs: 0});
		loads.push(own);
		// The old connections must have lived OLD_SECONDS before they are replaced (else it is an application connecting per request).
		await pollUntil(() => {
			const groups = desk.boards[0]!.server?.clientGroups ?? [];
			const oldest = groups.filter(group => group.application === 'billing-api' || group.application === 'checkout').flatMap(group => group.backends.map(([, , started]) => started ?? Number.POSITIVE_INFINITY));
			return oldest.length === 18 && oldest.every(started => started * 1000 < Date.now() - (OLD_SECONDS + 1) * 1000);
		}, {timeoutMs: (OLD_SECONDS + 15) * 1000, everyMs: 250, what: `18 connections older than ${OLD_SECONDS + 1} s`});

		const triggeredMs = Date.now();
		for (const load of loads) {
			process.kill(load.pid, 'SIGUSR2');
		}

		// A loaded machine (load 30 measured) may take seconds to fork 10 backends.
		await deploy.waitFor(status => status.isDone, {timeoutMs: 30_000, what: 'the burst'});
		assert.equal(deploy.latest()!.replaced, 10, deploy.log());
		const event = await pollUntil(() => changes().find(change => change.what === 'reconnected'), {timeoutMs: 10_000, what: 'a reconnected line'});
		assert.ok(event.type === 'change' && event.what === 'reconnected');
		// Told once most are replaced: a poll may land mid-burst (8 or 9 of 10 on a loaded machine).
		assert.deepEqual([event.application, event.client, event.of], ['billing-api', null, 10]);
		assert.ok(event.replaced >= Math.ceil(MOST_REPLACED * 10) && event.replaced <= 10, `replaced ${event.replaced}`);
		assert.ok(event.withinSeconds <= BURST_SPREAD_SECONDS, `within ${event.withinSeconds} s`);
		const firstMs = Date.parse(event.firstStartedAt);
		assert.ok(firstMs >= triggeredMs - 1000 && firstMs <= Date.parse(event.at), `first new at ${event.firstStartedAt}, seen ${event.at}`);

		const changesLine = await pollUntil(() => frame(desk).split('\n').find(line => line.startsWith('Changes: ')), {what: 'the Changes line'});
		assert.match(changesLine, new RegExp(`^Changes: billing-api reconnected ${event.replaced}/10 \\d+(\\.\\d)? s ago$`));
		const timeline = renderTimeline(log.map(line => JSON.stringify(line)).join('\n')).markdown;
		assert.match(timeline, new RegExp(`^- \\*\\*${event.at.slice(11, 19)} UTC:\\*\\* Application billing-api reconnected: ${event.replaced} of 10 connections replaced within ${Math.max(1, Math.ceil(event.withinSeconds))} s \\(a restart or deploy\\?\\), the first new one at ${event.firstStartedAt.slice(11, 19)} UTC$`, 'm'), timeline);

		// The rotation ends 20 s after the trigger; two polls after it, still the one change.
		await rotation.waitFor(status => status.isDone, {timeoutMs: 30_000, what: 'the rotation'});
		assert.equal(rotation.latest()!.replaced, 8, rotation.log());
		await own.waitFor(status => status.isDone && status.replaced === 4, {what: 'lifeguard\'s own reconnects'});
		const doneMs = Date.now();
		await pollUntil(() => (desk.boards[0]!.server?.takenAtMs ?? 0) > doneMs + 500, {what: 'two polls after the rotation'});
		assert.deepEqual(changes().map(change => change.what === 'reconnected' && change.application), ['billing-api'], JSON.stringify(changes()));
	} finally {
		poller.stop();
		await Promise.all(loads.map(async load => load.stop()));
		await source.close();
		await server.stop();
	}
});
