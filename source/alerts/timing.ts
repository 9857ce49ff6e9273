// The rules' timing, all from one evaluation interval: how each `for:` and window maps to the live
// screen's hysteresis (its own file so the rule builders and the file assembler share it, no circle).
import {CLEAR_SAMPLES} from '../judge/alarms.js';
import {persistentWaitingMs} from '../judge/levels.js';
import {duration} from './promql.js';

/** The timing of the rules, all from the interval: see `timing` for how each maps to the screen. */
export type RuleTiming = {
	interval: string;
	/** `for:` of every rule: the condition held at CLEAR_SAMPLES evaluations in a row. */
	rise: string;
	/** `for:` of the "still waiting" critical rules: the screen's persistentWaitingMs, at least `rise`. */
	persistent: string;
	/** A held alert clears once the last CLEAR_SAMPLES samples were all below its (lowered) line. */
	hold: string;
	/** rate() window: four samples, a minute at least (prometheus-api.ts reads counters over 1m). */
	rateWindow: string;
	rateWindowSeconds: number;
};

export const DEFAULT_INTERVAL_SECONDS = 15;

export function timing(intervalSeconds: number): RuleTiming {
	const rise = (CLEAR_SAMPLES - 1) * intervalSeconds;
	const rateWindowSeconds = Math.max(60, 4 * intervalSeconds);
	return {
		interval: duration(intervalSeconds),
		rise: duration(rise),
		persistent: duration(Math.max(Math.ceil(persistentWaitingMs / 1000), rise)),
		// Prometheus 2 ranges include both ends: one second short of CLEAR_SAMPLES intervals holds exactly
		// CLEAR_SAMPLES samples when scrapes and evaluations line up.
		hold: duration(CLEAR_SAMPLES * intervalSeconds - 1),
		rateWindow: duration(rateWindowSeconds),
		rateWindowSeconds,
	};
}

