// The pieces of the annotations: Go templates (Prometheus' and vmalert's) that say a finding in the
// words the live screen uses, with the numbers of the firing moment. An alert's value is one number;
// the others come from `query` on the recorded series of the same pool (its identity labels).
import {FLEET_LABELS, type RecordedNames} from './names.js';

/** The labels that pick out one pool's recorded series, as printf arguments for `query`. */
export const POOL_MATCH = 'lifeguard_family=%q,lifeguard_pool=%q,instance=%q,job=%q';
export const POOL_ARGS = '$labels.lifeguard_family $labels.lifeguard_pool $labels.instance $labels.job';

/** The labels that pick out one pool's fleet (every instance), as printf arguments for `query`. */
const FLEET_MATCH = FLEET_LABELS.map(label => `${label}=%q`).join(',');
const FLEET_ARGS = FLEET_LABELS.map(label => `$labels.${label}`).join(' ');

/** A PromQL query built from the alert's labels: each `placeholder` in `query` stands for `match` (printf, `args`). */
function matchedQuery(query: string, placeholder: string, match: string, args: string): string {
	const parts = query.split(placeholder);
	return `printf "${parts.join(`{${match}}`)}" ${Array.from({length: parts.length - 1}, () => args).join(' ')} | query`;
}

/** About the alert's pool: `{POOL}` in `query` stands for the pool's matchers. */
const poolQuery = (query: string) => matchedQuery(query, '{POOL}', POOL_MATCH, POOL_ARGS);
/** About the alert's pool on every instance: `{FLEET}` stands for the fleet's matchers. */
const fleetQuery = (query: string) => matchedQuery(query, '{FLEET}', FLEET_MATCH, FLEET_ARGS);

/** The first value of a query about the alert's pool, formatted; `otherwise` when it has none. */
function poolNumber(query: string, format: string, otherwise = '?'): string {
	return `{{ with ${poolQuery(query)} }}{{ . | first | value | printf "${format}" }}{{ else }}${otherwise}{{ end }}`;
}

/** `orders/HikariPool-1 on 10.0.0.7:8080`: the fleet label lifeguard shows (service/pool), and where. */
export const POOL_SUBJECT = '{{ or $labels.service $labels.app $labels.job }}{{ with $labels.lifeguard_pool }}/{{ . }}{{ end }} on {{ $labels.instance }}';

/** The server an alert is about: postgres_exporter's `server` label where it has one, else the target. */
export const SERVER_SUBJECT = '{{ with $labels.server }}{{ . }}{{ else }}{{ $labels.instance }}{{ end }}';

/** `5/10 busy`, or `5 busy` when the pool exposes no max (as the screen writes it). */
export function busyText(names: RecordedNames): string {
	const active = poolNumber(`${names.active}{POOL}`, '%.0f');
	const max = `{{ with ${poolQuery(`${names.max}{POOL}`)} }}/{{ . | first | value | printf "%.0f" }}{{ end }}`;
	return `${active}${max} busy`;
}

/**
 * The queue: `150 waiting (oldest 9s)` from a waiting gauge; from wait counters, where the pool has
 * none (and the rule file reads some), `waits 3.1/s, avg 420 ms` and, when new waits stand still, how
 * many waited by wait time.
 */
export function queueText(names: RecordedNames, hasWaitCounters: boolean): string {
	const oldest = `{{ with ${poolQuery(`${names.oldestWaitSeconds}{POOL}`)} }} (oldest {{ . | first | value | humanizeDuration }}){{ end }}`;
	const waiting = `{{ . | first | value | printf "%.0f" }} waiting${oldest}`;
	const average = `{{ with ${poolQuery(`1000 * ${names.waitSecondsRate}{POOL} / (${names.waitsRate}{POOL} > 0)`)} }}, avg {{ . | first | value | printf "%.0f" }} ms{{ end }}`;
	const byTime = `{{ with ${poolQuery(`${names.waitSecondsRate}{POOL} > 0 and (${names.waitsRate}{POOL} == 0)`)} }}, ~{{ . | first | value | printf "%.1f" }} waiting (wait time){{ end }}`;
	const rates = hasWaitCounters ? `{{ with ${poolQuery(`${names.waitsRate}{POOL}`)} }}waits {{ . | first | value | printf "%.1f" }}/s${average}${byTime}{{ else }}a queue{{ end }}` : 'a queue';
	return `{{ with ${poolQuery(`${names.waiting}{POOL} > 0`)} }}${waiting}{{ else }}${rates}{{ end }}`;
}

