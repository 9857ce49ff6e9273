import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {renderToString} from 'ink';
import type {ReactElement} from 'react';
import type {PoolLevel, PoolView} from '../../source/judge/picture.js';
import {poolSubject, subjectLabel} from '../../source/judge/subject.js';
import {PoolsPanel, poolLine} from '../../source/ui/components/pools-panel.js';
import {ServerGauge} from '../../source/ui/components/server-gauge.js';
import {columnsFor, SessionList} from '../../source/ui/components/session-list.js';
import {wrappedRows} from '../../source/ui/components/finding-fit.js';
import {FindingsBanner} from '../../source/ui/components/findings-banner.js';
import {segmentedBar} from '../../source/ui/format.js';
import {cellWidth} from '../../source/text/width.js';
import {layoutFor} from '../../source/ui/layout.js';
import {ThemeContext} from '../../source/ui/theme.js';
import {baseTimeMs, poolStatus, serverSnapshot, session} from '../helpers/snapshots.js';

const plain = (element: ReactElement, columns: number) =>
	renderToString(<ThemeContext.Provider value={{isColor: false}}>{element}</ThemeContext.Provider>, {columns});
const count = (text: string, glyph: string) => [...text].filter(character => character === glyph).length;

describe('the server gauge reads right without colour', () => {
	test('10% and 90% differ in glyphs, numbers and level', () => {
		const low = plain(<ServerGauge snapshot={serverSnapshot({connections: 10, states: {active: 0, idle: 9}})} level="ok" width={80} isStale={false}/>, 80);
		const high = plain(<ServerGauge snapshot={serverSnapshot({connections: 87, states: {active: 0, idle: 86}})} level="warning" sinceMs={Date.UTC(2026, 10, 26, 14, 5, 12)} width={80} isStale={false}/>, 80);
		assert.match(low, /10\/97 10% {2}free 87 {2}OK/);
		assert.match(high, /87\/97 90% {2}free 10 {2}WARN since 14:05:12/);
		const lowBar = /\[([^\]]+)]/.exec(low)![1]!;
		const highBar = /\[([^\]]+)]/.exec(high)![1]!;
		const used = (bar: string) => bar.length - count(bar, '·');
		assert.ok(Math.abs(used(lowBar) / lowBar.length - 0.1) < 0.05, lowBar);
		assert.ok(Math.abs(used(highBar) / highBar.length - 0.9) < 0.05, highBar);
	});

	test('the legend splits active, lock-waiting, idle in transaction (aborted), idle, and the reserve', () => {
		const text = plain(<ServerGauge snapshot={serverSnapshot({connections: 13, ownConnections: 1, lockWaiting: 1, hidden: 2, states: {active: 3, idle: 5, idleInTransaction: 2, idleInTransactionAborted: 1}})} level="ok" width={130} isStale={false}/>, 130);
		assert.match(text, /█ active 3 {2}▓ lock-waiting 1 {2}▒ idle in tx 3 \(1 aborted\) {2}░ idle 5 {2}▪ hidden 2 \+ lifeguard 1 {2}max 100 − 3 reserved/);
		// lifeguard's own connection is no one's usage: 13 of 97, while it still takes a free slot.
		assert.match(text, / 13\/97 13% {2}free 83 /);
	});

	test('segments are proportional and one connection still shows', () => {
		assert.equal(segmentedBar([{count: 1, glyph: '█'}], 500, 10), '█·········');
		assert.equal(segmentedBar([{count: 5, glyph: '█'}, {count: 5, glyph: '░'}], 10, 10), '█████░░░░░');
		assert.equal(segmentedBar([{count: 20, glyph: '█'}], 10, 10), '██████████', 'over the limit never overflows');
	});
});

