// The edge where keys become commands: Ink's (input, key) is resolved here, with the bindings table
// (keys/bindings.ts), against the mode the selected board is in. The screen (screen/) receives
// commands and never sees a key.
//
// Keys typed faster than the screen reads them (or while it was starting) arrive as one chunk:
// "/checkout\rt" is a filter, Enter, then t on the filtered list, never one unknown key dropped
// while a later one acts. So a chunk is cut into keystrokes one at a time, each resolved against the
// mode the previous one left: text in a prompt up to a line break, single keys elsewhere.
import {type KeyContext, type KeyPress, type ModeKind, resolveKey} from '../keys/bindings.js';
import {type Desk, type DeskEffect, selectedBoard, type DeskStep, updateDesk} from '../screen/desk.js';

/** One keystroke, as Ink would have delivered it had the keys come one by one. */
type Keystroke = {input: string; key: KeyPress};

const NO_KEY: KeyPress = {upArrow: false, downArrow: false, pageUp: false, pageDown: false, return: false, escape: false, backspace: false, delete: false, ctrl: false, meta: false};

const isTextMode = (mode: ModeKind) => mode === 'filter' || mode === 'note';

/** The first keystroke of a chunk of plain typed text, in a mode, and the rest of the chunk. */
function firstKeystroke(chunk: string, mode: ModeKind): {stroke: Keystroke; rest: string} {
	if (isTextMode(mode)) {
		// The text up to the next line break or backspace is typed at once; those keys act.
		const end = chunk.search(/[\r\n\u0008\u007F]/);
		if (end === 0) {
			const isErase = chunk[0] === '\u0008' || chunk[0] === '\u007F';
			return {stroke: {input: '', key: isErase ? {...NO_KEY, backspace: true} : {...NO_KEY, return: true}}, rest: chunk.slice(chunk.startsWith('\r\n') ? 2 : 1)};
		}

		const text = end === -1 ? chunk : chunk.slice(0, end);
		return {stroke: {input: text, key: NO_KEY}, rest: chunk.slice(text.length)};
	}

	const character = String.fromCodePoint(chunk.codePointAt(0)!);
	const isBreak = character === '\r' || character === '\n';
	return {stroke: {input: isBreak ? '' : character, key: isBreak ? {...NO_KEY, return: true} : NO_KEY}, rest: chunk.slice(character.length)};
}

/** Where a keystroke lands: the selected board's mode, and what its keys may do there. */
function whereOf(desk: Desk): {mode: ModeKind; context: KeyContext} {
	const board = selectedBoard(desk);
	return {mode: board.mode.kind, context: {isReadOnly: board.isReadOnly, hasPoolControl: board.hasPoolControl, hasServers: board.hasServers}};
}

/** One keystroke as a command on the desk; a key with no binding in this mode does nothing. */
function stroked(desk: Desk, {input, key}: Keystroke, at: {atMs: number; pageRows: number}): DeskStep {
	const {mode, context} = whereOf(desk);
	const command = resolveKey(mode, input, key, context)?.binding.command;
	if (!command) {
		return {desk, effects: []};
	}

	return updateDesk(desk, {type: 'command', command, ...(command === 'type' ? {text: input} : {}), atMs: at.atMs, pageRows: at.pageRows});
}

/**
 * What Ink delivered, as commands on the desk: the next desk and every effect, in order. A chunk of
 * plain text is cut into keystrokes against the mode each previous one left; anything else (an
 * arrow, Enter, Esc, a modified key) is one keystroke.
 */
export function pressed(desk: Desk, input: string, key: KeyPress, at: {atMs: number; pageRows: number}): DeskStep {
	const isPlainChunk = input.length > 1 && !key.ctrl && !key.meta && !key.escape && !key.return;
	if (!isPlainChunk) {
		return stroked(desk, {input, key}, at);
	}

	let current = desk;
	const effects: DeskEffect[] = [];
	let rest = input;
	while (rest.length > 0) {
		const next = firstKeystroke(rest, whereOf(current).mode);
		const step = stroked(current, next.stroke, at);
		current = step.desk;
		effects.push(...step.effects);
		rest = next.rest;
	}

	return {desk: current, effects};
}
