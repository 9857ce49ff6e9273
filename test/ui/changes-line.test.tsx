// Issue 22, item 2: the Changes line at 80×24. It takes a row only while something changed, from the
// session list, never the header's, the banner's or the status line's; and it says how long before
// the first finding each change came.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {renderToString} from 'ink';
import {initialState} from '../../source/screen/board.js';
import {type Desk, type DeskAction, deskOf, updateDesk} from '../../source/screen/desk.js';
import type {PoolEndpoint, PoolMetrics, ServerSnapshot} from '../../source/readings/types.js';
import {deskLines} from '../../source/ui/components/dashboard.js';
import {Lines} from '../../source/ui/lines.js';
import {ThemeContext} from '../../source/ui/theme.js';
import {baseTimeMs, defaultThresholds, exposedPool, serverSnapshot} from '../helpers/snapshots.js';

const target = 'postgres://monitor:***@db:5432/shop';
const at = (seconds: number) => baseTimeMs + (seconds * 1000);

function screen(desk: Desk, columns = 80, rows = 24): string[] {
	return renderToString(
		<ThemeContext.Provider value={{isColor: false}}>
			<Lines lines={deskLines({desk, targets: [target], columns, rows})} width={columns}/>
		</ThemeContext.Provider>,
		{columns},
	).split('\n');
}

const checkout: PoolEndpoint = {id: 'endpoint-checkout', name: 'checkout', url: 'http://127.0.0.1:9/pool.json', maskedUrl: 'http://127.0.0.1:9/pool.json', kind: 'http', forcedFormat: 'json', selector: null, bearerToken: null};
const pool = (second: number, metrics: Partial<PoolMetrics>): DeskAction =>
	({type: 'pool-polled', endpoint: checkout, reading: {ok: true, format: 'json', pools: [exposedPool({label: null, ...metrics})]}, atMs: at(second)});
const polled = (second: number, overrides: Partial<ServerSnapshot> = {}): DeskAction =>
	({type: 'server-polled', server: 0, reading: {ok: true, isReconnected: false, snapshot: serverSnapshot({takenAtMs: at(second), startedMs: at(-3600), confLoadedMs: at(-3600), pendingRestart: [], ...overrides})}, atMs: at(second)});

function run(actions: readonly DeskAction[]): Desk {
	let desk = deskOf([initialState(defaultThresholds, {pools: []})]);
	for (const action of actions) {
		desk = updateDesk(desk, action).desk;
	}

	return desk;
}

describe('the Changes line at 80×24', () => {
	test('nothing changed: no Changes row; a reload and a pool max 20→5: one row, newest first, the finding after it, header and banner in place', () => {
		const quiet = screen(run([polled(0), pool(0, {max: 20, open: 4, active: 4, idle: 0, waiting: 0}), polled(1)]));
		assert.equal(quiet.some(line => line.startsWith('Changes:')), false, quiet.join('\n'));

		const actions: DeskAction[] = [polled(0), pool(0, {max: 20, open: 4, active: 4, idle: 0, waiting: 0})];
		actions.push(polled(10, {confLoadedMs: at(9.5), pendingRestart: ['shared_buffers']}), pool(60, {max: 5, open: 5, active: 5, idle: 0, waiting: 30}));
		for (let second = 61; second <= 130; second += 3) {
			actions.push(pool(second, {max: 5, open: 5, active: 5, idle: 0, waiting: 30 + second}), polled(second));
		}

		const frame = screen(run(actions));
		if (process.env['SHOW']) console.log(frame.join('\n'));
		assert.equal(frame.length, 23, frame.join('\n'));
		assert.match(frame[0]!, /^lifeguard /);
		assert.match(frame.join('\n'), /^ CRIT .*checkout/m, 'the banner still shows the pool\'s finding');
		const changes = frame.filter(line => line.startsWith('Changes:'));
		assert.equal(changes.length, 1, frame.join('\n'));
		assert.match(changes[0]!, /^Changes: checkout max 20→5 1 min ago \(finding at once\) · config reloaded/);
		assert.ok(changes[0]!.length <= 80);
		assert.equal(frame.length, quiet.length, 'the row comes from the session list');
	});
});
