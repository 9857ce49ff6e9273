// Flags and environment -> validated Options: one place for defaults and for flag errors. Every
// error is an OptionsError of one printable line naming the flag; cli.tsx prints it with exit 2.
// The command line is parsed here, not by meow (which only prints --help and --version): meow throws
// a stack trace on a repeated flag, reads `--db` without a value as absent, and turns `--json=abc`
// into false, and none of those can be reported from its result.
import {plainHttpWarning} from './connection/credentials.js';
import {parsePoolSpecs, parsePrometheusSelector, parsePrometheusSpecs} from './connection/pool-endpoint.js';
import type {PoolEndpoint} from './readings/types.js';
import type {Thresholds} from './judge/types.js';
import {safeText} from './text/sanitize.js';

export class OptionsError extends Error {}

export type Command = 'watch' | 'check' | 'timeline' | 'demo' | 'doctor';

/** One `--db [NAME=]URL`: the name is null when not given (a single server needs none). */
export type DbSpec = {name: string | null; text: string};

export type Options = {
	command: Command;
	/** The servers to watch, in the order given; empty: DATABASE_URL or the libpq variables. */
	dbs: DbSpec[];
	isJson: boolean;
	intervalMs: number;
	pools: PoolEndpoint[];
	poolTimeoutMs: number;
	thresholds: Thresholds;
	idleAfterSeconds: number;
	isReadOnly: boolean;
	logFile: string | undefined;
	isBell: boolean;
	timelineFile: string | undefined;
	scenario: string | undefined;
	/** demo: publish the simulated application's pool endpoint (false with --no-endpoint). */
	hasDemoEndpoint: boolean;
	/** doctor: the report as Markdown. */
	isMarkdown: boolean;
	/** demo: run doctor against the demo's server instead of the screen. */
	isDoctor: boolean;
	/** Printed once on stderr before anything else (credentials that would cross a network in clear text). */
	warnings: string[];
};

/** The flags, as typed (kebab-case). `value` flags take one argument; `db`, `pool` and `prometheus` may repeat. */
const FLAGS = {
	db: 'value',
	json: 'switch',
	interval: 'value',
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
	// meow answers these before the flags are read; known here so they are never "unknown".
	help: 'switch',
	version: 'switch',
} as const;

export type FlagName = keyof typeof FLAGS;
type ValueFlag = {[Name in FlagName]: typeof FLAGS[Name] extends 'value' ? Name : never}[FlagName];
type SwitchFlag = Exclude<FlagName, ValueFlag>;
const REPEATABLE = new Set<FlagName>(['db', 'pool', 'prometheus']);

/** What the command line said: every value of every value flag, and every setting of every switch. */
export type ParsedFlags = {
	values?: Partial<Record<ValueFlag, string[]>>;
	switches?: Partial<Record<SwitchFlag, boolean[]>>;
};

/** Shown in messages: printable, and cut so one line stays one line. */
function quote(text: string): string {
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
	}

	if (unknown.length > 0) {
		throw new OptionsError(`unknown flag${unknown.length === 1 ? '' : 's'} ${unknown.map(flag => safeText(flag)).join(', ')} (see lifeguard --help)`);
	}

	return {positionals, flags: {values, switches}};
}

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

/** The whole command line (process.argv.slice(2)) and the environment -> Options. */
export function parseCommandLine(argv: readonly string[], env: Record<string, string | undefined>): Options {
	const {positionals, flags} = parseArgv(argv);
	return buildOptions(positionals, flags, env);
}

