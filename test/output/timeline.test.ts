import {after, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {openIncidentLog} from '../../source/actions/incident-log.js';
import {type DashboardAction, type DashboardState, initialState, update} from '../../source/screen/board.js';
import type {LogEvent} from '../../source/judge/log-events.js';
import {type Subject, subjectKey, subjectLabel} from '../../source/judge/subject.js';
import type {PoolEndpoint, PoolMetrics, ServerSnapshot} from '../../source/readings/types.js';
import {renderTimeline} from '../../source/output/timeline.js';
import {baseTimeMs, command, defaultThresholds, exposedPool, serverSnapshot, typed} from '../helpers/snapshots.js';

const dir = mkdtempSync(join(tmpdir(), 'lifeguard-timeline-'));
after(() => rmSync(dir, {recursive: true, force: true}));

/** A bullet of the timeline (the summary's are not: their label comes first). */
const isEventBullet = (line: string) => /^- \*\*\d{2}:\d{2}:\d{2} UTC:\*\*/.test(line);

const CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

const api: PoolEndpoint = {id: 'endpoint-api', name: 'api', url: 'http://u:hunter2@127.0.0.1:9/pool.json', maskedUrl: 'http://u:***@127.0.0.1:9/pool.json', kind: 'http', forcedFormat: 'json'};
const server = (atMs: number, connections: number, overrides: Partial<ServerSnapshot> = {}): DashboardAction =>
	({type: 'server-polled', reading: {ok: true, snapshot: serverSnapshot({takenAtMs: atMs, connections, ...overrides}), isReconnected: false}, atMs});
const pool = (atMs: number, metrics: Partial<PoolMetrics>): DashboardAction =>
	({type: 'pool-polled', endpoint: api, reading: {ok: true, format: 'json', pools: [exposedPool({label: null, ...metrics})]}, atMs});
const flag = (atMs: number, note: string): DashboardAction[] => [command('flag', {atMs}), typed(note, {atMs}), command('submit', {atMs})];

/** Run the real model over the actions and write every log effect through the real writer. */
function recordedLog(name: string, actions: DashboardAction[]): string {
	const path = join(dir, name);
	const log = openIncidentLog(path, {secrets: ['hunter2']});
	let state: DashboardState = initialState(defaultThresholds, {pools: []});
	log.write({at: new Date(baseTimeMs).toISOString(), type: 'start', target: 'postgres://app:hunter2@127.0.0.1/app', version: '16.4', limits: null});
	for (const action of actions) {
		const step = update(state, action);
		state = step.state;
		for (const effect of step.effects) {
			if (effect.type === 'log') {
				assert.deepEqual(log.write(effect.event), {ok: true});
			}
		}
	}

	log.close();
	return readFileSync(path, 'utf8');
}

describe('a log written by a real run renders with its numbers', () => {
	it('every level line has the numbers of its subject, and its reason', () => {
		const minute = 60_000;
		const text = recordedLog('round-trip.jsonl', [
			server(baseTimeMs, 13),
			pool(baseTimeMs + 500, {max: 5, active: 2, idle: 3, waiting: 0}),
			pool(baseTimeMs + minute, {max: 5, active: 5, idle: 0, waiting: 12}),
			pool(baseTimeMs + minute + 1000, {max: 5, active: 5, idle: 0, waiting: 812}),
			server(baseTimeMs + minute + 1100, 93),
			...flag(baseTimeMs + 2 * minute, 'paging the DB team'),
			pool(baseTimeMs + 3 * minute, {max: 30, active: 12, idle: 18, waiting: 0}),
			pool(baseTimeMs + 3 * minute + 1000, {max: 30, active: 12, idle: 18, waiting: 0}),
			pool(baseTimeMs + 3 * minute + 2000, {max: 30, active: 12, idle: 18, waiting: 0}),
			command('quit', {atMs: baseTimeMs + 4 * minute}),
		]);
		assert.equal(text.includes('hunter2'), false);
		const markdown = renderTimeline(text).markdown;
		const levelLines = markdown.split('\n').filter(line => isEventBullet(line) && (line.includes(' went from ') || line.includes(' cleared ')));
		assert.deepEqual(levelLines, [
			'- **12:01:00 UTC:** Pool api went from ok to critical (5/5 busy, 12 waiting): Pool api is saturated: 5/5 busy, 12 waiting, while the server has 84 free slots: raise the pool\'s max (its source exposes no hold time to size it).',
			'- **12:01:01 UTC:** Server went from ok to critical (93/97 connections): Server at 96% of usable connections (93/97): top consumers api 13 (12 idle); by user app 13. Terminate idle sessions or lower pool sizes.',
			// The clear is its own line: how long it stood, where it was left, and its course.
			'- **12:03:02 UTC:** Pool api cleared (critical to ok) after 2 min 2 s, 12/30 busy, 0 waiting; peak 812 waiting at 12:01:01 (from 12 at 12:01:00)',
		]);
		assert.match(markdown, /- \*\*12:02:00 UTC:\*\* Flag: "paging the DB team" \(server 93\/97, api 5\/5 busy 812 waiting\); open findings: pool-saturated \(api\), server-saturated \(server\)/);
		assert.match(markdown, /- \*\*12:04:00 UTC:\*\* Stopped watching/);
		assert.match(markdown, /^- \*\*Peak:\*\* 812 waiting in pool api at 12:01:01 UTC; server 93\/97 connections at 12:01:01 UTC$/m);
		assert.match(markdown, /^- \*\*Recovered:\*\* no: still open when the log ends$/m, 'the server never cleared');
		assert.match(markdown, /Started watching `postgres:\/\/app:\*\*\*@127\.0\.0\.1\/app`/);
	});

	it('a log written before subjects were data (words, a `pool` field) reads as the same timeline', () => {
		const minute = 60_000;
		const actions: DashboardAction[] = [server(baseTimeMs, 13), pool(baseTimeMs + 500, {max: 5, active: 5, idle: 0, waiting: 12})];
		// The server flaps (folded in the log), the pool clears, a flag lists what is open.
		for (let index = 1; index <= 48; index++) {
			actions.push(server(baseTimeMs + index * 1000, index % 6 < 3 ? 93 : 13));
		}

		actions.push(...flag(baseTimeMs + minute, 'still flapping'), ...[0, 1, 2].map(poll => pool(baseTimeMs + 2 * minute + poll * 1000, {max: 5, active: 1, idle: 4, waiting: 0})));
		const text = recordedLog('old-and-new.jsonl', actions);
		const old = text.trim().split('\n').map(line => JSON.stringify(asOlderLog(JSON.parse(line) as Record<string, unknown>))).join('\n');
		assert.notEqual(old, text.trim(), 'the older log differs in what it wrote');
		assert.match(old, /"subject":"pool api",.*"pool":"api"/);
		const markdown = renderTimeline(text).markdown;
		assert.equal(renderTimeline(old).markdown, markdown);
		assert.match(markdown, /Server flapped \d+ times between ok and critical/);
		assert.match(markdown, /open findings: pool-saturated \(api\)/);
		assert.match(markdown, /Pool api cleared \(critical to ok\) after /);
	});

	it('a level that flaps is one line: how often, between which levels, from when to when', () => {
		const actions: DashboardAction[] = [];
		// Three polls at 90 %, three at 50 %, a second apart, seven times: each swing is real (past the hysteresis).
		for (let cycle = 0; cycle < 7; cycle++) {
			for (let poll = 0; poll < 6; poll++) {
				const atMs = baseTimeMs + ((cycle * 6) + poll) * 1000;
				actions.push(server(atMs, poll < 3 ? 88 : 48));
			}
		}

		const text = recordedLog('flapping.jsonl', actions);
		const levels = text.split('\n').filter(line => line.includes('"type":"level"'));
		// The log writes four changes of a flapping subject and counts the rest in one fold line.
		assert.equal(levels.length, 4, 'changes written one by one');
		const folded = text.split('\n').filter(line => line.includes('"type":"fold"')).map(line => JSON.parse(line) as {subject: unknown; count: number});
		assert.deepEqual([...new Set(folded.map(fold => JSON.stringify(fold.subject)))], ['{"kind":"server"}']);
		assert.equal(folded.reduce((sum, fold) => sum + fold.count, 0), 10, 'the others counted');
		const bullets = renderTimeline(text).markdown.split('\n').filter(isEventBullet);
		assert.deepEqual(bullets.slice(1), ['- **12:00:00 UTC:** Server flapped 14 times between ok and warning from 12:00:00 to 12:00:41 UTC; ended ok at 12:00:41 (48/97 connections)']);
	});
});

/** A line as lifeguard wrote it before subjects were data: `server`, `pool NAME` (with `pool`), `pid N`; open findings by name. */
function asOlderLog(event: Record<string, unknown>): Record<string, unknown> {
	const words = (subject: Subject) => (subject.kind === 'pool' ? {subject: `pool ${subject.name}`, pool: subject.name} : {subject: subjectKey(subject)});
	if ((event['type'] === 'level' || event['type'] === 'fold') && typeof event['subject'] === 'object') {
		return {...event, ...words(event['subject'] as Subject)};
	}

	if (Array.isArray(event['findings'])) {
		const findings = (event['findings'] as Array<{code: string; level: string; subject: Subject; server?: string}>)
			.map(({server: name, subject, ...rest}) => ({...rest, subject: subjectLabel(subject, name)}));
		return {...event, findings};
	}

	return event;
}

describe('renderTimeline on odd input', () => {
	const cases: Array<{name: string; jsonl: string; lines: string[]}> = [
		{name: 'an empty log', jsonl: '', lines: ['# Incident timeline', '', 'No events.', '']},
		{
			name: 'only garbage, a bad date, an event without a type, an unknown type',
			jsonl: 'not json\n{"at":"yesterday","type":"quit"}\n{"at":"2025-03-14T12:00:00Z"}\n{"at":"2025-03-14T12:00:00Z","type":"snapshot"}\n[1,2]\n{"at":"2025-03-14T12:00:00Z","type":"fl',
			lines: ['# Incident timeline', '', 'No events.', '', '_Skipped 6 lines that were not valid log events._', ''],
		},
		{
			name: 'a hand-edited note with a newline and a password; a day boundary',
			jsonl: [
				'{"at":"2025-03-14T23:59:00Z","type":"flag","note":"tried postgres://u:hunter2@h/db\\nno luck","numbers":{"server":null,"pools":[]},"findings":[]}',
				'{"at":"2025-03-15T00:00:30Z","type":"terminate","sessions":[{"pid":7,"outcome":"done"},{"pid":8,"outcome":"skipped","reason":"changed"}]}',
			].join('\n'),
			lines: [
				'# Incident timeline',
				'',
				'## Summary',
				'',
				'No sign of trouble: no level left ok while watching.',
				'',
				'## 2025-03-14',
				'',
				String.raw`- **23:59:00 UTC:** Flag: "tried postgres://u:\*\*\*@h/db no luck" (server disconnected)`,
				'',
				'## 2025-03-15',
				'',
				'- **00:00:30 UTC:** Terminated 1 session: pid 7; skipped 1: pid 8 (changed)',
				'',
				'Span: 2025-03-14 23:59:00 to 2025-03-15 00:00:30 UTC (1 min 30 s)',
				'',
				'**Open when watching stopped:** not known: the log has no quit line (lifeguard was killed, or the log was cut short)',
				'',
			],
		},
	];
	for (const {name, jsonl, lines} of cases) {
		it(name, () => {
			assert.deepEqual(renderTimeline(jsonl).markdown.split('\n'), lines);
		});
	}

	it('no control byte from a log reaches the reader\'s terminal', () => {
		const hostile = ['\u001B]0;pwned\u0007', '\u001B]52;c;ZWNobyBwd25lZA==\u0007', '\u001B[2J', 'x\u009B31m', 'a\b\bb', 'user\u202Eevil', 'pool\r\nSECOND'];
		const events: LogEvent[] = [
			{at: '2025-03-14T12:00:00Z', type: 'start', target: hostile.join(' '), version: hostile[0]!, limits: null},
			{at: '2025-03-14T12:00:01Z', type: 'level', subject: hostile[1]!, pool: hostile[2], from: 'ok', to: 'critical', message: hostile.join(''), numbers: {server: null, pools: [{name: hostile[2]!, active: 1, max: 2, waiting: 3, waitsPerSecond: null, timeoutsPerMinute: null}]}},
			{at: '2025-03-14T12:00:01Z', type: 'level', subject: {kind: 'pool', name: hostile.join('')}, from: 'ok', to: 'critical', message: hostile[4], numbers: {server: null, pools: [{name: hostile.join(''), active: 1, max: 2, waiting: 3, waitsPerSecond: null, timeoutsPerMinute: null}]}},
			{at: '2025-03-14T12:00:02Z', type: 'flag', note: hostile.join(''), numbers: {server: null, pools: []}, findings: [{code: 'pool-saturated', level: 'critical', subject: hostile[3]!}, {code: 'pool-suspected', level: 'warning', subject: {kind: 'group', application: hostile[5]!, client: hostile[6]!}, server: hostile[0]}]},
			{at: '2025-03-14T12:00:03Z', type: 'terminate', sessions: [{pid: 1, user: hostile[4]!, application: hostile[5]!, state: 'idle', outcome: 'failed', reason: hostile[6]}]},
			{at: '2025-03-14T12:00:04Z', type: 'endpoint-down', subject: hostile[0]!, reason: hostile[1]!},
			{at: '2025-03-14T12:00:05Z', type: 'disconnect', reason: hostile.join('')},
		];
		const markdown = renderTimeline(events.map(event => JSON.stringify(event)).join('\n')).markdown;
		assert.doesNotMatch(markdown, CONTROL);
		assert.match(markdown, /␛\]0;pwned␇/, 'the attempt stays visible');
		assert.equal(markdown.split('\n').filter(isEventBullet).length, events.length, 'one bullet per event: no line break got through');
	});
});

describe('a log of several servers', () => {
	it('names the server on every line, and never folds one server\'s changes into another\'s', () => {
		const level = (server: string, minute: number, from: string, to: string) => JSON.stringify({at: `2025-03-14T12:0${minute}:00Z`, server, type: 'level', subject: 'server', from, to, numbers: {server: {used: 96, usable: 97}, pools: []}});
		const {markdown} = renderTimeline([
			JSON.stringify({at: '2025-03-14T12:00:00Z', server: 'primary', type: 'start', target: 'postgres://u:***@p:5432/app', version: '15.20', limits: null}),
			level('primary', 1, 'ok', 'critical'),
			level('replica', 2, 'ok', 'critical'),
			level('primary', 3, 'critical', 'ok'),
		].join('\n'));
		const bullets = markdown.split('\n').filter(isEventBullet);
		assert.deepEqual(bullets.map(line => /UTC:\*\* (\w+): /.exec(line)?.[1]), ['primary', 'primary', 'replica', 'primary']);
		assert.match(bullets[2]!, /replica: Server went from ok to critical \(96\/97 connections\)/);
	});
});
