import {usableConnections} from '../../judge/levels.js';
import type {Picture} from '../../judge/picture.js';
import {subjectLabel} from '../../judge/subject.js';
import {type Series, seriesValues} from '../../judge/series.js';
import {TREND_BUCKET_MS, trendKeys} from '../../judge/trend.js';
import {clockTime, compactAge} from '../../text/words.js';
import {type Line, span} from '../lines.js';
import {autoMax, sparkline} from '../sparkline.js';
import {cellWidth} from '../../text/width.js';

/**
 * The last `cells` buckets up to the newest, one value per cell on the absolute time axis: a bucket
 * with no sample (before the start, while disconnected) is a gap, never a zero.
 */
export function cellsOf(trend: Series, key: string, cells: number): Array<number | null> {
	const newest = trend.times.at(-1);
	if (newest === undefined || cells <= 0) {
		return [];
	}

	const values = seriesValues(trend, key);
	const byTime = new Map(trend.times.map((time, index) => [time, values[index] ?? null]));
	return Array.from({length: cells}, (_, cell) => byTime.get(newest - ((cells - 1 - cell) * TREND_BUCKET_MS)) ?? null);
}

/**
 * The queue worth watching: the worst pool that reports one, else the worst suspected group, else
 * the busiest pool. `now` is the number the rest of the frame shows for it, never an older sample.
 */
function watched(picture: Picture): {label: string; key: string; now: number | null} | null {
	for (const pool of picture.pools) {
		if (seriesValues(picture.trend, trendKeys.poolWaiting(pool.name)).length > 0) {
			return {label: `${pool.name} waiting`, key: trendKeys.poolWaiting(pool.name), now: pool.error === null ? pool.metrics?.waiting ?? null : null};
		}
	}

	const suspect = picture.findings.find(finding => finding.code === 'pool-suspected');
	if (suspect) {
		const key = trendKeys.suspectBusy(suspect.subject);
		return {label: `${subjectLabel(suspect.subject)} busy`, key, now: seriesValues(picture.trend, key).at(-1) ?? null};
	}

	for (const pool of picture.pools) {
		if (seriesValues(picture.trend, trendKeys.poolBusy(pool.name)).length > 0) {
			return {label: `${pool.name} busy`, key: trendKeys.poolBusy(pool.name), now: pool.error === null ? pool.metrics?.active ?? null : null};
		}
	}

	return null;
}

/**
 * Which part of the strip was not seen live: ` Prometheus <14:02` (the cells before lifeguard started,
 * UTC) while samples from before the start are held, in place of ` last 3m`. The older cells are drawn
 * the same; the words say where they came from, short, as they take cells from the strip.
 */
function priorLegend(trend: Series): string {
	const oldest = trend.times[0];
	return trend.prior && oldest !== undefined && oldest < trend.prior.untilMs ? ` ${trend.prior.source} <${clockTime(trend.prior.untilMs).slice(0, 5)}` : '';
}

/** Fewer queue cells than this and the legend costs more than it says (the start's notice said it). */
const MIN_LEGEND_CELLS = 8;

/**
 * One line of history, newest on the right: the server's used slots against usable ones, and the
 * queue of the worst pool. A wider terminal shows more samples per cell, never more clutter.
 */
export function historyView(picture: Picture, width: number): Line {
	const {trend, server} = picture;
	const head = span('History ', {isBold: true});
	if (!server || trend.times.length === 0) {
		return {spans: [head, span('(collecting)')], isDim: true};
	}

	const usable = usableConnections(server);
	const usedText = ` ${server.connections}/${usable}`;
	const queue = watched(picture);
	const queueLast = queue?.now ?? null;
	const queueText = queue ? ` ${queueLast ?? 'n/a'}` : '';
	// The strip's span depends on the width only: a wider terminal shows more history.
	const layout = (legend: string) => {
		const room = Math.max(0, width - cellWidth(`History slots ${usedText}${queue ? `  ${queue.label} ${queueText}` : ''}${legend || ' last 99m'}`));
		return {room, cells: queue ? Math.floor(room / 2) : room};
	};

	// Only pools are seeded: the legend only while the queue's strip has a cell from before the start.
	let prior = queue ? priorLegend(trend) : '';
	let {room, cells} = layout(prior);
	if (prior !== '' && (room - cells < MIN_LEGEND_CELLS || trend.times.at(-1)! - ((room - cells - 1) * TREND_BUCKET_MS) >= trend.prior!.untilMs)) {
		prior = '';
		({room, cells} = layout(prior));
	}

	const suffix = prior || ` last ${compactAge((cells * TREND_BUCKET_MS) / 1000)}`;
	const slots = sparkline(cellsOf(trend, trendKeys.serverUsed, cells), usable, cells);
	const spans = [head, span('slots '), span(slots), span(usedText)];
	if (queue) {
		const queueCells = room - cells;
		const values = cellsOf(trend, queue.key, queueCells);
		spans.push(span(`  ${queue.label} `), span(sparkline(values, autoMax(values, 1), queueCells), {tone: (queueLast ?? 0) > 0 ? 'critical' : undefined}), span(queueText));
	}

	spans.push(span(suffix, {isDim: true}));
	return {spans};
}
