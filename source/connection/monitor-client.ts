// The ONE persistent connection lifeguard polls over. Opened at start and kept: when the server is
// full, new logins fail with 53300 but an open connection keeps working (PostgreSQL docs, "Connection Settings": the limit is checked only at login).
import {readFileSync} from 'node:fs';
import pg from 'pg';
import {PoolerError, refusePooler} from './pooler.js';
import type {Target} from './target.js';

/** The monitor must not be killed by a global idle_session_timeout (14+); unknown before 14, so guarded. */
const DISABLE_IDLE_SESSION_TIMEOUT = `
select set_config('idle_session_timeout', '0', false)
where current_setting('server_version_num')::int >= 140000
`;

export const STATEMENT_TIMEOUT_MS = 2000;
export const LOCK_TIMEOUT_MS = 500;

function sslConfig(target: Target, useSsl: boolean): pg.ClientConfig['ssl'] {
	if (!useSsl) {
		return false;
	}

	switch (target.sslMode) {
		case 'verify-full':
		case 'verify-ca': {
			const ca = target.sslRootCert ? readCa(target.sslRootCert) : undefined;
			return target.sslMode === 'verify-ca'
				? {ca, rejectUnauthorized: true, checkServerIdentity: () => undefined}
				: {ca, rejectUnauthorized: true};
		}

		default: {
			// libpq's require/prefer/allow encrypt without verifying the certificate.
			return {rejectUnauthorized: false};
		}
	}
}

function readCa(file: string): string | undefined {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		// A missing CA file then fails verification at connect, with a one-line reason.
		return undefined;
	}
}

function clientConfig(target: Target, useSsl: boolean, isServerDefaults: boolean): pg.ClientConfig {
	return {
		host: target.host,
		port: target.port,
		user: target.user,
		database: target.database,
		// node-pg would otherwise read PGPASSWORD / .pgpass on its own; target already did, as libpq does.
		password: target.password ?? '',
		ssl: sslConfig(target, useSsl),
		application_name: target.applicationName,
		// `doctor` reads the server's own defaults: a startup parameter would shadow them in pg_settings.
		statement_timeout: isServerDefaults ? undefined : STATEMENT_TIMEOUT_MS,
		lock_timeout: isServerDefaults ? undefined : LOCK_TIMEOUT_MS,
		// Client-side guard for a dead socket; it rejects but cannot cancel, so the caller reconnects.
		query_timeout: STATEMENT_TIMEOUT_MS + 1000,
		keepAlive: true,
		keepAliveInitialDelayMillis: 10_000,
		connectionTimeoutMillis: target.connectTimeoutMs,
		// UTC so timestamps render as ...Z in the JSON contract.
		options: '-c TimeZone=UTC',
	};
}

export type MonitorClientOptions = {
	/**
	 * Leave the session's statement_timeout, lock_timeout and idle_session_timeout at what the server
	 * gives this role (for `doctor`, which judges those defaults); the client-side query_timeout stays.
	 */
	isServerDefaults?: boolean;
};

/** Open the monitor connection; sslmode prefer/allow fall back like libpq does. Throws the raw error. */
export async function openMonitorClient(target: Target, options: MonitorClientOptions = {}): Promise<pg.Client> {
	const isServerDefaults = options.isServerDefaults ?? false;
	const attempts = target.sslMode === 'prefer' ? [true, false]
		: target.sslMode === 'allow' ? [false, true]
			: [target.sslMode !== 'disable'];
	let lastError: unknown;
	for (const useSsl of attempts) {
		const client = new pg.Client(clientConfig(target, useSsl, isServerDefaults));
		// A broken socket emits 'error' on the client; without a listener it would crash the process.
		client.on('error', () => undefined);
		try {
			await client.connect();
			// Through a pooler the timeouts and the self pid would be wrong: refuse before any use.
			await refusePooler(client, target, isServerDefaults ? null : STATEMENT_TIMEOUT_MS);
			if (!isServerDefaults) {
				await client.query(DISABLE_IDLE_SESSION_TIMEOUT);
			}

			return client;
		} catch (error) {
			lastError = error;
			await client.end().catch(() => undefined);
			const isSslNegotiation = !(error instanceof PoolerError) && /SSL|ssl|no encryption/.test(String((error as Error).message));
			if (!isSslNegotiation) {
				break;
			}
		}
	}

	throw lastError;
}
