import {type Line, type Span, span} from '../lines.js';
import {ageText} from '../format.js';

export type HeaderProps = {
	target: string;
	version: string | null;
	takenAtMs: number | null;
	nowMs: number;
	isPaused: boolean;
	/** Set while the last poll failed: the data shown is the last good one. */
	error: string | null;
	isDisconnected: boolean;
};

/** Lines the header takes: a second one names the error while polls fail. */
export const headerLines = (error: string | null) => (error ? 2 : 1);

// Status first and the target last, so a narrow terminal cuts the target, never the status. Every
// state that holds shows: paused and disconnected at once is a frozen frame of a server that is gone.
export function headerView({target, version, takenAtMs, nowMs, isPaused, error, isDisconnected}: HeaderProps): Line[] {
	const age = takenAtMs === null ? 'waiting for data' : `${error ? 'last data' : 'updated'} ${ageText(takenAtMs, nowMs)}`;
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
