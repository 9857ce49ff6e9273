// A recording folded into what its report says: the server's peak, each pool's peaks, timeouts and
// time at max, the findings' first and last time, the series the charts draw, and the verdict CI
// reads. Fed one line at a time (a recording of hours is never held as text). Pure. A recording is
// outside text: every number is checked to be one, anything else counts as not exposed.
import {safeText} from '../text/sanitize.js';
import {parseLine, type RecordingEnd, type RecordingHeader, type RecordingSample} from './recording.js';

export type Peak = {value: number; atMs: number};

/** One point of a chart; null: not known at that moment (a gap, never a zero). */
export type Point = {atMs: number; values: Array<number | null>};

export type ServerSummary = {
	/** The sample with the highest used share: its connections and usable slots. */
	peak: {used: number; usable: number; ratio: number; atMs: number} | null;
	/** Time at or above --warn of usable. */
	overWarnMs: number;
	/** [used, usable] */
	series: Point[];
};

export type PoolSummary = {
	name: string;
	/** Busy (active) at its highest, with the max at that moment. */
	peakBusy: (Peak & {max: number | null}) | null;
	/** The highest max seen. */
	peakMax: number | null;
	/** null: the endpoint never exposed waiting. */
	peakWaiting: Peak | null;
	/** Timeouts counted during the recording (increases of the counter); null when never exposed. */
	timeouts: number | null;
	/** Time with busy = max, and time with someone waiting. */
	saturatedMs: number;
	queuedMs: number;
	/** max − busy at the busiest moment; null when max is unknown. */
	headroom: number | null;
	/** [busy, max, waiting] */
	series: Point[];
	/** The last sizing advice the judge gave during the recording (Little's law), null when it had no need to size. */
	advice: string | null;
};

export type FindingSpan = {code: string; level: string; kind: string; subject: string; firstMs: number; lastMs: number; samples: number; message: string};

export type ReportModel = {
	header: RecordingHeader;
	/** The report's --warn (0–1): what the server's time over it and the verdict are judged by. */
	warnRatio: number;
	startMs: number;
	endMs: number;
	samples: number;
	/** Lines that were neither a sample nor the end (a line cut short when the recorder was killed). */
	skippedLines: number;
	/** The end line was written: the recorder finished (or was stopped) cleanly. */
	isComplete: boolean;
	server: ServerSummary;
	pools: PoolSummary[];
	findings: FindingSpan[];
};

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null);
const text = (value: unknown): string => safeText(typeof value === 'string' ? value : String(value ?? ''));

type PoolState = PoolSummary & {lastTimeouts: number | null};

/** Folds a recording's lines (after its header) into a ReportModel, judged by the report's --warn. */
export function createReportBuilder(header: RecordingHeader, warnRatio: number): ReportBuilder {
	return new ReportBuilder(header, warnRatio);
}

class ReportBuilder {
	private readonly intervalMs: number;
	private readonly server: ServerSummary = {peak: null, overWarnMs: 0, series: []};
	private readonly pools = new Map<string, PoolState>();
	private readonly findings = new Map<string, FindingSpan>();
	private previous: {atMs: number; sample: RecordingSample} | null = null;
	private samples = 0;
	private skippedLines = 0;
	private isComplete = false;
	private startMs: number;
	private endMs: number;

	constructor(private readonly header: RecordingHeader, private readonly warnRatio: number) {
		this.intervalMs = Math.max(1, (num(header.intervalSeconds) ?? 1) * 1000);
		this.startMs = Date.parse(header.startedAt);
		this.endMs = this.startMs;
	}

	/** A line too long to be one of ours, let go unread. */
	skip(): void {
		this.skippedLines++;
	}

	add(line: string): void {
		if (line.trim() === '') {
			return;
		}

		const entry = parseLine(line);
		if (entry === null) {
			this.skippedLines++;
			return;
		}

		this.addEntry(entry);
	}

	/** One sample or the end, read from a file or made from Prometheus history (report/from-prometheus.ts). */
	addEntry(entry: RecordingSample | RecordingEnd): void {
		const atMs = Date.parse(entry.at);
		if (entry.type === 'end') {
			this.isComplete = true;
			return;
		}

		this.credit(atMs);
		if (this.samples === 0) {
			this.startMs = atMs;
		}

		this.samples++;
		this.endMs = Math.max(this.endMs, atMs);
		this.addServer(entry, atMs);
		this.addPools(entry, atMs);
		this.addFindings(entry, atMs);
		this.previous = {atMs, sample: entry};
	}

	finish(): ReportModel {
		// The last sample stands for one interval.
		this.credit((this.previous?.atMs ?? 0) + this.intervalMs);
		this.previous = null;
		const pools = [...this.pools.values()].map(({lastTimeouts: _last, ...pool}) => pool)
			.sort((a, b) => (b.peakWaiting?.value ?? 0) - (a.peakWaiting?.value ?? 0) || a.name.localeCompare(b.name));
		return {
			header: {...this.header, target: text(this.header.target)},
			warnRatio: this.warnRatio,
			startMs: this.startMs,
			endMs: this.endMs,
			samples: this.samples,
			skippedLines: this.skippedLines,
			isComplete: this.isComplete,
			server: this.server,
			pools,
			findings: [...this.findings.values()].sort((a, b) => a.firstMs - b.firstMs),
		};
	}

