import {after, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {maskStrings, openIncidentLog} from '../../source/actions/incident-log.js';
import {levelEvents, logNumbers, logTime, startLimits, type LogEvent} from '../../source/model/log-events.js';
import {pictureOf} from '../../source/model/picture.js';
import {baseTimeMs, defaultThresholds, observation, poolStatus, serverSnapshot} from '../helpers/snapshots.js';

const dir = mkdtempSync(join(tmpdir(), 'lifeguard-log-'));
after(() => rmSync(dir, {recursive: true, force: true}));

const leaky = 'postgres://u:hunter2@h/db';
const at = logTime(baseTimeMs);

function readLines(path: string): unknown[] {
	const text = readFileSync(path, 'utf8');
	assert.ok(text.endsWith('\n'), 'every event ends its line');
	return text
		.slice(0, -1)
		.split('\n')
		.map(line => JSON.parse(line) as unknown);
}

describe('openIncidentLog', () => {
	it('appends one JSON line per event, at once, with no password anywhere', () => {
		const path = join(dir, 'incident.jsonl');
		const log = openIncidentLog(path);
		const events: LogEvent[] = [
			{at, type: 'start', target: leaky, version: '16.4', limits: startLimits(serverSnapshot())},
			{at, type: 'flag', note: `copied ${leaky} into the chat`, numbers: logNumbers(pictureOf(observation({pools: [poolStatus()]}), defaultThresholds)), findings: []},
			{at, type: 'disconnect', reason: `connection to ${leaky}?password=hunter2 refused`},
			{
				at,
				type: 'terminate',
				sessions: [{pid: 101, user: 'u', application: `psql ${leaky}`, state: 'idle', outcome: 'done'}],
			},
			{at, type: 'level', subject: 'pool api', pool: 'api', from: 'ok', to: 'warning', code: 'pool-endpoint-down', message: `down: ${leaky}`, numbers: {server: null, pools: []}},
		];
		for (const event of events) {
			assert.deepEqual(log.write(event), {ok: true});
			// Written at once: visible before close.
			assert.equal(readLines(path).length, events.indexOf(event) + 1);
		}

		log.close();
		const text = readFileSync(path, 'utf8');
		assert.equal(text.includes('hunter2'), false);
		assert.deepEqual(readLines(path), [
			{
				at: '2025-03-14T12:00:00.000Z',
				type: 'start',
				target: 'postgres://u:***@h/db',
				version: '16.4',
				limits: {maxConnections: 100, superuserReserved: 3, reservedForRole: 0, usable: 97},
			},
			{
				at: '2025-03-14T12:00:00.000Z',
				type: 'flag',
				note: 'copied postgres://u:***@h/db into the chat',
				numbers: {server: {used: 13, usable: 97}, pools: [{name: 'api', active: 2, max: 10, waiting: 0, waitsPerSecond: null, timeoutsPerMinute: null}]},
				findings: [],
			},
			{at: '2025-03-14T12:00:00.000Z', type: 'disconnect', reason: 'connection to postgres://u:***@h/db?password=*** refused'},
			{
				at: '2025-03-14T12:00:00.000Z',
				type: 'terminate',
				sessions: [{pid: 101, user: 'u', application: 'psql postgres://u:***@h/db', state: 'idle', outcome: 'done'}],
			},
			{
				at: '2025-03-14T12:00:00.000Z',
				type: 'level',
				subject: 'pool api',
				pool: 'api',
				from: 'ok',
				to: 'warning',
				code: 'pool-endpoint-down',
				message: 'down: postgres://u:***@h/db',
				numbers: {server: null, pools: []},
			},
		]);
	});

	it('masks a known secret even without a URL around it', () => {
		const path = join(dir, 'secret.jsonl');
		const log = openIncidentLog(path, {secrets: ['s3cr3t-pw']});
		log.write({at, type: 'disconnect', reason: 'password authentication failed: s3cr3t-pw'});
		log.close();
		assert.deepEqual(readLines(path), [{at, type: 'disconnect', reason: 'password authentication failed: ***'}]);
	});

	it('appends to an existing log instead of truncating it', () => {
		const path = join(dir, 'append.jsonl');
		for (const type of ['reconnect', 'quit'] as const) {
			const log = openIncidentLog(path);
			log.write({at, type});
			log.close();
		}

		assert.deepEqual(readLines(path), [
			{at, type: 'reconnect'},
			{at, type: 'quit'},
		]);
	});

	const unopenable: Array<{name: string; path: string; message: string}> = [
		{
			name: 'a missing directory',
			path: join(dir, 'no-such-dir', 'x.jsonl'),
			message: `Cannot open the incident log ${join(dir, 'no-such-dir', 'x.jsonl')} for append: no such file or directory`,
		},
		{
			name: 'a directory',
			path: dir,
			message: `Cannot open the incident log ${dir} for append: illegal operation on a directory`,
		},
	];
	for (const {name, path, message} of unopenable) {
		it(`throws one line for ${name}`, () => {
			assert.throws(() => openIncidentLog(path), (error: unknown) => {
				assert.ok(error instanceof Error);
				assert.equal(error.message, message);
				assert.equal(error.message.includes('\n'), false);
				return true;
			});
		});
	}

	it('reports a failed write without throwing', {skip: !existsSync('/dev/full') && 'needs /dev/full'}, () => {
		const log = openIncidentLog('/dev/full');
		assert.deepEqual(log.write({at, type: 'quit'}), {
			ok: false,
			error: 'Cannot write to the incident log /dev/full: no space left on device',
		});
		log.close();
	});

	it('refuses writes after close, and closes twice quietly', () => {
		const log = openIncidentLog(join(dir, 'closed.jsonl'));
		log.close();
		log.close();
		assert.deepEqual(log.write({at, type: 'quit'}), {ok: false, error: 'the incident log is closed'});
	});
});

describe('maskStrings', () => {
	it('masks nested strings and keys, keeps other values', () => {
		assert.deepEqual(maskStrings({a: [leaky, 3, null, true], [leaky]: {b: leaky}}), {
			a: ['postgres://u:***@h/db', 3, null, true],
			'postgres://u:***@h/db': {b: 'postgres://u:***@h/db'},
		});
	});
});

describe('log event helpers', () => {
	it('levelEvents: one event per change, with its finding and the numbers of its frame; null server while disconnected', () => {
		const history = [observation({
			atMs: baseTimeMs + 65_000,
			server: null,
			pools: [poolStatus({metrics: {active: 5, max: 5, waiting: 812}}), poolStatus({name: 'worker', metrics: null})],
		})];
		const picture = pictureOf(history[0]!, defaultThresholds);
		const finding = picture.findings.find(candidate => candidate.subject === 'api')!;
		assert.deepEqual(levelEvents([{subject: 'pool api', from: 'warning', to: 'critical', atMs: baseTimeMs + 65_000, finding}], picture), [
			{
				at: '2025-03-14T12:01:05.000Z',
				type: 'level',
				subject: 'pool api',
				pool: 'api',
				from: 'warning',
				to: 'critical',
				code: 'pool-saturated',
				message: finding.message,
				numbers: {
					server: null,
					pools: [
						{name: 'api', active: 5, max: 5, waiting: 812, waitsPerSecond: null, timeoutsPerMinute: null},
						{name: 'worker', active: null, max: null, waiting: null, waitsPerSecond: null, timeoutsPerMinute: null},
					],
				},
			},
		]);
	});
});
