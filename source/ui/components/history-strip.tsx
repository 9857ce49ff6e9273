import {usableConnections} from '../../model/levels.js';
import type {Picture} from '../../model/picture.js';
import {seriesValues} from '../../model/series.js';
import {trendKeys} from '../../model/trend.js';
import {compactDuration} from '../format.js';
import {type Line, span} from '../lines.js';
import {autoMax, sparkline} from '../sparkline.js';
import {cellWidth} from '../../text/width.js';

/** At most `cells` values: each cell the largest of the samples it covers, so a spike never vanishes. */
export function bucketed(values: ReadonlyArray<number | null>, cells: number): Array<number | null> {
	if (cells <= 0) {
		return [];
	}

	if (values.length <= cells) {
		return [...values];
	}

	const size = values.length / cells;
	return Array.from({length: cells}, (_, cell) => {
		const bucket = values.slice(Math.floor(cell * size), Math.floor((cell + 1) * size));
		const numbers = bucket.filter((value): value is number => value !== null);
		return numbers.length > 0 ? Math.max(...numbers) : null;
	});
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
		return {label: `${suspect.subject} busy`, key, now: seriesValues(picture.trend, key).at(-1) ?? null};
	}

	for (const pool of picture.pools) {
		if (seriesValues(picture.trend, trendKeys.poolBusy(pool.name)).length > 0) {
			return {label: `${pool.name} busy`, key: trendKeys.poolBusy(pool.name), now: pool.error === null ? pool.metrics?.active ?? null : null};
		}
	}

	return null;
}

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

	const spanSeconds = (trend.times.at(-1)! - trend.times[0]!) / 1000;
	const suffix = ` last ${compactDuration(spanSeconds)}`;
	const used = seriesValues(trend, trendKeys.serverUsed);
	const usable = usableConnections(server);
	const usedText = ` ${server.connections}/${usable}`;
	const queue = watched(picture);
	const queueValues = queue ? seriesValues(trend, queue.key) : [];
	const queueLast = queue?.now ?? null;
	const queueText = queue ? ` ${queueLast ?? 'n/a'}` : '';
	const fixed = cellWidth(`History slots ${usedText}${queue ? `  ${queue.label} ${queueText}` : ''}${suffix}`);
	const room = Math.max(0, width - fixed);
	const cells = queue ? Math.floor(room / 2) : room;
	const slots = sparkline(bucketed(used, cells), usable, cells);
	const spans = [head, span('slots '), span(slots), span(usedText)];
	if (queue) {
		const queueCells = room - cells;
		const values = bucketed(queueValues, queueCells);
		spans.push(span(`  ${queue.label} `), span(sparkline(values, autoMax(values, 1), queueCells), {tone: (queueLast ?? 0) > 0 ? 'critical' : undefined}), span(queueText));
	}

	spans.push(span(suffix, {isDim: true}));
	return {spans};
}
