// `lifeguard report FILE --html OUT`: the report as one self-contained page: inline CSS and SVG, no
// script, no font, nothing fetched (its Content-Security-Policy forbids it). A chart per pool (busy,
// max, waiting) and one of the server's slots (used, usable, --warn), the findings as bands on the
// time axis. Every name is outside text: escaped for HTML.
import {clockTime, percent} from '../text/words.js';
import {noServerWords, recordedWords, share, sizingAdvice, sourceLabel, when} from './markdown.js';
import type {FindingSpan, Point, ReportModel} from './summary.js';

/** Outside text as HTML text or an attribute value. */
export function htmlText(value: string): string {
	return value.replace(/[&<>"']/g, character => `&#${character.codePointAt(0)!};`);
}

const WIDTH = 900;
const LEFT = 56;
const RIGHT = 884;
const PANEL_HEIGHT = 120;
const PANEL_GAP = 22;
const LANE_HEIGHT = 10;
/** Findings beyond this many on one chart share its last lane. */
const MAX_LANES = 6;
/** The plot area's fill: the test finds the charts' panels on a screenshot by it. */
export const PLOT_FILL = '#f4f7fb';
export const COLORS = {busy: '#1565c0', max: '#616161', waiting: '#d84315', warn: '#f9a825', warning: '#f9a825', critical: '#c62828'} as const;

type Series = {name: string; color: string; dashed?: boolean; index: number};
/** One plot with its own y scale (a pool's busy and max, its waiting: 5 beside 150 would be a flat line). */
type Panel = {label: string; series: readonly Series[]; warnAt?: number};

/** A round number at or above `value`, for the top of the y axis. */
function niceCeiling(value: number): number {
	if (value <= 1) {
		return 1;
	}

	const magnitude = 10 ** Math.floor(Math.log10(value));
	const step = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find(candidate => candidate * magnitude >= value)!;
	return step * magnitude;
}

/** At most one point per pixel column, each the column's highest value: a peak is never averaged away. */
function columns(points: readonly Point[], index: number, x: (atMs: number) => number): Array<{x: number; value: number} | null> {
	const byColumn = new Map<number, number | null>();
	for (const point of points) {
		const column = Math.round(x(point.atMs));
		const value = point.values[index] ?? null;
		const held = byColumn.get(column);
		byColumn.set(column, value === null ? (held ?? null) : Math.max(held ?? value, value));
	}

	return [...byColumn].sort((a, b) => a[0] - b[0]).map(([column, value]) => (value === null ? null : {x: column, value}));
}

/** An SVG path of a series, broken where it is unknown; a lone point still shows, as a short stroke. */
function pathOf(points: Array<{x: number; value: number} | null>, y: (value: number) => number): string {
	const parts: string[] = [];
	let isOpen = false;
	for (const point of points) {
		if (point === null) {
			isOpen = false;
			continue;
		}

		parts.push(isOpen ? `L${point.x} ${y(point.value).toFixed(1)}` : `M${point.x} ${y(point.value).toFixed(1)} h2`);
		isOpen = true;
	}

	return parts.join(' ');
}

function panelSvg(points: readonly Point[], panel: Panel, top: number, x: (atMs: number) => number): string[] {
	const bottom = top + PANEL_HEIGHT;
	const values = points.flatMap(point => panel.series.map(series => point.values[series.index] ?? null)).filter((value): value is number => value !== null);
	const ceiling = niceCeiling(Math.max(1, panel.warnAt ?? 0, ...values) * 1.05); // a line at its peak stays off the frame
	const y = (value: number) => bottom - ((value / ceiling) * PANEL_HEIGHT);
	const grid = [0, ceiling / 2, ceiling].map(value => `<line x1="${LEFT}" x2="${RIGHT}" y1="${y(value)}" y2="${y(value)}" stroke="#d5dbe3"/><text x="${LEFT - 6}" y="${y(value) + 4}" text-anchor="end">${value}</text>`);
	const warn = panel.warnAt === undefined ? [] : [`<line x1="${LEFT}" x2="${RIGHT}" y1="${y(panel.warnAt).toFixed(1)}" y2="${y(panel.warnAt).toFixed(1)}" stroke="${COLORS.warn}" stroke-dasharray="2 3"/>`];
	const lines = panel.series.map(series => `<path class="series" d="${pathOf(columns(points, series.index, x), y)}" fill="none" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="6 4"' : ''}><title>${htmlText(series.name)}</title></path>`);
	return [
		`<rect class="plot" x="${LEFT}" y="${top}" width="${RIGHT - LEFT}" height="${PANEL_HEIGHT}" fill="${PLOT_FILL}"/>`,
		`<text x="${LEFT + 4}" y="${top - 4}">${htmlText(panel.label)}</text>`,
		...grid,
		...warn,
		...lines,
	];
}

/** The findings as bands on the time axis, one lane each, from their first sample to their last. */
function findingLanes(model: ReportModel, findings: readonly FindingSpan[], top: number, x: (atMs: number) => number): string[] {
	return findings.map((finding, index) => {
		const laneTop = top + (Math.min(index, MAX_LANES - 1) * LANE_HEIGHT);
		const from = x(finding.firstMs);
		const width = Math.min(RIGHT - from, Math.max(3, x(finding.lastMs + (model.header.intervalSeconds * 1000)) - from));
		const color = finding.level === 'critical' ? COLORS.critical : COLORS.warning;
		return `<rect class="finding" x="${from.toFixed(1)}" y="${laneTop}" width="${width.toFixed(1)}" height="${LANE_HEIGHT - 2}" fill="${color}"><title>${htmlText(`${finding.level} ${finding.code} ${finding.subject}: ${clockTime(finding.firstMs)} to ${clockTime(finding.lastMs)}: ${finding.message}`)}</title></rect>`;
	});
}

function chartSvg(model: ReportModel, input: {title: string; points: readonly Point[]; panels: readonly Panel[]; findings: readonly FindingSpan[]}): string {
	const endMs = Math.max(model.endMs, model.startMs + 1000);
	const x = (atMs: number) => LEFT + ((atMs - model.startMs) / (endMs - model.startMs)) * (RIGHT - LEFT);
	const panels = input.panels.flatMap((panel, index) => panelSvg(input.points, panel, PANEL_GAP + (index * (PANEL_HEIGHT + PANEL_GAP)), x));
	const stripTop = input.panels.length * (PANEL_HEIGHT + PANEL_GAP) + 8;
	const lanes = Math.max(1, Math.min(MAX_LANES, input.findings.length));
	const ticksAt = stripTop + (lanes * LANE_HEIGHT) + 14;
	const ticks = [model.startMs, (model.startMs + endMs) / 2, endMs].map((atMs, index) => `<text x="${x(atMs)}" y="${ticksAt}" text-anchor="${['start', 'middle', 'end'][index]!}">${clockTime(atMs)}</text>`);
	const height = ticksAt + 8;
	return [
		`<svg class="chart" role="img" aria-label="${htmlText(input.title)}" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" xmlns="http://www.w3.org/2000/svg">`,
		...panels,
		`<text x="${LEFT - 6}" y="${stripTop + 8}" text-anchor="end">findings</text>`,
		input.findings.length === 0 ? `<text x="${LEFT + 4}" y="${stripTop + 8}">none</text>` : '',
		...findingLanes(model, input.findings, stripTop, x),
		...ticks,
		'</svg>',
	].join('\n');
}

function legend(series: ReadonlyArray<{name: string; color: string}>): string {
	return `<p class="legend">${series.map(item => `<span style="border-color:${item.color}">${htmlText(item.name)}</span>`).join(' ')}</p>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;color:#1d2733;margin:24px;max-width:940px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #d5dbe3;padding:4px 8px;text-align:left}th{background:#eef2f7}
.verdict{font-weight:bold;padding:8px 12px;border-left:6px solid}.fail{border-color:#c62828;background:#fdecea}.ok{border-color:#2e7d32;background:#edf7ee}
svg text{font:11px system-ui,sans-serif;fill:#4a5866}.legend span{border-left:14px solid;padding:0 10px 0 6px;margin-right:6px}`;

function tables(model: ReportModel): {server: string; poolTable: string; findingTable: string} {
	const {peak} = model.server;
	const server = peak
		? `<table><tr><th>peak used / usable</th><th>when</th><th>headroom at the peak</th><th>time at or above --warn</th></tr><tr><td>${peak.used}/${peak.usable} (${percent(peak.ratio)})</td><td>${when(model, peak.atMs)}</td><td>${peak.usable - peak.used}</td><td>${share(model, model.server.overWarnMs)}</td></tr></table>`
		: `<p>${htmlText(noServerWords(model))}</p>`;
	const pools = model.pools.map(pool => `<tr><td>${htmlText(pool.name)}</td><td>${pool.peakBusy ? `${pool.peakBusy.value}/${pool.peakBusy.max ?? 'n/a'} at ${clockTime(pool.peakBusy.atMs)}` : 'n/a'}</td><td>${pool.headroom ?? 'n/a'}</td><td>${pool.peakWaiting ? `${pool.peakWaiting.value} at ${clockTime(pool.peakWaiting.atMs)}` : 'n/a'}</td><td>${pool.timeouts ?? 'n/a'}</td><td>${share(model, pool.saturatedMs)}</td><td>${share(model, pool.queuedMs)}</td></tr>`);
	const poolTable = pools.length === 0 ? '<p>No pool was recorded.</p>' : `<table><tr><th>pool</th><th>peak busy / max</th><th>headroom</th><th>peak waiting</th><th>timeouts</th><th>time at max</th><th>time with a queue</th></tr>${pools.join('')}</table>`;
	const findings = model.findings.map(finding => `<tr><td>${htmlText(finding.level)}</td><td>${htmlText(finding.code)}</td><td>${htmlText(finding.subject)}</td><td>${when(model, finding.firstMs)}</td><td>${when(model, finding.lastMs)}</td><td>${htmlText(finding.message)}</td></tr>`);
	const findingTable = findings.length === 0 ? '<p>None: the judge found nothing during the recording.</p>' : `<table><tr><th>level</th><th>finding</th><th>subject</th><th>first</th><th>last</th><th>last words</th></tr>${findings.join('')}</table>`;
	return {server, poolTable, findingTable};
}

export function reportHtml(model: ReportModel, verdict: {exitCode: number; line: string}): string {
	const parts = tables(model);
	const isPoolFinding = (finding: FindingSpan, name: string) => finding.kind === 'pool' && finding.subject === name;
	const serverChart = chartSvg(model, {
		title: 'server slots: used and usable',
		points: model.server.series,
		panels: [{
			label: 'server slots',
			series: [{name: 'used', color: COLORS.busy, index: 0}, {name: 'usable', color: COLORS.max, dashed: true, index: 1}],
			warnAt: model.server.peak ? model.warnRatio * model.server.peak.usable : undefined,
		}],
		// Every finding not about a pool is the server's (server, sessions, groups, privileges).
		findings: model.findings.filter(finding => finding.kind !== 'pool'),
	});
	const poolCharts = model.pools.map(pool => [
		`<h3>${htmlText(pool.name)}</h3>`,
		chartSvg(model, {
			title: `pool ${pool.name}: busy, max and waiting`,
			points: pool.series,
			panels: [
				{label: 'connections: busy and max', series: [{name: 'busy', color: COLORS.busy, index: 0}, {name: 'max', color: COLORS.max, dashed: true, index: 1}]},
				{label: 'requests waiting', series: [{name: 'waiting', color: COLORS.waiting, index: 2}]},
			],
			findings: model.findings.filter(finding => isPoolFinding(finding, pool.name)),
		}),
	].join('\n'));
	const advice = sizingAdvice(model);
	return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>lifeguard load test report</title><style>${STYLE}</style></head>
<body>
<h1>Load test report</h1>
<p>${sourceLabel(model)} <code>${htmlText(model.header.target)}</code>, ${htmlText(recordedWords(model))}</p>
<p class="verdict ${verdict.exitCode === 0 ? 'ok' : 'fail'}">${htmlText(verdict.line)}</p>
<h2>Server slots</h2>
${parts.server}
${legend([{name: 'used', color: COLORS.busy}, {name: 'usable', color: COLORS.max}, {name: `--warn ${percent(model.warnRatio)}`, color: COLORS.warn}, {name: 'finding: warning', color: COLORS.warning}, {name: 'finding: critical', color: COLORS.critical}])}
${serverChart}
<h2>Pools</h2>
${parts.poolTable}
${advice === null ? '' : `<h2>Sizing advice</h2>\n${advice.map(line => `<p>${htmlText(line)}</p>`).join('\n')}`}
${model.pools.length > 0 ? legend([{name: 'busy', color: COLORS.busy}, {name: 'max', color: COLORS.max}, {name: 'waiting', color: COLORS.waiting}]) : ''}
${poolCharts.join('\n')}
<h2>Findings</h2>
${parts.findingTable}
</body></html>
`;
}
