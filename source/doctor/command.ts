// `lifeguard doctor` from the command line: the pools named with --pool, the format the output
// wants (--json, --markdown, a terminal's table, plain text for a pipe), and everything closed after.
import process from 'node:process';
import type pg from 'pg';
import {createPoolCollector} from '../collectors/pools/create-collector.js';
import type {Target} from '../connection/target.js';
import type {Options} from '../options.js';
import {runDoctor, type DoctorFormat} from './run-doctor.js';

export function doctorFormat(options: Pick<Options, 'isJson' | 'isMarkdown'>, isTerminal: boolean): DoctorFormat {
	if (options.isJson) {
		return 'json';
	}

	if (options.isMarkdown) {
		return 'markdown';
	}

	return isTerminal ? 'terminal' : 'plain';
}

export async function runDoctorCommand(options: Options, target: Target, client: pg.Client): Promise<number> {
	const poolCollectors = options.pools.map(endpoint => createPoolCollector(endpoint));
	try {
		return await runDoctor({
			target: target.display,
			password: target.password,
			client,
			poolCollectors,
			poolTimeoutMs: options.poolTimeoutMs,
			warnRatio: options.thresholds.warnRatio,
			format: doctorFormat(options, process.stdout.isTTY === true),
			columns: process.stdout.columns || 80,
			isColor: !('NO_COLOR' in process.env) && process.env['TERM'] !== 'dumb',
		}, text => process.stdout.write(text));
	} finally {
		await Promise.all([client.end().catch(() => undefined), ...poolCollectors.map(async collector => collector.close())]);
	}
}
