import type {ServerSnapshot} from '../../readings/types.js';
import {type Line, span} from '../lines.js';

type Entry = {name: string; connections: number; limit?: number | null; idle?: number};

function describe(entries: readonly Entry[], limit: number): string {
	if (entries.length === 0) {
		return '-';
	}

	const shown = entries.slice(0, limit).map(entry => {
		const name = entry.name === '' ? '(none)' : entry.name;
		const cap = entry.limit === null || entry.limit === undefined ? '' : `/${entry.limit}`;
		const idle = entry.idle ? ` (${entry.idle} idle)` : '';
		return `${name} ${entry.connections}${cap}${idle}`;
	});
	const rest = entries.length - limit;
	return shown.join(', ') + (rest > 0 ? `, +${rest} more` : '');
}

/** Top databases, users and applications by connections, with their limits where set. */
export function breakdownView(snapshot: ServerSnapshot, isStale: boolean): Line[] {
	return [
		{spans: [span('Apps    ', {isBold: true}), span(describe(snapshot.applications, 4))], isDim: isStale},
		{spans: [span('Users   ', {isBold: true}), span(describe(snapshot.users, 3)), span('   DBs ', {isBold: true}), span(describe(snapshot.databases, 3))], isDim: isStale},
	];
}
