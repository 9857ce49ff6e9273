// `lifeguard doctor` on a terminal: a table of checks (status, check, found, fix), laid out once at
// the terminal's width and printed; the report is not a live screen.
//
// The table is @alcalzone/ink-table (the ESM fork of ink-table, which cannot load under Ink 6). It
// draws one line per row and sizes each column to its longest value, measured in UTF-16 units: a
// "found" or "fix" text of 100–250 characters cannot meet 80 columns, and it cannot wrap inside a
// cell. So the bordered table is used when every row fits the width as it is; otherwise each check
// becomes a block of wrapped lines (status, check; found; fix) that keeps every word and number,
// which is what an operator pastes into a ticket. Widths are terminal cells (Ink wraps by cells).
import {Table} from '@alcalzone/ink-table';
import {Box, renderToString, Text} from 'ink';
import type {Check, CheckStatus, DoctorReport} from '../doctor/types.js';
import {safeText} from '../text/sanitize.js';
import {cellWidth} from '../text/width.js';
import {doctorSummary, STATUS_LABELS} from './doctor-text.js';

const COLORS: Record<CheckStatus, string | undefined> = {pass: 'green', warn: 'yellow', fail: 'red', unknown: 'magenta', skip: undefined};
/** Borders and one space of padding either side of each of the 4 columns. */
const TABLE_CHROME = 5 + (4 * 2);
const LABEL_WIDTH = 8;

type Row = {status: string; check: string; found: string; fix: string};

function rows(checks: readonly Check[]): Row[] {
	return checks.map(check => ({status: STATUS_LABELS[check.status], check: check.title, found: safeText(check.found), fix: check.fix ? safeText(check.fix) : '-'}));
}

/** The bordered table's width: ink-table measures String#length, so this does the same, plus a cell check. */
export function tableWidth(checks: readonly Check[]): number {
	const data = rows(checks);
	const widest = (key: keyof Row) => Math.max(key.length, ...data.map(row => Math.max(row[key].length, cellWidth(row[key]))));
	return TABLE_CHROME + widest('status') + widest('check') + widest('found') + widest('fix');
}

function Blocks({checks, width}: {checks: readonly Check[]; width: number}) {
	const textWidth = Math.max(20, width - LABEL_WIDTH);
	return (
		<Box flexDirection="column" width={width}>
			{checks.map(check => (
				<Box key={check.id} flexDirection="column" marginBottom={1}>
					<Box>
						<Box width={LABEL_WIDTH} flexShrink={0}>
							<Text bold color={COLORS[check.status]}>{STATUS_LABELS[check.status]}</Text>
						</Box>
						<Box width={textWidth}>
							<Text bold wrap="wrap">{check.title}</Text>
						</Box>
					</Box>
					<Box>
						<Box width={LABEL_WIDTH} flexShrink={0}><Text dimColor>  found</Text></Box>
						<Box width={textWidth}><Text wrap="wrap">{safeText(check.found)}</Text></Box>
					</Box>
					{check.fix ? (
						<Box>
							<Box width={LABEL_WIDTH} flexShrink={0}><Text dimColor>  fix</Text></Box>
							<Box width={textWidth}><Text wrap="wrap">{safeText(check.fix)}</Text></Box>
						</Box>
					) : null}
				</Box>
			))}
		</Box>
	);
}

export function DoctorReportView({report, width}: {report: DoctorReport; width: number}) {
	const isTable = tableWidth(report.checks) <= width;
	return (
		<Box flexDirection="column" width={width}>
			<Text bold wrap="truncate-end">lifeguard doctor {safeText(report.target)}</Text>
			<Text> </Text>
			{isTable ? <Table data={rows(report.checks)} columns={['status', 'check', 'found', 'fix']}/> : <Blocks checks={report.checks} width={width}/>}
			{isTable ? <Text> </Text> : null}
			<Text bold>{doctorSummary(report.checks)}</Text>
		</Box>
	);
}

/** The report laid out at `columns` cells, as the terminal will show it. */
export function renderDoctorReport(report: DoctorReport, columns: number): string {
	return renderToString(<DoctorReportView report={report} width={Math.max(40, columns)}/>, {columns: Math.max(40, columns)});
}
