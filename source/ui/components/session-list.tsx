import type {Session} from '../../readings/types.js';
import {fit} from '../format.js';
import {compactAge} from '../../text/words.js';
import {type Line, Lines, span} from '../lines.js';
import {cellWidth} from '../../text/width.js';

type Column = {
	title: string;
	width: number;
	align?: 'left' | 'right';
	value: (session: Session) => string;
};

const STATE_SHORT: Record<string, string> = {
	'idle in transaction': 'idle in tx',
	'idle in transaction (aborted)': 'idle tx abrt',
	'fastpath function call': 'fastpath',
};

export function shortState(session: Session): string {
	return STATE_SHORT[session.state ?? ''] ?? session.state ?? 'hidden';
}

const COLUMNS = {
	pid: {title: 'PID', width: 7, align: 'right', value: session => String(session.pid)},
	user: {title: 'USER', width: 10, value: session => session.user ?? '?'},
	database: {title: 'DATABASE', width: 10, value: session => session.database ?? '?'},
	application: {title: 'APPLICATION', width: 13, value: session => session.application || '-'},
	client: {title: 'CLIENT', width: 15, value: session => session.client ?? 'local'},
	state: {title: 'STATE', width: 12, value: shortState},
	time: {title: 'TIME', width: 6, align: 'right', value: session => compactAge(session.stateSeconds)},
	wait: {title: 'WAIT', width: 18, value: session => session.waitEventType ? `${session.waitEventType}:${session.waitEvent ?? ''}` : ''},
	blockedBy: {title: 'BLOCKED BY', width: 10, value: session => session.blockedBy.join(',')},
} satisfies Record<string, Column>;

// Added left to right while the query keeps at least MIN_QUERY columns.
const PRIORITY: Array<keyof typeof COLUMNS> = ['pid', 'state', 'time', 'user', 'application', 'blockedBy', 'database', 'wait', 'client'];
const ORDER: Array<keyof typeof COLUMNS> = ['pid', 'user', 'database', 'application', 'client', 'state', 'time', 'wait', 'blockedBy'];
const MIN_QUERY = 20;
const MARK_WIDTH = 2;

export function columnsFor(width: number): Column[] {
	const chosen = new Set<keyof typeof COLUMNS>();
	let used = MARK_WIDTH;
	for (const name of PRIORITY) {
		const cost = COLUMNS[name].width + 1;
		if (used + cost + MIN_QUERY <= width) {
			chosen.add(name);
			used += cost;
		}
	}

	return ORDER.filter(name => chosen.has(name)).map(name => COLUMNS[name]);
}

export function sessionLine(session: Session, columns: Column[], width: number, isMarked: boolean, isSelected: boolean): string {
	const mark = `${isSelected ? '>' : ' '}${isMarked ? '*' : ' '}`;
	const cells = columns.map(column => fit(column.value(session).replace(/\s+/g, ' '), column.width, column.align));
	const prefix = `${mark}${cells.join(' ')} `;
	return prefix + fit(session.query.replace(/\s+/g, ' '), Math.max(0, width - cellWidth(prefix)));
}

export type SessionListProps = {
	sessions: readonly Session[];
	selectedPid: number | null;
	marked: Record<number, string>;
	/** Rows for sessions, the title line excluded. */
	height: number;
	width: number;
	isStale: boolean;
	title: string;
};

/** The window of rows to show so that the selected row stays visible. */
export function windowStart(count: number, selectedIndex: number, height: number): number {
	if (count <= height || selectedIndex < 0) {
		return 0;
	}

	return Math.min(Math.max(0, selectedIndex - Math.floor(height / 2)), count - height);
}

/** The list: a title line, then one line per session in the window around the selection. */
export function sessionListView({sessions, selectedPid, marked, height, width, isStale, title}: SessionListProps): Line[] {
	const columns = columnsFor(width);
	const selectedIndex = sessions.findIndex(session => session.pid === selectedPid);
	const start = windowStart(sessions.length, selectedIndex, height);
	const rows = sessions.slice(start, start + height);
	const header = `  ${columns.map(column => fit(column.title, column.width, column.align)).join(' ')} QUERY`;
	const position = sessions.length > height ? ` ${start + 1}-${start + rows.length} of ${sessions.length}` : '';
	const lines: Line[] = [{spans: [span(`${fit(header, width - position.length - title.length - 1)}${position} ${title}`)], isBold: true}];
	if (rows.length === 0) {
		lines.push({spans: [span(`  (no sessions${isStale ? '' : ' match'})`)], isDim: true});
	}

	for (const session of rows) {
		const isSelected = session.pid === selectedPid;
		const isLockWaiting = session.waitEventType === 'Lock';
		lines.push({
			spans: [span(sessionLine(session, columns, width, marked[session.pid] !== undefined, isSelected))],
			isInverse: isSelected,
			isDim: isStale && !isSelected,
			tone: isSelected ? undefined : (isLockWaiting ? 'critical' : (session.state?.startsWith('idle in transaction') ? 'warning' : undefined)),
		});
	}

	return lines;
}

export function SessionList(props: SessionListProps) {
	return <Lines lines={sessionListView(props)} width={props.width}/>;
}
