// Key bindings as data: one table maps a key, in the mode the screen is in, to a command. Dispatch
// (resolveKey), the help screen, the key bar, `--help` and the README's key table all come from it,
// and read-only mode is enforced here, before any command exists.

/** The parts of a key press lifeguard reads (Ink's Key has these and more). */
export type KeyPress = {
	upArrow: boolean;
	downArrow: boolean;
	pageUp: boolean;
	pageDown: boolean;
	return: boolean;
	escape: boolean;
	backspace: boolean;
	delete: boolean;
	ctrl: boolean;
	meta: boolean;
	/** Ink sets these; a chunk of typed text carries a tab as '\t' instead. */
	tab?: boolean;
	shift?: boolean;
};

export type ModeKind = 'list' | 'filter' | 'note' | 'confirm' | 'signalling' | 'help' | 'pools' | 'members';

export type Command =
	| 'quit' | 'help' | 'close-help' | 'up' | 'down' | 'page-up' | 'page-down' | 'pause' | 'sort' | 'filter' | 'clear-filter'
	| 'mark' | 'mark-idle' | 'unmark' | 'terminate' | 'cancel' | 'flag' | 'raise-pool' | 'lower-pool' | 'next-server' | 'previous-server'
	| 'pools' | 'instances' | 'back'
	| 'type' | 'erase' | 'submit' | 'discard' | 'confirm' | 'decline';

export type Binding = {
	command: Command;
	keys: string;
	description: string;
	/** The description in a half-width column at 80 (26 cells), where the help needs two columns. */
	short?: string;
	modes: readonly ModeKind[];
	/** Sends a signal to sessions: refused in --read-only. */
	isDangerous?: boolean;
	/** Shown in the one-line key bar. */
	isInBar?: boolean;
	/** Only where the host offers it (the demo's simulated pool). */
	isOptional?: boolean;
	/** Only with several servers (`--db` given more than once). */
	isMultiServer?: boolean;
	/** Listed on the help screen and in the README (the prompts' own keys are not). */
	isListed?: boolean;
	matches: (input: string, key: KeyPress) => boolean;
};

const LIST: readonly ModeKind[] = ['list', 'help'];
/** The pools drill-down: the pool rows, then one fleet pool's instances. */
const DRILL: readonly ModeKind[] = ['pools', 'members'];
/** Where a cursor moves: the session list, and the drill-down's rows. */
const ROWS: readonly ModeKind[] = [...LIST, ...DRILL];
const TEXT: readonly ModeKind[] = ['filter', 'note'];
const plain = (key: KeyPress) => !key.ctrl && !key.meta;

export const BINDINGS: readonly Binding[] = [
	{command: 'up', keys: '↑/k', description: 'select the previous row (a session follows its pid, a pool its name, an instance its label)', short: 'select the previous row', modes: ROWS, isListed: true, matches: (input, key) => key.upArrow || input === 'k'},
	{command: 'down', keys: '↓/j', description: 'select the next row', modes: ROWS, isListed: true, matches: (input, key) => key.downArrow || input === 'j'},
	{command: 'page-up', keys: 'PgUp', description: 'one page up', modes: ROWS, isListed: true, matches: (_input, key) => key.pageUp},
	{command: 'page-down', keys: 'PgDn', description: 'one page down', modes: ROWS, isListed: true, matches: (_input, key) => key.pageDown},
	{command: 'pools', keys: 'Enter', description: 'list the pools worst first, with a cursor (--pool, --prometheus)', short: 'list pools, worst first', modes: ['list'], isListed: true, matches: (_input, key) => key.return},
	{command: 'next-server', keys: 'Tab/]', description: 'several --db: show the next server\'s sessions (list, filter and actions follow it)', short: 'show the next server', modes: LIST, isMultiServer: true, isListed: true, matches: (input, key) => (Boolean(key.tab) && !key.shift) || input === '\t' || input === ']'},
	{command: 'previous-server', keys: 'Shift-Tab/[', description: 'several --db: show the previous server\'s sessions', short: 'show the previous server', modes: LIST, isMultiServer: true, isListed: true, matches: (input, key) => (Boolean(key.tab) && Boolean(key.shift)) || input === '['},
	{command: 'filter', keys: '/', description: 'filter by user, database, application, client, query (Enter applies, Esc clears)', short: 'filter the sessions', modes: LIST, isInBar: true, isListed: true, matches: input => input === '/'},
	{command: 'sort', keys: 's', description: 'cycle the sort: time in state, state, pid, user, database, application', short: 'cycle the sort', modes: LIST, isInBar: true, isListed: true, matches: input => input === 's'},
	{command: 'pause', keys: 'p', description: 'pause / resume the display (polling, alarms and the log go on)', short: 'pause / resume the display', modes: ROWS, isInBar: true, isListed: true, matches: input => input === 'p'},
	{command: 'mark', keys: 'space', description: 'mark / unmark the selected session', short: 'mark / unmark the session', modes: LIST, isListed: true, matches: input => input === ' '},
	{command: 'mark-idle', keys: 'i', description: 'mark idle sessions past --idle-after in the filter; again: add idle in transaction', short: 'mark idle; again: +idle tx', modes: LIST, isInBar: true, isListed: true, matches: input => input === 'i'},
	{command: 'unmark', keys: 'u', description: 'unmark all', modes: LIST, isListed: true, matches: input => input === 'u'},
	{command: 'terminate', keys: 't', description: 'terminate the marked (or selected) sessions, after a confirmation that defaults to No', short: 'terminate (y/N)', modes: LIST, isDangerous: true, isInBar: true, isListed: true, matches: input => input === 't'},
	{command: 'cancel', keys: 'c', description: 'cancel the running query of the marked (or selected) active sessions, after confirmation', short: 'cancel queries (y/N)', modes: LIST, isDangerous: true, isListed: true, matches: input => input === 'c'},
	{command: 'flag', keys: 'f', description: 'flag saturation with a note in the incident log', short: 'flag: note in incident log', modes: LIST, isInBar: true, isListed: true, matches: input => input === 'f'},
	{command: 'raise-pool', keys: '+', description: 'demo only: raise the simulated pool\'s max', short: 'demo: raise the pool max', modes: LIST, isOptional: true, isListed: true, matches: input => input === '+'},
	{command: 'lower-pool', keys: '-', description: 'demo only: lower the simulated pool\'s max', short: 'demo: lower the pool max', modes: LIST, isOptional: true, isListed: true, matches: input => input === '-'},
	{command: 'instances', keys: 'Enter', description: 'on a fleet pool (--prometheus): its instances, worst first, live', short: 'a fleet pool\'s instances', modes: ['pools'], isInBar: true, isListed: true, matches: (_input, key) => key.return},
	{command: 'back', keys: 'Esc', description: 'in the pools or instances: back one level (instances, pools, sessions)', short: 'pools: back one level', modes: DRILL, isInBar: true, isListed: true, matches: (_input, key) => key.escape},
	{command: 'close-help', keys: '?/Esc', description: 'close the help', modes: ['help'], matches: (input, key) => input === '?' || key.escape},
	{command: 'help', keys: '?', description: 'help (again or Esc closes it)', short: 'help (? or Esc closes)', modes: ['list', ...DRILL], isInBar: true, isListed: true, matches: input => input === '?'},
	{command: 'clear-filter', keys: 'Esc', description: 'clear the filter', modes: ['list'], matches: (_input, key) => key.escape},
	{command: 'quit', keys: 'q', description: 'quit (also Ctrl-C)', modes: ROWS, isInBar: true, isListed: true, matches: input => input === 'q'},
	// The prompts: filter and flag note.
	{command: 'submit', keys: 'Enter', description: 'apply the filter / record the note', modes: TEXT, matches: (_input, key) => key.return},
	{command: 'discard', keys: 'Esc', description: 'clear the filter / drop the note', modes: TEXT, matches: (_input, key) => key.escape},
	{command: 'erase', keys: 'Backspace', description: 'delete the last character', modes: TEXT, matches: (_input, key) => key.backspace || key.delete},
	{command: 'type', keys: 'text', description: 'type (a paste that ends in Enter is typed, then submitted)', modes: TEXT, matches: (input, key) => input !== '' && plain(key)},
	// The confirmation: No is the default, only y confirms.
	{command: 'confirm', keys: 'y', description: 'yes', modes: ['confirm'], matches: (input, key) => input === 'y' && plain(key)},
	{command: 'decline', keys: 'any other key', description: 'no', modes: ['confirm'], matches: () => true},
];

