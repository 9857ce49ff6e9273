// `npm run bench:prometheus`: one refresh of a fleet's pools through a real Prometheus, 500 instances ×
// 2 HikariCP pools (issue 13's target: p95 ≤ 250 ms for all the queries of one refresh).
// Loopback only: one fixture server exposes every instance's series with an `instance` label, scraped
// every second with honor_labels; Prometheus' config and data live in a temporary directory removed on
// exit, error, Ctrl-C and the watchdog. Env: BENCH_INSTANCES (500), BENCH_REFRESHES (60),
// BENCH_SCRAPE_SECONDS (5).
import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {createPoolCollector} from '../source/collectors/pools/create-collector.js';
import {familyQuery} from '../source/collectors/pools/prometheus-api.js';
import {familyNames} from '../source/collectors/pools/prometheus-pools.js';
import {parsePrometheusSpec} from '../source/connection/pool-endpoint.js';
import {freePort} from '../source/demo/embedded-server.js';
import type {PoolReading} from '../source/model/types.js';

const INSTANCES = Number(process.env['BENCH_INSTANCES'] ?? 500);
const REFRESHES = Number(process.env['BENCH_REFRESHES'] ?? 60);
/** 1 s makes Prometheus ingest the whole fleet every second beside the queries; fleets are scraped at 15–60 s. */
const SCRAPE_SECONDS = Number(process.env['BENCH_SCRAPE_SECONDS'] ?? 5);
const POOLS = ['HikariPool-1', 'ReportsPool'];
const BINARY = ['/usr/bin/prometheus', '/usr/local/bin/prometheus'].find(candidate => existsSync(candidate));

const directory = mkdtempSync(path.join(os.tmpdir(), 'lifeguard-bench-prometheus-'));
let prometheus: ChildProcess | undefined;
let fixture: http.Server | undefined;

const isRunning = (child: ChildProcess | undefined): child is ChildProcess => child !== undefined && child.exitCode === null && child.signalCode === null;

/** The last resort (exit, signals, watchdog): synchronous, so SIGKILL. */
function cleanUp(): void {
	if (isRunning(prometheus)) {
		prometheus.kill('SIGKILL');
	}

	fixture?.closeAllConnections();
	fixture?.close();
	fixture = undefined;
	rmSync(directory, {recursive: true, force: true, maxRetries: 5});
}

/** The normal end: let Prometheus stop (SIGTERM, SIGKILL after 5 s) before its data directory goes. */
async function stop(): Promise<void> {
	const running = prometheus;
	if (isRunning(running)) {
		const exited = new Promise(resolve => {
			running.once('exit', resolve);
		});
		running.kill('SIGTERM');
		const killer = setTimeout(() => running.kill('SIGKILL'), 5000);
		await exited;
		clearTimeout(killer);
	}

	cleanUp();
}

process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
	process.on(signal, () => {
		process.exit(130);
	});
}

const watchdog = setTimeout(() => {
	console.error('bench: watchdog: still running after 5 minutes, giving up');
	process.exit(1);
}, 5 * 60_000);
watchdog.unref();

