// The alerting rules: the live screen's pool and server findings (model/diagnosis.ts), on the recorded
// series. The screen raises a level at once and clears it after CLEAR_SAMPLES fresh samples below a
// line CLEAR_MARGIN lower; a page cannot be taken back, so here a rule fires once its condition held at
// CLEAR_SAMPLES evaluations (`for:`), and a firing rule holds (through its own ALERTS series) until
// CLEAR_SAMPLES samples in a row were below the lowered line.
import {CLEAR_SAMPLES} from '../judge/alarms.js';
import {CLEAR_MARGIN} from '../judge/levels.js';
import {hasAdvice, type PoolField} from './families.js';
import type {RecordedNames} from './names.js';
import type {AlertingRule} from './rule-file.js';
import type {RuleTiming} from './timing.js';
import {adviceText, busyText, fleetPartsText, fullServerText, holdingText, nobodyWaitingText, POOL_ARGS, POOL_MATCH, POOL_SUBJECT, queueText, roomText, SERVER_SUBJECT, serverUseText, timeoutsNextText, valueCount, whileFreeText} from './templates.js';

type Context = {
	names: RecordedNames;
	times: RuleTiming;
	fields: ReadonlySet<PoolField>;
	hasPools: boolean;
	hasServer: boolean;
	warnRatio: number;
	criticalRatio: number;
};

type Severity = AlertingRule['severity'];

/** `rise`, or, while this alert fires at this severity, `hold`. */
function held(rise: string, hold: string, alert: string, severity: Severity): string {
	return `${rise}\nor (${hold} and ignoring (alertname, alertstate, severity, alertgroup) ALERTS{alertname="${alert}", alertstate="firing", severity="${severity}"})`;
}

const toPercent = (ratio: number) => Math.round(ratio * 10_000) / 100;

export function alertingRules(context: Context): AlertingRule[] {
	return [
		...(context.hasPools ? poolQueueRules(context) : []),
		...(context.hasPools && context.fields.has('timeoutsRate') ? [timeoutsRule(context)] : []),
		...(context.hasPools ? busyRules(context) : []),
		...(context.hasServer ? serverRules(context) : []),
		...(context.hasPools && context.hasServer && context.fields.has('max') ? [fleetRule(context)] : []),
	];
}

function poolQueueRules(context: Context): AlertingRule[] {
	const {names, times, fields} = context;
	const full = `on () (${names.serverFree} <= 0)`;
	const queuedLately = `max_over_time(${names.queued}[${times.hold}])`;
	const atMaxLately = `max_over_time(${names.usedRatio}[${times.hold}]) >= 1`;
	const waitingLately = `max_over_time(${names.waiting}[${times.hold}]) > 0`;
	const busy = busyText(names);
	const queue = queueText(names, fields.has('waitsRate') || fields.has('waitSecondsRate'));
	const holdWords = `holds until nothing has waited for ${CLEAR_SAMPLES} samples (${times.hold})`;
	const saturated: AlertingRule = {
		alert: 'LifeguardPoolSaturated',
		comment: 'Pools: requests queue at the max, below it, behind a full server, or where the max is unknown',
		expr: held(`(${names.queued} and ${names.usedRatio} >= 1) unless ${full}`, `${queuedLately} and ${atMaxLately}`, 'LifeguardPoolSaturated', 'critical'),
		for: times.rise,
		severity: 'critical',
		summary: `Pool ${POOL_SUBJECT} is saturated: ${busy}, ${queue}, ${whileFreeText(names)}: ${adviceText(names, {sized: hasAdvice(fields), hasServer: context.hasServer, window: times.rateWindow})}.`,
		description: `Requests wait for a connection while every connection of the pool is busy and the server has room. Fires after ${times.rise}, holds until ${CLEAR_SAMPLES} samples (${times.hold}) without a queue or below the max.`,
	};
	const behindFull: AlertingRule = {
		alert: 'LifeguardPoolWaitingBehindFullServer',
		expr: held(`${names.queued} and ${full}`, queuedLately, 'LifeguardPoolWaitingBehindFullServer', 'critical'),
		for: times.rise,
		severity: 'critical',
		summary: `Pool ${POOL_SUBJECT} has requests waiting (${busy}, ${queue}) behind a full server (${fullServerText(names)}): free server slots first; raising the pool's max will not help.`,
		description: `Requests wait for a connection while the server has no free slot. Fires after ${times.rise}, ${holdWords}.`,
	};
	const belowMax = (severity: Severity): AlertingRule => ({
		alert: 'LifeguardPoolWaiting',
		expr: held(`(${names.waiting} > 0 and ${names.usedRatio} < 1) unless ${full}`, waitingLately, 'LifeguardPoolWaiting', severity),
		for: severity === 'critical' ? times.persistent : times.rise,
		severity,
		summary: `Pool ${POOL_SUBJECT} has requests waiting below its max (${busy}, ${queue}${severity === 'critical' ? ` for over ${times.persistent}` : ''}): it cannot open connections fast enough; check its logs for refused logins.`,
		description: `Requests wait although the pool is below its max. ${severity === 'critical' ? `Critical once it lasts ${times.persistent}` : `Fires after ${times.rise}`}, ${holdWords}.`,
	});
	const unknownMax = (severity: Severity): AlertingRule => ({
		alert: 'LifeguardPoolMaybeSaturated',
		expr: held(`(${names.waiting} > 0 unless ${names.usedRatio}) unless ${full}`, waitingLately, 'LifeguardPoolMaybeSaturated', severity),
		for: severity === 'critical' ? times.persistent : times.rise,
		severity,
		summary: `Pool ${POOL_SUBJECT} may be saturated: ${busy}, ${queue}${severity === 'critical' ? ` for over ${times.persistent}` : ''}, and its {{ with printf "${names.max}{${POOL_MATCH}}" ${POOL_ARGS} | query }}busy count{{ else }}max{{ end }} is unknown, ${whileFreeText(names)}. Check the pool's max and raise it if it is the limit.`,
		description: `Requests wait and the source does not expose the pool's max (or its busy count). ${severity === 'critical' ? `Critical once it lasts ${times.persistent}` : `Fires after ${times.rise}`}, ${holdWords}.`,
	});
	return [saturated, behindFull, belowMax('warning'), belowMax('critical'), unknownMax('warning'), unknownMax('critical')];
}

