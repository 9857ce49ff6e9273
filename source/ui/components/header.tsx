import {type Line, span} from '../lines.js';
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

// Status first and the target last, so a narrow terminal cuts the target, never the status.
export function headerView({target, version, takenAtMs, nowMs, isPaused, error, isDisconnected}: HeaderProps): Line[] {
	const age = takenAtMs === null ? 'waiting for data' : `${error ? 'last data' : 'updated'} ${ageText(takenAtMs, nowMs)}`;
	let state = '';
	if (isDisconnected) {
		state = 'DISCONNECTED, retrying';
	} else if (error) {
		state = 'STALE';
	} else if (isPaused) {
		state = 'PAUSED (p resumes)';
	}

	const lines: Line[] = [{spans: [
		span('lifeguard', {isBold: true}),
		...(state ? [span(' '), span(` ${state} `, {isBold: true, isInverse: true, tone: error ? 'error' : 'notice'})] : []),
		span(`${version ? `  PG ${version}` : ''}  ${age}  ${target}`),
	]}];
	if (error) {
		lines.push({spans: [span(`  ${error}`)], tone: 'error'});
	}

	return lines;
}
