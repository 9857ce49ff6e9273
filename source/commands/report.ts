// `lifeguard report FILE [--html OUT]`: a recording (`lifeguard record`) as a Markdown summary on
// stdout, and with --html one self-contained page with charts. The exit code is for CI: 0 when no
// pool queued and the server stayed under --warn, 1 otherwise, the numbers in one line on stderr;
// 2 when FILE is not a recording. The file is streamed: memory grows with its samples, not its text.
import {closeSync, createReadStream} from 'node:fs';
import process from 'node:process';
import {openPrivateFile, reason, writeAll} from '../actions/incident-log.js';
import {forEachLine} from '../output/timeline-stream.js';
import {reportHtml} from '../report/html.js';
import {reportMarkdown} from '../report/markdown.js';
import {parseHeader} from '../report/recording.js';
import {createReportBuilder, type ReportModel, reportVerdict} from '../report/summary.js';
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
		const file = options.argument!;
		const model = await readRecording(file, options.thresholds.warnRatio);
		const verdict = reportVerdict(model);
		if (options.htmlFile !== undefined) {
			writeHtml(options.htmlFile, reportHtml(model, verdict));
		}

		process.stdout.write(reportMarkdown(model, verdict));
		process.stderr.write(`lifeguard report: ${verdict.line}\n`);
		return verdict.exitCode;
	},
};

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