function timeoutsRule({names, times}: Context): AlertingRule {
	return {
		alert: 'LifeguardPoolTimeouts',
		expr: `${names.timeoutsRate} * 60 > 0`,
		for: times.rise,
		severity: 'warning',
		summary: `Pool ${POOL_SUBJECT}: ${valueCount('request')} a minute timed out waiting for a connection over the last ${times.rateWindow} (${busyText(names)} now); ${timeoutsNextText(names)}.`,
		description: `The pool's timeout counter moved (per minute, over ${times.rateWindow}); for pgx pools, canceled acquires. Fires after ${times.rise}.`,
	};
}

/** A ratio rule per level: fires at the level's line, holds down to CLEAR_MARGIN below it. */
function levelRules(options: {alert: string; ratio: string; times: RuleTiming; warnRatio: number; criticalRatio: number; rule: (severity: Severity, line: number, clear: number) => Pick<AlertingRule, 'summary' | 'description'> & {comment?: string}}): AlertingRule[] {
	const {alert, ratio, times} = options;
	const levels: Array<[Severity, number]> = [['warning', options.warnRatio], ['critical', options.criticalRatio]];
	return levels.map(([severity, line], index) => {
		const linePercent = toPercent(line);
		const clearPercent = toPercent(line - CLEAR_MARGIN);
		const hold = `${ratio} * 100 and (max_over_time(${ratio}[${times.hold}]) * 100 >= ${clearPercent})`;
		const {comment, ...words} = options.rule(severity, linePercent, clearPercent);
		return {
			alert,
			...(index === 0 && comment ? {comment} : {}),
			expr: held(`${ratio} * 100 >= ${linePercent}`, hold, alert, severity),
			for: times.rise,
			severity,
			...words,
		};
	});
}

function busyRules({names, times, warnRatio, criticalRatio, fields}: Context): AlertingRule[] {
	const queue = nobodyWaitingText(names, fields.has('waitsRate') ? times.rateWindow : null);
	return levelRules({
		alert: 'LifeguardPoolBusy',
		ratio: names.usedRatio,
		times,
		warnRatio,
		criticalRatio,
		rule: (severity, line, clear) => ({
			summary: `Pool ${POOL_SUBJECT} is ${busyText(names)} ({{ printf "%.0f" $value }}%), ${queue}${roomText(names)}${holdingText(severity, line, clear)}. The next burst will queue: raise its max if the server has room.`,
			description: `Busy connections reached ${line}% of the pool's max. Fires after ${times.rise}; holds until ${CLEAR_SAMPLES} samples (${times.hold}) under ${clear}%.`,
		}),
	});
}

function serverRules({names, times, warnRatio, criticalRatio}: Context): AlertingRule[] {
	return levelRules({
		alert: 'LifeguardServerSaturated',
		ratio: names.serverUsedRatio,
		times,
		warnRatio,
		criticalRatio,
		rule: (severity, line, clear) => ({
			comment: 'The server: its usable slots (max_connections less the reserved ones) filling up',
			summary: `Server ${SERVER_SUBJECT} at {{ printf "%.0f" $value }}% of usable connections (${serverUseText(names)})${holdingText(severity, line, clear)}. Terminate idle sessions or lower pool sizes.`,
			description: `Sessions reached ${line}% of the slots an ordinary client can take; \`lifeguard\` on this server shows who holds them. Fires after ${times.rise}; holds until ${CLEAR_SAMPLES} samples (${times.hold}) under ${clear}%.`,
		}),
	});
}

function fleetRule({names, times}: Context): AlertingRule {
	return {
		alert: 'LifeguardFleetOverCapacity',
		comment: 'The fleet: every pool filled at once needs more connections than the server has',
		expr: `sum(${names.max}) > sum(${names.serverUsable})`,
		for: times.rise,
		severity: 'warning',
		summary: `The fleet's pools can open {{ printf "%.0f" $value }} connections (${fleetPartsText(names)}) but the server has {{ with query "sum(${names.serverUsable})" }}{{ . | first | value | printf "%.0f" }}{{ end }} usable slots: when every instance fills its pool, logins fail. Lower the pools' max or raise max_connections.`,
		description: `The sum of every pool's max over every instance is above the server's usable slots. Fires after ${times.rise}.`,
	};
}
