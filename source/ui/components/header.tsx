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

export function Header({target, version, takenAtMs, nowMs, isPaused, error, isDisconnected, width}: HeaderProps) {
	const {isColor} = useTheme();
	const age = takenAtMs === null ? 'waiting for data' : `updated ${ageText(takenAtMs, nowMs)}`;
	let state = '';
	if (isDisconnected) {
		state = `DISCONNECTED, retrying — data is stale: ${error ?? ''}`;
	} else if (error) {
		state = `STALE (poll failed: ${error})`;
	} else if (isPaused) {
		state = 'PAUSED (p resumes)';
	}

	return (
		<Box width={width} flexDirection="row">
			<Text bold wrap="truncate-end">
				lifeguard {target}{version ? `  PG ${version}` : ''}  {age}
				{state ? '  ' : ''}
				<Text color={isColor ? (error ? 'red' : 'yellow') : undefined} inverse={!isColor && Boolean(state)}>{state}</Text>
			</Text>
		</Box>
	);
}
