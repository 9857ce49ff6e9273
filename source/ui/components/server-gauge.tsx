import {freeConnections, usableConnections, usedRatio} from '../../judge/levels.js';
import type {Level} from '../../judge/types.js';
import type {ServerSnapshot} from '../../readings/types.js';
import {LEVEL_TAG, segmentedBar} from '../format.js';
import {clockTime, percent} from '../../text/words.js';
import {type Line, Lines, span} from '../lines.js';
import {cellWidth} from '../../text/width.js';

export const GLYPHS = {active: '█', lock: '▓', idleInTransaction: '▒', idle: '░', other: '▪', free: '·'} as const;

export type ServerGaugeProps = {
	snapshot: ServerSnapshot;
	level: Level;
	width: number;
	isStale: boolean;
	/** When the current level began (shown unless ok). */
	sinceMs?: number;
	/** What the bar is labelled with: `Server  `, or a server's name among several. */
	label?: string;
};

/** Client connections against usable slots (max_connections minus reserved), split by state. */
export function gaugeView({snapshot, level, width, isStale, sinceMs, label = 'Server  '}: ServerGaugeProps): Line[] {
	const usable = usableConnections(snapshot);
	const {states} = snapshot;
	const idleInTransaction = states.idleInTransaction + states.idleInTransactionAborted;
	// Padded so the bar keeps its width from one refresh to the next.
	const since = level !== 'ok' && sinceMs !== undefined ? ` since ${clockTime(sinceMs)}` : '';
	const summary = ` ${snapshot.connections}/${usable} ${percent(usedRatio(snapshot))}  free ${freeConnections(snapshot)}  ${LEVEL_TAG[level]}${since}`.padEnd(32);
	const barWidth = Math.max(10, width - cellWidth(label) - '[]'.length - summary.length);
	// Hidden rows and lifeguard's own connections hold slots too: drawn as "other", so the free cells
	// agree with `free`; the numbers keep lifeguard's own apart (never in the usage).
	const bar = segmentedBar([
		{count: states.active - snapshot.lockWaiting, glyph: GLYPHS.active},
		{count: snapshot.lockWaiting, glyph: GLYPHS.lock},
		{count: idleInTransaction, glyph: GLYPHS.idleInTransaction},
		{count: states.idle, glyph: GLYPHS.idle},
		{count: states.other + snapshot.hidden + snapshot.ownConnections, glyph: GLYPHS.other},
	], usable, barWidth, GLYPHS.free);
	const reserved = snapshot.superuserReservedConnections + snapshot.reservedForRoleConnections;
	const legend = [
		`${GLYPHS.active} active ${states.active}`,
		`${GLYPHS.lock} lock-waiting ${snapshot.lockWaiting}`,
		`${GLYPHS.idleInTransaction} idle in tx ${idleInTransaction}${states.idleInTransactionAborted ? ` (${states.idleInTransactionAborted} aborted)` : ''}`,
		`${GLYPHS.idle} idle ${states.idle}`,
		`${GLYPHS.other} ${otherText(states.other, snapshot.hidden, snapshot.ownConnections)}`,
		`max ${snapshot.maxConnections} − ${reserved} reserved`,
	].join('  ');
	return [
		{spans: [span(label, {isBold: true}), span('['), span(bar, {tone: level}), span(']'), span(summary, {isBold: level !== 'ok', tone: level})], isDim: isStale},
		{spans: [span(`${' '.repeat(cellWidth(label))}${legend}`)], isDim: isStale},
	];
}

/** What the "other" cells hold, each part named (`other 0` when none): lifeguard's own apart from the usage. */
function otherText(other: number, hidden: number, own: number): string {
	const parts = [other > 0 ? `other ${other}` : '', hidden > 0 ? `hidden ${hidden}` : '', own > 0 ? `lifeguard ${own}` : ''].filter(Boolean);
	return parts.length > 0 ? parts.join(' + ') : 'other 0';
}

export function ServerGauge(props: ServerGaugeProps) {
	return <Lines lines={gaugeView(props)} width={props.width}/>;
}
