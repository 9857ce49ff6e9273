// The command line as typed -> positionals and flags, before any meaning is given to them: which
// flags exist, which take a value, which may repeat. Every error is an OptionsError of one printable
// line naming the flag. Not meow's flags (meow only answers --help and --version, cli.tsx): meow throws
// a stack trace on a repeated flag, reads `--db` without a value as absent, and turns `--json=abc` into false, and
// none of those can be reported from its result.
import {safeText} from './text/sanitize.js';

export class OptionsError extends Error {}

/** The flags, as typed (kebab-case). `value` flags take one argument; `db`, `pool` and `prometheus` may repeat. */
const FLAGS = {
	db: 'value',
	json: 'switch',
	interval: 'value',
	sample: 'value',
	pool: 'value',
	prometheus: 'value',
	'prometheus-selector': 'value',
	'pool-timeout': 'value',
	warn: 'value',
	critical: 'value',
	'idle-after': 'value',
	'idle-in-transaction-after': 'value',
	'read-only': 'switch',
	log: 'value',
	bell: 'switch',
	scenario: 'value',
	endpoint: 'switch',
	markdown: 'switch',
	doctor: 'switch',
	'rule-interval': 'value',
	for: 'value',
	out: 'value',
	html: 'value',
	from: 'value',
	to: 'value',
	// meow answers these alone before the flags are read (cli.tsx); known here so they are never "unknown".
	help: 'switch',
	version: 'switch',
} as const;

export type FlagName = keyof typeof FLAGS;
export const FLAG_NAMES = Object.keys(FLAGS) as FlagName[];
export type ValueFlag = {[Name in FlagName]: typeof FLAGS[Name] extends 'value' ? Name : never}[FlagName];
export type SwitchFlag = Exclude<FlagName, ValueFlag>;
export const REPEATABLE = new Set<FlagName>(['db', 'pool', 'prometheus']);

/** What the command line said: every value of every value flag, and every setting of every switch. */
export type ParsedFlags = {
	values?: Partial<Record<ValueFlag, string[]>>;
	switches?: Partial<Record<SwitchFlag, boolean[]>>;
	/** Each flag given, once, in the order first given, as typed (`--no-bell`). */
	given?: Array<{name: FlagName; typed: string}>;
};

/** Shown in messages: printable, and cut so one line stays one line. */
export function quote(text: string): string {
	const shown = safeText(text);
	return `"${shown.length > 60 ? `${shown.slice(0, 59)}…` : shown}"`;
}

const isFlag = (name: string): name is FlagName => Object.hasOwn(FLAGS, name);

/**
 * argv (without node and the script) -> positionals and flags. `--flag value` and `--flag=value`;
 * a value flag takes the next argument unless it starts with `--`, so `--interval -1` is reported as
 * out of range, not as an unknown flag `-1` (`--db=--x` passes a value starting with `--`);
 * `--no-bell`; `--` ends the flags.
 */
export function parseArgv(argv: readonly string[]): {positionals: string[]; flags: ParsedFlags} {
	const positionals: string[] = [];
	const values: Partial<Record<ValueFlag, string[]>> = {};
	const switches: Partial<Record<SwitchFlag, boolean[]>> = {};
	const unknown: string[] = [];
	const given = new Map<FlagName, string>();
	for (let index = 0; index < argv.length; index++) {
		const argument = argv[index]!;
		if (argument === '--') {
			positionals.push(...argv.slice(index + 1));
			break;
		}

		if (!argument.startsWith('-') || argument === '-') {
			positionals.push(argument);
			continue;
		}

		if (!argument.startsWith('--')) {
			unknown.push(argument);
			continue;
		}

		const equals = argument.indexOf('=');
		const typed = equals === -1 ? argument.slice(2) : argument.slice(2, equals);
		const inline = equals === -1 ? undefined : argument.slice(equals + 1);
		// --idleAfter is accepted for --idle-after, as meow did.
		const name = typed.replaceAll(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);
		const negated = name.startsWith('no-') ? name.slice(3) : undefined;
		if (negated !== undefined && isFlag(negated) && FLAGS[negated] === 'switch') {
			if (inline !== undefined) {
				throw new OptionsError(`--${typed}: takes no value (got ${quote(inline)})`);
			}

			(switches[negated as SwitchFlag] ??= []).push(false);
			given.set(negated, given.get(negated) ?? `--no-${negated}`);
			continue;
		}

		if (!isFlag(name)) {
			unknown.push(`--${typed}`);
			continue;
		}

		if (FLAGS[name] === 'switch') {
			if (inline !== undefined) {
				throw new OptionsError(`--${name}: takes no value (got ${quote(inline)})`);
			}

			(switches[name as SwitchFlag] ??= []).push(true);
			given.set(name, given.get(name) ?? `--${name}`);
			continue;
		}

		let value = inline;
		if (value === undefined) {
			// `--interval --db x` lost its value; `--interval -1` did not.
			const next = argv[index + 1];
			if (next === undefined || next.startsWith('--')) {
				throw new OptionsError(`--${name}: missing value`);
			}

			value = next;
			index++;
		}

		(values[name as ValueFlag] ??= []).push(value);
		given.set(name, given.get(name) ?? `--${name}`);
	}

	if (unknown.length > 0) {
		throw new OptionsError(`unknown flag${unknown.length === 1 ? '' : 's'} ${unknown.map(flag => safeText(flag)).join(', ')} (see lifeguard --help)`);
	}

	return {positionals, flags: {values, switches, given: [...given].map(([name, typed]) => ({name, typed}))}};
}
