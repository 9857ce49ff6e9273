// The two npm pool exporters, run for real on a pg.Pool of max 2 saturated by 8 slow queries:
// @christiangalsterer/node-postgres-prometheus-exporter (+ prom-client) and
// @opentelemetry/instrumentation-pg (+ @opentelemetry/exporter-prometheus). Each serves its
// exposition on a loopback port, as an application would. Used by the live tests and by
// scripts/fixtures/node-postgres.ts, which writes the corpus fixtures.
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {createRequire} from 'node:module';
import type pg from 'pg';

export const POOL_MAX = 2;
export const CONCURRENT_QUERIES = 8;

export type RunningSource = {
	/** Library name and version, for fixture names: `prom-client-15.1.3`. */
	library: string;
	pool: pg.Pool;
	/** http://127.0.0.1:PORT/metrics */
	metricsUrl: string;
	/** Fire CONCURRENT_QUERIES `pg_sleep(seconds)`; settles when every one has finished (errors included). */
	saturate(seconds: number): Promise<void>;
	stop(): Promise<void>;
};

const require = createRequire(import.meta.url);

function versionOf(name: string): string {
	return (require(`${name}/package.json`) as {version: string}).version;
}

async function serve(handler: http.RequestListener): Promise<{server: http.Server; url: string}> {
	const server = http.createServer(handler);
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	return {server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`};
}

async function close(server: http.Server): Promise<void> {
	server.closeAllConnections();
	await new Promise<void>(resolve => {
		server.close(() => {
			resolve();
		});
	});
}

function saturator(pool: pg.Pool) {
	return async (seconds: number) => {
		const queries = Array.from({length: CONCURRENT_QUERIES}, async () => pool.query('select pg_sleep($1)', [seconds]).then(() => undefined, () => undefined));
		await Promise.all(queries);
	};
}

// Host, port and database as separate options: with only a connectionString, pool.options has no
// host or database, and node-postgres-prometheus-exporter then exports no samples at all (and
// instrumentation-pg names the pool `unknown_host:unknown_port/unknown_database`).
function newPool(Pool: typeof pg.Pool, url: string): pg.Pool {
	const parsed = new URL(url);
	const pool = new Pool({
		host: parsed.hostname,
		port: Number(parsed.port || 5432),
		user: decodeURIComponent(parsed.username),
		password: decodeURIComponent(parsed.password) || undefined,
		database: decodeURIComponent(parsed.pathname.slice(1)) || 'postgres',
		max: POOL_MAX,
		idleTimeoutMillis: 1000,
	});
	pool.on('error', () => undefined);
	return pool;
}

/** node-postgres-prometheus-exporter's monitorPgPool on a prom-client Registry. */
export async function startNodePostgresExporter(databaseUrl: string, options: {openMetrics?: boolean} = {}): Promise<RunningSource> {
	const promClient = (await import('prom-client')).default;
	const {monitorPgPool} = await import('@christiangalsterer/node-postgres-prometheus-exporter');
	const {default: pgModule} = await import('pg');
	const registry = new promClient.Registry();
	if (options.openMetrics) {
		registry.setContentType(promClient.Registry.OPENMETRICS_CONTENT_TYPE as typeof promClient.Registry.PROMETHEUS_CONTENT_TYPE);
	}

	const pool = newPool(pgModule.Pool, databaseUrl);
	monitorPgPool(pool, registry);
	const {server, url} = await serve((_request, response) => {
		registry.metrics().then(
			body => {
				response.writeHead(200, {'content-type': registry.contentType});
				response.end(body);
			},
			() => {
				response.writeHead(500);
				response.end();
			},
		);
	});
	return {
		library: `node-postgres-prometheus-exporter-${versionOf('@christiangalsterer/node-postgres-prometheus-exporter')}+prom-client-${versionOf('prom-client')}`,
		pool,
		metricsUrl: url,
		saturate: saturator(pool),
		async stop() {
			await close(server);
			await pool.end().catch(() => undefined);
		},
	};
}

/**
 * instrumentation-pg with a MeterProvider read by exporter-prometheus. The instrumentation patches
 * pg / pg-pool through require hooks, so pg-pool is required here after enabling it.
 */
export async function startOtelPg(databaseUrl: string): Promise<RunningSource> {
	const {PgInstrumentation} = await import('@opentelemetry/instrumentation-pg');
	const {PrometheusExporter} = await import('@opentelemetry/exporter-prometheus');
	const {MeterProvider} = await import('@opentelemetry/sdk-metrics');
	const exporter = new PrometheusExporter({preventServerStart: true});
	const meterProvider = new MeterProvider({readers: [exporter]});
	const instrumentation = new PgInstrumentation();
	instrumentation.setMeterProvider(meterProvider);
	instrumentation.enable();
	// pg-pool's Pool.prototype.connect is what gets patched; pg's Pool extends it.
	require('pg-pool');
	const pgModule = require('pg') as typeof pg;
	const pool = newPool(pgModule.Pool, databaseUrl);
	const {server, url} = await serve((request, response) => {
		exporter.getMetricsRequestHandler(request, response);
	});
	return {
		library: `opentelemetry-instrumentation-pg-${versionOf('@opentelemetry/instrumentation-pg')}+exporter-prometheus-${versionOf('@opentelemetry/exporter-prometheus')}`,
		pool,
		metricsUrl: url,
		saturate: saturator(pool),
		async stop() {
			await close(server);
			await pool.end().catch(() => undefined);
			instrumentation.disable();
			await meterProvider.shutdown().catch(() => undefined);
		},
	};
}

/** GET a URL on loopback: status, content type and body. */
export async function fetchText(url: string): Promise<{status: number; contentType: string; body: string}> {
	const response = await fetch(url);
	return {status: response.status, contentType: response.headers.get('content-type') ?? '', body: await response.text()};
}
