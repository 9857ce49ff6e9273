// `lifeguard report FILE`: a recording's summary as Markdown, for a pull request, a ticket or a CI
// log. Every name in it is outside text (pools, applications, findings' subjects): escaped.
import {markdownCode, markdownText} from '../text/markdown.js';
import {clockTime, percent, plural, settingDuration} from '../text/words.js';
import type {ReportModel} from './summary.js';

/** A span to the second: `0 s`, `45 s`, `1 min 30 s`. */
export function span(ms: number): string {
	if (ms < 1000) {
		return ms <= 0 ? '0 s' : `${(ms / 1000).toFixed(1)} s`;
	}

	return settingDuration(Math.round(ms / 1000));
}

/** `17:10:32 (+32 s)`: when, and how far into the recording. */
export function when(model: ReportModel, atMs: number): string {
	return `${clockTime(atMs)} (+${span(atMs - model.startMs)})`;
}

/** The share of the recording a span is: `59 s (98%)`. */
export function share(model: ReportModel, ms: number): string {
	const total = model.endMs - model.startMs + (model.header.intervalSeconds * 1000);
	return total > 0 && ms > 0 ? `${span(ms)} (${percent(Math.min(1, ms / total))})` : span(ms);
}

/** What the report was read from: `Server` (a recording of it) or `From Prometheus` (its history). */
export function sourceLabel(model: ReportModel): string {
	return model.header.prometheus ? 'From Prometheus' : 'Server';
}

/** Why the server section is empty: never read while recording, or not in Prometheus. */
export function noServerWords(model: ReportModel): string {
	const reason = model.header.prometheus?.server;
	return reason === undefined ? 'The server was never read during the recording.' : `${reason.charAt(0).toUpperCase()}${reason.slice(1)}.`;
}

/** The sentence under the title: what was recorded, when, how often. */
export function recordedWords(model: ReportModel): string {
	const day = new Date(model.startMs).toISOString().slice(0, 10);
	const length = span(model.endMs - model.startMs + (model.header.intervalSeconds * 1000));
	const cut = model.isComplete ? '' : ' The recording has no end line: the recorder was killed, or is still running.';
	const skipped = model.skippedLines > 0 ? ` ${plural(model.skippedLines, 'line')} could not be read and were skipped.` : '';
	const from = model.header.prometheus
		? ` Pools read as a live refresh reads them (query_range), judged by the live screen's judge; server: ${model.server.peak ? model.header.prometheus.server : 'not reported'} (its slots only, not its sessions).`
		: cut;
	return `${day} ${clockTime(model.startMs)} to ${clockTime(model.endMs)} UTC (${length}, ${plural(model.samples, 'sample')} every ${model.header.intervalSeconds} s).${from}${skipped}`;
}

/**
 * The sizing advice, one line per pool: the last the judge gave during the recording, from the
 * pool's own served count and hold time (Little's law, judge/advice.ts); null when no pool exposed
 * them, rather than a number guessed from the queue.
 */
export function sizingAdvice(model: ReportModel): string[] | null {
	const lines = model.pools.flatMap(pool => (pool.advice === null ? [] : [pool.advice]));
	return lines.length === 0 ? null : lines;
}

export function reportMarkdown(model: ReportModel, verdict: {exitCode: number; line: string}): string {
	const lines = [
		'# Load test report',
		'',
		`${sourceLabel(model)} ${markdownCode(model.header.target)}, ${markdownText(recordedWords(model))}`,
		'',
		`**${markdownText(verdict.line)}**`,
		'',
		'## Server slots',
		'',
	];
	const {peak} = model.server;
	if (peak) {
		lines.push(
			'| peak used / usable | when | headroom at the peak | time at or above --warn |',
			'| --- | --- | --- | --- |',
			`| ${peak.used}/${peak.usable} (${percent(peak.ratio)}) | ${when(model, peak.atMs)} | ${plural(peak.usable - peak.used, 'slot')} | ${share(model, model.server.overWarnMs)} |`,
		);
	} else {
		lines.push(markdownText(noServerWords(model)));
	}

	lines.push('', '## Pools', '');
	if (model.pools.length === 0) {
		lines.push('No pool was recorded (give `--pool` or `--prometheus` to `lifeguard record`).');
	} else {
		lines.push(
			'| pool | peak busy / max | headroom | peak waiting | timeouts | time at max | time with a queue |',
			'| --- | --- | --- | --- | --- | --- | --- |',
			...model.pools.map(pool => `| ${markdownText(pool.name)} | ${pool.peakBusy ? `${pool.peakBusy.value}/${pool.peakBusy.max ?? 'n/a'} at ${clockTime(pool.peakBusy.atMs)}` : 'n/a'} | ${pool.headroom ?? 'n/a'} | ${pool.peakWaiting ? `${pool.peakWaiting.value} at ${clockTime(pool.peakWaiting.atMs)}` : 'n/a'} | ${pool.timeouts ?? 'n/a'} | ${share(model, pool.saturatedMs)} | ${share(model, pool.queuedMs)} |`),
		);
	}

	const advice = sizingAdvice(model);
	if (advice !== null) {
		lines.push('', '## Sizing advice', '', ...advice.map(line => `- ${markdownText(line)}`));
	}

	lines.push('', '## Findings', '');
	if (model.findings.length === 0) {
		lines.push('None: the judge found nothing during the recording.');
	} else {
		lines.push(
			'| level | finding | subject | first | last | last words |',
			'| --- | --- | --- | --- | --- | --- |',
			...model.findings.map(finding => `| ${markdownText(finding.level)} | ${markdownText(finding.code)} | ${markdownText(finding.subject)} | ${when(model, finding.firstMs)} | ${when(model, finding.lastMs)} | ${markdownText(finding.message)} |`),
		);
	}

	return `${lines.join('\n')}\n`;
}
