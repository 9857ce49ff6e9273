import {findingText, subjectKey} from '../../judge/subject.js';
import type {Finding} from '../../judge/types.js';
import {LEVEL_TAG} from '../format.js';
import {type Line, Lines, span} from '../lines.js';
import {MAX_FIRST_FINDING_ROWS} from '../layout.js';
import {cellWidth} from '../../text/width.js';
import {plural} from '../../text/words.js';

export type FindingsBannerProps = {
	findings: readonly Finding[];
	/** The judge's alarms by subjectKey (with the finding's server): when each level began, for "since 14:05:12". */
	alarms: Record<string, {sinceMs: number}>;
	maxLines: number;
};

function clock(ms: number): string {
	return new Date(ms).toISOString().slice(11, 19);
}

function bannerText(finding: Finding, since: number | undefined): string {
	return ` ${since === undefined ? '' : `since ${clock(since)} `}${findingText(finding)}`;
}

const sinceOf = (finding: Finding, alarms: FindingsBannerProps['alarms']) => alarms[subjectKey(finding.subject, finding.server)]?.sinceMs;

/** Rows a finding needs to be read whole at this width (word-wrapped as Ink wraps): 1 to 3. */
export function findingRows(finding: Finding, alarms: FindingsBannerProps['alarms'], width: number): number {
	const text = ` ${LEVEL_TAG[finding.level]} ${bannerText(finding, sinceOf(finding, alarms))}`;
	return Math.min(MAX_FIRST_FINDING_ROWS, wrappedRows(text, width));
}

/** How many rows greedy word wrapping takes; a word longer than a row is cut across rows. */
export function wrappedRows(text: string, width: number): number {
	const columns = Math.max(1, width);
	let rows = 1;
	let used = 0;
	for (const word of text.split(' ')) {
		const size = cellWidth(word);
		const needed = used === 0 ? size : used + 1 + size;
		if (needed <= columns) {
			used = needed;
			continue;
		}

		if (used > 0) {
			rows++;
		}

		rows += Math.floor(Math.max(0, size - 1) / columns);
		used = size % columns || (size > 0 ? columns : 0);
	}

	return rows;
}

/**
 * The diagnosis, worst first, one line each: where the bottleneck is, in plain words. The worst
 * finding gets two lines, so its next step is not cut off on a narrow terminal.
 */
export function bannerView({findings, alarms, maxLines, width}: FindingsBannerProps & {width: number}): Line[] {
	if (findings.length === 0 || maxLines <= 0) {
		return [];
	}

	const firstLines = Math.min(findingRows(findings[0]!, alarms, width), maxLines - (findings.length > 1 && maxLines > 2 ? 1 : 0));
	const room = maxLines - firstLines;
	const others = findings.slice(1);
	const shown = [findings[0]!, ...(others.length > room ? others.slice(0, room - 1) : others)];
	const rest = findings.length - shown.length;
	const lines: Line[] = shown.map((finding, index): Line => {
		const since = sinceOf(finding, alarms);
		const height = index === 0 ? firstLines : 1;
		return {
			spans: [
				span(` ${LEVEL_TAG[finding.level]} `, {isBold: true, isInverse: true, tone: finding.level}),
				span(bannerText(finding, since)),
			],
			...(height > 1 ? {wrap: 'wrap', height} : {}),
		};
	});
	if (rest > 0) {
		lines.push({spans: [span(`  +${plural(rest, 'more finding')} (lifeguard --json lists all)`)], isDim: true});
	}

	return lines;
}

export function FindingsBanner(props: FindingsBannerProps & {width: number}) {
	return <Lines lines={bannerView(props)} width={props.width}/>;
}
