// Turn whatever node-postgres or the socket threw into one plain, masked line an operator can act on.
// Printable too: a server's message can quote names others chose (a role, a database).
import {safeText} from '../text/sanitize.js';
import {maskText} from './mask.js';
import {isPgBouncerRefusal, PoolerError, poolerAdvice} from './pooler.js';

type PgError = Error & {code?: string; errno?: number; syscall?: string; routine?: string};

const RESERVED_ADVICE = 'lifeguard needs a slot: use a role with pg_use_reserved_connections (16+) or a superuser, or start lifeguard before the crunch (an open connection keeps working)';

/**
 * The one line an operator reads when a login fails, for every way it can fail. Over 80 lines on
 * purpose: it is a flat list of cases (pooler, auth, slots, network, TLS, timeouts), each a few lines,
 * read top to bottom as a table; split up, the order that decides which case wins would be lost.
 */
export function describeConnectionError(error: unknown, where: {display: string; host: string; port: number; user: string; database: string; password?: string; connectTimeoutMs?: number}): string {
	const pgError = (error instanceof Error ? error : new Error(String(error))) as PgError;
	const message = pgError.message.split('\n')[0] ?? '';
	if (error instanceof PoolerError) {
		return safeText(maskText(error.message, [where.password]));
	}

	if (isPgBouncerRefusal(error)) {
		const parameter = message.replace(/^unsupported startup parameter:\s*/, '');
		return safeText(maskText(poolerAdvice(where, 'PgBouncer, a connection pooler', `it refused the startup parameter ${parameter}`, true), [where.password]));
	}

	const prefix = `cannot connect to ${where.display}`;
	let reason: string;
	switch (pgError.code) {
		case 'ECONNREFUSED': {
			reason = `connection refused (is PostgreSQL running on ${where.host}:${where.port}?)`;
			break;
		}

		case 'ENOTFOUND':
		case 'EAI_AGAIN': {
			reason = `host "${where.host}" not found`;
			break;
		}

		case 'EHOSTUNREACH':
		case 'ENETUNREACH': {
			reason = `host ${where.host} unreachable`;
			break;
		}

		case 'ECONNRESET': {
			reason = 'connection reset by the server';
			break;
		}

		case 'ENOENT': {
			reason = `no server socket at ${where.host} (is PostgreSQL running locally?)`;
			break;
		}

		case '28P01': {
			reason = `password authentication failed for user "${where.user}"`;
			break;
		}

		case '28000': {
			reason = `${message} (check pg_hba.conf or the user name)`;
			break;
		}

		case '3D000': {
			reason = `database "${where.database}" does not exist`;
			break;
		}

		case '53300': {
			reason = `the server has no free connection slot (${message}); ${RESERVED_ADVICE}`;
			break;
		}

		case '57P03': {
			reason = `the server is not accepting connections now (${message})`;
			break;
		}

		default: {
			if (/timeout expired|timed out|Connection terminated due to connection timeout/i.test(message)) {
				reason = `timed out after ${(where.connectTimeoutMs ?? 5000) / 1000} s (is ${where.host}:${where.port} reachable?)`;
			} else if (/does not support SSL/i.test(message)) {
				reason = 'the server does not support SSL (use sslmode=disable or prefer)';
			} else if (/no pg_hba.conf entry .* no encryption|SSL (?:connection )?is required/i.test(message)) {
				reason = `the server requires SSL (${message}): use sslmode=require`;
			} else if (/self[- ]signed|certificate|altnames/i.test(message)) {
				reason = `SSL certificate not accepted (${message}); sslmode=require skips verification`;
			} else if (/SASL|SCRAM|client password must be a string|password must be/i.test(message)) {
				reason = `the server asks for a password and none was given (use PGPASSWORD, ~/.pgpass or the URL)`;
			} else {
				reason = message || 'unknown error';
			}
		}
	}

	return safeText(maskText(`${prefix}: ${reason}`, [where.password]));
}

/** One line for an error during a poll on an open connection. */
export function describeQueryError(error: unknown, password?: string): string {
	const pgError = (error instanceof Error ? error : new Error(String(error))) as PgError;
	const message = (pgError.message.split('\n')[0] ?? '') || 'unknown error';
	return safeText(maskText(pgError.code && /^[\dA-Z]{5}$/.test(pgError.code) ? `${message} (${pgError.code})` : message, [password]));
}
