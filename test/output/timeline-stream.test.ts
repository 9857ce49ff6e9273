// `lifeguard timeline` reads the log as a byte stream (issue 10: a 200 MB log once took 1.2 GB). The
// streamed output is exactly the in-memory timeline, however the bytes are cut into chunks (a UTF-8
// character split between two), and a line longer than the reader holds is skipped and counted.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {LogEvent} from '../../source/judge/log-events.js';
import {streamTimeline} from '../../source/output/timeline-stream.js';
import {renderTimeline} from '../../source/output/timeline.js';
import {HOSTILE} from '../helpers/hostile.js';

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
	for (let start = 0; start < bytes.length; start += size) {
		yield bytes.subarray(start, start + size);
	}
}

async function streamed(text: string, size: number, options: {maxLineBytes?: number} = {}): Promise<{output: string; writes: number}> {
	let output = '';
	let writes = 0;
	await streamTimeline(() => chunks(Buffer.from(text, 'utf8'), size), async piece => {
		output += piece;
		writes++;
	}, options);
	return {output, writes};
}

const at = (minute: number) => new Date(Date.UTC(2025, 2, 14, 23, 50) + minute * 60_000).toISOString();
const numbers = {server: {used: 90, usable: 97}, pools: [{name: 'api', active: 5, max: 5, waiting: 12, waitsPerSecond: null, timeoutsPerMinute: 1.5}]};

/** Events of every type, hostile strings in each text field, a flapping run across midnight. */
function log(): string {
	const events: LogEvent[] = [{at: at(0), type: 'start', target: 'postgres://app:***@db/app', version: '16.4', limits: {maxConnections: 100, superuserReserved: 3, reservedForRole: 0, usable: 97}}];
	for (const [index, {text}] of HOSTILE.entries()) {
		events.push(
			{at: at(index), type: 'level', subject: `pool ${text}`, pool: text, from: 'ok', to: 'critical', code: 'pool-saturated', message: `${text} is saturated`, numbers},
			{at: at(index), type: 'flag', note: text, numbers, findings: [{code: 'pool-saturated', level: 'critical', subject: text}]},
			{at: at(index), type: 'terminate', sessions: [{pid: index, user: text, application: text, state: 'idle', outcome: 'skipped', reason: text}]},
			{at: at(index), type: 'endpoint-down', subject: text, reason: text},
		);
	}

	for (let change = 0; change < 40; change++) {
		events.push({at: at(5 + change / 2), type: 'level', subject: 'server', from: change % 2 ? 'critical' : 'warning', to: change % 2 ? 'warning' : 'critical', numbers});
	}

	events.push({at: at(30), type: 'disconnect', reason: 'gone'}, {at: at(31), type: 'reconnect'}, {at: at(32), type: 'quit'});
	return events.map(event => JSON.stringify(event)).join('\n');
}

describe('streamTimeline is the in-memory timeline, streamed', () => {
	const text = log();
	const cases = [
		{name: 'the log as written', text: `${text}\n`},
		{name: 'no LF after the last line', text},
		{name: 'CRLF line ends, blank lines, garbage and a line cut short', text: `${text.replaceAll('\n', '\r\n')}\r\n\r\nnot json\n{"at":"2025-03-15T00:00:00Z","type":"fl`},
		{name: 'an empty log', text: ''},
	];
	for (const {name, text: input} of cases) {
		for (const size of [1, 7, 4096, 1 << 20]) {
			it(`${name}, in chunks of ${size} bytes`, async () => {
				const {output} = await streamed(input, size);
				assert.equal(output, `${renderTimeline(input).markdown}\n`);
			});
		}
	}

	it('a UTF-8 character split between chunks is read whole', async () => {
		const {output} = await streamed(`${text}\n`, 3);
		assert.match(output, /数据库连接池监控/);
		assert.doesNotMatch(output, /\uFFFD/);
	});

	it('a line longer than the reader holds is skipped and counted, the lines around it read', async () => {
		const long = JSON.stringify({at: at(40), type: 'flag', note: 'x'.repeat(5000), numbers, findings: []});
		const input = [JSON.stringify({at: at(0), type: 'reconnect'}), long, JSON.stringify({at: at(41), type: 'quit'})].join('\n');
		const {output} = await streamed(input, 64, {maxLineBytes: 1000});
		assert.equal(output, `${renderTimeline(input.replace(long, 'too long')).markdown}\n`);
		assert.match(output, /Reconnected[\s\S]*Stopped watching[\s\S]*_Skipped 1 line that was not a valid log event\._/);
		const whole = await streamed(input, 64, {maxLineBytes: 10_000});
		assert.match(whole.output, /Flag: "x{5000}"/, 'under the limit, the same line is read');
	});

	it('output is written in pieces, not one write per line', async () => {
		const many = Array.from({length: 5000}, (_, index) => JSON.stringify({at: at(index), type: index % 2 ? 'reconnect' : 'disconnect', reason: 'r'})).join('\n');
		const {output, writes} = await streamed(many, 65_536);
		const lines = output.split('\n').length;
		assert.ok(lines > 5000, `${lines} lines`);
		assert.ok(writes <= 10, `${writes} writes for ${lines} lines`);
	});
});
