import {Box, Text} from 'ink';
import type {Level, PoolStatus} from '../../model/types.js';
import {ageText, compactDuration, fit, LEVEL_TAG, segmentedBar} from '../format.js';
import {levelColor, useTheme} from '../theme.js';

export type PoolRow = {pool: PoolStatus; level: Level; timeoutsPerMinute: number | null};

const na = (value: number | null) => (value === null ? 'n/a' : String(value));

/** Level first and the numbers that matter next, so a narrow terminal cuts only the extras. */
export function poolLine(row: PoolRow, nowMs: number, width: number): string {
	const {pool} = row;
	// A failing endpoint with nothing to show is DOWN, not OK.
	const tag = pool.error && !pool.metrics ? 'DOWN' : LEVEL_TAG[row.level];
	const head = `${tag.padEnd(4)} ${fit(pool.name, 14)}`;
	if (!pool.metrics) {
		return fit(`${head} no data: ${pool.error ?? 'waiting for the first sample'}`, width);
	}

	const {metrics} = pool;
	const barWidth = 8;
	const bar = metrics.max === null || metrics.active === null
		? fit('?', barWidth)
		: segmentedBar([{count: metrics.active, glyph: '█'}], metrics.max, barWidth, '·');
	const parts = [
		`${head} [${bar}] ${na(metrics.active)}/${na(metrics.max)}`,
		`WAITING ${na(metrics.waiting)}`,
		`idle ${na(metrics.idle)}`,
		`oldest ${metrics.oldestWaitSeconds === null ? 'n/a' : compactDuration(metrics.oldestWaitSeconds)}`,
		`timeouts ${row.timeoutsPerMinute === null ? 'n/a' : `${row.timeoutsPerMinute.toFixed(0)}/min`}`,
	];
	const error = pool.error ? `  ERROR ${pool.error} (last good ${pool.sampledAtMs === null ? 'never' : ageText(pool.sampledAtMs, nowMs)})` : '';
	// An error is news: it goes before the extras.
	return fit(parts.slice(0, 2).join('  ') + error + '  ' + parts.slice(2).join('  '), width);
}

export type PoolsPanelProps = {rows: readonly PoolRow[]; nowMs: number; maxLines: number; width: number};

/** One line per pool, worst first; with many pools, the worst rows and a summary line. */
export function PoolsPanel({rows, nowMs, maxLines, width}: PoolsPanelProps) {
	const {isColor} = useTheme();
	if (rows.length === 0 || maxLines <= 0) {
		return null;
	}

	const shown = rows.length > maxLines ? rows.slice(0, maxLines - 1) : rows;
	const hidden = rows.slice(shown.length);
	const count = (level: Level) => hidden.filter(row => row.level === level).length;
	const failing = hidden.filter(row => row.pool.error !== null).length;
	const waiting = hidden.reduce((sum, row) => sum + (row.pool.metrics?.waiting ?? 0), 0);
	return (
		<Box flexDirection="column" width={width}>
			{shown.map(row => (
				<Text key={`${row.pool.endpoint}#${row.pool.name}`} wrap="truncate-end">
					<Text bold>Pool    </Text>
					<Text color={levelColor(row.level, isColor)} bold={(row.pool.metrics?.waiting ?? 0) > 0}>{poolLine(row, nowMs, width - 8)}</Text>
				</Text>
			))}
			{hidden.length > 0 ? (
				<Text wrap="truncate-end" dimColor>
					{`        +${hidden.length} more pools: ${count('critical')} critical, ${count('warning')} warning, ${count('ok')} ok, ${failing} failing; ${waiting} waiting`}
				</Text>
			) : null}
		</Box>
	);
}
