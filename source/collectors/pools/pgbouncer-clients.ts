// Who waits in PgBouncer: `SHOW CLIENTS` rows in state `waiting`, grouped per pool (database/user) by
// application_name (1.18+), else by client address. Columns read by name; unknown ones ignored (1.21–1.25
// added and renamed several). The rows are capped by the console guard like every answer.
import type {WaitingClients, WaitingGroup} from '../../readings/types.js';
import {safeText} from '../../text/sanitize.js';
import {columnText as text, type Row} from './pgbouncer-rows.js';

/** Groups listed per pool: the screen shows the first few, --json these. */
export const MAX_WAITING_GROUPS = 10;


/** Waiting clients per pool label (`database/user`, as SHOW POOLS names it), and per database (`database/`). */
export function waitingClientsByPool(rows: readonly Row[]): Map<string, WaitingClients> {
	const counts = new Map<string, Map<string, WaitingGroup>>();
	for (const row of rows) {
		const database = text(row['database']);
		const user = text(row['user']);
		if (text(row['state']) !== 'waiting' || database === null || user === null) {
			continue;
		}

		const application = text(row['application_name']) ?? '';
		const address = text(row['addr']) ?? '?';
		const group: Omit<WaitingGroup, 'clients'> = application === '' ? {name: address, by: 'address'} : {name: application, by: 'application'};
		// Under the pool's label, and under `database/` for a pool whose forced user the clients do not log in as.
		for (const label of [`${database}/${user}`, `${database}/`]) {
			const pool = counts.get(label) ?? new Map<string, WaitingGroup>();
			counts.set(label, pool);
			const key = `${group.by}:${group.name}`;
			const known = pool.get(key);
			if (known) {
				known.clients++;
			} else {
				pool.set(key, {...group, clients: 1});
			}
		}
	}

	const byPool = new Map<string, WaitingClients>();
	for (const [label, groups] of counts) {
		const sorted = [...groups.values()].sort((a, b) => b.clients - a.clients || a.name.localeCompare(b.name));
		const listed = sorted.slice(0, MAX_WAITING_GROUPS);
		byPool.set(label, {
			groups: listed.map(group => ({...group, name: safeText(group.name)})),
			omittedClients: sorted.slice(MAX_WAITING_GROUPS).reduce((sum, group) => sum + group.clients, 0),
		});
	}

	return byPool;
}
