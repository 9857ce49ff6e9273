import {Box, Text} from 'ink';
import {ageText} from '../format.js';
import {useTheme} from '../theme.js';

export type HeaderProps = {
	target: string;
	version: string | null;
	takenAtMs: number | null;
	nowMs: number;
	isPaused: boolean;
	/** Set while the last poll failed: the data shown is the last good one. */
	error: string | null;
	isDisconnected: boolean;
	width: number;
};

/** Lines the header takes: a second one names the error while polls fail. */
export const headerLines = (error: string | null) => (error ? 2 : 1);

// Status first and the target last, so a narrow terminal cuts the target, never the status.
export function Header({target, version, takenAtMs, nowMs, isPaused, error, isDisconnected, width}: HeaderProps) {
	const {isColor} = useTheme();
	const age = takenAtMs === null ? 'waiting for data' : `${error ? 'last data' : 'updated'} ${ageText(takenAtMs, nowMs)}`;
	let state = '';
	if (isDisconnected) {
		state = 'DISCONNECTED, retrying';
	} else if (error) {
		state = 'STALE';
	} else if (isPaused) {
		state = 'PAUSED (p resumes)';
	}

	return (
		<Box width={width} flexDirection="column">
			<Text wrap="truncate-end">
				<Text bold>lifeguard</Text>
				{state ? ' ' : ''}
				<Text bold color={isColor ? (error ? 'red' : 'yellow') : undefined} inverse={Boolean(state)}>{state ? ` ${state} ` : ''}</Text>
				{version ? `  PG ${version}` : ''}  {age}  {target}
			</Text>
			{error ? <Text wrap="truncate-end" color={isColor ? 'red' : undefined}>{`  ${error}`}</Text> : null}
		</Box>
	);
}
