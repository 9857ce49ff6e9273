// Flags and environment -> validated Options: one place for defaults and for flag errors. Every
// error is an OptionsError of one printable line naming the flag; cli.tsx prints it with exit 2.
// Which command runs, the flags it takes and its argument come from the commands table
// (source/commands/), given here as data: a flag its command does not take is refused, not ignored.
import {type FlagName, OptionsError, type ParsedFlags, parseArgv, quote, REPEATABLE, type SwitchFlag, type ValueFlag} from './argv.js';
import {plainHttpWarning, unusedTokenVariable} from './connection/credentials.js';
import {parsePoolSpecs, parsePrometheusSelector, parsePrometheusSpecs} from './connection/pool-endpoint.js';
import type {Thresholds} from './judge/types.js';
import type {PoolEndpoint} from './readings/types.js';
import {type Instant, parseInstant} from './report/window.js';

export {OptionsError} from './argv.js';

/** What the options need to know of a command; commands/ adds how it runs. */
export type CommandSpec = {
	/** Options.command, and the commands table's key. */
	name: string;
	/** The word that selects it (`check`), or null: no word (the live screen, `--json`). */
	word: string | null;
	/**
	 * A flag that selects it over the command of the same word without one: a switch that is on
	 * (`--json`, `demo --doctor`), or a value flag that is given (`report --prometheus URL`).
	 */
	selector?: FlagName;
	/** What messages call it: `lifeguard check`, `the live screen`. */
	label: string;
	/** Its line in --help and the README: `lifeguard timeline FILE`. */
	usage: string;
	summary: string;
	/** The flags it takes (--help and --version are always taken). */
	flags: readonly FlagName[];
	/** The one argument it takes, by name (`FILE`), if any. */
	argument?: string;
	/** A rule of its own beyond its flags: an error line, or null. */
	refuse?: (options: Options) => string | null;
};

/** One `--db [NAME=]URL`: the name is null when not given (a single server needs none). */
export type DbSpec = {name: string | null; text: string};

export type Options = {
	/** The name of the command that runs (CommandSpec.name). */
	command: string;
	/** The servers to watch, in the order given; empty: DATABASE_URL or the libpq variables. */
	dbs: DbSpec[];
	isJson: boolean;
	intervalMs: number;
	/** --json and check: observe this long (polling at intervalMs) before answering; null: one reading. */
	sampleMs: number | null;
	pools: PoolEndpoint[];
	poolTimeoutMs: number;
	thresholds: Thresholds;
	idleAfterSeconds: number;
	isReadOnly: boolean;
	logFile: string | undefined;
	isBell: boolean;
	/** The command's one argument (timeline FILE). */
	argument: string | undefined;
	scenario: string | undefined;
	/** demo: publish the simulated application's pool endpoint (false with --no-endpoint). */
	hasDemoEndpoint: boolean;
	/** doctor: the report as Markdown. */
	isMarkdown: boolean;
	/** alerts: the rule group's evaluation interval, whole seconds (its `for:` and windows follow from it). */
	ruleIntervalSeconds: number;
	/** record: how long to record (--for), in ms; undefined when not given. */
	recordForMs: number | undefined;
	/** record: the recording to write (--out). */
	outFile: string | undefined;
	/** report: the HTML page to write (--html). */
	htmlFile: string | undefined;
	/** report --prometheus: the window's ends (--from, --to), as given (relative ones resolve when it runs). */
	reportFrom: Instant | undefined;
	reportTo: Instant | undefined;
	/** Printed once on stderr before anything else (credentials that would cross a network in clear text). */
	warnings: string[];
};

/** The one value of a single-value flag, or undefined; repeated or empty values are errors. */
function single(flags: ParsedFlags, name: ValueFlag): string | undefined {
	const given = flags.values?.[name] ?? [];
	if (given.length > 1 && !REPEATABLE.has(name)) {
		// The values are not echoed: a --db may hold a password.
		throw new OptionsError(`--${name}: given ${given.length} times; give it once`);
	}

	const value = given[0];
	if (value?.trim() === '') {
		throw new OptionsError(`--${name}: empty value`);
	}

	return value;
}

