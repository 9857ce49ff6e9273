// `lifeguard report FILE [--html OUT]`: a recording (`lifeguard record`) as a Markdown summary on
// stdout, and with --html one self-contained page with charts. The exit code is for CI: 0 when no
// pool queued and the server stayed under --warn, 1 otherwise, the numbers in one line on stderr;
// 2 when FILE is not a recording. The file is streamed: memory grows with its samples, not its text.
// `lifeguard report --prometheus URL --from T --to T`: the same report of a window of Prometheus
// history (report/from-prometheus.ts makes it into the samples a recording holds), for a load test
// lifeguard did not watch.
import {closeSync, createReadStream} from 'node:fs';
import process from 'node:process';
import {openPrivateFile, reason, writeAll} from '../actions/incident-log.js';
import {forEachLine} from '../output/timeline-stream.js';
import {prometheusLoadTest} from '../collectors/pools/prometheus-load-test.js';
import type {Options} from '../options.js';
import {prometheusRecording, type PrometheusWindow} from '../report/from-prometheus.js';
import {reportHtml} from '../report/html.js';
import {reportMarkdown} from '../report/markdown.js';
import {parseHeader} from '../report/recording.js';
import {createReportBuilder, type ReportModel, reportVerdict} from '../report/summary.js';
import {instantMs, reportStartMs, reportStepMs} from '../report/window.js';
import {type Command, CommandError} from './command.js';

export const reportCommand: Command = {
	name: 'report',
	word: 'report',
	argument: 'FILE',
	label: 'lifeguard report',
	usage: 'lifeguard report FILE [--html OUT]',
	summary: 'a recording as Markdown (--html: a page of charts); exit 0/1 for CI',
	flags: ['html', 'warn'],
	async run(options) {
		return present(await readRecording(options.argument!, options.thresholds.warnRatio), options);
	},
};

/** Far enough back for a week-long soak at a sample a few minutes apart; a longer window is refused. */
const MAX_WINDOW_MS = 7 * 24 * 3_600_000;
/** The range queries of one report, together: hours of a fleet take longer than a live refresh. */
export const REPORT_QUERY_TIMEOUT_MS = 30_000;

export const reportPrometheusCommand: Command = {
	name: 'report-prometheus',
	word: 'report',
	selector: 'prometheus',
	label: 'lifeguard report --prometheus',
	usage: 'lifeguard report --prometheus URL --from T [--to T] [--html OUT]',
	summary: 'the same report from Prometheus history (query_range), for a load test driven by any tool',
	flags: ['prometheus', 'prometheus-selector', 'from', 'to', 'html', 'warn', 'critical'],
	refuse(options) {
		if (options.pools.length !== 1) {
			return '--prometheus: report reads one Prometheus; give one URL';
		}

		return options.reportFrom === undefined ? 'report --prometheus: give --from T (when the load test began: -30m, 2026-12-07T20:00:00Z or unix seconds)' : null;
	},
	async run(options) {
		const endpoint = options.pools[0]!;
		const window = reportWindow(options);
		const history = await prometheusLoadTest(endpoint, window, REPORT_QUERY_TIMEOUT_MS);
		if (!history.ok) {
			throw new CommandError(`${endpoint.maskedUrl}: ${history.error}`, 2);
		}

		if (history.pools.every(point => point.pools.length === 0) && !(history.server.ok && history.server.points.length > 0)) {
			const where = endpoint.selector ? ` matching {${endpoint.selector}}` : '';
			throw new CommandError(`${endpoint.maskedUrl}: no pool series${where} and no postgres_exporter server between ${isoSeconds(window.startMs)} and ${isoSeconds(window.endMs)}`, 2);
		}

		const {header, entries} = prometheusRecording(endpoint, history, window, options.thresholds);
		const builder = createReportBuilder(header, options.thresholds.warnRatio);
		for (const entry of entries) {
			builder.addEntry(entry);
		}

		return present(builder.finish(), options);
	},
};

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** --from and --to (now when not given) as a window on whole seconds starting on its step's grid, with its step; a bad one is exit 2. */
function reportWindow(options: Options): PrometheusWindow {
	const nowMs = Date.now();
	// Whole seconds: Prometheus answers at start + k·step, and the samples are matched by their time.
	const startMs = Math.floor(instantMs(options.reportFrom!, nowMs) / 1000) * 1000;
	const endMs = Math.floor(instantMs(options.reportTo ?? {fromNowMs: 0}, nowMs) / 1000) * 1000;
	if (startMs >= endMs) {
		throw new CommandError(`--from ${isoSeconds(startMs)} is not before --to ${isoSeconds(endMs)}`, 2);
	}

	if (endMs - startMs > MAX_WINDOW_MS) {
		throw new CommandError(`--from ${isoSeconds(startMs)} to ${isoSeconds(endMs)}: longer than a week; report a shorter window`, 2);
	}

	const stepMs = reportStepMs(startMs, endMs);
	return {startMs: reportStartMs(startMs, stepMs), endMs, stepMs};
}

/** The report of a model: --html written, the Markdown on stdout, the verdict on stderr, its exit code. */
function present(model: ReportModel, options: Options): number {
	const verdict = reportVerdict(model);
	if (options.htmlFile !== undefined) {
		writeHtml(options.htmlFile, reportHtml(model, verdict));
	}

	process.stdout.write(reportMarkdown(model, verdict));
	process.stderr.write(`lifeguard report: ${verdict.line}\n`);
	return verdict.exitCode;
}

/** The recording folded into its report; a file that is not one is exit 2, in one line. */
async function readRecording(file: string, warnRatio: number): Promise<ReportModel> {
	let builder: ReturnType<typeof createReportBuilder> | undefined;
	let headerError: string | undefined;
	try {
		await forEachLine(createReadStream(file), line => {
			if (builder) {
				if (line === null) {
					builder.skip();
				} else {
					builder.add(line);
				}

				return;
			}

			const header = line === null ? {error: 'not a lifeguard recording (its first line is too long)'} : parseHeader(line);
			if ('error' in header) {
				headerError = header.error;
				throw new Error(header.error);
			}

			builder = createReportBuilder(header, warnRatio);
		});
	} catch (error) {
		throw new CommandError(headerError === undefined ? `cannot read ${file}: ${reason(error)}` : `${file}: ${headerError}`, 2);
	}

	if (!builder) {
		throw new CommandError(`${file}: not a lifeguard recording (it is empty)`, 2);
	}

	const model = builder.finish();
	if (model.samples === 0) {
		throw new CommandError(`${file}: the recording holds no sample`, 2);
	}

	return model;
}

function writeHtml(file: string, html: string): void {
	let fd: number;
	try {
		fd = openPrivateFile(file, 'the HTML report', 'replace');
	} catch (error) {
		throw new CommandError((error as Error).message, 2);
	}

	try {
		writeAll(fd, html);
	} catch (error) {
		throw new CommandError(`cannot write the HTML report ${file}: ${reason(error)}`, 1);
	} finally {
		closeSync(fd);
	}
}
