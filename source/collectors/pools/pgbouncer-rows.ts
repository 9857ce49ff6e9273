// A PgBouncer console row and its columns, read by name and by type: versions add and rename columns,
// and the simple query protocol gives numbers as text.
export type Row = Record<string, unknown>;

/** A console column as text, or null. */
export function columnText(value: unknown): string | null {
	return typeof value === 'string' ? value : null;
}

/** A console or catalog column as a number: int4 arrives as number, int8 / numeric and SHOW values as (padded) text. */
export function columnNumber(value: unknown): number | null {
	if (typeof value === 'number') {
		return Number.isFinite(value) ? value : null;
	}

	if (typeof value === 'string' && value.trim() !== '') {
		const parsed = Number(value.trim());
		return Number.isFinite(parsed) ? parsed : null;
	}

	return null;
}
