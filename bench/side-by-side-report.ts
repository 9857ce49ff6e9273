// The side-by-side bench's report: one table of every phase with both tools' costs and the ratios, what
// each steady shape looked like to lifeguard, the paused phase against lifeguard's own poll floor, and
// PASS/FAIL per target of issue 24.
import {mb} from './proc.js';

export type ToolName = 'lifeguard' | 'pg_activity';
export type Reading = {
	clientCpuSPerMin: number;
	serverCpuSPerMin: number;
	rssBytes: number;
	hwmBytes: number;
	terminalKiBPerMin: number;
	/** Bytes written over the window (for paused: after the pause frame). */
	terminalBytes: number;
	isPausedOnScreen: boolean;
};
export type PhaseKind = 'steady' | 'busy' | 'paused';
export type Phase = {
	/** The shape's name for steady phases; `busy`, `paused`. */
	name: string;
	kind: PhaseKind;
	sessions: number;
	readings: Map<ToolName, Reading>;
	machineBusyPercent: number;
	loadAverage: number;
	/** What `lifeguard --json` saw at the end of the window (steady shapes). */
	seen?: string;
};
/** The poll floor's processes over the busy and paused windows (same sessions): CPU s/min by mode. */
export type Floor = {collect: number; model: number; seconds: number};

export const TARGETS = {
	steady: {cpu: 0.5, bytes: 0.5},
	busy: {cpu: 1, bytes: 1},
	pausedOverCollectFloor: 1.3,
	server: 0.5,
};

const over = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 ? a / b : undefined);
const times = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(2)}×`);
const num = (value: number | undefined, digits = 2) => (value === undefined ? 'n/a' : value.toFixed(digits));

function verdict(label: string, value: number | undefined, target: number, shown = times(value)) {
	const mark = value === undefined ? 'n/a ' : value <= target ? 'PASS' : 'FAIL';
	console.log(`- ${mark}  ${label}: ${shown}`);
}

function table(phases: readonly Phase[]) {
	console.log('| phase | sessions | client CPU s/min: lifeguard | pg_activity | ratio | terminal KiB/min: lifeguard | pg_activity | ratio | server CPU s/min: lifeguard | pg_activity | ratio | VmRSS lifeguard | pg_activity | machine busy (2 CPUs), load |');
	console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
	for (const phase of phases) {
		const lg = phase.readings.get('lifeguard');
		const pa = phase.readings.get('pg_activity');
		const name = phase.kind === 'steady' ? `steady: ${phase.name}` : phase.name;
		console.log(`| ${name} | ${phase.sessions} | ${num(lg?.clientCpuSPerMin)} | ${num(pa?.clientCpuSPerMin)} | ${times(over(lg?.clientCpuSPerMin, pa?.clientCpuSPerMin))} | ${num(lg?.terminalKiBPerMin, 1)} | ${num(pa?.terminalKiBPerMin, 1)} | ${times(over(lg?.terminalKiBPerMin, pa?.terminalKiBPerMin))} | ${num(lg?.serverCpuSPerMin)} | ${num(pa?.serverCpuSPerMin)} | ${phase.kind === 'paused' ? 'n/a' : times(over(lg?.serverCpuSPerMin, pa?.serverCpuSPerMin))} | ${lg ? mb(lg.rssBytes) : 'n/a'} | ${pa ? mb(pa.rssBytes) : 'n/a'} | ${phase.machineBusyPercent.toFixed(0)} %, ${phase.loadAverage.toFixed(1)} |`);
	}
}

function paused(phase: Phase | undefined, floor: Floor | undefined) {
	if (!phase) {
		return;
	}

	const lg = phase.readings.get('lifeguard');
	const shows = [...phase.readings.entries()].map(([name, reading]) => `${name} ${reading.isPausedOnScreen ? 'shows PAUSE' : 'does NOT show PAUSE'}`);
	console.log(`\nPaused: ${shows.join(', ')}; bytes after the pause frame: ${[...phase.readings.entries()].map(([name, reading]) => `${name} ${reading.terminalBytes}`).join(', ')}.`);
	if (floor && lg) {
		console.log(`lifeguard's own poll floor (poll-floor-child.ts with the bin's #! flags, on lifeguard's server, over the busy and paused windows, ${floor.seconds.toFixed(0)} s): `
			+ `collector ${floor.collect.toFixed(3)} s/min, collector + paused model ${floor.model.toFixed(3)} s/min; paused lifeguard ${lg.clientCpuSPerMin.toFixed(3)} s/min `
			+ `= ${times(over(lg.clientCpuSPerMin, floor.collect))} the collector's floor, ${times(over(lg.clientCpuSPerMin, floor.model))} the model's.`);
	}
}

