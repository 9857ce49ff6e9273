import {findingText, subjectKey, subjectLabel} from '../../judge/subject.js';
import type {Finding} from '../../judge/types.js';
import {LEVEL_TAG} from '../format.js';
import {type Line, Lines, span} from '../lines.js';
import {MAX_FIRST_FINDING_ROWS} from '../layout.js';
import {clockTime, plural} from '../../text/words.js';
import {findingNeeds, fitMessage} from './finding-fit.js';

export type FindingsBannerProps = {
	findings: readonly Finding[];
	/** The judge's alarms by subjectKey (with the finding's server): when each level began, for "since 14:05:12". */
	alarms: Record<string, {sinceMs: number}>;
	maxLines: number;
};

const sinceOf = (finding: Finding, alarms: FindingsBannerProps['alarms']) => alarms[subjectKey(finding.subject, finding.server)]?.sinceMs;

/** What stands before a finding's message on its line: its level tag, since when, its server. */
function prefixOf(finding: Finding, alarms: FindingsBannerProps['alarms']): {tag: string; lead: string} {
	const since = sinceOf(finding, alarms);
	const server = findingText({message: '', server: finding.server});
	return {tag: ` ${LEVEL_TAG[finding.level]} `, lead: ` ${since === undefined ? '' : `since ${clockTime(since)} `}${server}`};
}

/** The most rows the first finding and the second may take; every other finding takes one. */
const MOST_ROWS = [MAX_FIRST_FINDING_ROWS, 2] as const;

/** Each shown finding's rows; the rest are counted on one more line. */
type Plan = {rows: number[]; counted: number};

/**
 * Rows for each finding within `maxLines`: the first two get the rows their subject and next step need
 * (the prose between may be cut), then the first grows to its whole message, then the second, then
 * more findings take a line each; a last line counts the rest.
 */
export function bannerPlan(findings: readonly Finding[], alarms: FindingsBannerProps['alarms'], maxLines: number, width: number): Plan {
	if (findings.length === 0 || maxLines <= 0) {
		return {rows: [], counted: findings.length};
	}

	const needs = findings.slice(0, 2).map((finding, index) => {
		const {tag, lead} = prefixOf(finding, alarms);
		return findingNeeds(finding, `${tag}${lead}`, width, MOST_ROWS[index]!);
	});
	const countLine = (shown: number) => (shown < findings.length ? 1 : 0);
	const rows = [Math.max(1, Math.min(needs[0]!.least, maxLines - countLine(1)))];
	if (needs[1] && rows[0]! + needs[1].least + countLine(2) <= maxLines) {
		rows.push(needs[1].least);
	}

	const used = () => rows.reduce((sum, each) => sum + each, 0);
	for (const [index, need] of needs.entries()) {
		if (index < rows.length) {
			rows[index] = Math.max(rows[index]!, Math.min(need.whole, rows[index]! + maxLines - used() - countLine(rows.length)));
		}
	}

	while (rows.length >= 2 && rows.length < findings.length && used() + 1 + countLine(rows.length + 1) <= maxLines) {
		rows.push(1);
	}

	return {rows, counted: findings.length - rows.length};
}

/** Rows the banner would take with room for everything: the first two whole, one line for each other finding. */
export function bannerRows(findings: readonly Finding[], alarms: FindingsBannerProps['alarms'], width: number): number {
	return bannerPlan(findings, alarms, Number.MAX_SAFE_INTEGER, width).rows.reduce((sum, each) => sum + each, 0);
}

/**
 * The diagnosis, most certain and worst first: where the bottleneck is, in plain words. The first two
 * findings show their subject and next step whole (the prose between them may be cut, marked "…"),
 * on as many rows as that takes; the rest take a line each, and what does not fit is named on the
 * last line by code and subject.
 */
export function bannerView({findings, alarms, maxLines, width}: FindingsBannerProps & {width: number}): Line[] {
	const {rows, counted} = bannerPlan(findings, alarms, maxLines, width);
	const lines: Line[] = rows.map((height, index): Line => {
		const finding = findings[index]!;
		const {tag, lead} = prefixOf(finding, alarms);
		const message = index < 2 ? fitMessage(finding, `${tag}${lead}`, height, width) : finding.message;
		return {
			spans: [
				span(tag, {isBold: true, isInverse: true, tone: finding.level}),
				span(`${lead}${message}`),
			],
			...(height > 1 ? {wrap: 'wrap', height} : {}),
		};
	});
	if (counted > 0 && rows.length > 0) {
		// Named, not only counted: a one-shot --json reads anew and may not find what the screen holds.
		const rest = findings.slice(rows.length).map(finding => `${finding.code} ${subjectLabel(finding.subject, finding.server)}`);
		lines.push({spans: [span(`  +${plural(counted, 'more finding')}: ${rest.join(', ')}`)], isDim: true});
	}

	return lines;
}

export function FindingsBanner(props: FindingsBannerProps & {width: number}) {
	return <Lines lines={bannerView(props)} width={props.width}/>;
}
