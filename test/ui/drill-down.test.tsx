// The pools drill-down as drawn at 80×24 without colour: the numbers on each instance row, the pool's
// row over them equal to the pools panel's row on the same frame, worst first, the gone row, and a
// hostile instance label made safe.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {renderToString} from 'ink';
import {type DashboardAction, type DashboardState, initialState, reduce} from '../../source/screen/board.js';
import {cellWidth} from '../../source/text/width.js';
import {Dashboard} from '../../source/ui/components/dashboard.js';
import {ThemeContext} from '../../source/ui/theme.js';
import {fleetPools, type VectorSample} from '../../source/collectors/pools/prometheus-fleet.js';
import {fleetPool, instance, prometheusEndpoint} from '../helpers/fleet.js';
import {baseTimeMs, command, defaultThresholds, serverSnapshot} from '../helpers/snapshots.js';

function frame(state: DashboardState, columns = 80, rows = 24): string {
	return renderToString(
		<ThemeContext.Provider value={{isColor: false}}>
			<Dashboard state={state} target="postgres://lifeguard@127.0.0.1/postgres" columns={columns} rows={rows}/>
		</ThemeContext.Provider>,
		{columns},
	);
}

const read = (members: Parameters<typeof fleetPool>[1], atMs = baseTimeMs): DashboardAction =>
	({type: 'pool-polled', endpoint: prometheusEndpoint, reading: {ok: true, format: 'prometheus', pools: [fleetPool('checkout', members), fleetPool('billing', [instance('bill-1', 1, 0)], 'main')]}, atMs});
const server: DashboardAction = {type: 'server-polled', reading: {ok: true, isReconnected: false, snapshot: serverSnapshot({takenAtMs: baseTimeMs, connections: 40})}, atMs: baseTimeMs};
/** Enter in the list, then Enter on the pool row. */
const open = command('pools', {pageRows: 8});
const instances = command('instances', {pageRows: 8});

const members = [
	instance('pod-quiet', 1, 0),
	instance('pod-full', 10, 0),
	instance('pod-queue', 10, 12),
	instance('pod-slow', 6, 3),
];

/** An instance row: level, instance, busy/max, open, waiting, at max, why. */
const rowOf = (screen: string, name: string) => {
	const line = screen.split('\n').find(candidate => candidate.includes(` ${name} `)) ?? '';
	const match = /^[> ] (\S+)\s+(\S+)\s+(\d+)\/(\d+)\s+(\d+)\s+(\d+)\s+(AT MAX|-)\s+(.*)$/.exec(line);
	assert.ok(match, `no row for ${name} in:\n${screen}`);
	return {level: match[1], instance: match[2], busy: Number(match[3]), max: Number(match[4]), open: Number(match[5]), waiting: Number(match[6]), isAtMax: match[7] === 'AT MAX', why: match[8]!.trim()};
};

test('80×24: the instances worst first with their own numbers; the pool row over them is the panel\'s row', () => {
	const state = [server, read(members), open, instances].reduce(reduce, initialState(defaultThresholds));
	const screen = frame(state);
	const lines = screen.split('\n');
	assert.equal(lines.length, 23, 'rows − 1 lines');
	for (const line of lines) {
		assert.ok(cellWidth(line) <= 80, `wider than 80: ${line}`);
	}

	assert.deepEqual(rowOf(screen, 'pod-queue'), {level: 'CRIT', instance: 'pod-queue', busy: 10, max: 10, open: 10, waiting: 12, isAtMax: true, why: 'at max, queueing'});
	assert.deepEqual(rowOf(screen, 'pod-full'), {level: 'CRIT', instance: 'pod-full', busy: 10, max: 10, open: 10, waiting: 0, isAtMax: true, why: '100% busy'});
	assert.deepEqual(rowOf(screen, 'pod-slow'), {level: 'WARN', instance: 'pod-slow', busy: 6, max: 10, open: 6, waiting: 3, isAtMax: false, why: 'queueing below max'});
	assert.deepEqual(rowOf(screen, 'pod-quiet'), {level: 'OK', instance: 'pod-quiet', busy: 1, max: 10, open: 1, waiting: 0, isAtMax: false, why: '10% busy'});
	const order = ['pod-queue', 'pod-full', 'pod-slow', 'pod-quiet'].map(name => lines.findIndex(line => line.includes(` ${name} `)));
	assert.deepEqual([...order].sort((a, b) => a - b), order, 'worst first');
	assert.match(lines.find(line => line.startsWith('> ')) ?? '', /pod-queue/, 'the cursor starts on the worst');
	// The sums on the pool's row, twice on the frame, the same line: 27/40 busy, 15 waiting.
	const poolRows = lines.filter(line => line.startsWith('Pool    CRIT checkout'));
	assert.equal(poolRows.length, 2, screen);
	assert.equal(poolRows[0], poolRows[1]);
	assert.match(poolRows[0]!, / 27\/40 {2}WAITING 15 {2}4 inst {2}2 at max/);
	assert.match(screen, /INSTANCE \(4\)/);
	assert.match(lines.at(-1)!, /^instances of checkout\/HikariPool-1 {2}↑↓ select {2}p pause {2}Esc back/);
});

