// A finding's words fitted to the rows the banner gives it: what it is about (the pid, the pool, the
// group) and its next step are never cut; words of the prose between them go first, marked "…". Pure.
import {subjectLabel} from '../../judge/subject.js';
import type {Finding} from '../../judge/types.js';
import {cellWidth} from '../../text/width.js';

/**
 * How many rows the text takes as Ink draws it: Ink's own wrapping (wrap-ansi with spaces kept and long
 * words cut) counted, not run (running it costs ~50× more, and the banner measures every frame). Its
 * rules: the space before a word goes on the current row, or begins the next one when the row ends
 * exactly at the edge; a word that does not fit starts a new row; a word longer than a row is cut
 * across rows, character by character.
 */
export function wrappedRows(text: string, width: number): number {
	const columns = Math.max(1, width);
	let rows = 1;
	let used = 0;
	for (const [index, word] of text.split(' ').entries()) {
		if (index > 0) {
			if (used >= columns) {
				rows++;
				used = 0;
			}

			used++;
		}

		const size = cellWidth(word);
		if (size > columns) {
			// wrap-ansi starts it on a new row when that saves a break.
			if (Math.floor((size - 1) / columns) < 1 + Math.floor((size - (columns - used) - 1) / columns)) {
				rows++;
				used = 0;
			}

			({rows, used} = cutAcross(word, columns, rows, used));
			continue;
		}

		if (used + size > columns && used > 0 && size > 0) {
			rows++;
			used = 0;
		}

		used += size;
	}

	return rows;
}

/** A word longer than a row, cut character by character as wrap-ansi's wrapWord does. */
function cutAcross(word: string, columns: number, rows: number, used: number): {rows: number; used: number} {
	const characters = [...word];
	for (const [index, character] of characters.entries()) {
		const size = cellWidth(character);
		if (used + size > columns) {
			rows++;
			used = 0;
		}

		used += size;
		if (used === columns && index < characters.length - 1) {
			rows++;
			used = 0;
		}
	}

	return {rows, used};
}

/**
 * Where a message's next step starts: its last sentence ("… for 2 min. Cancel pid 42's query."), or
 * else the last clause after a colon or semicolon ("…: raise the pool's max."); null when neither.
 */
export function nextStepStart(message: string): number | null {
	const sentence = [...message.matchAll(/\. (?=[A-Z])/g)].at(-1);
	if (sentence) {
		return sentence.index + 2;
	}

	const clause = [...message.matchAll(/[:;] (?=\S)/g)].at(-1);
	return clause ? clause.index + 2 : null;
}

type Word = {text: string; isKept: boolean};

/** The message's words, those of its subject (first mention) and of its next step marked as kept. */
function wordsOf(finding: Finding): {words: Word[]; subjectWord: number} {
	const {message} = finding;
	const label = subjectLabel(finding.subject);
	const at = message.indexOf(label);
	const subject = at === -1 ? null : [at, at + label.length] as const;
	const step = nextStepStart(message) ?? message.length;
	const words: Word[] = [];
	let subjectWord = -1;
	let offset = 0;
	for (const text of message.split(' ')) {
		const end = offset + text.length;
		const isSubject = subject !== null && offset < subject[1] && end > subject[0];
		if (isSubject && subjectWord === -1) {
			subjectWord = words.length;
		}

		words.push({text, isKept: isSubject || offset >= step});
		offset = end + 1;
	}

	return {words, subjectWord};
}

/** The words with the dropped ones shown as one "…" per run. */
function joined(words: readonly Word[], dropped: ReadonlySet<number>): string {
	const out: string[] = [];
	for (const [index, word] of words.entries()) {
		if (!dropped.has(index)) {
			out.push(word.text);
		} else if (!dropped.has(index - 1)) {
			out.push(out.length > 0 ? `${out.pop()!}…` : '…');
		}
	}

	return out.join(' ');
}

/**
 * The finding's message fitted to `rows` rows of `width` after `prefix` (its level tag and "since"):
 * whole when it fits; else the words between the subject and the next step are dropped from the step
 * backwards, then those before the subject, nearest first. When even that does not fit, the shortest
 * form: the row's end cuts it.
 */
export function fitMessage(finding: Finding, prefix: string, rows: number, width: number): string {
	const fits = (text: string) => wrappedRows(`${prefix}${text}`, width) <= rows;
	if (fits(finding.message)) {
		return finding.message;
	}

	const {words, subjectWord} = wordsOf(finding);
	const droppable = words.map((word, index) => index).filter(index => !words[index]!.isKept);
	// After the subject first (from the step back), then before it (from the subject back).
	const after = droppable.filter(index => index > subjectWord).reverse();
	const before = droppable.filter(index => index < subjectWord).reverse();
	const dropped = new Set<number>();
	let text = finding.message;
	for (const index of [...after, ...before]) {
		dropped.add(index);
		text = joined(words, dropped);
		if (fits(text)) {
			return text;
		}
	}

	return text;
}

/** Rows a finding needs: `whole` for its whole message, `least` for its subject and next step alone. */
export function findingNeeds(finding: Finding, prefix: string, width: number, most: number): {whole: number; least: number} {
	const whole = Math.min(most, wrappedRows(`${prefix}${finding.message}`, width));
	let least = whole;
	while (least > 1 && wrappedRows(`${prefix}${fitMessage(finding, prefix, least - 1, width)}`, width) <= least - 1) {
		least--;
	}

	return {whole, least};
}
