import {type Line, type Span, span} from '../lines.js';
import {ageText} from '../format.js';
import {clockTime} from '../../text/words.js';

export type HeaderProps = {
	target: string;
	version: string | null;
	takenAtMs: number | null;
	nowMs: number;
	isPaused: boolean;
	/** The frame stands at one moment (paused, or a dialog open): its age is that moment, not "now". */
	isHeld?: boolean;
	/** Set while the last poll failed: the data shown is the last good one. */
	error: string | null;
	isDisconnected: boolean;
};

/** Lines the header takes: a second one names the error while polls fail. */
export const headerLines = (error: string | null) => (error ? 2 : 1);

// Status first and the target last, so a narrow terminal cuts the target, never the status. Every
// state that holds shows: paused and disconnected at once is a frozen frame of a server that is gone.
export function headerView({target, version, takenAtMs, nowMs, isPaused, isHeld = isPaused, error, isDisconnected}: HeaderProps): Line[] {
	const age = takenAtMs === null ? 'waiting for data' : dataAge(takenAtMs, nowMs, isHeld, error !== null);
	const failure = isDisconnected ? 'DISCONNECTED, retrying' : (error ? 'STALE' : '');
	const states: Span[] = [];
	if (isPaused) {
		// Beside a failure the hint goes, so that at 80 columns the age of the data still shows.
		states.push(span(failure ? ' PAUSED ' : ' PAUSED (p resumes) ', {isBold: true, isInverse: true, tone: 'notice'}));
	}

	if (failure) {
		states.push(span(` ${failure} `, {isBold: true, isInverse: true, tone: 'error'}));
	}

	const lines: Line[] = [{spans: [
		span('lifeguard', {isBold: true}),
		...states.flatMap(state => [span(' '), state]),
		span(`${version ? `  PG ${version}` : ''}  ${age}  ${target}`),
	]}];
	if (error) {
		lines.push({spans: [span(`  ${error}`)], tone: 'error'});
	}

	return lines;
}

/**
 * How old the data shown is. A held frame has no "now" (its time is its picture's): it names the
 * moment its data is from, so it never reads "just now" for minutes.
 */
function dataAge(takenAtMs: number, nowMs: number, isHeld: boolean, isFailing: boolean): string {
	if (isHeld) {
		// "data from", failing or not: beside STALE or DISCONNECTED it is plainly the last.
		return `data from ${clockTime(takenAtMs)}`;
	}

	return `${isFailing ? 'last data' : 'updated'} ${ageText(takenAtMs, nowMs)}`;
}
