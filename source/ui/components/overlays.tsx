// What takes the session list's place: help, the confirmation dialog.
import {listedBindings} from '../../keys/bindings.js';
import type {SignalKind} from '../../model/dashboard.js';
import type {Session} from '../../model/types.js';
import {compactDuration, fit} from '../format.js';
import {type Line, span} from '../lines.js';
import {shortState} from './session-list.js';

export function helpView({isReadOnly, hasPoolControl, hasServers = false, height}: {isReadOnly: boolean; hasPoolControl: boolean; hasServers?: boolean; height: number}): Line[] {
	const bindings = listedBindings(hasPoolControl, hasServers);
	const lines = [
		...bindings.map(binding => {
			const disabled = binding.isDangerous && isReadOnly ? ' (disabled: read-only)' : '';
			return `${binding.keys.padStart(6)}  ${binding.description}${disabled}`;
		}),
		'   Esc  close a prompt, dialog or this help',
	];
	return [
		{spans: [span(`Keys${lines.length > height - 1 ? ` (${lines.length - height + 1} more: widen the terminal)` : ''}`)], isBold: true},
		...lines.slice(0, Math.max(0, height - 1)).map(line => ({spans: [span(line)]})),
	];
}

export function confirmView({action, targets, isRunning, height}: {action: SignalKind; targets: readonly Session[]; isRunning: boolean; height: number}): Line[] {
	const verb = action === 'terminate' ? 'Terminate' : 'Cancel the running query of';
	// One session: name it in the question itself, so nobody confirms the wrong one.
	const only = targets.length === 1 ? targets[0]! : null;
	const noun = only
		? `session pid ${only.pid} (${only.user ?? '?'} / ${only.application || 'no application'} / ${only.state ?? 'unknown state'})`
		: `${targets.length} sessions`;
	const room = Math.max(1, height - 2);
	const shown = targets.length > room ? targets.slice(0, room - 1) : targets;
	const question = isRunning ? `${action === 'terminate' ? 'Terminating' : 'Cancelling'} ${noun}…` : `${verb} ${noun}?  y = yes, any other key = no (refresh is frozen)`;
	return [
		{spans: [span(question)], isBold: true, tone: 'critical', isInverse: true},
		...shown.map(session => ({spans: [span(`  pid ${fit(String(session.pid), 7)} ${fit(session.user ?? '?', 12)} ${fit(session.application || '-', 16)} ${fit(shortState(session), 12)} ${compactDuration(session.stateSeconds)}`)]})),
		...(shown.length < targets.length ? [{spans: [span(`  +${targets.length - shown.length} more`)]}] : []),
	];
}
