import {Box, Text} from 'ink';
import type {ServerSnapshot} from '../../model/types.js';

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
export function Breakdown({snapshot, width, isStale}: {snapshot: ServerSnapshot; width: number; isStale: boolean}) {
	return (
		<Box flexDirection="column" width={width}>
			<Text wrap="truncate-end" dimColor={isStale}><Text bold>Apps    </Text>{describe(snapshot.applications, 4)}</Text>
			<Text wrap="truncate-end" dimColor={isStale}>
				<Text bold>Users   </Text>{describe(snapshot.users, 3)}<Text bold>   DBs </Text>{describe(snapshot.databases, 3)}
			</Text>
		</Box>
	);
}
