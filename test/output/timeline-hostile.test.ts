// Issue 19: a log file is text someone else wrote. A line that breaks the log's contract is skipped
// and counted, never fatal and never printed; every string that is printed reaches neither the
// terminal as a control nor a wiki as HTML, a link or emphasis (rendered here with a real Markdown
// renderer that passes raw HTML through, as many wikis do).
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {marked} from 'marked';
import {renderTimeline} from '../../source/output/timeline.js';
import {assertInertMarkdown, INVISIBLE, INVISIBLE_CHARACTERS, MARKDOWN_HOSTILE, TERMINAL_CONTROL} from '../helpers/hostile.js';

const at = (second: number) => `2025-03-14T12:00:${String(second).padStart(2, '0')}.000Z`;
const numbers = {server: {used: 5, usable: 97}, pools: [{name: 'api', active: 1, max: 5, waiting: 0, waitsPerSecond: null, timeoutsPerMinute: null}]};
const line = (event: Record<string, unknown>) => JSON.stringify(event);
/** The timeline's bullets, not the summary's. */
const bullets = (markdown: string) => markdown.split('\n').filter(text => /^- \*\*\d{2}:\d{2}:\d{2} UTC:\*\*/.test(text));
const skipped = (markdown: string) => Number(/_Skipped (\d+) lines? that (?:was|were) not/.exec(markdown)?.[1] ?? 0);

describe('a log line that breaks the contract is skipped and counted', () => {
	it('four level lines whose `to` is an escape sequence: nothing of it printed, the flapping run not folded from them', () => {
		const to = 'critical\u001B]0;TOPWN\u0007\u001B[2J\u202E\u009B31m';
		const lines = [0, 1, 2, 3].map(second => line({at: at(second), type: 'level', subject: 'server', from: 'ok', to, numbers}));
		const {markdown} = renderTimeline([line({at: at(0), type: 'start', target: 'postgres://u:***@h/db', version: '16.4', limits: null}), ...lines].join('\n'));
		assert.doesNotMatch(markdown.replaceAll('\n', ''), TERMINAL_CONTROL);
		assert.doesNotMatch(markdown, /TOPWN|flapped/);
		assert.equal(skipped(markdown), 4);
		assert.equal(bullets(markdown).length, 1);
	});

	it('a pid that is an object: skipped, the timeline goes on', () => {
		const {markdown} = renderTimeline([
			'{"at":"2025-03-14T12:00:00Z","type":"terminate","sessions":[{"pid":{"toString":1},"outcome":"done"}]}',
			line({at: at(1), type: 'terminate', sessions: [{pid: 7, outcome: 'done'}]}),
		].join('\n'));
		assert.equal(skipped(markdown), 1);
		assert.deepEqual(bullets(markdown), ['- **12:00:01 UTC:** Terminated 1 session: pid 7']);
	});

	it('a year past 9999: skipped, every heading a date', () => {
		const {markdown} = renderTimeline([
			line({at: '+275760-09-13T00:00:00.000Z', type: 'quit'}),
			line({at: '275760-09-13T00:00:00Z', type: 'quit'}),
			line({at: at(5), type: 'quit'}),
		].join('\n'));
		assert.equal(skipped(markdown), 2);
		const headings = markdown.split('\n').filter(text => text.startsWith('## ') && text !== '## Summary');
		assert.deepEqual(headings, ['## 2025-03-14']);
		assert.match(markdown, /^Span: 2025-03-14 12:00:05 to 12:00:05 UTC \(under a second\)$/m);
	});

	const broken: Array<[string, Record<string, unknown> | string]> = [
		['a level that is no level', {at: at(0), type: 'level', subject: 'server', from: 'ok', to: 'bogus', numbers}],
		['a level that is a number', {at: at(0), type: 'level', subject: 'server', from: 1, to: 'critical', numbers}],
		['a subject that is an object', {at: at(0), type: 'level', subject: {}, from: 'ok', to: 'critical', numbers}],
		['a pid that is a string', {at: at(0), type: 'terminate', sessions: [{pid: '7', outcome: 'done'}]}],
		['a pid that is a fraction', {at: at(0), type: 'cancel', sessions: [{pid: 7.5, outcome: 'done'}]}],
		['a pid that is negative', {at: at(0), type: 'terminate', sessions: [{pid: -1, outcome: 'done'}]}],
		['an outcome nobody writes', {at: at(0), type: 'terminate', sessions: [{pid: 7, outcome: 'maybe'}]}],
		['sessions that are no list', {at: at(0), type: 'terminate', sessions: {pid: 7}}],
		['a reason that is a number', {at: at(0), type: 'disconnect', reason: 42}],
		['a count that is infinite (1e999)', '{"at":"2025-03-14T12:00:00Z","type":"level","subject":"server","from":"ok","to":"critical","numbers":{"server":{"used":1e999,"usable":97},"pools":[]}}'],
		['a pool count that is a string', {at: at(0), type: 'level', subject: 'pool api', pool: 'api', from: 'ok', to: 'critical', numbers: {server: null, pools: [{name: 'api', active: '5'}]}}],
		['a flag finding at level ok', {at: at(0), type: 'flag', note: 'x', numbers, findings: [{code: 'pool-saturated', level: 'ok', subject: 'api'}]}],
		['a note that is an array', {at: at(0), type: 'flag', note: ['x'], numbers, findings: []}],
		['limits that are a string', {at: at(0), type: 'start', target: 'x', version: null, limits: 'many'}],
		['a server name that is a number', {at: at(0), server: 1, type: 'quit'}],
		['a time without a zone', {at: '2025-03-14T12:00:00', type: 'quit'}],
		['a date without a time', {at: '2025-03-14', type: 'quit'}],
		['a time of day that does not exist', {at: '2025-03-14T25:00:00Z', type: 'quit'}],
		['a type from the prototype', {at: at(0), type: 'toString'}],
		['a course whose time is no time', {at: at(0), type: 'level', subject: 'server', from: 'critical', to: 'ok', numbers, course: {what: 'connections', from: 1, fromAt: 'then', peak: 9, peakAt: at(0)}}],
	];
	for (const [name, event] of broken) {
		it(name, () => {
			const {markdown} = renderTimeline([typeof event === 'string' ? event : line(event), line({at: at(9), type: 'quit'})].join('\n'));
			assert.equal(skipped(markdown), 1, markdown);
			assert.deepEqual(bullets(markdown), ['- **12:00:09 UTC:** Stopped watching']);
		});
	}

	it('what older or hand-edited logs leave out, where the timeline has words for it, is not a break', () => {
		const {markdown} = renderTimeline([
			line({at: '2025-03-14T12:00:00+01:00', type: 'start', target: 'postgres://h/db'}),
			line({at: at(1), type: 'level', subject: 'server', from: 'ok', to: 'warning'}),
			line({at: at(2), type: 'terminate', sessions: [{pid: 7, outcome: 'done'}]}),
			line({at: at(3), type: 'disconnect'}),
			line({at: '2025-03-14T12:00Z', type: 'reconnect'}),
		].join('\n'));
		assert.equal(skipped(markdown), 0, markdown);
		assert.equal(bullets(markdown).length, 5);
	});
});

