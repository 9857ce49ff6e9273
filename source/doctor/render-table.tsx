// `lifeguard doctor` on a terminal: a table of checks (status, check, found, fix), laid out once at
// the terminal's width and printed; the report is not a live screen.
//
// The table is @alcalzone/ink-table (the ESM fork of ink-table, which cannot load under Ink 6). It
// draws one line per data row, sizes each column to its longest value (in UTF-16 units) and cannot
// wrap inside a cell, while a "found" or a "fix" runs to 100–250 characters. So each check is wrapped
// here into as many table rows as its longest cell needs, and the table's render is extended to draw
// a separator only above a check's first row, not between its continuation rows.
// Below TABLE_MIN_COLUMNS (100) the four columns would leave found and fix ~20 cells each, seven or
// more lines per check: there each check becomes a block (status and check; found; fix) that keeps
// every word and number at full width instead. Widths are terminal cells (text/width.ts).
import {Table} from '@alcalzone/ink-table';
import {Box, renderToString, Text} from 'ink';
import type {ReactNode} from 'react';
import type {Check, CheckStatus, DoctorReport} from './types.js';
import {safeText} from '../text/sanitize.js';
import {fitCells, wrapCells} from '../text/width.js';
import {doctorSummary, STATUS_LABELS, worstFirst} from './render-text.js';
import {settingsLines} from './render-settings.js';

export const TABLE_MIN_COLUMNS = 100;
const COLORS: Record<CheckStatus, string | undefined> = {pass: 'green', warn: 'yellow', fail: 'red', unknown: 'magenta', skip: undefined};
/** Borders (5) and one space of padding either side of each of the 4 columns. */
const TABLE_CHROME = 5 + (4 * 2);
const STATUS_WIDTH = 7;
const LABEL_WIDTH = 9;

type Row = {status: string; check: string; found: string; fix: string};

/** Rows that start a check (a separator above them); the others continue the check above. */
const firstRowsOf = new WeakMap<readonly Row[], ReadonlySet<number>>();

/** ink-table with wrapped cells: its own widths, row and border drawing, one separator per check. */
class WrappedTable extends Table<Row> {
	override render() {
		const columns = this.getColumns();
		const firstRows = firstRowsOf.get(this.props.data) ?? new Set<number>();
		return (
			<Box flexDirection="column">
				{this.header({key: 'header', columns, data: {}})}
				{this.heading({key: 'heading', columns, data: this.getHeadings()})}
				{this.props.data.map((row, index) => (
					// Keyed by position: continuation rows have no identity of their own.
					<Box key={index} flexDirection="column">
						{firstRows.has(index) ? this.separator({key: `separator-${index}`, columns, data: {}}) : null}
						{this.data({key: `data-${index}`, columns, data: row})}
					</Box>
				))}
				{this.footer({key: 'footer', columns, data: {}})}
			</Box>
		);
	}
}

function StatusCell({children, column}: {children?: ReactNode; column: number}) {
	const text = String(children);
	const status = (Object.keys(STATUS_LABELS) as CheckStatus[]).find(key => text.trim() === STATUS_LABELS[key]);
	return <Text bold={column === 0} color={column === 0 && status ? COLORS[status] : undefined}>{text}</Text>;
}

function PlainCell({children, column}: {children?: ReactNode; column: number}) {
	return <Text bold={column === 0}>{String(children)}</Text>;
}

/** Column widths for `columns` cells: status and check fixed, found and fix share the rest. */
export function tableColumnWidths(columns: number): {check: number; found: number; fix: number} {
	const check = 20;
	const rest = columns - TABLE_CHROME - STATUS_WIDTH - check;
	const found = Math.ceil(rest / 2);
	return {check, found, fix: rest - found};
}

export function tableRows(checks: readonly Check[], columns: number): {rows: Row[]; firstRows: Set<number>} {
	const widths = tableColumnWidths(columns);
	const rows: Row[] = [];
	const firstRows = new Set<number>();
	for (const check of checks) {
		const cells = {
			status: [STATUS_LABELS[check.status]],
			check: wrapCells(check.title, widths.check),
			found: wrapCells(safeText(check.found), widths.found),
			fix: wrapCells(check.fix ? safeText(check.fix) : '-', widths.fix),
		};
		const height = Math.max(cells.check.length, cells.found.length, cells.fix.length);
		firstRows.add(rows.length);
		for (let line = 0; line < height; line++) {
			// Every cell padded to its column's width in cells: ink-table then sizes columns by these.
			rows.push({
				status: fitCells(cells.status[line] ?? '', STATUS_WIDTH),
				check: fitCells(cells.check[line] ?? '', widths.check),
				found: fitCells(cells.found[line] ?? '', widths.found),
				fix: fitCells(cells.fix[line] ?? '', widths.fix),
			});
		}
	}

	return {rows, firstRows};
}

function ChecksTable({checks, width, isColor}: {checks: readonly Check[]; width: number; isColor: boolean}) {
	const {rows, firstRows} = tableRows(checks, width);
	firstRowsOf.set(rows, firstRows);
	return <WrappedTable data={rows} columns={['status', 'check', 'found', 'fix']} cell={isColor ? StatusCell : PlainCell}/>;
}

function Blocks({checks, width, isColor}: {checks: readonly Check[]; width: number; isColor: boolean}) {
	const textWidth = Math.max(20, width - LABEL_WIDTH);
	const field = (label: string, text: string) => (
		<Box>
			<Box width={LABEL_WIDTH} flexShrink={0}><Text dimColor>{label}</Text></Box>
			<Text>{wrapCells(text, textWidth).join('\n')}</Text>
		</Box>
	);
	return (
		<Box flexDirection="column" width={width}>
			{checks.map(check => (
				<Box key={check.id} flexDirection="column" marginBottom={1}>
					<Box>
						<Box width={LABEL_WIDTH} flexShrink={0}>
							<Text bold color={isColor ? COLORS[check.status] : undefined}>{STATUS_LABELS[check.status]}</Text>
						</Box>
						<Text bold>{wrapCells(check.title, textWidth).join('\n')}</Text>
					</Box>
					{field('  found', safeText(check.found))}
					{check.fix ? field('  fix', safeText(check.fix)) : null}
				</Box>
			))}
		</Box>
	);
}

/** isColor: false under NO_COLOR or TERM=dumb; the words carry the status either way. */
export function DoctorReportView({report, width, isColor}: {report: DoctorReport; width: number; isColor: boolean}) {
	const isTable = width >= TABLE_MIN_COLUMNS;
	return (
		<Box flexDirection="column" width={width}>
			<Text bold wrap="truncate-end">lifeguard doctor {safeText(report.target)}</Text>
			<Text> </Text>
			{isTable ? <ChecksTable checks={worstFirst(report.checks)} width={width} isColor={isColor}/> : <Blocks checks={worstFirst(report.checks)} width={width} isColor={isColor}/>}
			{isTable ? <Text> </Text> : null}
			<Text>{settingsLines(report.settings, width).join('\n')}</Text>
			<Text> </Text>
			<Text bold>{doctorSummary(report.checks)}</Text>
		</Box>
	);
}

/** The report laid out at `columns` cells, as the terminal will show it. */
export function renderDoctorReport(report: DoctorReport, columns: number, isColor = true): string {
	// A pseudo-terminal without a size reports 0 columns.
	const width = Math.max(40, columns || 80);
	return renderToString(<DoctorReportView report={report} width={width} isColor={isColor}/>, {columns: width});
}
