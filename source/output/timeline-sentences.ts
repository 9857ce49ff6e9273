// What each event of the incident log says in the timeline: one Markdown sentence, and the words of
// its subject and its numbers. Every string of the log is text somebody else wrote: it is masked,
// made safe for a terminal and escaped for Markdown (text/markdown.ts) before it is printed.
import {maskText} from '../connection/mask.js';
import {type LoggedSubject, loggedSubjectKey, type LogEvent, logTimeMs} from '../judge/log-events.js';
import {instancesText, reconnectedText} from '../judge/recent-changes.js';
import {type Subject, subjectLabel, subjectTitle} from '../judge/subject.js';
import {markdownCode, markdownText} from '../text/markdown.js';
import {safeQueryText} from '../text/sanitize.js';
import {clockTime, plural, settingDuration} from '../text/words.js';

/** A line of the log that keeps its contract, with its time. */
export type Event = LogEvent & {atMs: number};
export type ChangeEvent = Extract<Event, {type: 'change'}>;
/** A level line, with when its subject last left ok when the timeline saw it (for "cleared after"). */
export type LevelEvent = Extract<Event, {type: 'level'}> & {sinceMs?: number};
/** What names a subject and its numbers: a level line, or a fold line of one. */
type AboutSubject = {subject: LoggedSubject; pool?: string; numbers?: unknown};

export function describe(event: Event): string {
	switch (event.type) {
		case 'start': {
			return `Started watching ${typeof event.target === 'string' ? markdownCode(logLine(event.target)) : 'the server'}${startDetails(event)}`;
		}

		case 'level': {
			const numbers = levelNumbers(event);
			if (event.to === 'ok') {
				return `${subjectName(event)} cleared (${text(event.from, '?')} to ok)${clearedAfter(event)}${numbers ? `, ${numbers}` : ''}${courseText(event.course)}`;
			}

			const why = typeof event.message === 'string' ? `: ${text(event.message, '')}` : '';
			return `${subjectName(event)} went from ${text(event.from, '?')} to ${text(event.to, '?')}${numbers ? ` (${numbers})` : ''}${why}`;
		}

		case 'flag': {
			return `Flag: "${text(event.note, '')}" (${flagNumbers(event.numbers)})${flagFindings(event.findings)}`;
		}

		case 'terminate':
		case 'cancel': {
			return signalled(event.type, event.sessions);
		}

		case 'change': {
			return changeSentence(event);
		}

		case 'history': {
			return priorSentence(event);
		}

		case 'disconnect': {
			return `Lost the connection to the server: ${text(event.reason, 'no reason given')}`;
		}

		case 'reconnect': {
			return 'Reconnected to the server';
		}

		case 'endpoint-down': {
			return `Pool endpoint ${text(event.subject, '?')} down: ${text(event.reason, 'no reason given')}`;
		}

		case 'endpoint-up': {
			return `Pool endpoint ${text(event.subject, '?')} back up`;
		}

		case 'quit': {
			return `Stopped watching${stillOpen(event.findings)}`;
		}

		case 'fold': {
			return folded(event);
		}
	}
}

/**
 * "Server configuration reloaded at 18:20:03 UTC (settings pending a restart: shared_buffers)", with the
 * server's own load time; "Server restarted at 18:21:40 UTC (up since 17:02:11)"; "Pool api max 20 → 5".
 */
function changeSentence(event: ChangeEvent): string {
	switch (event.what) {
		case 'reload': {
			const names = event.pendingRestart;
			const pending = names === undefined ? '' : (names.length === 0 ? ' (no setting pending a restart)' : ` (${pendingRestartText(names)})`);
			return `${subjectName(event)} configuration reloaded at ${clockTime(logTimeMs(event.loadedAt) ?? event.atMs)} UTC${pending}`;
		}

		case 'restart': {
			const fromMs = logTimeMs(event.from);
			return `${subjectName(event)} restarted at ${clockTime(logTimeMs(event.to) ?? event.atMs)} UTC${fromMs === null ? '' : ` (previous start ${clockTime(fromMs)})`}`;
		}

		case 'reconnected': {
			return reconnectedSentence(event);
		}

		case 'instances': {
			const safe = (names: unknown) => (Array.isArray(names) ? names.map(name => text(name, '?')) : []);
			return `${subjectName(event)}: ${instancesText({...event, joined: safe(event.joined), left: safe(event.left)})}`;
		}

		default: {
			// `max`, or a setting named by a later version or a hand edit (the log's words, made safe).
			const {from, to} = event as unknown as {from: unknown; to: unknown};
			return `${subjectName(event)} ${text(event.what, '?')} ${String(from)} → ${String(to)}`;
		}
	}
}

