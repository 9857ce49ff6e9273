// The banner at 80×24 with a lock chain and a suspected pool (issue 21): the measured lock finding
// ranks first with its pid whole, the first two findings show their subject and next step whole (the
// prose between them is cut, marked "…"), the rest are named on one line. The real judge reads the
// lock chain; the suspected pool is its finding as the inference words it, added to the same picture.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {render} from 'ink-testing-library';
import {sortFindings} from '../../source/judge/diagnosis.js';
import type {Finding} from '../../source/judge/types.js';
import {initialState, update} from '../../source/screen/board.js';
import {Dashboard} from '../../source/ui/components/dashboard.js';
import {ThemeContext} from '../../source/ui/theme.js';
import {baseTimeMs, defaultThresholds, serverSnapshot, session} from '../helpers/snapshots.js';

const blocker = 3_215_901;
const lockChain = serverSnapshot({
	connections: 20,
	lockWaiting: 2,
	states: {active: 2, idle: 16, idleInTransaction: 1},
	oldestIdleInTransaction: {pid: blocker, seconds: 130, blocking: 2},
	sessions: [
		session({pid: blocker, state: 'idle in transaction', stateSeconds: 130, application: 'billing-nightly-reconciliation'}),
		session({pid: 41, state: 'active', stateSeconds: 125, blockedBy: [blocker], waitEventType: 'Lock', waitEvent: 'transactionid'}),
		session({pid: 42, state: 'active', stateSeconds: 121, blockedBy: [blocker], waitEventType: 'Lock', waitEvent: 'transactionid'}),
	],
});

const suspected: Finding = {
	code: 'pool-suspected',
	level: 'critical',
	subject: {kind: 'group', application: 'checkout', client: '10.0.0.5'},
	message: 'checkout (10.0.0.5) has held exactly 4 connections, all busy, for 2 min 10 s and never more, while the server has 77 free slots: its pool is probably capped at 4 and requests are likely queueing in the application. Check its pool max, or add --pool to see the queue.',
};
const busyPool: Finding = {code: 'pool-busy', level: 'warning', subject: {kind: 'pool', name: 'orders'}, message: 'Pool orders is 9/10 busy (90%), nobody waiting yet. The next burst will queue: raise its max if the server has room.'};

function frameAt(columns: number, rows: number, findings: (judged: Finding[]) => Finding[]): string[] {
	const {state} = update(initialState(defaultThresholds), {type: 'server-polled', reading: {ok: true, snapshot: lockChain, isReconnected: false}, atMs: baseTimeMs});
	const shown = {...state.shown, findings: sortFindings(findings(state.shown.findings))};
	const app = render(
		<ThemeContext.Provider value={{isColor: false}}>
			<Dashboard state={{...state, shown}} target="postgres://lifeguard@127.0.0.1/postgres" columns={columns} rows={rows}/>
		</ThemeContext.Provider>,
	);
	const lines = (app.lastFrame() ?? '').split('\n');
	app.unmount();
	return lines;
}

test('80×24: the lock chain first with its pid whole, then the suspected pool, each with its next step whole; the rest named', () => {
	const lines = frameAt(80, 24, judged => [suspected, busyPool, ...judged]);
	assert.equal(lines.length, 23, 'rows - 1 lines');
	assert.ok(lines.every(line => line.length <= 80), lines.join('\n'));
	const banner = lines.slice(1, lines.findIndex(line => line.startsWith('Server')));
	const text = banner.join('\n');
	// The judge ranks its idle-in-transaction finding about the same blocker first (both measured,
	// critical); the lock finding's pid and next step, and the suspected pool's, are all whole.
	const first = banner.findIndex(line => /^ CRIT /.test(line));
	const second = banner.findIndex((line, index) => index > first && /^ CRIT /.test(line));
	assert.match(banner[first]!, new RegExp(`pid ${blocker}\\b`), text);
	assert.match(banner.slice(first, second).join(' '), new RegExp(`Terminate pid ${blocker} to release its locks, and set\\s+idle_in_transaction_session_timeout\\.`), text);
	assert.match(banner.slice(second).join(' '), new RegExp(`waited on locks for [^,]+, behind pid ${blocker}\\b`), text);
	assert.doesNotMatch(banner.slice(0, -1).join('\n'), /checkout \(10\.0\.0\.5\)/, 'the inferred pool is below both measured findings');
	assert.match(text, /\+\d more findings?: .*pool-suspected checkout \(10\.0\.0\.5\)/, text);
	assert.doesNotMatch(text, new RegExp(`pid ${String(blocker).slice(0, 4)}…`), 'never a cut pid');
});

test('80×24, the lock chain and the suspected pool alone: both whole in subject and next step, the lock first', () => {
	const lines = frameAt(80, 24, judged => [suspected, ...judged.filter(finding => finding.code === 'lock-contention')]);
	const banner = lines.slice(1, lines.findIndex(line => line.startsWith('Server')));
	const text = banner.join(' ');
	assert.match(banner[0]!, /^ CRIT /);
	assert.ok(text.indexOf(`behind pid ${blocker}`) < text.indexOf('checkout (10.0.0.5)'), text);
	assert.match(text, new RegExp(`Terminate pid ${blocker}: an idle transaction has no query to\\s+cancel\\.`), banner.join('\n'));
	assert.match(text, /checkout \(10\.0\.0\.5\) has held exactly 4 connections,.*Check its pool max, or add --pool to\s+see the queue\./, banner.join('\n'));
	assert.doesNotMatch(text, /more finding/);
});

test('120×40: the same order, and room for every finding', () => {
	const lines = frameAt(120, 40, judged => [suspected, busyPool, ...judged]);
	const text = lines.join('\n');
	const at = (pattern: RegExp) => lines.findIndex(line => pattern.test(line));
	assert.ok(at(new RegExp(`behind pid ${blocker}`)) < at(/checkout \(10\.0\.0\.5\)/), text);
	assert.ok(at(/checkout \(10\.0\.0\.5\)/) < at(/Pool orders/), text);
});
