// What `lifeguard` prints when stdout is not a terminal (a pipe, a file, cron) and --json is not given.
import {freeConnections, usableConnections, usedRatio} from '../judge/levels.js';
import type {Picture} from '../judge/picture.js';
import {percent} from '../text/words.js';

export function plainSummary(target: string, picture: Picture): string {
	const {findings} = picture;
	const server = picture.server!;
	const {states} = server;
	const lines = [
		`lifeguard ${target}  PostgreSQL ${server.version}  ${new Date(server.takenAtMs).toISOString()}`,
		`connections ${server.connections}/${usableConnections(server)} usable (${percent(usedRatio(server))}), lifeguard's own ${server.ownConnections} apart, ${freeConnections(server)} free; max_connections ${server.maxConnections}`,
		`active ${states.active} (lock-waiting ${server.lockWaiting}), idle in transaction ${states.idleInTransaction}, aborted ${states.idleInTransactionAborted}, idle ${states.idle}, other ${states.other}, hidden ${server.hidden}`,
	];
	for (const pool of picture.pools) {
		const m = pool.metrics;
		const value = (n: number | null | undefined) => (n === null || n === undefined ? 'n/a' : String(n));
		lines.push(m
			? `pool ${pool.name} ${pool.level}: ${value(m.active)}/${value(m.max)} busy, idle ${value(m.idle)}, waiting ${value(m.waiting)}${pool.error ? ` (error: ${pool.error})` : ''}`
			: `pool ${pool.name} ${pool.level}: no data (${pool.error ?? 'no sample'})`);
	}

	lines.push(...(findings.length > 0 ? findings.map(finding => `${finding.level.toUpperCase()} ${finding.code}: ${finding.message}`) : ['no findings']));
	return lines.join('\n');
}