	/** What the previous sample stood for: until this one, but no more than a few intervals (a gap stays a gap). */
	private credit(atMs: number): void {
		if (!this.previous) {
			return;
		}

		const spanMs = Math.min(Math.max(0, atMs - this.previous.atMs), 3 * this.intervalMs);
		const used = this.previous.sample.server;
		if (used && num(used.usable) && (num(used.connections) ?? 0) / used.usable >= this.warnRatio) {
			this.server.overWarnMs += spanMs;
		}

		for (const pool of this.previous.sample.pools) {
			const state = this.pools.get(text(pool.name));
			const [active, max, waiting] = [num(pool.active), num(pool.max), num(pool.waiting)];
			if (state && active !== null && max !== null && max > 0 && active >= max) {
				state.saturatedMs += spanMs;
			}

			if (state && waiting !== null && waiting > 0) {
				state.queuedMs += spanMs;
			}
		}
	}

	private addServer(sample: RecordingSample, atMs: number): void {
		const used = num(sample.server?.connections);
		const usable = num(sample.server?.usable);
		this.server.series.push({atMs, values: [used, usable]});
		if (used !== null && usable !== null && usable > 0) {
			const ratio = used / usable;
			if (!this.server.peak || ratio > this.server.peak.ratio) {
				this.server.peak = {used, usable, ratio, atMs};
			}
		}
	}

	private addPools(sample: RecordingSample, atMs: number): void {
		for (const pool of sample.pools) {
			const name = text(pool.name);
			const state = this.pools.get(name) ?? {name, peakBusy: null, peakMax: null, peakWaiting: null, timeouts: null, saturatedMs: 0, queuedMs: 0, headroom: null, series: [], advice: null, lastTimeouts: null};
			this.pools.set(name, state);
			const [active, max, waiting, timeouts] = [num(pool.active), num(pool.max), num(pool.waiting), num(pool.timeoutsTotal)];
			state.series.push({atMs, values: [active, max, waiting]});
			if (typeof pool.advice === 'string' && pool.advice !== '') {
				state.advice = text(pool.advice);
			}

			if (active !== null && (!state.peakBusy || active > state.peakBusy.value)) {
				state.peakBusy = {value: active, atMs, max};
				state.headroom = max === null ? null : max - active;
			}

			state.peakMax = max === null ? state.peakMax : Math.max(state.peakMax ?? 0, max);
			if (waiting !== null && (!state.peakWaiting || waiting > state.peakWaiting.value)) {
				state.peakWaiting = {value: waiting, atMs};
			}

			// A counter: its increases are the timeouts; a drop is a restart, counting from zero again.
			if (timeouts !== null) {
				const last = state.lastTimeouts;
				state.timeouts = (state.timeouts ?? 0) + (last === null ? 0 : (timeouts >= last ? timeouts - last : timeouts));
				state.lastTimeouts = timeouts;
			}
		}
	}

	private addFindings(sample: RecordingSample, atMs: number): void {
		for (const finding of sample.findings) {
			const key = `${text(finding.code)}\u0000${text(finding.kind)}\u0000${text(finding.subject)}`;
			const span = this.findings.get(key);
			const level = text(finding.level);
			if (span) {
				span.lastMs = atMs;
				span.samples++;
				span.level = span.level === 'critical' ? span.level : level;
				span.message = text(finding.message);
			} else {
				this.findings.set(key, {code: text(finding.code), level, kind: text(finding.kind), subject: text(finding.subject), firstMs: atMs, lastMs: atMs, samples: 1, message: text(finding.message)});
			}
		}
	}
}

/** What CI reads: 0 when no pool queued and the server stayed under --warn, 1 otherwise, and why in one line. */
export function reportVerdict(model: ReportModel): {exitCode: 0 | 1; line: string} {
	const {warnRatio} = model;
	const queued = model.pools.filter(pool => (pool.peakWaiting?.value ?? 0) > 0);
	const peak = model.server.peak;
	const isServerOver = peak === null || peak.ratio >= warnRatio;
	const warn = `--warn ${Math.round(warnRatio * 100)}%`;
	const serverWords = peak === null
		? (model.header.prometheus ? `${model.header.prometheus.server.startsWith('server not in Prometheus') ? 'server not in Prometheus' : 'server not reported'}, its slots not judged` : 'the server was never read')
		: `server peak ${peak.used}/${peak.usable} used (${Math.round(peak.ratio * 100)}%), ${isServerOver ? 'at or above' : 'under'} ${warn}`;
	const busiest = (pools: readonly PoolSummary[]) => pools.slice(0, 3).map(pool => poolWords(pool)).join(', ')
		+ (pools.length > 3 ? ` and ${pools.length - 3} more` : '');
	const poolPart = queued.length > 0
		? `${queued.length === 1 ? 'pool' : 'pools'} queued: ${busiest(queued)}`
		: (model.pools.length === 0 ? 'no pool recorded' : `no pool queued: ${busiest(model.pools)}`);
	const isFailed = queued.length > 0 || isServerOver;
	return {exitCode: isFailed ? 1 : 0, line: `${isFailed ? 'FAIL' : 'OK'}: ${poolPart}; ${serverWords}`};
}

function poolWords(pool: PoolSummary): string {
	const busy = pool.peakBusy ? `${pool.peakBusy.value}/${pool.peakBusy.max ?? '?'} busy` : 'busy not exposed';
	const waiting = pool.peakWaiting ? `${pool.peakWaiting.value} waiting` : 'waiting not exposed';
	const timeouts = pool.timeouts === null ? '' : `, ${pool.timeouts} timeouts`;
	return `${pool.name} peak ${busy}, ${waiting}${timeouts}`;
}
