// The server's findings: its usable slots near full, idle sessions hoarding them, sessions hidden from
// lifeguard's role; and the words the other findings share about the server. Pure.
import {CLEAR_MARGIN, freeConnections, heldThresholds, serverLevel, usableConnections, usedRatio} from './levels.js';
import {serverSubject} from './subject.js';
import {sqlIdentifier} from '../text/sql-identifier.js';
import {percent, plural} from '../text/words.js';
import type {Finding, Level, Thresholds} from './types.js';
import type {ServerSnapshot} from '../readings/types.js';

export function serverSaturated(server: ServerSnapshot, thresholds: Thresholds, held: Level | undefined): Finding | null {
	const refused = refusal(server);
	// Logins refused is critical whatever the ratio (lifeguard's own slots are no one's usage).
	const level = refused ? 'critical' : serverLevel(server, heldThresholds(thresholds, held));
	if (level === 'ok') {
		return null;
	}

	const apps = [...server.applications]
		.sort((a, b) => b.connections - a.connections || a.name.localeCompare(b.name))
		.slice(0, 3)
		.map(app => `${appName(app.name)} ${app.connections} (${app.idle} idle)`);
	const users = [...server.users]
		.sort((a, b) => b.connections - a.connections || a.name.localeCompare(b.name))
		.slice(0, 3)
		.map(user => `${user.name} ${user.connections}`);
	const consumers = [
		apps.length > 0 ? `top consumers ${apps.join(', ')}` : '',
		users.length > 0 ? `by user ${users.join(', ')}` : '',
	]
		.filter(Boolean)
		.join('; ');
	return {
		code: 'server-saturated',
		level,
		subject: serverSubject,
		message: refused
			? `Server at ${serverUse(server)}; ${refused}${consumers ? `. ${consumers[0]!.toUpperCase()}${consumers.slice(1)}` : ''}. Terminate idle sessions or lower pool sizes.`
			: `Server at ${serverUse(server)}${holding(usedRatio(server), level, thresholds)}${consumers ? `: ${consumers}` : ''}. Terminate idle sessions or lower pool sizes.`,
	};
}

/**
 * What a full server does to a new login, or null while an ordinary role can still get in. With every
 * usable slot taken, PostgreSQL keeps the reserved ones for superusers (and pg_use_reserved_connections);
 * with every slot taken, it refuses everyone.
 */
function refusal(server: ServerSnapshot): string | null {
	if (freeConnections(server) > 0) {
		return null;
	}

	return server.connections + server.ownConnections >= server.maxConnections
		? 'new connections are being refused, superusers\' too: every slot is taken'
		: 'new connections are being refused: remaining slots are reserved';
}

/** Why a level stands below its own line: it was crossed, and clears only 5 points lower. */
export function holding(ratio: number, level: Level, thresholds: Thresholds): string {
	const line = level === 'critical' ? thresholds.criticalRatio : thresholds.warnRatio;
	return ratio < line ? ` (below ${percent(line)}, but ${level} holds until under ${percent(line - CLEAR_MARGIN)})` : '';
}

export function idleHoarding(server: ServerSnapshot, thresholds: Thresholds): Finding | null {
	const idle = server.states.idle;
	if (serverLevel(server, thresholds) === 'ok' || server.connections <= 0 || idle / server.connections <= 0.5) {
		return null;
	}

	const hoarder = [...server.applications].sort((a, b) => b.idle - a.idle || a.name.localeCompare(b.name))[0];
	const most = hoarder && hoarder.idle > 0 ? `, most from ${appName(hoarder.name)} (${hoarder.idle})` : '';
	return {
		code: 'idle-hoarding',
		level: 'warning',
		subject: serverSubject,
		message: `${idle} of ${server.connections} client connections (${percent(idle / server.connections)}) sit idle${most}, while the server is at ${serverUse(server)}. Terminate idle sessions, set idle timeouts on the pools, or set idle_session_timeout.`,
	};
}

export function privilegesPartial(server: ServerSnapshot, role: string | undefined): Finding | null {
	if (server.hidden <= 0) {
		return null;
	}

	const grantee = role ? sqlIdentifier(role) : "<lifeguard's role>";
	return {
		code: 'privileges-partial',
		level: 'warning',
		subject: {kind: 'privileges'},
		message: `Numbers are partial: ${plural(server.hidden, 'session')} ${server.hidden === 1 ? 'is' : 'are'} hidden from lifeguard's role. Run GRANT pg_monitor TO ${grantee}; to see them all.`,
	};
}

export function serverUse(server: ServerSnapshot): string {
	return `${percent(usedRatio(server))} of usable connections (${server.connections}/${usableConnections(server)})`;
}

export function appName(name: string): string {
	return name === '' ? '(no application_name)' : name;
}
