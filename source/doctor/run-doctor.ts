// `lifeguard doctor`: read, judge, print, and the exit code (0 all pass, 1 warnings, 2 failures,
// 3 could not check). Used by `lifeguard doctor` and by `lifeguard demo --doctor` on the demo's own server.
import process from 'node:process';
import type pg from 'pg';
import type {PoolCollector} from '../collectors/pools/create-collector.js';
import {renderDoctorReport} from './render-table.js';
import {doctorJsonText, doctorMarkdown, doctorPlain} from './render-text.js';
import {capacityObserved, capacityTotal, reservedSlots} from './capacity-checks.js';
import {exitCodeFor} from './checks.js';
import {databaseConnectionLimit, pgbouncerMaxClientConn, roleConnectionLimit, signalBackend, visibility} from './limit-checks.js';
import {idleInTransactionTimeout, idleSessionTimeout, poolAcquireTimeout, statementTimeout, tcpKeepalive} from './timeout-checks.js';
import {readDoctorInput} from './read.js';
import {settingsList} from './settings.js';
import type {Check, DoctorInput, DoctorReport} from './types.js';

/** Every check, in report order. */
export function runChecks(input: DoctorInput): Check[] {
	return [
		capacityTotal(input),
		capacityObserved(input),
		reservedSlots(input),
		idleInTransactionTimeout(input),
		idleSessionTimeout(input),
		statementTimeout(input),
		tcpKeepalive(input),
		poolAcquireTimeout(input),
		roleConnectionLimit(input),
		databaseConnectionLimit(input),
		pgbouncerMaxClientConn(input),
		visibility(input),
		signalBackend(input),
	];
}

export type DoctorFormat = 'terminal' | 'plain' | 'json' | 'markdown';

export type DoctorRun = {
	/** Masked target, as the screen shows it. */
	target: string;
	password?: string;
	/** Opened with openMonitorClient(target, {isServerDefaults: true}); the caller closes it. */
	client: Pick<pg.Client, 'query'>;
	poolCollectors: readonly PoolCollector[];
	poolTimeoutMs: number;
	warnRatio: number;
	format: DoctorFormat;
	/** Terminal width for the 'terminal' format. */
	columns?: number;
	/** Colour on the terminal (off under NO_COLOR, TERM=dumb). */
	isColor?: boolean;
};

/** How the report is printed: --json, --markdown, a table on a terminal, plain text for a pipe or a file. */
export function doctorOutput(flags: {isJson: boolean; isMarkdown: boolean}): Pick<DoctorRun, 'format' | 'columns' | 'isColor'> {
	const isTerminal = process.stdout.isTTY === true;
	return {
		format: flags.isJson ? 'json' : flags.isMarkdown ? 'markdown' : isTerminal ? 'terminal' : 'plain',
		columns: process.stdout.columns || 80,
		isColor: !('NO_COLOR' in process.env) && process.env['TERM'] !== 'dumb',
	};
}

export async function reviewConfiguration(run: DoctorRun): Promise<DoctorReport> {
	const input = await readDoctorInput({client: run.client, password: run.password, poolCollectors: run.poolCollectors, poolTimeoutMs: run.poolTimeoutMs, warnRatio: run.warnRatio});
	return {target: run.target, checks: runChecks(input), settings: settingsList(input)};
}

export function formatDoctorReport(report: DoctorReport, format: DoctorFormat, columns = 80, isColor = true): string {
	switch (format) {
		case 'json': {
			return doctorJsonText(report);
		}

		case 'markdown': {
			return doctorMarkdown(report);
		}

		case 'terminal': {
			return renderDoctorReport(report, columns, isColor);
		}

		default: {
			return doctorPlain(report);
		}
	}
}

/** Review, print to `write`, and return the exit code. */
export async function runDoctor(run: DoctorRun, write: (text: string) => void): Promise<0 | 1 | 2 | 3> {
	const report = await reviewConfiguration(run);
	write(`${formatDoctorReport(report, run.format, run.columns, run.isColor)}\n`);
	return exitCodeFor(report.checks);
}
