// `lifeguard timeline FILE`: the incident log as a Markdown timeline to paste into a postmortem.
// Pure: text in, text out. A log may be cut short or hand-edited, so every field is read warily.
import {maskText} from '../connection/mask.js';

export type Timeline = {markdown: string; skipped: number};

type Row = Record<string, unknown> & {type: string; at: string; atMs: number};

export function renderTimeline(jsonl: string): Timeline {
	const rows: Row[] = [];
	let skipped = 0;
	for (const line of jsonl.split(/\r?\n/)) {
		if (line.trim() === '') {
			continue;
		}

		const row = parseRow(line);
		if (row) {
			rows.push(row);
		} else {
			skipped++;
		}
	}

	const lines = ['# Incident timeline', ''];
	const target = rows.find(row => row.type === 'start' && typeof row['target'] === 'string')?.['target'];
	lines.push(`Target: ${typeof target === 'string' ? oneLine(target) : 'unknown (the log has no start event)'}`, '');
	const first = rows[0];
	const last = rows.at(-1);
	if (first && last) {
		lines.push(`Span: ${span(first.atMs, last.atMs)}`, '');
	} else {
		lines.push('No events.', '');
	}

	let day = '';
	for (const row of rows) {
		const rowDay = new Date(row.atMs).toISOString().slice(0, 10);
		if (rowDay !== day) {
			if (day !== '') {
				lines.push('');
			}

			day = rowDay;
			lines.push(`## ${day}`, '');
		}

		lines.push(`- **${clock(row.atMs)} UTC:** ${describe(row)}`);
	}

	if (rows.length > 0) {
		lines.push('');
	}

	if (skipped > 0) {
		const what = skipped === 1 ? 'line that was not a valid log event' : 'lines that were not valid log events';
		lines.push(`_Skipped ${skipped} ${what}._`, '');
	}

	// The log is masked when written; mask again in case it was edited or written by an older version.
	return {markdown: maskText(lines.join('\n')), skipped};
}

function parseRow(line: string): Row | null {
	let value: unknown;
	try {
		value = JSON.parse(line);
	} catch {
		return null;
	}

	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		return null;
	}

	const record = value as Record<string, unknown>;
	const {type, at} = record;
	if (typeof type !== 'string' || typeof at !== 'string') {
		return null;
	}

	const atMs = Date.parse(at);
	return Number.isNaN(atMs) ? null : {...record, type, at, atMs};
}

function describe(row: Row): string {
	switch (row.type) {
		case 'start': {
			return `Started watching ${text(row['target'], 'the server')}${startDetails(row)}`;
		}

		case 'level': {
			const subject = text(row['subject'], 'something');
			const numbers = subjectNumbers(subject, row['numbers']);
			return `${subjectName(subject, row['numbers'])} went from ${text(row['from'], '?')} to ${text(row['to'], '?')}${numbers ? ` (${numbers})` : ''}`;
		}

		case 'flag': {
			return `Flag: "${text(row['note'], '')}" (${flagNumbers(row['numbers'])})${flagFindings(row['findings'])}`;
		}

		case 'terminate':
		case 'cancel': {
			return signalled(row.type, row['sessions']);
		}

		case 'disconnect': {
			return `Lost the connection to the server: ${text(row['reason'], 'no reason given')}`;
		}

		case 'reconnect': {
			return 'Reconnected to the server';
		}

		case 'endpoint-down': {
			return `Pool ${text(row['subject'], '?')} endpoint down: ${text(row['reason'], 'no reason given')}`;
		}

		case 'endpoint-up': {
			return `Pool ${text(row['subject'], '?')} endpoint back up`;
		}

		case 'finding': {
			return `Finding (${text(row['level'], '?')}): ${text(row['message'], text(row['code'], '?'))}`;
		}

		case 'quit': {
			return 'Stopped watching';
		}

		default: {
			return `${oneLine(row.type)} event`;
		}
	}
}

