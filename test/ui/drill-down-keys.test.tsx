// The pools drill-down through stdin on the real App at 80×24, with a scripted server and a scripted
// Prometheus fleet: no database. Each key waits for its own effect, never for text already there.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import type {PoolInstance, PoolReading, ServerReading} from '../../source/readings/types.js';
import type {PoolSource} from '../../source/ui/use-dashboard.js';
import {pollUntil} from '../helpers/postgres.js';
import {fleetPool, instance, prometheusEndpoint} from '../helpers/fleet.js';
import {renderApp} from '../helpers/render-app.js';
import {serverSnapshot, session} from '../helpers/snapshots.js';

const ESC = '\u001B';
const ENTER = '\r';

function scriptedFleet(initial: PoolInstance[]) {
	let members = initial;
	let collects = 0;
	const source: PoolSource = {
		endpoint: prometheusEndpoint,
		collect: async (): Promise<PoolReading> => {
			collects++;
			return {ok: true, format: 'prometheus', pools: [fleetPool('checkout', members), fleetPool('billing', [instance('bill-1', 1, 0)], 'main')]};
		},
	};
	return {source, set: (next: PoolInstance[]) => {
		members = next;
	}, collects: () => collects};
}

const poll = async (): Promise<ServerReading> => ({ok: true, isReconnected: false, snapshot: serverSnapshot({takenAtMs: Date.now(), connections: 40, sessions: [session({pid: 301, application: 'checkout'})]})});
const cursorRow = (frame: string) => frame.split('\n').find(line => line.startsWith('> ')) ?? '';

describe('the pools drill-down by keys', () => {
	test('Enter, j/k, Enter, a reading that loses an instance, Esc, Esc', async () => {
		const fleet = scriptedFleet([instance('pod-a', 10, 7), instance('pod-b', 10, 3), instance('pod-c', 2, 0)]);
		const app = await renderApp({columns: 80, rows: 24, poll, pools: [fleet.source], signal: async () => [], ready: /Pool {4}CRIT checkout/});
		try {
			await app.press(ENTER, /POOLS, worst first/);
			assert.match(cursorRow(app.frame()), /^> CRIT checkout\S* +22\/30 {2}WAITING 10/);
			await app.press('j', /^> OK {3}billing\/main/m);
			await app.press('k', /^> CRIT checkout/m);
			await app.press(ENTER, /INSTANCE \(3\)/);
			assert.match(cursorRow(app.frame()), /^> CRIT pod-a +10\/10 +10 +7 AT MAX/);
			await app.press('j', /^> CRIT pod-b +10\/10 +10 +3 AT MAX/m);
			// The next reading has no pod-b: the list says so, and the cursor stays on it.
			fleet.set([instance('pod-a', 10, 9), instance('pod-c', 2, 0)]);
			await app.waitFor(/^> GONE pod-b +not in the latest reading/m, 'pod-b gone');
			assert.match(app.frame(), /^ {2}CRIT pod-a +10\/10 +10 +9 AT MAX/m, 'the rows refresh live');
			assert.match(app.frame(), /INSTANCE \(2, 1 gone\)/);
			await app.press(ESC, /POOLS, worst first/);
			assert.match(cursorRow(app.frame()), /^> CRIT checkout/);
			await app.press(ESC, /PID USER/);
		} finally {
			app.close();
		}
	});

	test('paused, the instances stand still through readings; resumed, they catch up', async () => {
		const fleet = scriptedFleet([instance('pod-a', 10, 7), instance('pod-b', 10, 3)]);
		const app = await renderApp({columns: 80, rows: 24, poll, pools: [fleet.source], signal: async () => [], ready: /Pool {4}CRIT checkout/});
		try {
			await app.press(ENTER, /POOLS, worst first/);
			await app.press(ENTER, /INSTANCE \(2\)/);
			await app.press('p', /PAUSED/);
			const before = app.frame();
			fleet.set([instance('pod-a', 10, 1)]);
			const at = fleet.collects();
			await pollUntil(() => fleet.collects() >= at + 3, {what: '3 readings while paused'});
			assert.equal(app.frame(), before, 'paused: the drill-down stands still');
			await app.press('p', /GONE pod-b/);
			assert.match(app.frame(), /^> CRIT pod-a +10\/10 +10 +1 AT MAX/m);
		} finally {
			app.close();
		}
	});
});
