import {Box, Text} from 'ink';
import {alarmSubject} from '../../model/diagnosis.js';
import type {Finding} from '../../model/types.js';
import {LEVEL_TAG} from '../format.js';
import {levelColor, useTheme} from '../theme.js';

/** The worst finding gets two lines (its next step must not be cut off), the others one each. */
export type FindingsBannerProps = {
	findings: readonly Finding[];
	/** The model's alarms: when each subject's level began, for "since 14:05:12". */
	alarms: Record<string, {sinceMs: number}>;
	maxLines: number;
	width: number;
};

const findingKey = (finding: Finding) => `${finding.code} ${finding.subject}`;

function clock(ms: number): string {
	return new Date(ms).toISOString().slice(11, 19);
}

/** The diagnosis, worst first, one line each: where the bottleneck is, in plain words. */
export function FindingsBanner({findings, alarms, maxLines, width}: FindingsBannerProps) {
	const {isColor} = useTheme();
	if (findings.length === 0 || maxLines <= 0) {
		return null;
	}

	// The worst finding may take two lines, so its next step is not cut off on a narrow terminal.
	const firstLines = maxLines >= 3 || maxLines > findings.length ? 2 : 1;
	const room = maxLines - firstLines;
	const others = findings.slice(1);
	const shown = [findings[0]!, ...(others.length > room ? others.slice(0, room - 1) : others)];
	const rest = findings.length - shown.length;
	return (
		<Box flexDirection="column" width={width}>
			{shown.map((finding, index) => {
				const since = alarms[alarmSubject(finding)]?.sinceMs;
				const lines = index === 0 ? firstLines : 1;
				return (
					<Box key={findingKey(finding)} height={lines} overflow="hidden">
						<Text wrap={lines > 1 ? 'wrap' : 'truncate-end'}>
							<Text bold inverse color={levelColor(finding.level, isColor)}>{` ${LEVEL_TAG[finding.level]} `}</Text>
							{' '}{since === undefined ? '' : `since ${clock(since)} `}{finding.message}
						</Text>
					</Box>
				);
			})}
			{rest > 0 ? <Text wrap="truncate-end" dimColor>  +{rest} more finding{rest === 1 ? '' : 's'} (lifeguard --json lists all)</Text> : null}
		</Box>
	);
}