function switchOf(flags: ParsedFlags, name: SwitchFlag, fallback: boolean): boolean {
	const given = flags.switches?.[name] ?? [];
	if (given.includes(true) && given.includes(false)) {
		throw new OptionsError(`--${name} and --no-${name}: give one`);
	}

	return given[0] ?? fallback;
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A decimal number within [min, max]; `Infinity`, `1e3`, `0x10` and the empty string are refused. */
function numberFlag(flags: ParsedFlags, name: ValueFlag, fallback: number, min: number, max: number, unit: string): number {
	const text = single(flags, name);
	if (text === undefined) {
		return fallback;
	}

	const trimmed = text.trim();
	if (!DECIMAL.test(trimmed)) {
		throw new OptionsError(`--${name}: ${quote(text)} is not a number`);
	}

	const value = Number(trimmed);
	if (value < min || value > max) {
		throw new OptionsError(`--${name}: ${trimmed} is out of range (${min} to ${max}${unit})`);
	}

	return value;
}

/** The longest --sample: a suspected pool turns critical after two minutes; a check must still end. */
const MAX_SAMPLE_SECONDS = 600;

/** `--sample DURATION` (json, check): 1 s to 10 min, in ms; null when not given. */
function sampleFlag(flags: ParsedFlags): number | null {
	const text = single(flags, 'sample');
	if (text === undefined) {
		return null;
	}

	const seconds = parseDuration(text, 'sample');
	if (seconds < 1 || seconds > MAX_SAMPLE_SECONDS) {
		throw new OptionsError(`--sample: ${text.trim()} is out of range (1s to ${MAX_SAMPLE_SECONDS / 60}m)`);
	}

	return seconds * 1000;
}

/** One reading has no interval: a one-shot command takes --interval only with --sample. */
function intervalWithoutSample(command: CommandSpec, flags: ParsedFlags): string | null {
	const isGiven = (name: FlagName) => (flags.given ?? []).some(flag => flag.name === name);
	return command.flags.includes('sample') && isGiven('interval') && !isGiven('sample')
		? `--interval: only with --sample for ${command.label} (one reading has no interval)`
		: null;
}

/** Prometheus durations are whole: `15s`, never `1.5s`. */
function wholeSeconds(value: number, name: ValueFlag): number {
	if (!Number.isInteger(value)) {
		throw new OptionsError(`--${name}: ${value} is not a whole number of seconds`);
	}

	return value;
}

const UNITS: Record<string, number> = {ms: 0.001, s: 1, m: 60, min: 60, h: 3600};

/** "30s", "5m", "1h", "90" (seconds) -> seconds; throws OptionsError naming the flag. */
export function parseDuration(text: string, flag: string): number {
	const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$/i.exec(text);
	if (!match) {
		throw new OptionsError(`--${flag}: ${quote(text)} is not a duration (use e.g. 30s, 5m or 1h)`);
	}

	return Number(match[1]) * UNITS[(match[2] ?? 's').toLowerCase()]!;
}

/**
 * `--prometheus [NAME=]URL` (repeatable) and LIFEGUARD_PROMETHEUS: pool endpoints of kind 'prometheus',
 * each with the `--prometheus-selector` matchers and its own credentials: the URL's userinfo, or a
 * bearer token meant for it (LIFEGUARD_PROMETHEUS_TOKEN_<NAME>, or LIFEGUARD_PROMETHEUS_TOKEN for the
 * one endpoint without credentials of its own).
 */
function prometheusEndpoints(flags: ParsedFlags, env: Record<string, string | undefined>): PoolEndpoint[] {
	const selectorText = single(flags, 'prometheus-selector');
	try {
		const selector = selectorText === undefined ? null : parsePrometheusSelector(selectorText);
		const endpoints = parsePrometheusSpecs(flags.values?.prometheus ?? [], env, selector);
		if (selector !== null && endpoints.length === 0) {
			throw new Error('--prometheus-selector: only with --prometheus URL (or LIFEGUARD_PROMETHEUS)');
		}

		return endpoints;
	} catch (error) {
		throw new OptionsError((error as Error).message);
	}
}

// libpq's keywords: `host=db dbname=app` is a connection string, `primary=postgres://…` a named one.
const CONNINFO_KEYWORDS = new Set(['host', 'hostaddr', 'port', 'user', 'dbname', 'password', 'passfile', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'application_name', 'connect_timeout', 'options', 'service', 'target_session_attrs', 'keepalives']);
const MAX_SERVERS = 8;

/**
 * `--db [NAME=]URL`, repeatable: several servers on one screen. A name is letters, digits, `.`, `_`
 * and `-`; names are unique. Unnamed servers among several are named by host and port later.
 */
export function parseDbSpecs(values: readonly string[]): DbSpec[] {
	const specs = values.map((value): DbSpec => {
		if (value.trim() === '') {
			throw new OptionsError('--db: empty value');
		}

		const match = /^([A-Za-z][\w.-]{0,31})=(.*)$/s.exec(value);
		if (!match || CONNINFO_KEYWORDS.has(match[1]!.toLowerCase())) {
			return {name: null, text: value};
		}

		if (match[2]!.trim() === '') {
			throw new OptionsError(`--db: ${quote(match[1]!)} has no URL (use --db NAME=postgres://…)`);
		}

		return {name: match[1]!, text: match[2]!};
	});
	if (specs.length > MAX_SERVERS) {
		throw new OptionsError(`--db: given ${specs.length} times; at most ${MAX_SERVERS} servers fit one screen`);
	}

	const names = specs.flatMap(spec => (spec.name === null ? [] : [spec.name]));
	const repeated = names.find((name, index) => names.indexOf(name) !== index);
	if (repeated !== undefined) {
		throw new OptionsError(`--db: the name ${quote(repeated)} is given twice; each server needs its own`);
	}

	return specs;
}

/** The whole command line (process.argv.slice(2)) and the environment -> Options, for one of `commands`. */
export function parseCommandLine(argv: readonly string[], env: Record<string, string | undefined>, commands: readonly CommandSpec[]): Options {
	const {positionals, flags} = parseArgv(argv);
	return buildOptions(positionals, flags, env, commands);
}

/**
 * The command a command line names: its first word picks among the commands of that word (no word:
 * those without one), and a selector switch that is on picks among those.
 */
export function selectCommand(first: string | undefined, flags: ParsedFlags, commands: readonly CommandSpec[]): CommandSpec {
	// A command selected by a flag is a variant of its word (`demo --doctor`, `report --prometheus`): the hint names the word once.
	const words = [...new Set(commands.flatMap(command => (command.word === null || command.selector !== undefined ? [] : [command.argument ? `${command.word} ${command.argument}` : command.word])))];
	const isWord = first !== undefined && commands.some(command => command.word === first);
	if (first !== undefined && !isWord) {
		throw new OptionsError(`unknown command ${quote(first)} (use ${words.slice(0, -1).join(', ')} or ${words.at(-1)!}; the target goes in --db)`);
	}

	const candidates = commands.filter(command => command.word === (first ?? null));
	const isOn = (name: FlagName) => flags.switches?.[name as SwitchFlag]?.at(-1) === true || (flags.values?.[name as ValueFlag]?.length ?? 0) > 0;
	const selected = candidates.find(command => command.selector !== undefined && isOn(command.selector));
	return selected ?? candidates.find(command => command.selector === undefined)!;
}

/** Why a flag its command does not take is refused: one line naming the flag. */
const REFUSALS: Partial<Record<FlagName, (command: CommandSpec) => string>> = {
	// One snapshot has no course to log: refused rather than silently ignored.
	log: command => `only the live screen keeps an incident log; ${command.label.replace(/^lifeguard /, '')} prints one report and writes none`,
	doctor: () => 'only for lifeguard demo; use lifeguard doctor',
};

const ALWAYS_TAKEN: ReadonlySet<FlagName> = new Set(['help', 'version']);

/** The first flag given that `command` does not take, as one error line; null when it takes them all. */
function refusedFlag(command: CommandSpec, flags: ParsedFlags, commands: readonly CommandSpec[]): string | null {
	// A selector switched off (`--no-json`, `demo --no-doctor`) only says which command of the word runs.
	const isSelectorOff = (name: FlagName) => commands.some(other => other.word === command.word && other.selector === name)
		&& !(flags.switches?.[name as SwitchFlag] ?? []).includes(true);
	const refused = (flags.given ?? []).find(({name}) => !ALWAYS_TAKEN.has(name) && !command.flags.includes(name) && !isSelectorOff(name));
	if (refused === undefined) {
		return null;
	}

	const why = REFUSALS[refused.name]?.(command);
	if (why !== undefined) {
		return `${refused.typed}: ${why}`;
	}

	// Named by their word when every command of that word takes it (`lifeguard demo`, with or without --doctor).
	const takes = (other: CommandSpec) => other.flags.includes(refused.name);
	const takers = [...new Set(commands.filter(other => takes(other)).map(other => (other.word !== null && commands.filter(same => same.word === other.word).every(same => takes(same)) ? `lifeguard ${other.word}` : other.label)))];
	return `${refused.typed}: only for ${takers.length > 1 ? `${takers.slice(0, -1).join(', ')} and ${takers.at(-1)!}` : takers[0] ?? 'no command'}`;
}

/** The command's argument (timeline FILE), or an error: none is expected, or not exactly one. */
function argumentOf(command: CommandSpec, rest: readonly string[]): string | undefined {
	if (command.argument === undefined) {
		if (rest.length > 0) {
			throw new OptionsError(`unexpected argument ${quote(rest[0]!)}`);
		}

		return undefined;
	}

	if (rest.length !== 1) {
		throw new OptionsError(`usage: ${command.usage}`);
	}

	if (rest[0]!.trim() === '') {
		throw new OptionsError(`${command.word ?? command.name}: empty ${command.argument}`);
	}

	return rest[0];
}

/** A week at most: a recording is for a load test, not for ever. */
const MAX_RECORD_SECONDS = 7 * 24 * 3600;

/** `--for DURATION` (record): from 1 s to a week. */
function recordFor(flags: ParsedFlags): number | undefined {
	const text = single(flags, 'for');
	if (text === undefined) {
		return undefined;
	}

	const seconds = parseDuration(text, 'for');
	if (seconds < 1 || seconds > MAX_RECORD_SECONDS) {
		throw new OptionsError(`--for: ${text.trim()} is out of range (1s to 168h)`);
	}

	return seconds * 1000;
}

/** `--from` / `--to` (report --prometheus): a moment or an offset from now. */
function instantFlag(flags: ParsedFlags, name: 'from' | 'to'): Instant | undefined {
	const text = single(flags, name);
	if (text === undefined) {
		return undefined;
	}

	const instant = parseInstant(text);
	if (instant === null) {
		throw new OptionsError(`--${name}: ${quote(text)} is not a time (use e.g. -30m, now, 2026-12-07T20:00:00Z or unix seconds)`);
	}

	return instant;
}

/** The endpoints of the kinds the command reads: a command that takes neither reads no variable for them. */
function poolEndpoints(command: CommandSpec, flags: ParsedFlags, env: Record<string, string | undefined>): PoolEndpoint[] {
	try {
		return [
			...(command.flags.includes('pool') ? parsePoolSpecs(flags.values?.pool ?? [], env['LIFEGUARD_POOLS']) : []),
			...(command.flags.includes('prometheus') ? prometheusEndpoints(flags, env) : []),
		];
	} catch (error) {
		throw error instanceof OptionsError ? error : new OptionsError((error as Error).message);
	}
}

export function buildOptions(input: readonly string[], flags: ParsedFlags, env: Record<string, string | undefined>, commands: readonly CommandSpec[]): Options {
	const [first, ...rest] = input;
	const command = selectCommand(first, flags, commands);
	const argument = argumentOf(command, rest);
	// A flag the command does not take is named before any value is read: `check --for abc` is not a duration question.
	const refusal = refusedFlag(command, flags, commands) ?? intervalWithoutSample(command, flags);
	if (refusal !== null) {
		throw new OptionsError(refusal);
	}

	const warnPercent = numberFlag(flags, 'warn', 80, 1, 100, ' percent');
	const criticalPercent = numberFlag(flags, 'critical', 95, 1, 100, ' percent');
	// Only where both levels are used: doctor judges by --warn alone.
	if (command.flags.includes('critical') && criticalPercent < warnPercent) {
		throw new OptionsError(`--critical: ${criticalPercent} is below --warn ${warnPercent}`);
	}

	const pools = poolEndpoints(command, flags, env);
	// A named token no endpoint reads is a typo or a stale name: the endpoint it was meant for would go without.
	const unusedToken = command.flags.includes('prometheus') ? unusedTokenVariable(pools, env) : null;
	if (unusedToken !== null) {
		throw new OptionsError(unusedToken);
	}

	const clearText = plainHttpWarning(pools);
	const duration = (name: 'idle-after' | 'idle-in-transaction-after', fallback: string) => parseDuration(single(flags, name) ?? fallback, name);
	const options: Options = {
		command: command.name,
		dbs: parseDbSpecs(flags.values?.db ?? []),
		isJson: switchOf(flags, 'json', false),
		intervalMs: numberFlag(flags, 'interval', 1, 0.2, 60, ' seconds') * 1000,
		sampleMs: sampleFlag(flags),
		pools,
		poolTimeoutMs: numberFlag(flags, 'pool-timeout', 2, 0.1, 60, ' seconds') * 1000,
		thresholds: {
			warnRatio: warnPercent / 100,
			criticalRatio: criticalPercent / 100,
			idleInTransactionSeconds: duration('idle-in-transaction-after', '60s'),
		},
		idleAfterSeconds: duration('idle-after', '5m'),
		isReadOnly: switchOf(flags, 'read-only', false),
		logFile: single(flags, 'log'),
		isBell: switchOf(flags, 'bell', true),
		argument,
		scenario: single(flags, 'scenario'),
		hasDemoEndpoint: switchOf(flags, 'endpoint', true),
		isMarkdown: switchOf(flags, 'markdown', false),
		ruleIntervalSeconds: wholeSeconds(numberFlag(flags, 'rule-interval', 15, 1, 3600, ' seconds'), 'rule-interval'),
		recordForMs: recordFor(flags),
		outFile: single(flags, 'out'),
		htmlFile: single(flags, 'html'),
		reportFrom: instantFlag(flags, 'from'),
		reportTo: instantFlag(flags, 'to'),
		warnings: clearText === null ? [] : [clearText],
	};
	switchOf(flags, 'doctor', false); // checked like every switch (`--doctor --no-doctor`); it selects the command
	const commandRefusal = command.refuse?.(options) ?? null;
	if (commandRefusal !== null) {
		throw new OptionsError(commandRefusal);
	}

	return options;
}
