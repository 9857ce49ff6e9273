// `npm run bench:prometheus`: one refresh of a fleet's pools through a real Prometheus, 500 instances ×
// 2 HikariCP pools (issue 13's target: p95 ≤ 250 ms for all the queries of one refresh).
// Loopback only: one fixture server exposes every instance's series with an `instance` label, scraped
// every second with honor_labels; Prometheus' config and data live in a temporary directory removed on
// exit, error, Ctrl-C and the watchdog. Env: BENCH_INSTANCES (500), BENCH_REFRESHES (60),
// BENCH_SCRAPE_SECONDS (5). Then a Prometheus that hangs, answers 500 or an error JSON: each refresh must
// end within the per-endpoint timeout and say why.
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import process from 'node:process';
import {createPoolCollector} from '../source/collectors/pools/create-collector.js';
import {familyQuery} from '../source/collectors/pools/prometheus-api.js';
import {familyNames} from '../source/collectors/pools/prometheus-pools.js';
import {parsePrometheusSpec} from '../source/connection/pool-endpoint.js';
import type {PoolReading} from '../source/readings/types.js';
import {type FleetPrometheus, PROMETHEUS_BINARY, startFleetPrometheus} from './prometheus.js';

const INSTANCES = Number(process.env['BENCH_INSTANCES'] ?? 500);
const REFRESHES = Number(process.env['BENCH_REFRESHES'] ?? 60);
/** 1 s makes Prometheus ingest the whole fleet every second beside the queries; fleets are scraped at 15–60 s. */
const SCRAPE_SECONDS = Number(process.env['BENCH_SCRAPE_SECONDS'] ?? 5);
const POOLS = ['HikariPool-1', 'ReportsPool'];

let fleet: FleetPrometheus | undefined;
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

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main(): Promise<number> {
	if (!PROMETHEUS_BINARY) {
		console.error('bench: prometheus not installed (apt-get install prometheus)');
		return 1;
	}

	fleet = await startFleetPrometheus({instances: INSTANCES, pools: POOLS, scrapeSeconds: SCRAPE_SECONDS});
	const {url, series} = fleet;
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
	console.log(`${INSTANCES} instances × ${POOLS.length} pools = ${series} pool series behind one Prometheus (${PROMETHEUS_BINARY}, scraping every ${SCRAPE_SECONDS} s), ${REFRESHES} refreshes`);
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
	const isBoundedWhenBroken = await brokenPrometheus();
	return isMet && isBoundedWhenBroken ? 0 : 1;
}

const TIMEOUT_MS = 2000;

/**
 * A Prometheus that hangs, answers 500, or answers an error JSON: each refresh must end within the
 * per-endpoint timeout (plus a little scheduling) and say why.
 */
async function brokenPrometheus(): Promise<boolean> {
	const behaviours: Array<[string, (response: http.ServerResponse) => void]> = [
		['hangs', () => undefined],
		['answers 500', response => {
			response.writeHead(500, {'content-type': 'text/plain'}).end('internal error');
		}],
		['answers an error JSON', response => {
			response.writeHead(400, {'content-type': 'application/json'}).end(JSON.stringify({status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:1: parse error'}));
		}],
	];
	let isBounded = true;
	for (const [what, behave] of behaviours) {
		const server = http.createServer((_request, response) => {
			behave(response);
		});
		await new Promise<void>(resolve => {
			server.listen(0, '127.0.0.1', resolve);
		});
		const collector = createPoolCollector(parsePrometheusSpec(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, '--prometheus', {selector: null, token: null}));
		const times: number[] = [];
		let reason = '';
		for (let refresh = 0; refresh < 5; refresh++) {
			const started = performance.now();
			const reading = await collector.collect(TIMEOUT_MS);
			times.push(performance.now() - started);
			reason = reading.ok ? 'no error' : reading.error;
		}

		await collector.close();
		server.closeAllConnections();
		server.close();
		const worst = Math.max(...times);
		isBounded &&= worst <= TIMEOUT_MS + 250 && reason !== 'no error';
		console.log(`a Prometheus that ${what}: refresh max ${worst.toFixed(0)} ms (timeout ${TIMEOUT_MS} ms), reason "${reason}"`);
	}

	return isBounded;
}

try {
	process.exitCode = await main();
} catch (error) {
	console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
	process.exitCode = 1;
} finally {
	clearTimeout(watchdog);
	await fleet?.stop();
}
