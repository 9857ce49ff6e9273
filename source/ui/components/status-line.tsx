import {keyBar} from '../../keys/bindings.js';
import type {Mode} from '../../screen/board.js';
import {poolNameOfKey} from '../../screen/pool-cursors.js';
import {SORT_LABELS, type SortKey} from '../../screen/session-view.js';
import {ageText} from '../format.js';
import {type Line, span} from '../lines.js';

export type StatusLineProps = {
	mode: Mode;
	notice: {text: string; atMs: number} | null;
	lastFlag: {note: string; atMs: number} | null;
	filter: string;
	sort: SortKey;
	markedCount: number;
	isReadOnly: boolean;
	/** The list's key bar offers Enter for the pools only when there are some. */
	hasPools?: boolean;
	nowMs: number;
};

const NOTICE_MS = 15_000;

/** The bottom line: a prompt while typing, else the latest notice, else the keys. */
export function statusView({mode, notice, lastFlag, filter, sort, markedCount, isReadOnly, hasPools = false, nowMs}: StatusLineProps): Line {
	if (mode.kind === 'filter') {
		return {spans: [span(`Filter: ${mode.draft}█  (Enter applies, Esc clears)`)], wrap: 'truncate-start'};
	}

	if (mode.kind === 'note') {
		return {spans: [span(`Flag note: ${mode.draft}█  (Enter records, Esc cancels)`)], wrap: 'truncate-start'};
	}

	// The help opened from the drill-down says where Esc returns to.
	const drill = mode.kind === 'help' && mode.back ? mode.back : mode;
	if (drill.kind === 'pools' || drill.kind === 'members') {
		const where = drill.kind === 'pools' ? 'pools' : `instances of ${poolNameOfKey(drill.pool)}`;
		const drillFacts = [where, isReadOnly ? 'READ-ONLY' : ''].filter(Boolean).join(' | ');
		if (notice && nowMs - notice.atMs < NOTICE_MS) {
			return {spans: [span(notice.text, {isBold: true}), span(`  ${drillFacts}`)]};
		}

		return {spans: [span(`${drillFacts}  `), span(`↑↓ select  ${keyBar(isReadOnly, drill.kind)}`, {isDim: true})]};
	}

	const facts = [
		`sort: ${SORT_LABELS[sort]}`,
		filter ? `filter: "${filter}"` : '',
		markedCount > 0 ? `${markedCount} marked` : '',
		isReadOnly ? 'READ-ONLY' : '',
		lastFlag ? `flag ${ageText(lastFlag.atMs, nowMs)}: "${lastFlag.note}"` : '',
	].filter(Boolean).join(' | ');
	if (notice && nowMs - notice.atMs < NOTICE_MS) {
		return {spans: [span(notice.text, {isBold: true}), span(`  ${facts}`)]};
	}

	return {spans: [span(`${facts}  `), span(keyBar(isReadOnly, 'list', hasPools), {isDim: true})]};
}