describe('the session list', () => {
	const sessions = Array.from({length: 30}, (_, index) => session({pid: 1000 + index, stateSeconds: 300 - index, query: `select ${index}\n  from t`}));

	test('windows around the selection and says which rows it shows', () => {
		const text = plain(<SessionList sessions={sessions} selectedPid={1025} marked={{1025: '1'}} height={10} width={80} isStale={false} title=""/>, 80);
		const lines = text.split('\n');
		assert.equal(lines.length, 11);
		assert.match(lines[0]!, /PID USER .* QUERY .*21-30 of 30/);
		assert.match(text, /^>\*\s+1025 app .*select 25 from t/m, 'selected and marked, query on one line');
		assert.doesNotMatch(text, /\b1005\b/);
	});

	test('columns fit the width: the query keeps room at 80, every column shows at 140', () => {
		assert.deepEqual(columnsFor(80).map(column => column.title), ['PID', 'USER', 'APPLICATION', 'STATE', 'TIME']);
		assert.deepEqual(columnsFor(140).map(column => column.title), ['PID', 'USER', 'DATABASE', 'APPLICATION', 'CLIENT', 'STATE', 'TIME', 'WAIT', 'BLOCKED BY']);
		const line = plain(<SessionList sessions={[session({pid: 7, state: 'idle in transaction (aborted)', stateSeconds: 3725})]} selectedPid={null} marked={{}} height={3} width={80} isStale={false} title=""/>, 80).split('\n')[1]!;
		assert.match(line, /^\s+7 app\s+api\s+idle tx abrt\s+1h02m SELECT 1/);
	});

	test('wide and zero-width characters never push a row past its width', () => {
		const wide = [
			session({pid: 1, application: '注文サービス注文サービス', query: `select '${'注文'.repeat(60)}'`}),
			session({pid: 2, user: '🐘🐘🐘🐘🐘🐘🐘', query: `select '${'e\u0301'.repeat(80)}' -- 👩‍👩‍👧`}),
		];
		for (const width of [80, 120]) {
			const lines = plain(<SessionList sessions={wide} selectedPid={1} marked={{}} height={3} width={width} isStale={false} title=""/>, width).split('\n');
			assert.equal(lines.length, 3, 'no row wrapped');
			for (const line of lines) {
				assert.ok(cellWidth(line) <= width, `${cellWidth(line)} cells at ${width}: ${line}`);
			}
		}
	});
});