/**
 * "Before lifeguard started (from Prometheus): pool checkout queueing since 13:58:40 UTC, peak 150
 * waiting at 14:01:10; pool checkout max 20 → 5 at 13:58:10": each pool's queue, then each change.
 */
function priorSentence(event: Extract<Event, {type: 'history'}>): string {
	const at = (value: string) => `${clockTime(logTimeMs(value) ?? event.atMs)}`;
	const queues = event.pools.map(pool => {
		const peak = `peak ${pool.peakWaiting.value} waiting at ${at(pool.peakWaiting.at)}`;
		return pool.queueSince === null
			? `pool ${text(pool.name, '?')} queued and drained (${peak})`
			: `pool ${text(pool.name, '?')} queueing since ${at(pool.queueSince)}, ${peak}`;
	});
	const changes = event.changes.map(change => `${changeSentence({...change, atMs: logTimeMs(change.at) ?? event.atMs}).replace(/^Pool/, 'pool')} at ${at(change.at)}`);
	const told = [...queues, ...changes];
	return `Before lifeguard started (from ${text(event.source, '?')}, since ${at(event.from)} UTC): ${told.length > 0 ? told.join('; ') : 'no queue and no change'}`;
}

/** "Application billing-api reconnected: 18 of 20 connections replaced within 3 s (a restart or deploy?), the first new one at 12:00:01 UTC". */
function reconnectedSentence(event: Extract<ChangeEvent, {what: 'reconnected'}>): string {
	const who = event.application === '' ? `Connections from ${text(event.client, 'a local socket')} (no application name)` : `Application ${text(event.application, '?')}`;
	const first = logTimeMs(event.firstStartedAt);
	return `${who} reconnected: ${reconnectedText(event)} (a restart or deploy?)${first === null ? '' : `, the first new one at ${clockTime(first)} UTC`}`;
}

/** A fold line of the log: a subject that flapped, or changes over the log's budget, counted. */
function folded(event: Extract<Event, {type: 'fold'}>): string {
	const from = Date.parse(String(event.from));
	const to = Date.parse(String(event.to));
	const span = Number.isNaN(from) || Number.isNaN(to) ? '' : ` from ${clockTime(from)} to ${clockTime(to)} UTC`;
	const count = typeof event.count === 'number' ? event.count : '?';
	if (event.reason === 'flapping') {
		if (event.subject === undefined) {
			return `Something changed ${count} more times${span}, folded in the log; last ${text(event.last, '?')}`;
		}

		const about = {subject: event.subject, ...(event.pool === undefined ? {} : {pool: event.pool}), numbers: event.numbers};
		const name = typeof event.subject === 'object' || event.pool !== undefined || event.subject === 'server' ? subjectName(about) : text(event.subject, 'something');
		const numbers = levelNumbers(about);
		const ended = Number.isNaN(to) ? '' : ` at ${clockTime(to)}`;
		if (count === 1 && from === to) {
			return `${name} changed once more${ended} UTC (folded in the log): ${text(event.last, '?')}${numbers ? ` (${numbers})` : ''}`;
		}

		return `${name} changed ${count} more ${count === 1 ? 'time' : 'times'}${span} (folded in the log); ended ${text(event.last, '?')}${ended}${numbers ? ` (${numbers})` : ''}`;
	}

	const examples = Array.isArray(event.examples) ? event.examples.map(example => text(example, '?')).join(', ') : '';
	const subjects = `${event.subjectsCapped === true ? 'at least ' : ''}${typeof event.subjects === 'number' ? event.subjects : '?'}`;
	return `The log was over its budget: ${count} changes of ${subjects} subjects${span} counted, not written${examples ? ` (e.g. ${examples})` : ''}`;
}

/** "; peak 812 waiting at 14:04:10 (from 12 at 14:02:00)" on the line where it cleared. */
function courseText(course: unknown): string {
	const record = asRecord(course);
	if (!record || typeof record['from'] !== 'number' || typeof record['peak'] !== 'number') {
		return '';
	}

	const fromMs = logTimeMs(record['fromAt']);
	const peakMs = logTimeMs(record['peakAt']);
	if (fromMs === null || peakMs === null) {
		return '';
	}

	const what = text(record['what'], '');
	const from = record['peak'] > record['from'] ? ` (from ${record['from']} at ${clockTime(fromMs)})` : '';
	return `; peak ${record['peak']}${what ? ` ${what}` : ''} at ${clockTime(peakMs)}${from}`;
}