describe('every printed string of a log is safe for the terminal and inert in Markdown', () => {
	/** One line of each type, every string field holding `text`. */
	function everyField(text: string, second = 0): string[] {
		return [
			line({at: at(second), server: text, type: 'start', target: `postgres://u:***@h/${text}`, version: text, limits: {maxConnections: 100, superuserReserved: 3, reservedForRole: 0, usable: 97}}),
			line({at: at(second), server: text, type: 'level', subject: `pool ${text}`, pool: text, from: 'ok', to: 'critical', code: 'pool-saturated', message: text, numbers: {server: null, pools: [{name: text, active: 5, max: 5, waiting: 3}]}}),
			line({at: at(second), server: text, type: 'level', subject: `pid ${text}`, from: 'critical', to: 'ok', numbers: {server: null, pools: []}, course: {what: text, from: 1, fromAt: at(0), peak: 9, peakAt: at(0)}}),
			line({at: at(second), server: text, type: 'flag', note: text, numbers: {server: null, servers: [{name: text, used: 1, usable: 2}], pools: [{name: text, active: 1}]}, findings: [{code: text, level: 'warning', subject: text}]}),
			line({at: at(second), server: text, type: 'terminate', sessions: [{pid: 7, user: text, application: text, state: text, outcome: 'failed', reason: text}]}),
			line({at: at(second), server: text, type: 'cancel', sessions: [{pid: 8, outcome: 'skipped', reason: text}]}),
			line({at: at(second), server: text, type: 'change', subject: `pool ${text}`, what: text, from: 5, to: 25}),
			line({at: at(second), server: text, type: 'disconnect', reason: text}),
			line({at: at(second), server: text, type: 'endpoint-down', subject: text, reason: text}),
			line({at: at(second), server: text, type: 'endpoint-up', subject: text}),
		];
	}

	it('every control, invisible and disputed-width character, in every field: none printed, one bullet per line', () => {
		const controls = Array.from({length: 0x20}, (_, code) => String.fromCharCode(code)).concat(Array.from({length: 0x21}, (_, index) => String.fromCharCode(0x7F + index)));
		const all = [...controls, ...INVISIBLE_CHARACTERS];
		const chunks: string[] = [];
		for (let index = 0; index < all.length; index += 200) {
			chunks.push(all.slice(index, index + 200).join(''));
		}

		// Lines of different subjects, far enough apart that none folds into a flapping run.
		const log = chunks.flatMap((chunk, index) => everyField(`r${index}${chunk}`, index % 60));
		const {markdown} = renderTimeline(log.join('\n'));
		assert.equal(skipped(markdown), 0);
		assert.doesNotMatch(markdown.replaceAll('\n', ''), TERMINAL_CONTROL);
		assert.doesNotMatch(markdown, INVISIBLE);
		assert.ok(bullets(markdown).length >= log.length - 1, `${bullets(markdown).length} bullets for ${log.length} lines`);
		assert.match(markdown, /\\\\u3164/, 'the attempt stays visible');
	});

	for (const text of MARKDOWN_HOSTILE) {
		it(`${text}: rendered as text, no element, link or emphasis`, async () => {
			const {markdown} = renderTimeline(everyField(text).join('\n'));
			assertInertMarkdown(await marked.parse(markdown, {gfm: true}), text);
		});
	}
});