export function buildOptions(input: string[], flags: ParsedFlags, env: Record<string, string | undefined>): Options {
	const [first, ...rest] = input;
	const command: Command = first === 'check' || first === 'timeline' || first === 'demo' || first === 'doctor' ? first : 'watch';
	if (first !== undefined && command === 'watch') {
		throw new OptionsError(`unknown command ${quote(first)} (use check, doctor, timeline FILE or demo; the target goes in --db)`);
	}

	const isMarkdown = switchOf(flags, 'markdown', false);
	const isDoctor = switchOf(flags, 'doctor', false);
	if (isMarkdown && command !== 'doctor' && !(command === 'demo' && isDoctor)) {
		throw new OptionsError('--markdown: only for lifeguard doctor (or demo --doctor)');
	}

	if (isDoctor && command !== 'demo') {
		throw new OptionsError('--doctor: only for lifeguard demo; use lifeguard doctor');
	}

	if (command === 'timeline' && rest.length !== 1) {
		throw new OptionsError('usage: lifeguard timeline FILE');
	}

	if (command === 'timeline' && rest[0]!.trim() === '') {
		throw new OptionsError('timeline: empty FILE');
	}

	if (command !== 'timeline' && rest.length > 0) {
		throw new OptionsError(`unexpected argument ${quote(rest[0]!)}`);
	}

	const warnPercent = numberFlag(flags, 'warn', 80, 1, 100, ' percent');
	const criticalPercent = numberFlag(flags, 'critical', 95, 1, 100, ' percent');
	if (criticalPercent < warnPercent) {
		throw new OptionsError(`--critical: ${criticalPercent} is below --warn ${warnPercent}`);
	}

	const logFile = single(flags, 'log');
	const isJson = switchOf(flags, 'json', false);
	if (logFile !== undefined && (command === 'check' || command === 'doctor' || command === 'timeline' || isJson || isDoctor)) {
		// One snapshot has no course to log: refused rather than silently ignored.
		const mode = isDoctor ? 'demo --doctor' : (isJson ? `${command === 'watch' ? '' : `${command} `}--json` : command);
		throw new OptionsError(`--log: only the live screen keeps an incident log; ${mode} prints one report and writes none`);
	}

	const scenario = single(flags, 'scenario');
	if (scenario !== undefined && command !== 'demo') {
		throw new OptionsError('--scenario: only for lifeguard demo');
	}

	const hasDemoEndpoint = switchOf(flags, 'endpoint', true);
	if (!hasDemoEndpoint && command !== 'demo') {
		throw new OptionsError('--no-endpoint: only for lifeguard demo');
	}

	let pools: PoolEndpoint[];
	try {
		pools = parsePoolSpecs(flags.values?.pool ?? [], env['LIFEGUARD_POOLS']);
	} catch (error) {
		throw new OptionsError((error as Error).message);
	}

	pools.push(...prometheusEndpoints(flags, env));
	const clearText = plainHttpWarning(pools);
	const dbs = parseDbSpecs(flags.values?.db ?? []);
	if (dbs.length > 1 && command === 'doctor') {
		throw new OptionsError('--db: doctor reviews one server at a time; give one --db');
	}

	const duration = (name: 'idle-after' | 'idle-in-transaction-after', fallback: string) => parseDuration(single(flags, name) ?? fallback, name);
	return {
		command,
		dbs,
		isJson,
		intervalMs: numberFlag(flags, 'interval', 1, 0.2, 60, ' seconds') * 1000,
		pools,
		poolTimeoutMs: numberFlag(flags, 'pool-timeout', 2, 0.1, 60, ' seconds') * 1000,
		thresholds: {
			warnRatio: warnPercent / 100,
			criticalRatio: criticalPercent / 100,
			idleInTransactionSeconds: duration('idle-in-transaction-after', '60s'),
		},
		idleAfterSeconds: duration('idle-after', '5m'),
		isReadOnly: switchOf(flags, 'read-only', false),
		logFile,
		isBell: switchOf(flags, 'bell', true),
		timelineFile: command === 'timeline' ? rest[0] : undefined,
		scenario,
		hasDemoEndpoint,
		isMarkdown,
		isDoctor,
		warnings: clearText === null ? [] : [clearText],
	};
}
