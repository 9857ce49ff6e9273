import {unfinishedWaitCount, whoWaitsText} from '../../judge/pool-findings.js';
import {waitRateText} from '../../judge/rates.js';
import type {PoolLevel, PoolView} from '../../judge/picture.js';
import {ageText, fit, LEVEL_TAG, segmentedBar} from '../format.js';
import {compactAge} from '../../text/words.js';
import {type Line, Lines, span} from '../lines.js';
import {cellWidth} from '../../text/width.js';

const na = (value: number | null) => (value === null ? 'n/a' : String(value));

/** The queue: the waiting gauge, else the wait rate from counters, saying so on the first sample. */
function queueText(pool: PoolView): string {
	const {metrics} = pool;
	if (metrics?.waiting !== null && metrics?.waiting !== undefined) {
		return `WAITING ${metrics.waiting}`;
	}

	// No waiting gauge, but every counted wait still going on: that many wait now, as the finding says.
	const unfinished = metrics ? unfinishedWaitCount(metrics) : null;
	if (unfinished !== null) {
		return `WAITING ${unfinished} (unfinished)`;
	}

	if (metrics?.sourceRates || (metrics?.waitsTotal !== null && metrics?.waitsTotal !== undefined)) {
		return pool.rates.waitsPerSecond === null ? 'waits: rate after 2nd sample' : waitRateText(pool.rates);
	}

	return 'WAITING n/a';
}

/**
 * Level, name, busy/max, the queue, oldest wait, timeouts, idle: in that order of value, so a narrow
 * terminal drops the bar first and then the extras, never a number that tells the story.
 */
export function poolLine(pool: PoolView, nowMs: number, width: number): string {
	// Up but not what it should be (impossible numbers, or not a PgBouncer console): not "down".
	const tag = pool.isInvalidReading || pool.isNotAConsole ? 'BAD' : LEVEL_TAG[pool.level];
	const head = `${tag.padEnd(4)} ${fit(pool.name, 14)}`;
	if (!pool.metrics) {
		const why = pool.isInvalidReading ? `impossible reading: ${pool.error}` : `no data: ${pool.error ?? 'waiting for the first sample'}`;
		return fit(`${head} ${why}`, width);
	}

	const {metrics, rates} = pool;
	const {fleet} = metrics;
	const numbers = [
		`${na(metrics.active)}/${na(metrics.max)}`,
		queueText(pool),
		// A fleet: how many instances, and how many sit at their max.
		...(fleet ? [`${fleet.instances} inst`, `${fleet.atMax === null ? 'n/a' : fleet.atMax} at max`] : []),
		...(pool.error ? [`ERROR ${pool.error} (last good ${pool.sampledAtMs === null ? 'never' : ageText(pool.sampledAtMs, nowMs)})`] : []),
		// Nobody waiting has no oldest wait: a gauge left at its last value would say "oldest 0s" of nobody.
		...(metrics.waiting === 0 ? [] : [`oldest ${metrics.oldestWaitSeconds === null ? 'n/a' : compactAge(metrics.oldestWaitSeconds)}`]),
		`timeouts ${rates.timeoutsPerMinute === null ? 'n/a' : `${Math.round(rates.timeoutsPerMinute)}/min`}`,
		`idle ${na(metrics.idle)}`,
	];
	const barWidth = 8;
	const bar = metrics.max === null || metrics.active === null
		? fit('?', barWidth)
		: segmentedBar([{count: metrics.active, glyph: '█'}], metrics.max, barWidth, '·');
	// Who waits (a pooler's client list): after everything else, where the width allows; the finding names them too.
	const who = whoWaitsText(metrics.waitingClients);
	const withWho = (line: string) => (who !== '' && cellWidth(`${line}  waiting: ${who}`) <= width ? `${line}  waiting: ${who}` : line);
	const withBar = `${head} [${bar}] ${numbers.join('  ')}`;
	if (cellWidth(withBar) <= width) {
		return fit(withWho(withBar), width);
	}

	// Without the bar, as many whole numbers as fit.
	let line = `${head} ${numbers[0]}`;
	for (const part of numbers.slice(1)) {
		if (cellWidth(`${line}  ${part}`) > width) {
			return fit(line, width);
		}

		line += `  ${part}`;
	}

	return fit(withWho(line), width);
}

export type PoolsPanelProps = {pools: readonly PoolView[]; nowMs: number; maxLines: number; width: number};

/** One line per pool, worst first; with many pools, the worst rows and a summary line. */
export function poolsView({pools, nowMs, maxLines, width}: PoolsPanelProps): Line[] {
	if (pools.length === 0 || maxLines <= 0) {
		return [];
	}

	const shown = pools.length > maxLines ? pools.slice(0, maxLines - 1) : pools;
	const hidden = pools.slice(shown.length);
	const count = (level: PoolLevel) => hidden.filter(pool => pool.level === level).length;
	const waiting = hidden.reduce((sum, pool) => sum + (pool.metrics?.waiting ?? 0), 0);
	// Pools an endpoint reported beyond the cap: counted once per endpoint.
	const omitted = [...new Map(pools.filter(pool => pool.omittedPools).map(pool => [pool.endpointId, pool.omittedPools ?? 0])).values()].reduce((sum, count) => sum + count, 0);
	// With no summary line, the count of pools not fetched ends the last row, within its width.
	const tail = hidden.length === 0 && omitted > 0 ? `  +${omitted} not fetched` : '';
	const lines: Line[] = shown.map((pool, index) => {
		const suffix = index === shown.length - 1 ? tail : '';
		return {spans: [
			span('Pool    ', {isBold: true}),
			span(poolLine(pool, nowMs, width - 8 - suffix.length), {tone: pool.level, isBold: pool.level === 'critical'}),
			...(suffix ? [span(suffix, {isDim: true})] : []),
		]};
	});
	const notFetched = omitted > 0 ? `; +${omitted} not fetched (over 200 on one endpoint)` : '';
	if (hidden.length > 0) {
		lines.push({spans: [span(`        +${hidden.length} more pools: ${count('critical')} critical, ${count('warning')} warning, ${count('ok')} ok, ${count('unknown')} failing; ${waiting} waiting${notFetched}`)], isDim: true});
	}

	return lines;
}

export function PoolsPanel(props: PoolsPanelProps) {
	return <Lines lines={poolsView(props)} width={props.width}/>;
}
