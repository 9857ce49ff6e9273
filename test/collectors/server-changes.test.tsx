// Issue 22, item 2, against a real server: the configuration reloaded while watching (ALTER SYSTEM,
// then pg_reload_conf) is seen by the next poll, with the setting it left pending a restart; it shows
// on the live screen's Changes line and as a timeline line with the server's own time. Then the server
// restarts under the watcher: a restart line, and nothing pending any more.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {renderToString} from 'ink';
import {createPostgresSource} from '../../source/collectors/postgres-activity.js';
import {openMonitorClient} from '../../source/connection/monitor-client.js';
import {resolveTarget} from '../../source/connection/target.js';
import type {LogEvent} from '../../source/judge/log-events.js';
import {renderTimeline} from '../../source/output/timeline.js';
import {startPoller} from '../../source/polling/poller.js';
import {initialState} from '../../source/screen/board.js';
import {type Desk, deskOf, updateDesk} from '../../source/screen/desk.js';
import {deskLines} from '../../source/ui/components/dashboard.js';
import {Lines} from '../../source/ui/lines.js';
import {ThemeContext} from '../../source/ui/theme.js';
import {pollUntil, Sessions, startEmbeddedPostgres} from '../helpers/postgres.js';
import {defaultThresholds} from '../helpers/snapshots.js';

const frame = (desk: Desk) => renderToString(
	<ThemeContext.Provider value={{isColor: false}}>
		<Lines lines={deskLines({desk, targets: ['embedded'], columns: 80, rows: 24})} width={80}/>
	</ThemeContext.Provider>,
	{columns: 80},
);

test('a reload and a restart while watching: the log, the Changes line and the timeline, each with its time', async () => {
	const server = await startEmbeddedPostgres();
	const sessions = new Sessions(server.url);
	const target = resolveTarget(server.url, {HOME: '/nonexistent'});
	const source = createPostgresSource(target, await openMonitorClient(target), () => Date.now());
	let desk = deskOf([initialState(defaultThresholds, {pools: []})]);
	const log: LogEvent[] = [];
	const poller = startPoller({task: async () => source.poll(), intervalMs: 100, maxBackoffMs: 1000, isFailure: reading => !reading.ok, onResult(reading) {
		const step = updateDesk(desk, {type: 'server-polled', server: 0, reading, atMs: Date.now()});
		desk = step.desk;
		log.push(...step.effects.flatMap(effect => (effect.type === 'log' ? [effect.event] : [])));
	}});
	const changes = () => log.filter(event => event.type === 'change');
	try {
		const first = await pollUntil(() => desk.boards[0]!.server, {what: 'a first snapshot'});
		assert.deepEqual(first.pendingRestart, [], 'a fresh server has nothing pending');
		// The postmaster loads its configuration just before it notes its start time: both within the minute.
		assert.ok(Math.abs(first.startedMs! - first.confLoadedMs!) < 60_000 && Math.abs(Date.now() - first.startedMs!) < 120_000, `${first.startedMs} ${first.confLoadedMs}`);

		const admin = await sessions.open('admin');
		const {rows} = await admin.query<{value: string}>(`select case when current_setting('shared_buffers') = '32MB' then '48MB' else '32MB' end as value`);
		await admin.query(`alter system set shared_buffers = '${rows[0]!.value}'`);
		const reloadedAfterMs = Date.now();
		await admin.query('select pg_reload_conf()');
		const reload = await pollUntil(() => changes().find(event => event.type === 'change' && event.what === 'reload'), {timeoutMs: 10_000, what: 'a reload line'});
		assert.ok(reload.type === 'change' && reload.what === 'reload');
		// The embedded server's own command line may leave more pending (its file's max_connections): ours is among them.
		assert.ok(reload.pendingRestart?.includes('shared_buffers'), String(reload.pendingRestart));
		const pending = reload.pendingRestart ?? [];
		const loadedMs = Date.parse(reload.loadedAt);
		assert.ok(loadedMs >= reloadedAfterMs - 1000 && loadedMs <= Date.parse(reload.at), `loaded ${reload.loadedAt}, seen ${reload.at}`);

		const changesLine = await pollUntil(() => frame(desk).split('\n').find(line => line.startsWith('Changes: ')), {what: 'the Changes line'});
		assert.match(changesLine, new RegExp(`^Changes: config reloaded \\(${pending.length} pending restart\\) \\d+(\\.\\d)? s ago$`));
		const clock = reload.loadedAt.slice(11, 19);
		const timeline = renderTimeline(log.map(event => JSON.stringify(event)).join('\n')).markdown;
		assert.match(timeline, new RegExp(`^- \\*\\*${reload.at.slice(11, 19)} UTC:\\*\\* Server configuration reloaded at ${clock} UTC \\(settings? pending a restart: ${pending.join(', ')}\\)$`, 'm'), timeline);

		await admin.end();
		await server.restart!();
		const restart = await pollUntil(() => changes().find(event => event.type === 'change' && event.what === 'restart'), {timeoutMs: 20_000, what: 'a restart line'});
		assert.ok(restart.type === 'change' && restart.what === 'restart' && Date.parse(restart.to) > Date.parse(restart.from));
		assert.deepEqual(changes().map(event => event.type === 'change' && event.what), ['reload', 'restart'], 'the restart is no reload besides');
		assert.deepEqual(await pollUntil(() => desk.boards[0]!.server?.pendingRestart), [], 'the restart took the pending setting');
		const after = renderTimeline(log.map(event => JSON.stringify(event)).join('\n')).markdown;
		assert.match(after, new RegExp(`Server restarted at ${restart.to.slice(11, 19)} UTC \\(previous start ${restart.from.slice(11, 19)}\\)$`, 'm'), after);
	} finally {
		poller.stop();
		await source.close();
		await sessions.closeAll();
		await server.stop();
	}
});