/** " after 4 min 12 s": since the subject left ok in this log, else since its course began. */
function clearedAfter(event: LevelEvent): string {
	const sinceMs = event.sinceMs ?? logTimeMs(asRecord(event.course)?.['fromAt']);
	return sinceMs === null || sinceMs > event.atMs ? '' : ` after ${duration(event.atMs - sinceMs)}`;
}

function startDetails(event: Extract<Event, {type: 'start'}>): string {
	const parts: string[] = [];
	if (typeof event.version === 'string') {
		parts.push(`PostgreSQL ${text(event.version, '?')}`);
	}

	const limits = asRecord(event.limits);
	if (limits && typeof limits['usable'] === 'number' && typeof limits['maxConnections'] === 'number') {
		parts.push(`${limits['usable']} usable of ${limits['maxConnections']} connections`);
	}

	// An empty list is the usual state at start: said only when something waits for a restart.
	if (Array.isArray(event.pendingRestart) && event.pendingRestart.length > 0) {
		parts.push(pendingRestartText(event.pendingRestart));
	}

	return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** "settings pending a restart: max_connections, shared_buffers", at most five named. */
function pendingRestartText(names: readonly string[]): string {
	const safe = names.map(name => text(name, '?'));
	return `${safe.length === 1 ? 'setting' : 'settings'} pending a restart: ${safe.slice(0, 5).join(', ')}${safe.length > 5 ? ` and ${safe.length - 5} more` : ''}`;
}

/** Two lines about one subject of one server (a fold line continues a level line's run). */
export function isSameSubject(a: LevelEvent, b: {subject?: LoggedSubject; server?: string}): boolean {
	return b.subject !== undefined && loggedSubjectKey(a.subject) === loggedSubjectKey(b.subject) && a.server === b.server;
}

export function subjectName(event: AboutSubject): string {
	const {subject} = event;
	if (typeof subject === 'object') {
		return text(subjectTitle(subject), 'something');
	}

	// A log written before subjects were data: `server`, `pool NAME` with its `pool`, `pid N`.
	if (subject === 'server') {
		return 'Server';
	}

	if (typeof event.pool === 'string') {
		return `Pool ${text(event.pool, '?')}`;
	}

	return text(subject, 'something');
}

/** The pool a level line is about, by name, or null. */
function poolOf(event: AboutSubject): string | null {
	if (typeof event.subject === 'object') {
		return event.subject.kind === 'pool' ? event.subject.name : null;
	}

	return typeof event.pool === 'string' ? event.pool : null;
}

/** The numbers of the subject a level line is about: a server's slots, a pool's queue. */
export function levelNumbers(event: AboutSubject): string {
	if (loggedSubjectKey(event.subject) === 'server') {
		const server = serverNumbers(event.numbers);
		return server ? `${server} connections` : '';
	}

	const name = poolOf(event);
	const pool = name === null ? undefined : pools(event.numbers).find(candidate => candidate['name'] === name);
	return pool ? poolParts(pool).join(', ') : '';
}

function flagNumbers(numbers: unknown): string {
	const servers = asRecord(numbers)?.['servers'];
	const parts = Array.isArray(servers)
		? servers.map(item => `${text(asRecord(item)?.['name'], '?')} ${serverNumbers({server: item}) ?? 'disconnected'}`)
		: [`server ${serverNumbers(numbers) ?? 'disconnected'}`];
	for (const pool of pools(numbers)) {
		const poolText = poolParts(pool).join(' ');
		parts.push(`${text(pool['name'], '?')}${poolText ? ` ${poolText}` : ' n/a'}`);
	}

	return parts.join(', ');
}

function flagFindings(findings: unknown): string {
	return Array.isArray(findings) && findings.length > 0 ? `; open findings: ${findingNames(findings)}` : '';
}

/** "pool-saturated (pool api), server-saturated (server)": findings as a flag or quit line lists them. */
export function findingNames(findings: readonly unknown[]): string {
	// The parser let through a subject as data or as words (an older log), and a string server.
	const named = findings.map(item => {
		const finding = asRecord(item) ?? {};
		const {subject, server} = finding;
		const words = typeof subject === 'object' ? subjectLabel(subject as Subject, server as string | undefined) : subject;
		return `${text(finding['code'], '?')} (${text(words, '?')})`;
	});
	return named.join(', ');
}

/** Sessions named on an action's line; past this many the rest are counted. */
const NAMED_SESSIONS = 10;

function signalled(type: 'terminate' | 'cancel', sessions: unknown): string {
	const list = Array.isArray(sessions) ? sessions.map(item => asRecord(item) ?? {}) : [];
	const done = list.filter(s => s['outcome'] === 'done');
	const what = type === 'terminate' ? `Terminated ${plural(done.length, 'session')}` : `Cancelled ${plural(done.length, 'query', 'queries')}`;
	const parts = [`${what}${done.length > 0 ? `: ${sessionList(done)}` : ''}`];
	for (const outcome of ['skipped', 'failed'] as const) {
		const matching = list.filter(s => s['outcome'] === outcome);
		if (matching.length > 0) {
			parts.push(`${outcome} ${matching.length}: ${sessionList(matching)}`);
		}
	}

	return parts.join('; ');
}

/** "pid 7 (user app, application api, idle; changed)": who, in what state, and what came of it; the first few. */
function sessionList(sessions: ReadonlyArray<Record<string, unknown>>): string {
	const named = sessions.slice(0, NAMED_SESSIONS).map(session => {
		// The parser let only integer pids through.
		const facts = [
			typeof session['user'] === 'string' ? `user ${text(session['user'], '?')}` : null,
			typeof session['application'] === 'string' && session['application'] !== '' ? `application ${text(session['application'], '?')}` : null,
			typeof session['state'] === 'string' ? text(session['state'], '?') : null,
		].filter(fact => fact !== null);
		// What came of it (skipped: "changed") apart from who it was.
		const words = [facts.join(', '), typeof session['reason'] === 'string' ? text(session['reason'], '') : ''].filter(part => part !== '').join('; ');
		return `pid ${String(session['pid'])}${words ? ` (${words})` : ''}`;
	});
	const more = sessions.length - named.length;
	return `${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** "; still open: pool-saturated (pool api)"; "; nothing open" when the quit line says so; "" for an older log. */
function stillOpen(findings: unknown): string {
	if (!Array.isArray(findings)) {
		return '';
	}

	return findings.length === 0 ? '; nothing open' : `; still open: ${findingNames(findings)}`;
}

function serverNumbers(numbers: unknown): string | null {
	const server = asRecord(asRecord(numbers)?.['server']);
	if (!server || typeof server['used'] !== 'number' || typeof server['usable'] !== 'number') {
		return null;
	}

	return `${server['used']}/${server['usable']}`;
}

function pools(numbers: unknown): Array<Record<string, unknown>> {
	const list = asRecord(numbers)?.['pools'];
	return Array.isArray(list) ? list.map(item => asRecord(item)).filter(item => item !== null) : [];
}

function poolParts(pool: Record<string, unknown>): string[] {
	const {active, max, waiting, waitsPerSecond, timeoutsPerMinute} = pool;
	const parts: string[] = [];
	if (typeof active === 'number') {
		parts.push(typeof max === 'number' ? `${active}/${max} busy` : `${active} busy`);
	}

	if (typeof waiting === 'number') {
		parts.push(`${waiting} waiting`);
	} else if (typeof waitsPerSecond === 'number') {
		parts.push(`waits ${waitsPerSecond}/s`);
	}

	if (typeof timeoutsPerMinute === 'number' && timeoutsPerMinute > 0) {
		parts.push(`${timeoutsPerMinute} timeouts/min`);
	}

	return parts;
}

export function asRecord(value: unknown): Record<string, unknown> | null {
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/**
 * A string from the log as Markdown text: credentials masked, one line without a control character
 * (a newline inside a note must not start a new Markdown block), Markdown and HTML escaped.
 */
export function text(value: unknown, fallback: string): string {
	return typeof value === 'string' ? markdownText(logLine(value)) : fallback;
}

/** A string of the log, masked, on one line with no control character. */
const logLine = (value: string) => safeQueryText(maskText(value)).trim();

export function span(fromMs: number, toMs: number): string {
	const from = new Date(fromMs).toISOString();
	const to = new Date(toMs).toISOString();
	const end = from.slice(0, 10) === to.slice(0, 10) ? clockTime(toMs) : `${to.slice(0, 10)} ${clockTime(toMs)}`;
	return `${from.slice(0, 10)} ${clockTime(fromMs)} to ${end} UTC (${duration(toMs - fromMs)})`;
}

/** A stretch of time to the second: "4 min 12 s", "under a second". */
export function duration(ms: number): string {
	return ms < 1000 ? 'under a second' : settingDuration(Math.floor(ms / 1000));
}
