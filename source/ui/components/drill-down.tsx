// The pools drill-down, in the session list's place: the pool rows worst first with a cursor, then
// one fleet pool's instances worst first. Pool rows are the pools panel's own lines (poolLine) from
// the same picture, so a row here and the panel above always show the same numbers.
import {type GoneInstance, memberKeys, poolKey} from '../../screen/pool-cursors.js';
import {type InstanceLevel, type RankedInstance} from '../../judge/instances.js';
import type {PoolView} from '../../judge/picture.js';
import {ageText, fit} from '../format.js';
import {compactAge} from '../../text/words.js';
import {type Line, span} from '../lines.js';
import {fitCellsMiddle} from '../../text/width.js';
import {poolLine} from './pools-panel.js';
import {windowStart} from './session-list.js';

const position = (start: number, shown: number, count: number, height: number) => (count > height ? `${start + 1}-${start + shown} of ${count}` : '');

/** A bold title with what is right-aligned at its end. */
function titleLine(left: string, right: string, width: number): Line {
	const room = Math.max(0, width - right.length - 1);
	return {spans: [span(`${fit(left, room)}${right ? ` ${right}` : ''}`)], isBold: true};
}

export type PoolsDrillProps = {pools: readonly PoolView[]; selected: string | null; nowMs: number; height: number; width: number};

/** The pool rows, worst first (the picture's order), with the cursor on its pool. `height`: rows below the title. */
export function poolsDrillView({pools, selected, nowMs, height, width}: PoolsDrillProps): Line[] {
	const selectedIndex = pools.findIndex(pool => poolKey(pool) === selected);
	const start = windowStart(pools.length, selectedIndex, height);
	const rows = pools.slice(start, start + height);
	const lines: Line[] = [titleLine('  POOLS, worst first: Enter lists a fleet pool\'s instances, Esc the sessions', position(start, rows.length, pools.length, height), width)];
	if (rows.length === 0) {
		lines.push({spans: [span('  (no pools)')], isDim: true});
	}

	for (const pool of rows) {
		const isSelected = poolKey(pool) === selected;
		lines.push({
			spans: [span(`${isSelected ? '>' : ' '} ${poolLine(pool, nowMs, width - 2)}`)],
			isInverse: isSelected,
			tone: isSelected ? undefined : pool.level,
		});
	}

	return lines;
}

const MEMBER_TAG: Record<InstanceLevel, string> = {ok: 'OK', warning: 'WARN', critical: 'CRIT', unknown: 'n/a'};
const na = (value: number | null) => (value === null ? 'n/a' : String(value));

/** From this width on, the instance rows add the oldest wait and the timeouts, as the pool row does. */
const WIDE_COLUMNS = 100;
const extrasWidth = (width: number) => (width >= WIDE_COLUMNS ? 7 + 9 : 0);

/** Cells of the instance column: what the fixed columns and a readable reason leave, up to 40. */
function instanceWidth(width: number): number {
	// cursor 2, level 5, then busy/max 9, open 5, waiting 8, at max 7, each with its space; the reason at least 18
	return Math.max(8, Math.min(40, width - 2 - 5 - 9 - 5 - 8 - 7 - extrasWidth(width) - 1 - 18));
}

const timeoutsText = (perMinute: number | null) => (perMinute === null ? 'n/a' : `${Math.round(perMinute)}/min`);

function memberLine(member: RankedInstance, instanceCells: number, width: number, isSelected: boolean): string {
	const busy = `${na(member.active)}/${na(member.max)}`;
	const cells = [
		fit(MEMBER_TAG[member.level], 4),
		fitCellsMiddle(member.instance || '(no instance label)', instanceCells),
		fit(busy, 8, 'right'),
		fit(na(member.open), 4, 'right'),
		fit(na(member.waiting), 7, 'right'),
		fit(member.isAtMax ? 'AT MAX' : '-', 6),
		...(extrasWidth(width) > 0 ? [fit(member.oldestWaitSeconds === null ? 'n/a' : compactAge(member.oldestWaitSeconds), 6, 'right'), fit(timeoutsText(member.sourceRates.timeoutsPerMinute), 8, 'right')] : []),
	];
	return fit(`${isSelected ? '>' : ' '} ${cells.join(' ')} ${member.reason}`, width);
}

function goneLine(gone: GoneInstance, instanceCells: number, nowMs: number, width: number, isSelected: boolean): string {
	return fit(`${isSelected ? '>' : ' '} GONE ${fitCellsMiddle(gone.instance || '(no instance label)', instanceCells)} not in the latest reading; last seen ${ageText(gone.lastSeenAtMs, nowMs)}`, width);
}

export type MembersViewProps = {
	/** The pool row as the picture has it; null when the latest reading no longer has it. */
	pool: PoolView | null;
	poolName: string;
	ranked: readonly RankedInstance[];
	gone: readonly GoneInstance[];
	selected: string | null;
	nowMs: number;
	/** Rows below the title, as for the session list. */
	height: number;
	width: number;
};

/**
 * The pool's own row (the panel's line, word for word), a column header, then the instances worst
 * first and those that left: busy/max as the pool row counts it, open, waiting, at max, and why.
 */
export function membersView({pool, poolName, ranked, gone, selected, nowMs, height, width}: MembersViewProps): Line[] {
	if (!pool) {
		return [
			titleLine(`  ${poolName}: not in the latest reading (its endpoint no longer reports it)`, '', width),
			{spans: [span('  Esc goes back to the pools.')], isDim: true},
		];
	}

	const head: Line = {spans: [span('Pool    ', {isBold: true}), span(poolLine(pool, nowMs, width - 8), {tone: pool.level, isBold: pool.level === 'critical'})]};
	const keys = memberKeys(ranked, gone);
	const rowsHeight = Math.max(1, height - 1);
	const selectedIndex = keys.indexOf(selected ?? '\u0000');
	const start = windowStart(keys.length, selectedIndex, rowsHeight);
	const instanceCells = instanceWidth(width);
	// Only the worst instances of a large fleet are kept: say of how many.
	const omitted = pool.metrics?.fleet?.omittedMembers ?? 0;
	const header = `  ${fit('LVL', 4)} ${fit(`INSTANCE (${ranked.length}${omitted > 0 ? ` of ${ranked.length + omitted}` : ''}${gone.length > 0 ? `, ${gone.length} gone` : ''})`, instanceCells)} ${fit('BUSY/MAX', 8, 'right')} ${fit('OPEN', 4, 'right')} ${fit('WAITING', 7, 'right')} ${fit('AT MAX', 6)}${extrasWidth(width) > 0 ? ` ${fit('OLDEST', 6, 'right')} ${fit('TIMEOUTS', 8, 'right')}` : ''} WHY`;
	const lines: Line[] = [head, titleLine(header, position(start, Math.min(rowsHeight, keys.length - start), keys.length, rowsHeight), width)];
	if (keys.length === 0) {
		lines.push({spans: [span(pool.metrics?.fleet ? '  (no instances)' : '  (not a fleet pool: no instances)')], isDim: true});
	}

	for (let index = start; index < Math.min(keys.length, start + rowsHeight); index++) {
		const isSelected = keys[index] === selected;
		const member = ranked[index];
		if (member) {
			lines.push({
				spans: [span(memberLine(member, instanceCells, width, isSelected))],
				isInverse: isSelected,
				tone: isSelected || member.level === 'unknown' ? undefined : member.level,
			});
		} else {
			lines.push({spans: [span(goneLine(gone[index - ranked.length]!, instanceCells, nowMs, width, isSelected))], isInverse: isSelected, isDim: !isSelected});
		}
	}

	return lines;
}