test('an instance that leaves shows as GONE with when it was last seen; the pool row says 3 instances', () => {
	let state = [server, read(members), open, instances].reduce(reduce, initialState(defaultThresholds));
	state = reduce(state, read(members.filter(member => member.instance !== 'pod-slow'), baseTimeMs + 10_000));
	const screen = frame(state);
	assert.match(screen, /^ {2}GONE pod-slow\s+not in the latest reading; last seen 10s ago$/m);
	assert.match(screen, /INSTANCE \(3, 1 gone\)/);
	assert.match(screen, /^Pool {4}CRIT checkout\S* +21\/30 {2}WAITING 12 {2}3 inst {2}2 at max/m);
});

test('the pools list: one row per pool worst first, the cursor on the worst, the same numbers as the panel', () => {
	const state = [server, read(members), open].reduce(reduce, initialState(defaultThresholds));
	const lines = frame(state).split('\n');
	const rows = lines.filter(line => /^[> ] (CRIT|WARN|OK) /.test(line));
	assert.equal(rows.length, 2);
	assert.match(rows[0]!, /^> CRIT checkout\S* +27\/40 {2}WAITING 15 {2}4 inst {2}2 at max/);
	assert.match(rows[1]!, /^ {2}OK {3}billing\/main +1\/10 {2}WAITING 0 {2}1 inst {2}0 at max/);
});

test('an instance label with terminal controls, through the collector\'s grouping, is drawn safe; a long one keeps both ends', () => {
	const sample = (name: string, labels: Record<string, string>, value: string): VectorSample => ({metric: {__name__: name, job: 'checkout', pool: 'HikariPool-1', ...labels}, value: [1_796_000_000, value]});
	const hostile = {instance: 'pod-\u001B[2J\u009B31m\u202Eevil'};
	const long = {instance: 'checkout-7d9f8b6c5d-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x2x9k'};
	const pools = fleetPools([
		sample('hikaricp_connections_max', hostile, '10'), sample('hikaricp_connections_active', hostile, '10'), sample('hikaricp_connections_pending', hostile, '5'),
		sample('hikaricp_connections_max', long, '10'), sample('hikaricp_connections_active', long, '1'), sample('hikaricp_connections_pending', long, '0'),
	]);
	const reading: DashboardAction = {type: 'pool-polled', endpoint: prometheusEndpoint, reading: {ok: true, format: 'prometheus', pools}, atMs: baseTimeMs};
	const state = [server, reading, open, instances].reduce(reduce, initialState(defaultThresholds));
	assert.equal(state.mode.kind, 'members');
	const screen = frame(state);
	assert.doesNotMatch(screen, /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/);
	assert.match(screen, /^> CRIT pod-\S*evil +10\/10 /m, 'the attempt stays visible, made harmless');
	assert.match(screen, / checkout-7d9…a+-x2x9k +1\/10 /);
});

test('120×40: the rows add the oldest wait and the timeouts per instance, so the one behind the pool\'s timeouts shows', () => {
	const timingOut = instance('pod-times-out', 10, 4, 10, {oldestWaitSeconds: 2.5, sourceRates: {waitsPerSecond: null, waitingAverage: null, timeoutsPerMinute: 180}});
	const state = [server, read([timingOut, instance('pod-calm', 2, 0, 10, {sourceRates: {waitsPerSecond: null, waitingAverage: null, timeoutsPerMinute: 0}})]), open, instances].reduce(reduce, initialState(defaultThresholds));
	const screen = frame(state, 120, 40);
	assert.match(screen, /LVL {2}INSTANCE \(2\) +BUSY\/MAX OPEN WAITING AT MAX OLDEST TIMEOUTS WHY/);
	assert.match(screen, /^> CRIT pod-times-out +10\/10 +10 +4 AT MAX +2s +180\/min at max, queueing/m);
	assert.match(screen, /^ {2}OK {3}pod-calm +2\/10 +2 +0 - +n\/a +0\/min 20% busy/m);
});

test('a fleet over 200 instances: the header says of how many, and an instance that only ranks lower now is not GONE', () => {
	const many = (queueing: number) => Array.from({length: 1000}, (_, index) => instance(`pod-${String(index).padStart(4, '0')}`, index === queueing ? 10 : 2, index === queueing ? 5 : 0));
	// pod-0999 queues, then pod-0998 does: pod-0999 falls out of the 200 kept, yet it still reports.
	const state = [server, read(many(999)), open, instances, read(many(998), baseTimeMs + 5000)].reduce(reduce, initialState(defaultThresholds));
	const screen = frame(state, 120, 40);
	assert.match(screen, /INSTANCE \(200 of 1000\)/);
	assert.doesNotMatch(screen, /GONE|gone/);
	assert.equal(rowOf(screen, 'pod-0998').waiting, 5);
});
