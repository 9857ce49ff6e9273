import {alarmSubject} from '../../model/diagnosis.js';
import type {Finding} from '../../model/types.js';
import {LEVEL_TAG} from '../format.js';
import {type Line, Lines, span} from '../lines.js';

export type FindingsBannerProps = {
	findings: readonly Finding[];
	/** The model's alarms: when each subject's level began, for "since 14:05:12". */
	alarms: Record<string, {sinceMs: number}>;
	maxLines: number;
};

function clock(ms: number): string {
	return new Date(ms).toISOString().slice(11, 19);
}

/**
 * The diagnosis, worst first, one line each: where the bottleneck is, in plain words. The worst
 * finding gets two lines, so its next step is not cut off on a narrow terminal.
 */
export function bannerView({findings, alarms, maxLines}: FindingsBannerProps): Line[] {
	if (findings.length === 0 || maxLines <= 0) {
		return [];
	}

	const firstLines = maxLines >= 3 || maxLines > findings.length ? 2 : 1;
	const room = maxLines - firstLines;
	const others = findings.slice(1);
	const shown = [findings[0]!, ...(others.length > room ? others.slice(0, room - 1) : others)];
	const rest = findings.length - shown.length;
	const lines: Line[] = shown.map((finding, index): Line => {
		const since = alarms[alarmSubject(finding)]?.sinceMs;
		const height = index === 0 ? firstLines : 1;
		return {
			spans: [
				span(` ${LEVEL_TAG[finding.level]} `, {isBold: true, isInverse: true, tone: finding.level}),
				span(` ${since === undefined ? '' : `since ${clock(since)} `}${finding.message}`),
			],
			...(height > 1 ? {wrap: 'wrap', height} : {}),
		};
	});
	if (rest > 0) {
		lines.push({spans: [span(`  +${rest} more finding${rest === 1 ? '' : 's'} (lifeguard --json lists all)`)], isDim: true});
	}

	return lines;
}

export function FindingsBanner(props: FindingsBannerProps & {width: number}) {
	return <Lines lines={bannerView(props)} width={props.width}/>;
}