describe('pools and findings', () => {
	const row = (overrides: Parameters<typeof poolStatus>[0], level: PoolLevel = 'ok', timeouts: number | null = null, waitsPerSecond: number | null = null): PoolView =>
		({...poolStatus(overrides), level, sinceMs: null, rates: {timeoutsPerMinute: timeouts, waitsPerSecond, meanWaitSeconds: waitsPerSecond === null ? null : 0.42, waitingAverage: null, servedPerSecond: null, meanHoldSeconds: null, queueGrowthPerSecond: null}, advice: null});

	test('a saturated pool shows active/max, WAITING and its level; unknown is n/a, never 0', () => {
		const text = plain(<PoolsPanel pools={[
			row({name: 'api', metrics: {max: 5, active: 5, idle: 0, waiting: 812, oldestWaitSeconds: null, timeoutsTotal: null}}, 'critical'),
			row({name: 'go-svc', metrics: {max: 20, active: 3, idle: 4, waiting: null, oldestWaitSeconds: null, timeoutsTotal: null}}),
		]} nowMs={baseTimeMs} maxLines={3} width={120}/>, 120);
		assert.match(text, /Pool {4}CRIT api\s+\[████████] 5\/5 {2}WAITING 812 {2}oldest n\/a {2}timeouts n\/a {2}idle 0/);
		assert.match(text, /OK {3}go-svc\s+\[█·······] 3\/20 {2}WAITING n\/a {2}oldest n\/a {2}timeouts n\/a {2}idle 4/);
	});

	test('a failing endpoint keeps its last numbers with the error and their age', () => {
		const text = plain(<PoolsPanel pools={[row({name: 'api', error: 'timed out after 2000 ms', sampledAtMs: baseTimeMs - 12_000}, 'unknown')]} nowMs={baseTimeMs} maxLines={3} width={160}/>, 160);
		assert.match(text, /DOWN api .* ERROR timed out after 2000 ms \(last good 10s ago\)/);
	});

	test('at 80 columns the numbers that tell the story stay, the bar goes first', () => {
		const line = poolLine(row({name: 'checkout', metrics: {max: 5, active: 4, idle: 1, waiting: 2, oldestWaitSeconds: null, timeoutsTotal: 9}}, 'warning', 95), baseTimeMs, 72);
		assert.equal(line, 'WARN checkout       4/5  WAITING 2  oldest n/a  timeouts 95/min  idle 1 ');
		const wide = poolLine(row({name: 'checkout', metrics: {max: 5, active: 4, idle: 1, waiting: 2, oldestWaitSeconds: null, timeoutsTotal: 9}}, 'warning', 95), baseTimeMs, 112);
		assert.match(wide, /\[██████··] 4\/5 {2}WAITING 2 {2}oldest n\/a {2}timeouts 95\/min {2}idle 1/);
	});

	test('nobody waiting: no oldest wait, not a gauge\'s leftover "oldest 0s"', () => {
		const line = poolLine(row({name: 'checkout', metrics: {max: 20, active: 8, idle: 12, waiting: 0, oldestWaitSeconds: 0, timeoutsTotal: 9}}, 'warning', 95), baseTimeMs, 112);
		assert.match(line, /8\/20 {2}WAITING 0 {2}timeouts 95\/min {2}idle 12/);
		assert.doesNotMatch(line, /oldest/);
	});

	test('a source with only wait counters shows the wait rate, and says when it has none yet', () => {
		const counters = {max: 2, active: 2, idle: 0, waiting: null, oldestWaitSeconds: null, timeoutsTotal: null, waitsTotal: 131, waitSecondsTotal: 53};
		assert.match(poolLine(row({name: 'go-svc', metrics: counters}, 'critical', null, 3.1), baseTimeMs, 72), /CRIT go-svc\s+2\/2 {2}waits 3\.1\/s, avg 420 ms/);
		assert.match(poolLine(row({name: 'go-svc', metrics: counters}), baseTimeMs, 72), /2\/2 {2}waits: rate after 2nd sample/);
	});

	test('40 pools: the worst rows and a summary line', () => {
		const rows = Array.from({length: 40}, (_, index) => row({name: `app-${index}`, metrics: {waiting: index < 2 ? 10 : 0}, error: index === 39 ? 'HTTP 500' : null}, index < 2 ? 'critical' : (index === 39 ? 'unknown' : 'ok')));
		const lines = plain(<PoolsPanel pools={rows} nowMs={baseTimeMs} maxLines={4} width={100}/>, 100).split('\n');
		assert.equal(lines.length, 4);
		assert.match(lines[0]!, /app-0 /);
		assert.match(lines[3]!, /\+37 more pools: 0 critical, 0 warning, 36 ok, 1 failing; 0 waiting/, 'a failing pool is counted once');
	});

	test('the banner names the finding, its level in words and since when', () => {
		const text = plain(<FindingsBanner
			findings={[{code: 'pool-saturated', level: 'critical', subject: poolSubject('api'), message: 'Pool api is saturated'}, {code: 'privileges-partial', level: 'warning', subject: {kind: 'privileges'}, message: 'partial'}]}
			alarms={{'pool api': {sinceMs: Date.UTC(2026, 10, 26, 14, 5, 12)}}} maxLines={3} width={80}/>, 80);
		assert.match(text, /^ CRIT {2}since 14:05:12 Pool api is saturated$/m);
		assert.match(text, /^ WARN {2}partial$/m);
	});
});

test('the layout never exceeds rows - 1 and keeps room for sessions at 80×24', () => {
	for (const [rows, findings, pools] of [[24, 0, 0], [24, 3, 3], [24, 9, 40], [40, 9, 40]] as const) {
		const layout = layoutFor(rows, findings, pools, 1);
		const used = 5 + 1 + layout.breakdownLines + layout.historyLines + layout.findingLines + layout.poolLines + layout.listRows;
		assert.equal(used, rows - 1, `${rows} rows, ${findings} findings, ${pools} pools`);
		assert.ok(layout.listRows >= 5, `${layout.listRows} session rows`);
	}
});