function startDetails(row: Row): string {
	const parts: string[] = [];
	if (typeof row['version'] === 'string') {
		parts.push(`PostgreSQL ${oneLine(row['version'])}`);
	}

	const limits = asRecord(row['limits']);
	if (limits && typeof limits['usable'] === 'number' && typeof limits['maxConnections'] === 'number') {
		parts.push(`${limits['usable']} usable of ${limits['maxConnections']} connections`);
	}

	return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function subjectName(subject: string, numbers: unknown): string {
	if (subject === 'server') {
		return 'Server';
	}

	return findPool(subject, numbers) ? `Pool ${subject}` : subject;
}

function subjectNumbers(subject: string, numbers: unknown): string {
	if (subject === 'server') {
		const server = serverNumbers(numbers);
		return server ? `${server} connections` : '';
	}

	const pool = findPool(subject, numbers);
	return pool ? poolParts(pool).join(', ') : '';
}

function flagNumbers(numbers: unknown): string {
	const parts = [`server ${serverNumbers(numbers) ?? 'disconnected'}`];
	for (const pool of pools(numbers)) {
		const poolText = poolParts(pool).join(' ');
		parts.push(`${text(pool['name'], '?')}${poolText ? ` ${poolText}` : ' n/a'}`);
	}

	return parts.join(', ');
}

function flagFindings(findings: unknown): string {
	if (!Array.isArray(findings) || findings.length === 0) {
		return '';
	}

	const named = findings.map(item => {
		const finding = asRecord(item) ?? {};
		return `${text(finding['code'], '?')} (${text(finding['subject'], '?')})`;
	});
	return `; open findings: ${named.join(', ')}`;
}

function signalled(type: 'terminate' | 'cancel', sessions: unknown): string {
	const list = Array.isArray(sessions) ? sessions.map(item => asRecord(item) ?? {}) : [];
	const done = list.filter(s => s['outcome'] === 'done');
	const pids = done.map(s => String(s['pid']));
	const what = type === 'terminate' ? `Terminated ${count(done.length, 'session')}` : `Cancelled ${count(done.length, 'query', 'queries')}`;
	const parts = [`${what}${pids.length > 0 ? ` (pid${pids.length === 1 ? '' : 's'} ${pids.join(', ')})` : ''}`];
	for (const outcome of ['skipped', 'failed'] as const) {
		const matching = list.filter(s => s['outcome'] === outcome);
		if (matching.length > 0) {
			const reasons = [...new Set(matching.map(s => s['reason']).filter((r): r is string => typeof r === 'string').map(oneLine))];
			parts.push(`${outcome} ${matching.length}${reasons.length > 0 ? ` (${reasons.join(', ')})` : ''}`);
		}
	}

	return parts.join('; ');
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

function findPool(name: string, numbers: unknown): Record<string, unknown> | undefined {
	return pools(numbers).find(pool => pool['name'] === name);
}

function poolParts(pool: Record<string, unknown>): string[] {
	const {active, max, waiting} = pool;
	const parts: string[] = [];
	if (typeof active === 'number') {
		parts.push(typeof max === 'number' ? `${active}/${max} busy` : `${active} busy`);
	}

	if (typeof waiting === 'number') {
		parts.push(`${waiting} waiting`);
	}

	return parts;
}

function asRecord(value: unknown): Record<string, unknown> | null {
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function text(value: unknown, fallback: string): string {
	return typeof value === 'string' ? oneLine(value) : fallback;
}

/** One bullet per event: a newline inside a note must not start a new Markdown block. */
function oneLine(value: string): string {
	return value.replaceAll(/\s*[\r\n]+\s*/g, ' ');
}

function count(n: number, noun: string, pluralNoun = `${noun}s`): string {
	return `${n} ${n === 1 ? noun : pluralNoun}`;
}

function clock(atMs: number): string {
	return new Date(atMs).toISOString().slice(11, 16);
}

function span(fromMs: number, toMs: number): string {
	const from = new Date(fromMs).toISOString();
	const to = new Date(toMs).toISOString();
	const end = from.slice(0, 10) === to.slice(0, 10) ? clock(toMs) : `${to.slice(0, 10)} ${clock(toMs)}`;
	return `${from.slice(0, 10)} ${clock(fromMs)} to ${end} UTC (${elapsed(toMs - fromMs)})`;
}

function elapsed(ms: number): string {
	const minutes = Math.floor(Math.max(0, ms) / 60_000);
	if (minutes < 1) {
		return 'under a minute';
	}

	return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
