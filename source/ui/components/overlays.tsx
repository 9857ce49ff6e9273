// What takes the session list's place: help, the confirmation dialog.
import {Box, Text} from 'ink';
import {listedBindings} from '../../keys/bindings.js';
import type {SignalKind} from '../../model/dashboard.js';
import type {Session} from '../../model/types.js';
import {compactDuration, fit} from '../format.js';
import {useTheme} from '../theme.js';
import {shortState} from './session-list.js';

export function HelpScreen({isReadOnly, hasPoolControl, height, width}: {isReadOnly: boolean; hasPoolControl: boolean; height: number; width: number}) {
	const bindings = listedBindings(hasPoolControl);
	const lines = [
		...bindings.map(binding => {
			const disabled = binding.isDangerous && isReadOnly ? ' (disabled: read-only)' : '';
			return `${binding.keys.padStart(6)}  ${binding.description}${disabled}`;
		}),
		'   Esc  close a prompt, dialog or this help',
	];
	return (
		<Box flexDirection="column" width={width}>
			<Text bold>Keys{lines.length > height - 1 ? ` (${lines.length - height + 1} more: widen the terminal)` : ''}</Text>
			{lines.slice(0, Math.max(0, height - 1)).map(line => <Text key={line} wrap="truncate-end">{line}</Text>)}
		</Box>
	);
}

export function ConfirmDialog({action, targets, isRunning, height, width}: {action: SignalKind; targets: readonly Session[]; isRunning: boolean; height: number; width: number}) {
	const {isColor} = useTheme();
	const verb = action === 'terminate' ? 'Terminate' : 'Cancel the running query of';
	// One session: name it in the question itself, so nobody confirms the wrong one.
	const only = targets.length === 1 ? targets[0]! : null;
	const noun = only
		? `session pid ${only.pid} (${only.user ?? '?'} / ${only.application || 'no application'} / ${only.state ?? 'unknown state'})`
		: `${targets.length} sessions`;
	const room = Math.max(1, height - 2);
	const shown = targets.length > room ? targets.slice(0, room - 1) : targets;
	return (
		<Box flexDirection="column" width={width}>
			<Text bold wrap="truncate-end" color={isColor ? 'red' : undefined} inverse={!isColor}>
				{isRunning ? `${action === 'terminate' ? 'Terminating' : 'Cancelling'} ${noun}…` : `${verb} ${noun}?  y = yes, any other key = no (refresh is frozen)`}
			</Text>
			{shown.map(session => (
				<Text key={session.pid} wrap="truncate-end">
					{`  pid ${fit(String(session.pid), 7)} ${fit(session.user ?? '?', 12)} ${fit(session.application || '-', 16)} ${fit(shortState(session), 12)} ${compactDuration(session.stateSeconds)}`}
				</Text>
			))}
			{shown.length < targets.length ? <Text>{`  +${targets.length - shown.length} more`}</Text> : null}
		</Box>
	);
}
