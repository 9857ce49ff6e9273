// `lifeguard alerts`: a Prometheus rule file that judges pools and the server as the live screen does.
// Recording rules turn every pool family into one set of series (names.ts); alerting rules read those
// with the screen's thresholds and hysteresis (alert-rules.ts). Pure: options in, YAML text out.
import {HEADROOM, MIN_HEADROOM_CONNECTIONS, MIN_SERVER_SPARE, SERVER_SPARE_RATIO} from '../judge/advice.js';
import {CLEAR_SAMPLES} from '../judge/alarms.js';
import {safeText} from '../text/sanitize.js';
import {alertingRules} from './alert-rules.js';
import {ALERT_FAMILIES, type AlertFamily, hasAdvice, type PoolField} from './families.js';
import {FLEET_LABELS, recordedNames, type RecordedNames} from './names.js';
import {type Matchers, selector} from './promql.js';
import {type RecordingRule, type Rule, ruleFileText} from './rule-file.js';
import {DEFAULT_INTERVAL_SECONDS, type RuleTiming, timing} from './timing.js';

/** The server's numbers come from postgres_exporter: its id among the sources a rule file covers. */
export const SERVER_SOURCE = 'postgres_exporter';

/** A source the rules cover: a pool family id (prometheus-pools.ts) or SERVER_SOURCE, and where it was seen. */
export type RuleSource = {id: string; services?: readonly string[]};

export type AlertRuleOptions = {
	/** Fractions 0–1, as the live screen's --warn and --critical. */
	warnRatio: number;
	criticalRatio: number;
	/** Which families (and the server) to cover; every one when absent. */
	sources?: readonly RuleSource[];
	/** Label matchers every raw series must also match (`env="prod"`), as --prometheus-selector. */
	selector?: string;
	/** The group's evaluation interval: set it to the scrape interval (default 15). */
	intervalSeconds?: number;
};

/** The rule file for these options, as YAML text. */
export function alertRules(options: AlertRuleOptions): string {
	const intervalSeconds = options.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS;
	const times = timing(intervalSeconds);
	const names = recordedNames(times.rateWindow);
	const matchers = options.selector?.trim() ?? '';
	const wanted = options.sources ? new Map(options.sources.map(source => [source.id, source])) : null;
	const families = ALERT_FAMILIES.filter(family => !wanted || wanted.has(family.id));
	const hasServer = !wanted || wanted.has(SERVER_SOURCE);
	const fields = new Set(families.flatMap(family => Object.keys(family.fields) as PoolField[]));
	const rules: Rule[] = [
		...families.flatMap(family => familyRules(family, names, {matchers, window: times.rateWindow}, wanted?.get(family.id))),
		...(families.length > 0 ? derivedPoolRules(names, fields) : []),
		...(hasServer ? serverRules(names, matchers, wanted?.get(SERVER_SOURCE)) : []),
		...(hasAdvice(fields) ? adviceRules(names, fields, hasServer, times) : []),
		...alertingRules({names, times, fields, hasPools: families.length > 0, hasServer, warnRatio: options.warnRatio, criticalRatio: options.criticalRatio}),
	];
	const header = [
		'Prometheus rules from `lifeguard alerts`: the live screen\'s judgement of connection pools and the server.',
		`Thresholds: warn ${percent(options.warnRatio)}%, critical ${percent(options.criticalRatio)}%. Evaluated every ${times.interval}: set it to your scrape interval.`,
		`An alert fires after ${CLEAR_SAMPLES} samples in a row (for: ${times.rise}); a held one clears after ${CLEAR_SAMPLES} samples below its line,`,
		'which sits 5 points lower while it fires (as the screen holds a level).',
		...(matchers ? [`Only series matching {${safeText(matchers)}}.`] : []),
		...(wanted ? [wanted.size > 0 ? `Only the sources found: ${[...wanted.keys()].join(', ')}.` : 'No pool family and no postgres_exporter series were found: no rules.'] : []),
	];
	return ruleFileText(header, {name: 'lifeguard', interval: times.interval, rules});
}

const percent = (ratio: number) => Math.round(ratio * 100);

/** Where a source was seen, for its comment. */
function seenOn(source: RuleSource | undefined): string {
	// Label values are others' text: one line each, no control byte (a newline would end the comment).
	return source?.services && source.services.length > 0 ? `\nseen on: ${source.services.map(service => safeText(service)).join(', ')}` : '';
}

function familyRules(family: AlertFamily, names: RecordedNames, context: {matchers: Matchers; window: string}, source: RuleSource | undefined): RecordingRule[] {
	const fields = Object.entries(family.fields) as Array<[PoolField, (context: {matchers: Matchers; window: string}) => string]>;
	return fields.map(([field, build], index) => ({
		record: names[field],
		expr: family.poolKey(build(context)),
		// A label of the rule: it sets the family on every series, and tells the families' rules apart.
		labels: {lifeguard_family: family.id},
		...(index === 0 ? {comment: `${family.title}${seenOn(source)}`} : {}),
	}));
}

