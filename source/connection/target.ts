// Where to connect, with the meaning psql gives it: --db URL, else DATABASE_URL, else the libpq
// variables and ~/.pgpass. node-postgres is given one explicit config built here, never a
// connectionString mixed with fields (node-postgres lets connectionString silently overwrite them).
import {readFileSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {safeText} from '../text/sanitize.js';
import {maskUrl} from './mask.js';

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full' | 'no-verify';

export type Target = {
	host: string;
	port: number;
	user: string;
	database: string;
	password: string | undefined;
	sslMode: SslMode;
	sslRootCert: string | undefined;
	applicationName: string;
	connectTimeoutMs: number;
	/** Masked, for display: postgres://user:***@host:port/db */
	display: string;
};

export class TargetError extends Error {}

type Env = Record<string, string | undefined>;
type Params = Partial<Record<'host' | 'port' | 'user' | 'dbname' | 'password' | 'sslmode' | 'sslrootcert' | 'application_name' | 'connect_timeout', string>>;

const SSL_MODES = new Set<SslMode>(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify']);
const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/** A URL or a value from the environment, as an error may quote it: masked and printable. */
const shown = (text: string) => safeText(maskUrl(text));

function parseUrl(url: string, source: string): Params {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new TargetError(`${source}: invalid connection URL "${shown(url)}"`);
	}

	const params: Params = {};
	const decode = (value: string) => {
		try {
			return decodeURIComponent(value);
		} catch {
			// "URI malformed" says neither where nor what.
			throw new TargetError(`${source}: invalid connection URL "${shown(url)}": malformed %-escape`);
		}
	};
	if (parsed.hostname) {
		params.host = decode(parsed.hostname).replace(/^\[(.*)]$/, '$1');
	}

	if (parsed.port) {
		params.port = parsed.port;
	}

	if (parsed.username) {
		params.user = decode(parsed.username);
	}

	if (parsed.password) {
		params.password = decode(parsed.password);
	}

	const database = decode(parsed.pathname.replace(/^\//, ''));
	if (database) {
		params.dbname = database;
	}

	for (const [key, value] of parsed.searchParams) {
		const name = key === 'database' ? 'dbname' : key;
		(params as Record<string, string>)[name] = value;
	}

	return params;
}

/** libpq keyword/value form: host=db port=5432 user=u password='p w' dbname=app */
function parseKeywordValue(dsn: string): Params {
	const params: Params = {};
	const pattern = /(\w+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S+))/g;
	for (const match of dsn.matchAll(pattern)) {
		const value = match[2] === undefined ? match[3]! : match[2].replace(/\\(.)/g, '$1');
		(params as Record<string, string>)[match[1]!] = value;
	}

	return params;
}

function parseTarget(text: string, source: string): Params {
	if (/^postgres(ql)?:\/\//i.test(text)) {
		return parseUrl(text, source);
	}

	if (/^\s*\w+\s*=/.test(text)) {
		return parseKeywordValue(text);
	}

	throw new TargetError(`${source}: invalid connection string "${shown(text)}": expected postgres://user@host:port/database or host=... dbname=...`);
}

/** ~/.pgpass lookup with libpq's rules: wildcards, backslash escapes, ignored unless mode 0600 or less. */
export function lookupPgpass(env: Env, key: {host: string; port: number; database: string; user: string}): string | undefined {
	const file = env['PGPASSFILE'] ?? path.join(env['HOME'] ?? os.homedir(), '.pgpass');
	let text: string;
	try {
		const stat = statSync(file);
		if (!stat.isFile() || (stat.mode & 0o077) !== 0) {
			return undefined;
		}

		text = readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}

	const host = key.host.startsWith('/') ? 'localhost' : key.host;
	const wanted = [host, String(key.port), key.database, key.user];
	for (const line of text.split(/\r?\n/)) {
		if (!line || line.startsWith('#')) {
			continue;
		}

		const fields = line.match(/(?:\\.|[^:])+|(?<=:)(?=:|$)|^(?=:)/g)?.map(field => field.replace(/\\(.)/g, '$1')) ?? [];
		if (fields.length < 5) {
			continue;
		}

		const matches = wanted.every((value, index) => fields[index] === '*' || fields[index] === value);
		if (matches) {
			return fields.slice(4).join(':');
		}
	}

	return undefined;
}

/** Errors name where the bad value came from: `--db`, `DATABASE_URL` or a libpq variable. */
export function resolveTarget(dbFlag: string | undefined, env: Env): Target {
	const text = dbFlag ?? env['DATABASE_URL'];
	const sourceName = dbFlag === undefined ? 'DATABASE_URL' : '--db';
	const given = text ? parseTarget(text, sourceName) : {};
	const pick = (key: keyof Params, envName: string) => given[key] ?? (env[envName] || undefined);
	const origin = (key: keyof Params, envName: string) => (given[key] === undefined ? envName : sourceName);

	const user = pick('user', 'PGUSER') ?? env['USER'] ?? os.userInfo().username;
	const host = pick('host', 'PGHOST') ?? 'localhost';
	const portText = pick('port', 'PGPORT') ?? '5432';
	const port = Number(portText);
	if (!Number.isInteger(port) || port < 1 || port > 65_535) {
		throw new TargetError(`${origin('port', 'PGPORT')}: invalid port "${safeText(portText)}"`);
	}

	const database = pick('dbname', 'PGDATABASE') ?? user;
	const sslModeText = (pick('sslmode', 'PGSSLMODE') ?? 'prefer').toLowerCase();
	if (!SSL_MODES.has(sslModeText as SslMode)) {
		throw new TargetError(`${origin('sslmode', 'PGSSLMODE')}: invalid sslmode "${safeText(sslModeText)}" (use disable, allow, prefer, require, verify-ca or verify-full)`);
	}

	const timeoutText = pick('connect_timeout', 'PGCONNECT_TIMEOUT');
	const timeoutSeconds = timeoutText === undefined ? undefined : Number(timeoutText);
	if (timeoutSeconds !== undefined && !(Number.isFinite(timeoutSeconds) && timeoutSeconds >= 0)) {
		throw new TargetError(`${origin('connect_timeout', 'PGCONNECT_TIMEOUT')}: invalid connect_timeout "${safeText(timeoutText!)}"`);
	}

	// libpq: 0 means wait forever, and values under 2 s are raised to 2 s.
	const connectTimeoutMs = timeoutSeconds === undefined ? DEFAULT_CONNECT_TIMEOUT_MS
		: (timeoutSeconds === 0 ? 0 : Math.max(2, timeoutSeconds) * 1000);
	// An empty PGPASSWORD still disables .pgpass, as in libpq.
	const password = given.password ?? (env['PGPASSWORD'] === undefined
		? lookupPgpass(env, {host, port, database, user}) : env['PGPASSWORD'] || undefined);
	const hostInUrl = host.includes(':') ? `[${host}]` : host;
	const display = host.startsWith('/')
		? `postgres://${encodeURIComponent(user)}${password ? ':***' : ''}@/${encodeURIComponent(database)}?host=${host}&port=${port}`
		: `postgres://${encodeURIComponent(user)}${password ? ':***' : ''}@${hostInUrl}:${port}/${encodeURIComponent(database)}`;

	return {
		host,
		port,
		user,
		database,
		password,
		sslMode: sslModeText as SslMode,
		sslRootCert: pick('sslrootcert', 'PGSSLROOTCERT'),
		applicationName: pick('application_name', 'PGAPPNAME') ?? 'lifeguard',
		connectTimeoutMs,
		display,
	};
}

/** One of the servers `--db [NAME=]URL` names; `name` is null for a lone server. */
export type NamedTarget = {name: string | null; target: Target};

/**
 * Every `--db` (none: DATABASE_URL and the libpq variables). Among several, an unnamed server is
 * called by its host and port (its database too, when that alone tells two apart), and an error
 * names the server it is about.
 */
export function resolveTargets(specs: ReadonlyArray<{name: string | null; text: string}>, env: Env): NamedTarget[] {
	if (specs.length <= 1) {
		return [{name: null, target: resolveTarget(specs[0]?.text, env)}];
	}

	const resolved = specs.map((spec, index) => {
		try {
			return {name: spec.name, target: resolveTarget(spec.text, env)};
		} catch (error) {
			const which = spec.name ?? `number ${index + 1}`;
			throw new TargetError((error as Error).message.replace(/^--db: /, `--db ${which}: `));
		}
	});
	const hostPort = ({target}: NamedTarget) => safeText(`${target.host.startsWith('/') ? 'local' : target.host}:${target.port}`);
	const generated = resolved.map(each => (each.name === null ? hostPort(each) : null));
	// Only a name lifeguard made up is lengthened; a name the operator gave stays as given.
	const unique = resolved.map((each, index) => {
		const name = generated[index] ?? null;
		if (name === null) {
			return each;
		}

		const isAmbiguous = generated.some((other, otherIndex) => otherIndex !== index && other === name);
		return {...each, name: isAmbiguous ? `${name}/${safeText(each.target.database)}` : name};
	});
	const names = unique.map(each => each.name);
	const repeated = names.find((name, index) => names.indexOf(name) !== index);
	if (repeated !== undefined) {
		throw new TargetError(`--db: ${repeated} is given twice`);
	}

	return unique;
}
