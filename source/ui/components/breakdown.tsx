import {type Watched, watchedText} from '../../judge/suspect-words.js';
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

/**
 * Top databases, users and applications by connections, with their limits where set. A group the judge
 * is watching (all busy at a steady count, not yet long enough to be suspected) leads the Apps line:
 * the first 30 s of a capped pool are not an empty OK.
 */
export function breakdownView(snapshot: ServerSnapshot, isStale: boolean, watching: readonly Watched[] = []): Line[] {
	const watched = watching[0];
	const apps = watched
		? [span(`${watchedText(watched)}${watching.length > 1 ? ` (+${watching.length - 1})` : ''}`, {isBold: true}), span(` · ${describe(snapshot.applications, 2)}`)]
		: [span(describe(snapshot.applications, 4))];
	return [
		{spans: [span('Apps    ', {isBold: true}), ...apps], isDim: isStale},
		{spans: [span('Users   ', {isBold: true}), span(describe(snapshot.users, 3)), span('   DBs ', {isBold: true}), span(describe(snapshot.databases, 3))], isDim: isStale},
	];
}