/** The whole fleet as one exposition: HikariCP (Micrometer) gauges and a timeout counter per instance and pool. */
function fleetExposition(nowMs: number): string {
	const lines: string[] = [];
	const families: Array<[string, (instance: number, pool: number) => number]> = [
		['hikaricp_connections_max', (_i, pool) => (pool === 0 ? 10 : 5)],
		['hikaricp_connections_active', (i, pool) => (pool === 0 ? (i % 5 === 0 ? 10 : 6) : 1)],
		['hikaricp_connections_idle', (i, pool) => (pool === 0 ? (i % 5 === 0 ? 0 : 4) : 4)],
		['hikaricp_connections', (_i, pool) => (pool === 0 ? 10 : 5)],
		['hikaricp_connections_pending', (i, pool) => (pool === 0 && i % 5 === 0 ? i % 17 : 0)],
		['hikaricp_connections_timeout_total', (i, pool) => (pool === 0 && i % 5 === 0 ? Math.floor(nowMs / 1000) % 100_000 : 0)],
	];
	for (const [name, value] of families) {
		lines.push(`# TYPE ${name} ${name.endsWith('_total') ? 'counter' : 'gauge'}`);
		for (let instance = 0; instance < INSTANCES; instance++) {
			for (const [poolIndex, pool] of POOLS.entries()) {
				lines.push(`${name}{instance="checkout-${instance}:8080",service="checkout",pool="${pool}"} ${value(instance, poolIndex)}`);
			}
		}
	}

	return `${lines.join('\n')}\n`;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (await check().catch(() => false)) {
			return;
		}

		await new Promise(resolve => {
			setTimeout(resolve, 200);
		});
	}

	throw new Error(`timed out waiting for ${what}`);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main(): Promise<number> {
	if (!BINARY) {
		console.error('bench: prometheus not installed (apt-get install prometheus)');
		return 1;
	}

	fixture = http.createServer((_request, response) => {
		response.setHeader('content-type', 'text/plain; version=0.0.4');
		response.end(fleetExposition(Date.now()));
	});
	await new Promise<void>(resolve => {
		fixture!.listen(0, '127.0.0.1', resolve);
	});
	const target = `127.0.0.1:${(fixture.address() as AddressInfo).port}`;
	const config = path.join(directory, 'prometheus.yml');
	writeFileSync(config, [
		'global:', `  scrape_interval: ${SCRAPE_SECONDS}s`, `  scrape_timeout: ${SCRAPE_SECONDS}s`, 'scrape_configs:',
		'  - job_name: fleet', '    honor_labels: true', '    static_configs:', `      - targets: ["${target}"]`, '',
	].join('\n'));
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	prometheus = spawn(BINARY, [`--config.file=${config}`, `--storage.tsdb.path=${path.join(directory, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {stdio: 'ignore'});
	await until(async () => (await fetch(`${url}/-/ready`)).ok, 30_000, 'prometheus to be ready');
	const count = async (query: string) => {
		const body = await (await fetch(`${url}/api/v1/query?${new URLSearchParams({query})}`)).json() as {data?: {result?: Array<{value: [number, string]}>}};
		return Number(body.data?.result?.[0]?.value[1] ?? 0);
	};

	const series = INSTANCES * POOLS.length;
	await until(async () => (await count('count(hikaricp_connections_max)')) === series && (await count('count(rate(hikaricp_connections_timeout_total[1m]))')) === series, 60_000 + (SCRAPE_SECONDS * 3000), `${series} pool series with rates`);

	const collector = createPoolCollector(parsePrometheusSpec(url, '--prometheus', {selector: 'service="checkout"', token: null}));
	const check = (reading: PoolReading) => {
		if (!reading.ok || reading.pools.length !== POOLS.length || reading.pools.some(pool => pool.fleet?.instances !== INSTANCES)) {
			throw new Error(`unexpected reading: ${JSON.stringify(reading).slice(0, 300)}`);
		}

		return reading;
	};

	for (let warm = 0; warm < 5; warm++) {
		check(await collector.collect(2000));
	}

	const wallMs: number[] = [];
	const cpuMs: number[] = [];
	let last: PoolReading | undefined;
	for (let refresh = 0; refresh < REFRESHES; refresh++) {
		const cpu = process.cpuUsage();
		const started = performance.now();
		last = check(await collector.collect(2000));
		wallMs.push(performance.now() - started);
		const used = process.cpuUsage(cpu);
		cpuMs.push((used.user + used.system) / 1000);
	}

	await collector.close();
	wallMs.sort((a, b) => a - b);
	cpuMs.sort((a, b) => a - b);
	const main = last!.ok ? last!.pools.find(pool => pool.label === 'checkout/HikariPool-1') : undefined;
	const f = (value: number) => value.toFixed(1);
	console.log(`${INSTANCES} instances × ${POOLS.length} pools = ${series} pool series behind one Prometheus (${BINARY}, scraping every ${SCRAPE_SECONDS} s), ${REFRESHES} refreshes`);
	console.log(`one refresh (all family queries, parse, grouping): p50 ${f(percentile(wallMs, 50))} ms, p95 ${f(percentile(wallMs, 95))} ms, max ${f(wallMs.at(-1)!)} ms`);
	console.log(`lifeguard CPU per refresh: p50 ${f(percentile(cpuMs, 50))} ms, p95 ${f(percentile(cpuMs, 95))} ms; RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`);
	console.log(`checkout/HikariPool-1: ${main?.fleet?.instances} inst, ${main?.active}/${main?.max} busy, waiting ${main?.waiting}, ${main?.fleet?.atMax} at max, worst ${main?.fleet?.worst.instance}`);
	// Where the time goes: each family's query alone, as Prometheus answers it (median of 5).
	const costs: string[] = [];
	for (const family of familyNames()) {
		const times: number[] = [];
		let bytes = 0;
		for (let run = 0; run < 5; run++) {
			const started = performance.now();
			const response = await fetch(`${url}/api/v1/query`, {method: 'POST', headers: {'accept-encoding': 'identity'}, body: new URLSearchParams({query: familyQuery(family, 'service="checkout"')})});
			bytes = (await response.arrayBuffer()).byteLength;
			times.push(performance.now() - started);
		}

		times.sort((a, b) => a - b);
		costs.push(`${family.id} ${f(times[2]!)} ms ${(bytes / 1024).toFixed(0)} KiB`);
	}

	console.log(`each family's query alone (median of 5, uncompressed): ${costs.join(', ')}`);
	console.log(`load average while measuring: ${os.loadavg().map(load => load.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);
	const isMet = percentile(wallMs, 95) <= 250;
	console.log(`target p95 ≤ 250 ms: ${isMet ? 'met' : 'NOT met'}`);
	return isMet ? 0 : 1;
}

try {
	process.exitCode = await main();
} catch (error) {
	console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
	process.exitCode = 1;
} finally {
	clearTimeout(watchdog);
	await stop();
}
