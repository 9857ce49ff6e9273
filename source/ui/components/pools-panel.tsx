import {Box, Text} from 'ink';
import type {Level, PoolStatus} from '../../model/types.js';
import {ageText, compactDuration, fit, LEVEL_TAG, segmentedBar} from '../format.js';
import {levelColor, useTheme} from '../theme.js';

export type PoolRow = {pool: PoolStatus; level: Level; timeoutsPerMinute: number | null};

const na = (value: number | null) => (value === null ? 'n/a' : String(value));

export function poolLine(row: PoolRow, nowMs: number, width: number): string {
	const {pool} = row;
	const name = fit(pool.name, 14);
	if (!pool.metrics) {
		return `${name} ${LEVEL_TAG[row.level].padEnd(4)} no data: ${pool.error ?? 'waiting for first sample'}`;
	}

	const {metrics} = pool;
	const barWidth = 10;
	const bar = metrics.max === null || metrics.active === null
		? fit('?', barWidth)
		: segmentedBar([{count: metrics.active, glyph: '█'}], metrics.max, barWidth, '·');
	const parts = [
		`${name} [${bar}] ${na(metrics.active)}/${na(metrics.max)} busy`,
		`idle ${na(metrics.idle)}`,
		`WAITING ${na(metrics.waiting)}`,
		`oldest ${metrics.oldestWaitSeconds === null ? 'n/a' : compactDuration(metrics.oldestWaitSeconds)}`,
		`timeouts ${row.timeoutsPerMinute === null ? 'n/a' : `${row.timeoutsPerMinute.toFixed(0)}/min`}`,
		LEVEL_TAG[row.level],
	];
	const line = parts.join('  ');
	const error = pool.error ? `  ERROR ${pool.error} (last good ${pool.sampledAtMs === null ? 'never' : ageText(pool.sampledAtMs, nowMs)})` : '';
	return fit(line + error, width);
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
					{`        +${hidden.length} more pools: ${count('critical')} critical, ${count('warning')} warning, ${count('ok')} ok; ${waiting} waiting`}
				</Text>
			) : null}
		</Box>
	);
}