/**
 * What the pool shows of a queue when the busy finding fires, as the screen says it: `nobody waiting
 * yet` only from a waiting gauge at 0; from wait counters (`waitsWindow`, their rate window, where the
 * file records them), that none moved; else that it shows none.
 */
export function nobodyWaitingText(names: RecordedNames, waitsWindow: string | null): string {
	const none = 'its source shows no waiting count';
	// Only where the rule file records wait counters (a rule reads only what the file records).
	const counted = waitsWindow === null ? none : `{{ with ${poolQuery(`${names.waitsRate}{POOL} == 0`)} }}no new waits counted in the last ${waitsWindow}{{ else }}${none}{{ end }}`;
	return `{{ with ${poolQuery(`${names.waiting}{POOL}`)} }}{{ $waiting := . | first | value }}{{ if gt $waiting 0.0 }}{{ printf "%.0f" $waiting }} waiting{{ else }}nobody waiting yet{{ end }}{{ else }}${counted}{{ end }}`;
}

/** A number as the screen's advice writes it: whole from 10, else `decimals` places (1 at and above 1 when `finer`). */
function measuredNumber(query: string, finer: boolean): string {
	const small = finer ? '{{ else if ge $v 1.0 }}{{ printf "%.1f" $v }}{{ else }}{{ printf "%.2f" $v }}' : '{{ else }}{{ printf "%.1f" $v }}';
	return `{{ with ${poolQuery(query)} }}{{ $v := . | first | value }}{{ if ge $v 10.0 }}{{ printf "%.0f" $v }}${small}{{ end }}{{ end }}`;
}

/** `{{ $name := fallback }}`, then the query's first value when it has one: each series read once. */
function bind(name: string, query: string, fallback: string): string {
	return `{{ ${name} := ${fallback} }}{{ with ${query} }}{{ ${name} = . | first | value }}{{ end }}`;
}

const whole = (name: string) => `{{ printf "%.0f" ${name} }}`;

/**
 * The saturated finding's next step with the screen's sizing advice (judge/advice.ts), where the pool
 * has a usage timer: `needs ~10 connections (≈ 50 req/s × 0.20 s); set max 15 for headroom`, bounded
 * by the slots the server can spare for the fleet; a stuck pool is told to find what holds it; without
 * a usage timer (`sized` false), `raise the pool's max`.
 */
export function adviceText(names: RecordedNames, options: {sized: boolean; hasServer: boolean; window: string}): string {
	const raise = 'raise the pool\'s max';
	if (!options.sized) {
		return raise;
	}

	const values = [
		bind('$lgWanted', poolQuery(`${names.suggestedMax}{POOL}`), '0.0'),
		bind('$lgMax', poolQuery(`${names.max}{POOL}`), '-1.0'),
		bind('$lgInstances', fleetQuery(`${names.fleetInstances}{FLEET}`), '1.0'),
		...(options.hasServer ? [bind('$lgRoom', fleetQuery(`${names.fleetRoom}{FLEET}`), '-1.0'), bind('$lgAdvised', poolQuery(`${names.advisedMax}{POOL}`), '0.0')] : []),
	].join('');
	const need = `needs ~{{ . | first | value | printf "%.0f" }} connections{{ if gt $lgInstances 1.0 }} per instance{{ end }} (≈ ${measuredNumber(`${names.arrivalsRate}{POOL}`, false)} req/s × ${measuredNumber(`${names.meanHoldSeconds}{POOL}`, true)} s)`;
	const over = `{{ if gt $lgInstances 1.0 }}${whole('$lgInstances')} instances × {{ else }}max {{ end }}${whole('$lgWanted')} > ${whole('$lgRoom')} slots to spare`;
	const bounded = options.hasServer
		? `{{ else if eq $lgAdvised $lgWanted }}set max ${whole('$lgWanted')} for headroom{{ else if gt $lgAdvised 0.0 }}set max ${whole('$lgAdvised')}, all the server can spare (${over}){{ else if ge $lgRoom 0.0 }}${over}: put PgBouncer in front or raise max_connections first`
		: '';
	const step = `{{ if ge $lgMax $lgWanted }}its max ${whole('$lgMax')} covers it: look for bursts or slow queries${bounded}{{ else }}set max ${whole('$lgWanted')} for headroom (the server's room is unknown: check it first){{ end }}`;
	// Nothing came back in the window: the hold time is longer than it, or the pool is stuck (as the screen says).
	const stuck = `{{ with ${poolQuery(`${names.servedRate}{POOL} == 0`)} }}no connection came back in the last ${options.window}: find what holds its connections before sizing it{{ else }}${raise}{{ end }}`;
	// The numbers are asked only where there is advice: each query costs vmalert's and Prometheus'
	// annotation a round trip, and most pools have no usage timer.
	return `{{ with ${poolQuery(`${names.neededConnections}{POOL}`)} }}${values}${need}; ${step}{{ else }}${stuck}{{ end }}`;
}

