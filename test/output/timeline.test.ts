import {after, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {renderTimeline} from '../../source/output/timeline.js';
import {openIncidentLog} from '../../source/actions/incident-log.js';
import {levelEvents, logNumbers, logTime} from '../../source/model/log-events.js';
import {baseTimeMs, observation, poolStatus, serverSnapshot} from '../helpers/snapshots.js';

// A recorded log across midnight, as `--log` writes it, with one torn line and one stray line.
const recorded = [
	'{"at":"2025-03-14T23:52:10.123Z","type":"start","target":"postgres://app:***@db.internal:5432/app","version":"16.4","limits":{"maxConnections":100,"superuserReserved":3,"reservedForRole":0,"usable":97}}',
	'{"at":"2025-03-14T23:55:02.000Z","type":"level","subject":"api","from":"warning","to":"critical","numbers":{"server":{"used":13,"usable":97},"pools":[{"name":"api","active":5,"max":5,"waiting":812}]}}',
	'{"at":"2025-03-14T23:55:02.000Z","type":"finding","code":"pool-saturated","level":"critical","subject":"api","message":"Pool api is saturated: 5/5 connections busy, 812 requests waiting (oldest 3.2 s), while the server has 84 free slots. The pool\'s limit is the bottleneck: raise the pool\'s max (the server has room)."}',
	'{"at":"2025-03-14T23:57:40.000Z","type":"flag","note":"bus is full, paging the DB team","numbers":{"server":{"used":13,"usable":97},"pools":[{"name":"api","active":5,"max":5,"waiting":812},{"name":"worker","active":null,"max":null,"waiting":null}]},"findings":[{"code":"pool-saturated","level":"critical","subject":"api"}]}',
	'{"at":"2025-03-14T23:58:00.000Z","type":"endpoint-down","subject":"worker","reason":"connect ECONNREFUSED 10.0.0.8:9090"}',
	'{"at":"2025-03-14T23:59:30.000Z","type":"level","subject":"server","from":"ok","to":"warning","numbers":{"server":{"used":80,"usable":97},"pools":[]}}',
	'{"at":"2025-03-15T00:01:12.000Z","type":"terminate","sessions":[{"pid":101,"user":"worker","application":"leaky-worker","state":"idle","outcome":"done"},{"pid":102,"user":"worker","application":"leaky-worker","state":"idle","outcome":"done"},{"pid":103,"user":"worker","application":"leaky-worker","state":"idle","outcome":"done"},{"pid":104,"user":"worker","application":"leaky-worker","state":"active","outcome":"skipped","reason":"changed"}]}',
	'{"at":"2025-03-15T00:01:40.000Z","type":"cancel","sessions":[{"pid":200,"user":"app","application":"migrate","state":"active","outcome":"failed","reason":"permission denied"}]}',
	'{"at":"2025-03-15T00:02:00.000Z","type":"disconnect","reason":"server closed the connection unexpectedly"}',
	'{"at":"2025-03-15T00:02:15.000Z","type":"reconnect"}',
	'{"at":"2025-03-15T00:03:00.000Z","type":"endpoint-up","subject":"worker"}',
	'{"at":"2025-03-15T00:04:00.000Z","type":"level","subject":"pid 4711","from":"ok","to":"warning","numbers":{"server":{"used":60,"usable":97},"pools":[]}}',
	'{"at":"2025-03-15T00:09:59.000Z","type":"quit"}',
	'{"at":"2025-03-15T00:10:00.000Z","type":"fl',
	'[1,2,3]',
	'',
].join('\n');

describe('renderTimeline', () => {
	it('renders a recorded log, line by line', () => {
		const {markdown, skipped} = renderTimeline(recorded);
		assert.equal(skipped, 2);
		assert.deepEqual(markdown.split('\n'), [
			'# Incident timeline',
			'',
			'Target: postgres://app:***@db.internal:5432/app',
			'',
			'Span: 2025-03-14 23:52 to 2025-03-15 00:09 UTC (17 min)',
			'',
			'## 2025-03-14',
			'',
			'- **23:52 UTC:** Started watching postgres://app:***@db.internal:5432/app (PostgreSQL 16.4, 97 usable of 100 connections)',
			'- **23:55 UTC:** Pool api went from warning to critical (5/5 busy, 812 waiting)',
			"- **23:55 UTC:** Finding (critical): Pool api is saturated: 5/5 connections busy, 812 requests waiting (oldest 3.2 s), while the server has 84 free slots. The pool's limit is the bottleneck: raise the pool's max (the server has room).",
			'- **23:57 UTC:** Flag: "bus is full, paging the DB team" (server 13/97, api 5/5 busy 812 waiting, worker n/a); open findings: pool-saturated (api)',
			'- **23:58 UTC:** Pool worker endpoint down: connect ECONNREFUSED 10.0.0.8:9090',
			'- **23:59 UTC:** Server went from ok to warning (80/97 connections)',
			'',
			'## 2025-03-15',
			'',
			'- **00:01 UTC:** Terminated 3 sessions (pids 101, 102, 103); skipped 1 (changed)',
			'- **00:01 UTC:** Cancelled 0 queries; failed 1 (permission denied)',
			'- **00:02 UTC:** Lost the connection to the server: server closed the connection unexpectedly',
			'- **00:02 UTC:** Reconnected to the server',
			'- **00:03 UTC:** Pool worker endpoint back up',
			'- **00:04 UTC:** pid 4711 went from ok to warning',
			'- **00:09 UTC:** Stopped watching',
			'',
			'_Skipped 2 lines that were not valid log events._',
			'',
		]);
	});

	const small: Array<{name: string; jsonl: string; lines: string[]; skipped: number}> = [
		{
			name: 'an empty log',
			jsonl: '',
			skipped: 0,
			lines: ['# Incident timeline', '', 'Target: unknown (the log has no start event)', '', 'No events.', ''],
		},
		{
			name: 'only garbage, a bad date and an event without a type',
			jsonl: 'not json\n{"at":"yesterday","type":"quit"}\n{"at":"2025-03-14T12:00:00Z"}\n',
			skipped: 3,
			lines: [
				'# Incident timeline',
				'',
				'Target: unknown (the log has no start event)',
				'',
				'No events.',
				'',
				'_Skipped 3 lines that were not valid log events._',
				'',
			],
		},
		{
			name: 'a hand-edited note with a newline and a password, a single terminated session, an unknown type',
			jsonl: [
				'{"at":"2025-03-14T12:00:00Z","type":"flag","note":"tried postgres://u:hunter2@h/db\\nno luck","numbers":{"server":null,"pools":[]},"findings":[]}',
				'{"at":"2025-03-14T12:00:30Z","type":"terminate","sessions":[{"pid":7,"outcome":"done"}]}',
				'{"at":"2025-03-14T14:05:00Z","type":"snapshot"}',
			].join('\n'),
			skipped: 0,
			lines: [
				'# Incident timeline',
				'',
				'Target: unknown (the log has no start event)',
				'',
				'Span: 2025-03-14 12:00 to 14:05 UTC (2 h 5 min)',
				'',
				'## 2025-03-14',
				'',
				'- **12:00 UTC:** Flag: "tried postgres://u:***@h/db no luck" (server disconnected)',
				'- **12:00 UTC:** Terminated 1 session (pid 7)',
				'- **14:05 UTC:** snapshot event',
				'',
			],
		},
		{
			name: 'one unreadable line among events',
			jsonl: '{"at":"2025-03-14T12:00:00Z","type":"quit"}\n{oops',
			skipped: 1,
			lines: [
				'# Incident timeline',
				'',
				'Target: unknown (the log has no start event)',
				'',
				'Span: 2025-03-14 12:00 to 12:00 UTC (under a minute)',
				'',
				'## 2025-03-14',
				'',
				'- **12:00 UTC:** Stopped watching',
				'',
				'_Skipped 1 line that was not a valid log event._',
				'',
			],
		},
	];
	for (const {name, jsonl, lines, skipped} of small) {
		it(name, () => {
			const result = renderTimeline(jsonl);
			assert.deepEqual(result.markdown.split('\n'), lines);
			assert.equal(result.skipped, skipped);
		});
	}
});

describe('a log written by openIncidentLog renders', () => {
	const dir = mkdtempSync(join(tmpdir(), 'lifeguard-timeline-'));
	after(() => rmSync(dir, {recursive: true, force: true}));

	it('round-trips start, level and quit', () => {
		const path = join(dir, 'incident.jsonl');
		const log = openIncidentLog(path);
		const server = serverSnapshot();
		log.write({at: logTime(baseTimeMs), type: 'start', target: 'postgres://app:hunter2@db/app', version: server.version, limits: null});
		const latest = observation({
			atMs: baseTimeMs + 5 * 60_000,
			server,
			pools: [poolStatus({metrics: {active: 5, max: 5, waiting: 812}})],
		});
		for (const event of levelEvents([{subject: 'api', from: 'warning', to: 'critical'}], latest)) {
			log.write(event);
		}

		log.write({at: logTime(baseTimeMs + 7 * 60_000), type: 'flag', note: 'paging', numbers: logNumbers(server, latest.pools), findings: []});
		log.close();
		assert.deepEqual(renderTimeline(readFileSync(path, 'utf8')).markdown.split('\n').slice(2, -1), [
			'Target: postgres://app:***@db/app',
			'',
			'Span: 2025-03-14 12:00 to 12:07 UTC (7 min)',
			'',
			'## 2025-03-14',
			'',
			'- **12:00 UTC:** Started watching postgres://app:***@db/app (PostgreSQL 16.4)',
			'- **12:05 UTC:** Pool api went from warning to critical (5/5 busy, 812 waiting)',
			'- **12:07 UTC:** Flag: "paging" (server 13/97, api 5/5 busy 812 waiting)',
		]);
	});
});
