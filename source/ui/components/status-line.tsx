import {keyBar} from '../../keys/bindings.js';
import type {Mode} from '../../model/dashboard.js';
import {SORT_LABELS, type SortKey} from '../../model/session-view.js';
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
	nowMs: number;
};

const NOTICE_MS = 15_000;

/** The bottom line: a prompt while typing, else the latest notice, else the keys. */
export function statusView({mode, notice, lastFlag, filter, sort, markedCount, isReadOnly, nowMs}: StatusLineProps): Line {
	if (mode.kind === 'filter') {
		return {spans: [span(`Filter: ${mode.draft}█  (Enter applies, Esc clears)`)], wrap: 'truncate-start'};
	}

	if (mode.kind === 'note') {
		return {spans: [span(`Flag note: ${mode.draft}█  (Enter records, Esc cancels)`)], wrap: 'truncate-start'};
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

	return {spans: [span(`${facts}  `), span(keyBar(isReadOnly), {isDim: true})]};
}
