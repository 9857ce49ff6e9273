// Flags and environment -> validated Options: one place for defaults and for flag errors.
import {parsePoolSpecs} from './collectors/pools/endpoint.js';
import type {PoolEndpoint, Thresholds} from './model/types.js';

export class OptionsError extends Error {}

export type Command = 'watch' | 'check' | 'timeline' | 'demo' | 'doctor';

export type Options = {
	command: Command;
	db: string | undefined;
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
	/** doctor: the report as Markdown. */
	isMarkdown: boolean;
	/** demo: run doctor against the demo's server instead of the screen. */
	isDoctor: boolean;
};

export type RawFlags = {
	db?: string;
	json?: boolean;
	interval?: number;
	pool?: string[];
	poolTimeout?: number;
	warn?: number;
	critical?: number;
	idleInTransactionAfter?: string;
	idleAfter?: string;
	readOnly?: boolean;
	log?: string;
	bell?: boolean;
	scenario?: string;
	markdown?: boolean;
	doctor?: boolean;
};

const UNITS: Record<string, number> = {ms: 0.001, s: 1, m: 60, min: 60, h: 3600};

/** "30s", "5m", "1h", "90" (seconds) -> seconds; throws OptionsError naming the flag. */
export function parseDuration(text: string, flag: string): number {
	const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$/i.exec(text);
	if (!match) {
		throw new OptionsError(`--${flag} "${text}": expected a duration like 30s, 5m or 1h`);
	}

	return Number(match[1]) * UNITS[(match[2] ?? 's').toLowerCase()]!;
}

function inRange(value: number | undefined, fallback: number, flag: string, min: number, max: number, unit = ''): number {
	const chosen = value ?? fallback;
	if (!Number.isFinite(chosen) || chosen < min || chosen > max) {
		throw new OptionsError(`--${flag} ${String(value)}: must be from ${min} to ${max}${unit}`);
	}

	return chosen;
}

export function buildOptions(input: string[], flags: RawFlags, env: Record<string, string | undefined>): Options {
	const [first, ...rest] = input;
	const command: Command = first === 'check' || first === 'timeline' || first === 'demo' || first === 'doctor' ? first : 'watch';
	if (first !== undefined && command === 'watch') {
		throw new OptionsError(`unknown command "${first}" (use check, doctor, timeline FILE or demo; the target goes in --db)`);
	}

	if (flags.markdown && command !== 'doctor' && !(command === 'demo' && flags.doctor)) {
		throw new OptionsError('--markdown is for doctor (lifeguard doctor --markdown)');
	}

	if (flags.doctor && command !== 'demo') {
		throw new OptionsError('--doctor is for demo (lifeguard demo --doctor); use lifeguard doctor');
	}

	if (command === 'timeline' && rest.length !== 1) {
		throw new OptionsError('usage: lifeguard timeline FILE');
	}

	if (command !== 'timeline' && rest.length > 0) {
		throw new OptionsError(`unexpected argument "${rest[0]}"`);
	}

	const warnPercent = inRange(flags.warn, 80, 'warn', 1, 100, ' percent');
	const criticalPercent = inRange(flags.critical, 95, 'critical', 1, 100, ' percent');
	if (criticalPercent < warnPercent) {
		throw new OptionsError(`--critical ${criticalPercent} is below --warn ${warnPercent}`);
	}

	let pools: PoolEndpoint[];
	try {
		pools = parsePoolSpecs(flags.pool ?? [], env['LIFEGUARD_POOLS']);
	} catch (error) {
		throw new OptionsError((error as Error).message);
	}

	return {
		command,
		db: flags.db,
		isJson: flags.json ?? false,
		intervalMs: inRange(flags.interval, 1, 'interval', 0.2, 60, ' seconds') * 1000,
		pools,
		poolTimeoutMs: inRange(flags.poolTimeout, 2, 'pool-timeout', 0.1, 60, ' seconds') * 1000,
		thresholds: {
			warnRatio: warnPercent / 100,
			criticalRatio: criticalPercent / 100,
			idleInTransactionSeconds: parseDuration(flags.idleInTransactionAfter ?? '60s', 'idle-in-transaction-after'),
		},
		idleAfterSeconds: parseDuration(flags.idleAfter ?? '5m', 'idle-after'),
		isReadOnly: flags.readOnly ?? false,
		logFile: flags.log,
		isBell: flags.bell ?? true,
		timelineFile: command === 'timeline' ? rest[0] : undefined,
		scenario: flags.scenario,
		isMarkdown: flags.markdown ?? false,
		isDoctor: flags.doctor ?? false,
	};
}