test('the first two findings show their subject and next step whole, the prose between cut; the rest are named', () => {
	const findings = ['a', 'b', 'c', 'd'].map(name => ({code: 'pool-saturated' as const, level: 'critical' as const, subject: poolSubject(name), message: `Pool ${name} is saturated: 5/5 connections busy, 812 requests waiting, while the server has 95 free slots. The pool's limit is the bottleneck: raise the pool's max.`}));
	// Five rows: the first whole on three, the second on one (its subject and step whole, the middle cut), the rest named.
	const lines = plain(<FindingsBanner findings={findings} alarms={{}} maxLines={5} width={80}/>, 80).split('\n');
	assert.equal(lines.length, 5);
	assert.match(lines[0]!, /^ CRIT {2}Pool a is saturated/);
	assert.match(lines.slice(0, 3).join(' '), /95 free slots\. The pool's limit is the bottleneck: raise the pool's max\./, 'with room, the first is whole');
	assert.match(lines[3]!, /^ CRIT {2}Pool b [^…]*… The pool's limit is the bottleneck: raise the pool's max\.$/);
	assert.match(lines[4]!, /\+2 more findings: pool-saturated c, pool-saturated d/);
	// Four rows: the first gives up its prose before the second gives up its line.
	const four = plain(<FindingsBanner findings={findings} alarms={{}} maxLines={4} width={80}/>, 80).split('\n');
	assert.match(four.slice(0, 2).join(' '), /^ CRIT {2}Pool a is saturated.*… The pool's limit is the bottleneck: raise the pool's max\./);
	assert.match(four[2]!, /^ CRIT {2}Pool b .*raise the pool's max\.$/);
	assert.match(four[3]!, /\+2 more findings/);
	const short = plain(<FindingsBanner findings={findings.map(finding => ({...finding, message: `Pool ${subjectLabel(finding.subject)} is saturated: raise its max.`}))} alarms={{}} maxLines={4} width={80}/>, 80).split('\n');
	assert.match(short[1]!, /^ CRIT {2}Pool b /, 'a short worst finding takes one line');
	assert.match(short[3]!, /^ CRIT {2}Pool d /, 'four short findings fit four rows: none counted');
});

test('the rows a finding needs are counted as Ink wraps it, so no row is left empty', () => {
	for (const width of [60, 80, 120]) {
		for (const length of [10, 70, 79, 80, 81, 150, 230]) {
			const message = Array.from({length: Math.ceil(length / 6)}, (_, index) => `word${index % 10}`).join(' ').slice(0, length);
			const finding = {code: 'pool-saturated' as const, level: 'critical' as const, subject: poolSubject('api'), message};
			const drawn = plain(<FindingsBanner findings={[finding]} alarms={{}} maxLines={3} width={width}/>, width).split('\n');
			const rows = Math.min(3, wrappedRows(` CRIT  ${message}`, width));
			assert.equal(drawn.filter(line => line.trim() !== '').length, Math.min(drawn.length, rows), `${length} at ${width}: ${JSON.stringify(drawn)}`);
		}
	}
});

test('an impossible reading shows its reason as BAD; pools beyond the cap are counted', () => {
	const bad: PoolView = {...poolStatus({name: 'api', metrics: null, error: 'invalid value -5 for waiting'}), isInvalidReading: true, omittedPools: 14_800, level: 'unknown', sinceMs: null, rates: {timeoutsPerMinute: null, waitsPerSecond: null, meanWaitSeconds: null, waitingAverage: null, servedPerSecond: null, meanHoldSeconds: null, queueGrowthPerSecond: null}, advice: null};
	const text = plain(<PoolsPanel pools={[bad]} nowMs={baseTimeMs} maxLines={3} width={120}/>, 120);
	assert.match(text, /Pool {4}BAD {2}api\s+impossible reading: invalid value -5 for waiting/);
	assert.match(text, /\+14800 not fetched/);
	assert.doesNotMatch(text, /-5\//);
});

test('a fleet row: sums, instances and how many sit at their max', () => {
	const fleetRow: PoolView = {...poolStatus({name: 'checkout/HikariPool-1', metrics: {max: 400, active: 400, idle: 0, waiting: 1930, oldestWaitSeconds: null, timeoutsTotal: null, waitsTotal: null,
		fleet: {service: 'checkout', pool: 'HikariPool-1', instances: 40, atMax: 38, maxPerInstance: 10, worst: {instance: 'pod-7', max: 10, open: 10, active: 10, idle: 0, waiting: 90, oldestWaitSeconds: null, sourceRates: {waitsPerSecond: null, waitingAverage: null, timeoutsPerMinute: null}, isAtMax: true}, members: []}}}), level: 'critical', sinceMs: null, rates: {timeoutsPerMinute: null, waitsPerSecond: null, meanWaitSeconds: null, waitingAverage: null, servedPerSecond: null, meanHoldSeconds: null, queueGrowthPerSecond: null}, advice: null};
	assert.match(poolLine(fleetRow, baseTimeMs, 72), /^CRIT checkout\/Hika… 400\/400 {2}WAITING 1930 {2}40 inst {2}38 at max/);
});