/** `N free slots`, one server; `3 (db-1:9187), 0 (db-2:9187) free slots` for several. */
function freeSlots(names: RecordedNames, one: string, several: string, unknown: string): string {
	const single = `{{ $free := . | first | value }}${one} {{ printf "%.0f" $free }} free slot{{ if ne $free 1.0 }}s{{ end }}`;
	const each = `{{ range $i, $s := . }}{{ if $i }}, {{ end }}{{ $s | value | printf "%.0f" }} ({{ $s | label "instance" }}){{ end }}`;
	return `{{ with query "${names.serverFree}" }}{{ if eq (len .) 1 }}${single}{{ else }}${several} ${each} free slots{{ end }}{{ else }}${unknown}{{ end }}`;
}

/** `while the server has 91 free slots` (the saturated finding's words). */
export function whileFreeText(names: RecordedNames): string {
	return freeSlots(names, 'while the server has', 'while the servers have', "while the server's free slots are unknown (no postgres_exporter series)");
}

/** `; the server has 91 free slots` (the busy finding's words), nothing without a server. */
export function roomText(names: RecordedNames): string {
	return freeSlots(names, '; the server has', '; the servers have', '');
}

/** `96/100` of the full server(s) the alert's queue stands behind. */
export function fullServerText(names: RecordedNames): string {
	const full = `(${names.serverFree} <= 0)`;
	const connections = `{{ with query "${names.serverConnections} and ${full}" }}{{ . | first | value | printf "%.0f" }}{{ else }}?{{ end }}`;
	const usable = `{{ with query "${names.serverUsable} and ${full}" }}{{ . | first | value | printf "%.0f" }}{{ else }}?{{ end }}`;
	return `${connections}/${usable}`;
}

/** The timeouts finding's next step: free server slots when a server is full, else look at both. */
export function timeoutsNextText(names: RecordedNames): string {
	return `{{ with query "${names.serverFree} <= 0" }}the server is full (${fullServerText(names)}): free server slots first{{ else }}check the server's free slots and the pool's max{{ end }}`;
}

/** `96/100` of the alert's server: its connections and usable slots. */
export function serverUseText(names: RecordedNames): string {
	const match = 'job=%q,instance=%q,server=%q';
	const args = '$labels.job $labels.instance $labels.server';
	const number = (name: string) => `{{ with printf "${name}{${match}}" ${args} | query }}{{ . | first | value | printf "%.0f" }}{{ else }}?{{ end }}`;
	return `${number(names.serverConnections)}/${number(names.serverUsable)}`;
}

/** What the fleet's pools add up to, per service pool: `orders/HikariPool-1 30, billing/main 12`. */
export function fleetPartsText(names: RecordedNames): string {
	const service = '{{ or ($s | label "service") ($s | label "app") ($s | label "job") }}';
	return `{{ range $i, $s := query "sum by (service, app, job, lifeguard_pool) (${names.max})" }}{{ if $i }} + {{ end }}${service}{{ with $s | label "lifeguard_pool" }}/{{ . }}{{ end }} {{ $s | value | printf "%.0f" }}{{ end }}`;
}

/** `(below 80%, but warning holds until under 75%)` while a held level stands below its own line. */
export function holdingText(level: string, linePercent: number, clearPercent: number): string {
	return `{{ if lt $value ${linePercent.toFixed(1)} }} (below ${linePercent}%, but ${level} holds until under ${clearPercent}%){{ end }}`;
}

/** `2 requests`, `1 request` for a count in the alert's value. */
export function valueCount(noun: string): string {
	return `{{ printf "%.0f" $value }} ${noun}{{ if ne (printf "%.0f" $value) "1" }}s{{ end }}`;
}
