import {Box, Text} from 'ink';
import type {Finding} from '../../model/types.js';
import {LEVEL_TAG} from '../format.js';
import {levelColor, useTheme} from '../theme.js';

export type FindingsBannerProps = {
	findings: readonly Finding[];
	/** The model's alarms: when each finding (code + subject) began, for "since 14:05:12". */
	alarms: Record<string, {sinceMs: number}>;
	maxLines: number;
	width: number;
};

/** The same key the model's alarms use. */
export const findingKey = (finding: Finding) => `${finding.code} ${finding.subject}`;

function clock(ms: number): string {
	return new Date(ms).toISOString().slice(11, 19);
}

/** The diagnosis, worst first, one line each: where the bottleneck is, in plain words. */
export function FindingsBanner({findings, alarms, maxLines, width}: FindingsBannerProps) {
	const {isColor} = useTheme();
	if (findings.length === 0 || maxLines <= 0) {
		return null;
	}

	const shown = findings.length > maxLines ? findings.slice(0, maxLines - 1) : findings;
	const rest = findings.length - shown.length;
	return (
		<Box flexDirection="column" width={width}>
			{shown.map(finding => {
				const since = alarms[findingKey(finding)]?.sinceMs;
				return (
					<Text key={findingKey(finding)} wrap="truncate-end">
						<Text bold inverse color={levelColor(finding.level, isColor)}>{` ${LEVEL_TAG[finding.level]} `}</Text>
						{' '}{since === undefined ? '' : `since ${clock(since)} `}{finding.message}
					</Text>
				);
			})}
			{rest > 0 ? <Text wrap="truncate-end" dimColor>  +{rest} more finding{rest === 1 ? '' : 's'} (lifeguard --json lists all)</Text> : null}
		</Box>
	);
}
