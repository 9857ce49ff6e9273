// Key bindings as data: one table drives dispatch, the help screen, the key bar and read-only mode.
import type {Key} from 'ink';

export type Command =
	| 'quit' | 'help' | 'up' | 'down' | 'page-up' | 'page-down' | 'pause' | 'sort' | 'filter'
	| 'mark' | 'mark-idle' | 'unmark' | 'terminate' | 'cancel' | 'flag' | 'raise-pool' | 'lower-pool';

export type Binding = {
	command: Command;
	keys: string;
	description: string;
	/** Sends a signal to sessions: disabled in --read-only. */
	isDangerous?: boolean;
	/** Shown in the one-line key bar. */
	isInBar?: boolean;
	/** Only where the host offers it (the demo's simulated pool). */
	isOptional?: boolean;
	matches: (input: string, key: Key) => boolean;
};

export const BINDINGS: readonly Binding[] = [
	{command: 'up', keys: '↑/k', description: 'select the previous session', matches: (input, key) => key.upArrow || input === 'k'},
	{command: 'down', keys: '↓/j', description: 'select the next session', matches: (input, key) => key.downArrow || input === 'j'},
	{command: 'page-up', keys: 'PgUp', description: 'one page up', matches: (_input, key) => key.pageUp},
	{command: 'page-down', keys: 'PgDn', description: 'one page down', matches: (_input, key) => key.pageDown},
	{command: 'filter', keys: '/', description: 'filter by user, database, application, client, query', isInBar: true, matches: input => input === '/'},
	{command: 'sort', keys: 's', description: 'cycle the sort: time in state, state, pid, user, database, application', isInBar: true, matches: input => input === 's'},
	{command: 'pause', keys: 'p', description: 'pause / resume the display', isInBar: true, matches: input => input === 'p'},
	{command: 'mark', keys: 'space', description: 'mark / unmark the selected session', matches: input => input === ' '},
	{command: 'mark-idle', keys: 'i', description: 'mark idle sessions past --idle-after; again: add idle in transaction', isInBar: true, matches: input => input === 'i'},
	{command: 'unmark', keys: 'u', description: 'unmark all', matches: input => input === 'u'},
	{command: 'terminate', keys: 't', description: 'terminate the marked (or selected) sessions, after confirmation', isDangerous: true, isInBar: true, matches: input => input === 't'},
	{command: 'cancel', keys: 'c', description: 'cancel the running query of the marked (or selected) active sessions', isDangerous: true, matches: input => input === 'c'},
	{command: 'flag', keys: 'f', description: 'flag saturation with a note in the incident log', isInBar: true, matches: input => input === 'f'},
	{command: 'raise-pool', keys: '+', description: 'demo: raise the simulated pool\'s max', isOptional: true, matches: input => input === '+'},
	{command: 'lower-pool', keys: '-', description: 'demo: lower the simulated pool\'s max', isOptional: true, matches: input => input === '-'},
	{command: 'help', keys: '?', description: 'help (again or Esc closes it)', isInBar: true, matches: input => input === '?'},
	{command: 'quit', keys: 'q', description: 'quit (also Ctrl-C)', isInBar: true, matches: input => input === 'q'},
];

export function bindingFor(input: string, key: Key): Binding | undefined {
	if (key.ctrl && input === 'c') {
		return BINDINGS.find(binding => binding.command === 'quit');
	}

	// Ctrl-T is not t: a modified letter must never reach a dangerous command.
	if (key.ctrl || key.meta) {
		return undefined;
	}

	return BINDINGS.find(binding => binding.matches(input, key));
}
