import {after, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {maskStrings, openIncidentLog} from '../../source/actions/incident-log.js';
import {levelEvents, logNumbers, logTime, startLimits, type LogEvent} from '../../source/judge/log-events.js';
import {pictureOf} from '../../source/judge/picture.js';
import {poolSubject, serverSubject, type Subject, subjectKey} from '../../source/judge/subject.js';
import {pollUntil} from '../helpers/postgres.js';
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
			message: `Cannot open the incident log ${dir} for append: it is a directory, not a regular file`,
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

	it('reports a failed write without throwing', () => {
		// A file size limit of 0 blocks (Node ignores SIGXFSZ): every write fails with EFBIG.
		const path = join(dir, 'too-large.jsonl');
		const program = `import {openIncidentLog} from ${JSON.stringify(new URL('../../source/actions/incident-log.ts', import.meta.url).href)};
			const log = openIncidentLog(${JSON.stringify(path)});
			process.stdout.write(JSON.stringify(log.write({at: ${JSON.stringify(at)}, type: 'quit'})));
			log.close();`;
		const child = spawnSync('sh', ['-c', 'ulimit -f 0 && exec "$0" --import tsx --input-type=module -e "$1"', process.execPath, program], {encoding: 'utf8', timeout: 30_000});
		assert.equal(child.status, 0, child.stderr);
		assert.deepEqual(JSON.parse(child.stdout) as unknown, {ok: false, error: `Cannot write to the incident log ${path}: file too large`});
	});

	it('writes a due fold line on its own, with nothing else coming; close writes the pending ones', async () => {
		const path = join(dir, 'folded.jsonl');
		const limits = {burstBytes: 256 * 1024, bytesPerMinute: 720 * 1024, flapWindowMs: 120_000, flapWritten: 1, foldSpanMs: 50};
		let nowMs = baseTimeMs;
		const log = openIncidentLog(path, {foldLimits: limits, now: () => nowMs});
		for (const [index, type] of (['disconnect', 'reconnect', 'disconnect'] as const).entries()) {
			const event: LogEvent = type === 'disconnect' ? {at: logTime(baseTimeMs + index), type, reason: 'gone'} : {at: logTime(baseTimeMs + index), type};
			log.write(event);
		}

		assert.deepEqual(readLines(path), [{at, type: 'disconnect', reason: 'gone'}]);
		nowMs = baseTimeMs + 60;
		await pollUntil(() => readLines(path).length === 2, {timeoutMs: 2000, what: 'the fold line'});
		assert.deepEqual(readLines(path)[1], {at: logTime(nowMs), type: 'fold', reason: 'flapping', subject: 'connection', count: 2, from: logTime(baseTimeMs + 1), to: logTime(baseTimeMs + 2), last: 'disconnected'});
		log.write({at: logTime(baseTimeMs + 61), type: 'reconnect'});
		log.close();
		// At close, at the time of the last event: the log's own clock.
		assert.deepEqual(readLines(path).at(-1), {at: logTime(baseTimeMs + 61), type: 'fold', reason: 'flapping', subject: 'connection', count: 1, from: logTime(baseTimeMs + 61), to: logTime(baseTimeMs + 61), last: 'connected'});
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
	it('levelEvents: a line carries its own subject\'s numbers only, however many pools there are', () => {
		const pools = Array.from({length: 200}, (_, index) => poolStatus({name: `api/pool-${index}`, metrics: {active: 10, max: 10, waiting: index}}));
		const picture = pictureOf(observation({atMs: baseTimeMs, pools}), defaultThresholds);
		const change = (subject: Subject) => ({subject, from: 'ok' as const, to: 'warning' as const, atMs: baseTimeMs, finding: null});
		const [pool, server, pid, gone] = levelEvents([change(poolSubject('api/pool-7')), change(serverSubject), change({kind: 'pid', pid: 42}), change(poolSubject('api/pool-999'))], picture);
		assert.deepEqual(pool?.type === 'level' && pool.numbers, {pools: [{name: 'api/pool-7', active: 10, max: 10, waiting: 7, waitsPerSecond: null, timeoutsPerMinute: null}]});
		assert.deepEqual(server?.type === 'level' && server.numbers, {server: {used: 13, usable: 97}});
		assert.deepEqual(pid?.type === 'level' && pid.numbers, {});
		assert.deepEqual(gone?.type === 'level' && gone.numbers, {pools: []});
		for (const event of [pool, server, pid, gone]) {
			assert.ok(JSON.stringify(event).length < 400, JSON.stringify(event));
		}
	});

	it('levelEvents: one event per change, with its finding and its own pool\'s numbers of its frame', () => {
		const history = [observation({
			atMs: baseTimeMs + 65_000,
			server: null,
			pools: [poolStatus({metrics: {active: 5, max: 5, waiting: 812}}), poolStatus({name: 'worker', metrics: null})],
		})];
		const picture = pictureOf(history[0]!, defaultThresholds);
		const finding = picture.findings.find(candidate => subjectKey(candidate.subject) === 'pool api')!;
		assert.deepEqual(levelEvents([{subject: poolSubject('api'), from: 'warning', to: 'critical', atMs: baseTimeMs + 65_000, finding}], picture), [
			{
				at: '2025-03-14T12:01:05.000Z',
				type: 'level',
				subject: {kind: 'pool', name: 'api'},
				from: 'warning',
				to: 'critical',
				code: 'pool-saturated',
				message: finding.message,
				numbers: {pools: [{name: 'api', active: 5, max: 5, waiting: 812, waitsPerSecond: null, timeoutsPerMinute: null}]},
			},
		]);
	});
});
