import {Text} from 'ink';
import {keyBar} from '../../keys/bindings.js';
import type {Mode} from '../../model/dashboard.js';
import {SORT_LABELS, type SortKey} from '../../model/session-view.js';
import {ageText} from '../format.js';

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
export function StatusLine({mode, notice, lastFlag, filter, sort, markedCount, isReadOnly, nowMs}: StatusLineProps) {
	if (mode.kind === 'filter') {
		return <Text wrap="truncate-start">Filter: {mode.draft}█  (Enter applies, Esc clears)</Text>;
	}

	if (mode.kind === 'note') {
		return <Text wrap="truncate-start">Flag note: {mode.draft}█  (Enter records, Esc cancels)</Text>;
	}

	const facts = [
		`sort: ${SORT_LABELS[sort]}`,
		filter ? `filter: "${filter}"` : '',
		markedCount > 0 ? `${markedCount} marked` : '',
		isReadOnly ? 'READ-ONLY' : '',
		lastFlag ? `flag ${ageText(lastFlag.atMs, nowMs)}: "${lastFlag.note}"` : '',
	].filter(Boolean).join(' | ');
	if (notice && nowMs - notice.atMs < NOTICE_MS) {
		return <Text wrap="truncate-end"><Text bold>{notice.text}</Text>  {facts}</Text>;
	}

	return <Text wrap="truncate-end">{facts}  <Text dimColor>{keyBar(isReadOnly)}</Text></Text>;
}
