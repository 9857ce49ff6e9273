// What takes the session list's place: help, the confirmation dialog.
import {listedBindings} from '../../keys/bindings.js';
import type {SignalKind} from '../../screen/board.js';
import type {Session} from '../../readings/types.js';
import {cellWidth} from '../../text/width.js';
import {fit} from '../format.js';
import {compactAge} from '../../text/words.js';
import {type Line, plainLine, span} from '../lines.js';
import {shortState} from './session-list.js';

/** A line of the help: a listed binding, or the Esc that closes whatever is open. */
type HelpEntry = {keys: string; description: string; short: string; isDisabled: boolean};

export type HelpProps = {isReadOnly: boolean; hasPoolControl: boolean; hasServers?: boolean; width: number};

/** Between two columns of the help. */
const GAP = 2;
/** The narrowest column: the longest key (11 cells), two spaces and a short description (26 cells at most). */
const MIN_COLUMN_WIDTH = 39;

function helpEntries({isReadOnly, hasPoolControl, hasServers = false}: HelpProps): HelpEntry[] {
	return [
		...listedBindings(hasPoolControl, hasServers).map(binding => ({
			keys: binding.keys,
			description: binding.description,
			short: binding.short ?? binding.description,
			isDisabled: Boolean(binding.isDangerous && isReadOnly),
		})),
		{keys: 'Esc', description: 'close a prompt, dialog or this help', short: 'close prompt, dialog, help', isDisabled: false},
	];
}

const mostColumns = (width: number) => Math.max(1, Math.floor((width + GAP) / (MIN_COLUMN_WIDTH + GAP)));

/** Rows the help needs at this width in as many columns as the width takes: its title and the entries. */
export function helpRows(props: HelpProps): number {
	return 1 + Math.ceil(helpEntries(props).length / mostColumns(props.width));
}

/**
 * Every key and what it does in `height` rows: in as few columns as fit (one has room for the long
 * descriptions), each entry long where its column has room, else short. The frame gives the help the
 * rows it needs (helpRows), so a key is left off, and said so, only below 80×24.
 */
export function helpView(props: HelpProps & {height: number}): Line[] {
	const entries = helpEntries(props);
	const rows = Math.max(1, props.height - 1);
	const most = mostColumns(props.width);
	let columns = 1;
	while (columns < most && Math.ceil(entries.length / columns) > rows) {
		columns++;
	}

	// Down the first column, then the next: the table's order, which groups related keys.
	const perColumn = Math.min(rows, Math.ceil(entries.length / columns));
	const shown = Math.min(entries.length, perColumn * columns);
	const columnWidth = Math.floor((props.width - (GAP * (columns - 1))) / columns);
	const cells = Array.from({length: columns}, (_, column) => {
		const part = entries.slice(column * perColumn, Math.min(shown, (column + 1) * perColumn));
		// Keys right-aligned to the column's longest, so the descriptions start in one place.
		const keyWidth = Math.max(0, ...part.map(entry => cellWidth(entry.keys)));
		return part.map(entry => helpCell(entry, keyWidth, columnWidth));
	});
	const hidden = entries.length - shown;
	return [
		{spans: [span(`Keys${hidden > 0 ? ` (${hidden} more: enlarge the terminal)` : ''}`, {isBold: true}), span('  (? or Esc closes)')]},
		...Array.from({length: perColumn}, (_, row) => plainLine(cells.map(column => column[row] ?? '').join(' '.repeat(GAP)).trimEnd() || ' ')),
	];
}

function helpCell(entry: HelpEntry, keyWidth: number, width: number): string {
	const room = width - keyWidth - 2;
	const texts = entry.isDisabled
		? [`${entry.description} (disabled: read-only)`, `${entry.description} (disabled)`, `${entry.short} (disabled: read-only)`, `${entry.short} (disabled)`]
		: [entry.description, entry.short];
	const text = texts.find(candidate => cellWidth(candidate) <= room) ?? texts.at(-1)!;
	return fit(`${fit(entry.keys, keyWidth, 'right')}  ${text}`, width);
}

export function confirmView({action, targets, isRunning, height}: {action: SignalKind; targets: readonly Session[]; isRunning: boolean; height: number}): Line[] {
	const verb = action === 'terminate' ? 'Terminate' : 'Cancel the running query of';
	// One session: name it in the question itself, so nobody confirms the wrong one.
	const only = targets.length === 1 ? targets[0]! : null;
	const noun = only
		? `session pid ${only.pid} (${only.user ?? '?'} / ${only.application || 'no application'} / ${only.state ?? 'unknown state'})`
		: `${targets.length} sessions`;
	const room = Math.max(1, height - 2);
	const shown = targets.length > room ? targets.slice(0, room - 1) : targets;
	const question = isRunning ? `${action === 'terminate' ? 'Terminating' : 'Cancelling'} ${noun}…` : `${verb} ${noun}?  y = yes, any other key = no (refresh is frozen)`;
	return [
		{spans: [span(question)], isBold: true, tone: 'critical', isInverse: true},
		...shown.map(session => ({spans: [span(`  pid ${fit(String(session.pid), 7)} ${fit(session.user ?? '?', 12)} ${fit(session.application || '-', 16)} ${fit(shortState(session), 12)} ${compactAge(session.stateSeconds)}`)]})),
		...(shown.length < targets.length ? [{spans: [span(`  +${targets.length - shown.length} more`)]}] : []),
	];
}