export type KeyContext = {isReadOnly: boolean; hasPoolControl: boolean; hasServers?: boolean};

export type Resolved = {binding: Binding; isRefused: boolean};

/** The binding a key press means in this mode, or null. A refused binding is shown, never run. */
export function resolveKey(mode: ModeKind, input: string, key: KeyPress, context: KeyContext): Resolved | null {
	// Ctrl-C quits from anywhere but the running signal.
	if (key.ctrl && input === 'c' && mode !== 'signalling') {
		return {binding: BINDINGS.find(binding => binding.command === 'quit')!, isRefused: false};
	}

	const isText = mode === 'filter' || mode === 'note' || mode === 'confirm';
	// Ctrl-T is not t: a modified letter never reaches a list command. (Ink reports Esc as Meta.)
	if (!isText && !key.escape && !plain(key)) {
		return null;
	}

	const binding = BINDINGS.find(candidate => candidate.modes.includes(mode) && candidate.matches(input, key)
		&& (!candidate.isOptional || context.hasPoolControl) && (!candidate.isMultiServer || Boolean(context.hasServers)));
	if (!binding) {
		return null;
	}

	return {binding, isRefused: Boolean(binding.isDangerous && context.isReadOnly)};
}

/** The one-line key bar of a mode: the list's, or the drill-down's; `Enter pools` only when there are pools. */
export function keyBar(isReadOnly: boolean, mode: ModeKind = 'list', hasPools = false): string {
	return BINDINGS.filter(binding => (binding.isInBar || (binding.command === 'pools' && hasPools)) && binding.modes.includes(mode)
		&& !(binding.isDangerous && isReadOnly))
		.map(binding => `${binding.keys} ${binding.command}`).join('  ');
}

/** The bindings the help screen, `--help` and the README list. */
export function listedBindings(hasPoolControl: boolean, hasServers = true): Binding[] {
	return BINDINGS.filter(binding => binding.isListed && (!binding.isOptional || hasPoolControl) && (!binding.isMultiServer || hasServers));
}

/** `--help`'s key paragraph. */
export function keysHelpText(): string {
	return listedBindings(true).map(binding => `${binding.keys} ${binding.command}`).join(', ');
}

/** The README's key table, row for row. */
export function keysMarkdownTable(): string {
	return ['| key | action |', '| --- | --- |', ...listedBindings(true).map(binding => `| \`${binding.keys}\` | ${binding.description} |`)].join('\n');
}

/** The modes a command has a key in; quit has Ctrl-C everywhere but while a signal runs. */
export function isCommandIn(mode: ModeKind, command: Command): boolean {
	return command === 'quit' ? mode !== 'signalling' : BINDINGS.some(binding => binding.command === command && binding.modes.includes(mode));
}

/** A command that signals sessions: refused in --read-only, wherever it comes from. */
export function isDangerousCommand(command: Command): boolean {
	return BINDINGS.some(binding => binding.command === command && binding.isDangerous === true);
}