function targets(phases: readonly Phase[], floor: Floor | undefined) {
	console.log('\n## Targets (issue 24: ratios lifeguard / pg_activity in this run)\n');
	const ratioOf = (phase: Phase, key: 'clientCpuSPerMin' | 'terminalKiBPerMin' | 'serverCpuSPerMin') => over(phase.readings.get('lifeguard')?.[key], phase.readings.get('pg_activity')?.[key]);
	for (const phase of phases.filter(candidate => candidate.kind !== 'paused')) {
		const target = phase.kind === 'steady' ? TARGETS.steady : TARGETS.busy;
		const name = phase.kind === 'steady' ? `steady ${phase.name}` : phase.name;
		verdict(`${name}: client CPU ≤ ${target.cpu}×`, ratioOf(phase, 'clientCpuSPerMin'), target.cpu);
		verdict(`${name}: bytes to the terminal ≤ ${target.bytes}×`, ratioOf(phase, 'terminalKiBPerMin'), target.bytes);
		verdict(`${name}: server CPU ≤ ${TARGETS.server}×`, ratioOf(phase, 'serverCpuSPerMin'), TARGETS.server);
	}

	const pausedPhase = phases.find(phase => phase.kind === 'paused');
	const lg = pausedPhase?.readings.get('lifeguard');
	if (lg) {
		verdict(`paused: client CPU ≤ ${TARGETS.pausedOverCollectFloor}× lifeguard's collector floor`, over(lg.clientCpuSPerMin, floor?.collect), TARGETS.pausedOverCollectFloor);
		verdict('paused: 0 bytes after the pause frame', lg.isPausedOnScreen ? lg.terminalBytes : undefined, 0, lg.isPausedOnScreen ? `${lg.terminalBytes} bytes` : 'no pause frame seen');
	}

	// A phase's backend CPU is a few 10 ms ticks; summed over every polling phase it is steadier.
	const polling = phases.filter(phase => phase.kind !== 'paused');
	const total = (name: ToolName) => polling.reduce((sum, phase) => sum + (phase.readings.get(name)?.serverCpuSPerMin ?? 0), 0);
	verdict(`server CPU ≤ ${TARGETS.server}× over all ${polling.length} polling phases (pg_activity stops polling when paused)`, over(total('lifeguard'), total('pg_activity')), TARGETS.server);
}

export function report(input: {phases: readonly Phase[]; floor: Floor | undefined; heading: string; hasPgActivity: boolean}) {
	const {phases, floor} = input;
	console.log(`\n## Side by side (${input.heading})\n`);
	table(phases);
	const shapes = phases.filter(phase => phase.seen !== undefined);
	if (shapes.length > 0) {
		console.log('\nEach steady shape as `lifeguard --json` saw it at the end of its window:');
		for (const phase of shapes) {
			console.log(`- ${phase.name}: ${phase.seen!}`);
		}
	}

	paused(phases.find(phase => phase.kind === 'paused'), floor);
	const peak = (name: ToolName) => Math.max(...phases.map(phase => phase.readings.get(name)?.hwmBytes ?? 0));
	console.log(`Peak VmHWM: lifeguard ${mb(peak('lifeguard'))}${input.hasPgActivity ? `, pg_activity ${mb(peak('pg_activity'))}` : ''}.`);
	if (!input.hasPgActivity) {
		console.log('pg_activity is not installed (Debian: apt-get install pg-activity): lifeguard measured alone, ratios n/a.');
	}

	targets(phases, floor);
	console.log('\nmachine busy: all CPUs over the window, other users included; client CPU is each tool\'s own utime + stime, so it is affected less.');
}