function derivedPoolRules(names: RecordedNames, fields: ReadonlySet<PoolField>): RecordingRule[] {
	const byCounters = [
		...(fields.has('waitsRate') ? [`${names.waitsRate} > 0`] : []),
		...(fields.has('waitSecondsRate') ? [`${names.waitSecondsRate} > 0`] : []),
	];
	// Counters of waits say "queued" only at the max: below it they may be a burst the pool absorbed.
	const queuedByCounters = byCounters.length > 0 ? ` or ((${byCounters.join(' or ')}) and ${names.usedRatio} >= 1)` : '';
	return [
		{record: names.usedRatio, expr: `${names.active} / (${names.max} > 0)`, comment: 'Every family alike: busy / max, and whether requests queue'},
		{record: names.queued, expr: `${names.waiting} > 0${queuedByCounters}`},
	];
}

function serverRules(names: RecordedNames, matchers: Matchers, source: RuleSource | undefined): RecordingRule[] {
	const setting = (name: string) => selector(`pg_settings_${name}`, matchers);
	return [
		{
			record: names.serverConnections,
			expr: `sum without (datname, state, usename, application_name, backend_type) (${selector('pg_stat_activity_count', matchers)})`,
			comment: `The server, from postgres_exporter: sessions, and the slots an ordinary client can take${seenOn(source)}`,
		},
		{
			// reserved_connections (PostgreSQL 16+) counts as 0 where the server has no such setting
			record: names.serverUsable,
			expr: `clamp_min(${setting('max_connections')} - ${setting('superuser_reserved_connections')} - (${setting('reserved_connections')} or 0 * ${setting('max_connections')}), 0)`,
		},
		{
			// a server with no usable slot counts as full, as on the screen
			record: names.serverUsedRatio,
			expr: `${names.serverConnections} / (${names.serverUsable} > 0) or (${names.serverUsable} <= bool 0)`,
		},
		{record: names.serverFree, expr: `clamp_min(${names.serverUsable} - ${names.serverConnections}, 0)`},
	];
}

/**
 * The screen's sizing advice (judge/advice.ts) as series, per instance: arrivals (served + timed out +
 * the queue's growth) × mean hold, the max with headroom; with one server, that max bounded by the
 * slots it can spare for the fleet (its free slots and those the fleet's busy connections hold, less a
 * spare). Busy, not open, connections count as the fleet's own: the bound errs on the small side.
 */
function adviceRules(names: RecordedNames, fields: ReadonlySet<PoolField>, hasServer: boolean, times: RuleTiming): RecordingRule[] {
	const served = names.servedRate;
	const zero = `0 * ${served}`;
	const timeouts = fields.has('timeoutsRate') ? ` + (${names.timeoutsRate} or ${zero})` : '';
	// As the screen: the gauge's change over the window, per second (rates.ts), not a fitted slope.
	const growth = fields.has('waiting') ? ` + (delta(${names.waiting}[${times.rateWindow}]) / ${times.rateWindowSeconds} or ${zero})` : '';
	const demand = `${names.arrivalsRate} * ${names.meanHoldSeconds}`;
	const needed = names.neededConnections;
	const fleet = FLEET_LABELS.join(', ');
	const sizing: RecordingRule[] = [
		{record: names.arrivalsRate, expr: `clamp_min(${served}${timeouts}${growth}, 0)`, comment: 'Sizing by Little\'s law, per instance, as the screen advises: arrivals × mean hold, with headroom'},
		{record: names.meanHoldSeconds, expr: `${names.holdSecondsRate} / (${served} > 0)`},
		{record: needed, expr: `clamp_min(round(${demand}), 1)`},
		{record: names.suggestedMax, expr: `(ceil(${HEADROOM} * ${demand}) >= ${needed} + ${MIN_HEADROOM_CONNECTIONS}) or (${needed} + ${MIN_HEADROOM_CONNECTIONS})`},
		{record: names.fleetInstances, expr: `count by (${fleet}) (${names.active})`},
	];
	if (!hasServer) {
		return sizing;
	}

	const byFleet = `on (${fleet}) group_left ()`;
	const wanted = names.suggestedMax;
	const room = names.fleetRoom;
	const over = `(${wanted} * ${byFleet} ${names.fleetInstances} > ${byFleet} ${room})`;
	const fits = `(0 * ${wanted} + ${byFleet} floor(${room} / ${names.fleetInstances}) >= ${needed})`;
	// scalar() is NaN unless exactly one server is recorded: then the room is unknown and `>= 0` drops it.
	const spare = `scalar(clamp_min(ceil(${SERVER_SPARE_RATIO} * ${names.serverUsable}), ${MIN_SERVER_SPARE}))`;
	return [
		...sizing,
		{record: room, expr: `clamp_min(sum by (${fleet}) (${names.active}) + scalar(${names.serverFree}) - ${spare}, 0) >= 0`},
		{record: names.advisedMax, expr: `((${wanted} and on (${fleet}) ${room}) unless ${over}) or (${fits} > ${names.max}) or (${fits} unless ${names.max})`},
	];
}
