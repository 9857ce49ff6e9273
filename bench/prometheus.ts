// A real Prometheus on loopback scraping one fixture server that exposes a whole fleet's HikariCP pools
// (every instance's series with an `instance` label, scraped with honor_labels). Its config and data live
// in a temporary directory; stop() (graceful) or kill() (synchronous, for exit hooks) removes everything.
import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {freePort} from '../source/demo/embedded-server.js';
import {waitFor} from './proc.js';

export const PROMETHEUS_BINARY = ['/usr/bin/prometheus', '/usr/local/bin/prometheus'].find(candidate => existsSync(candidate));

export type FleetOptions = {instances: number; pools: readonly string[]; scrapeSeconds: number};

export type FleetPrometheus = {
	url: string;
	/** Pool series the fleet exposes (instances × pools). */
	series: number;
	/** SIGTERM, SIGKILL after 5 s, then the directory goes. */
	stop: () => Promise<void>;
	/** The last resort (exit hooks, watchdog): SIGKILL and remove, synchronously. */
	kill: () => void;
};

/** The whole fleet as one exposition: HikariCP (Micrometer) gauges and a timeout counter per instance and pool. */
export function fleetExposition(nowMs: number, {instances, pools}: Pick<FleetOptions, 'instances' | 'pools'>): string {
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
		for (let instance = 0; instance < instances; instance++) {
			for (const [poolIndex, pool] of pools.entries()) {
				lines.push(`${name}{instance="checkout-${instance}:8080",service="checkout",pool="${pool}"} ${value(instance, poolIndex)}`);
			}
		}
	}

	return `${lines.join('\n')}\n`;
}

/** Start the fixture and Prometheus, and wait until every pool series has a rate. */
export async function startFleetPrometheus(options: FleetOptions): Promise<FleetPrometheus> {
	if (!PROMETHEUS_BINARY) {
		throw new Error('prometheus not installed (apt-get install prometheus)');
	}

	const directory = mkdtempSync(path.join(os.tmpdir(), 'lifeguard-bench-prometheus-'));
	let prometheus: ChildProcess | undefined;
	const isRunning = (child: ChildProcess | undefined): child is ChildProcess => child !== undefined && child.exitCode === null && child.signalCode === null;
	const fixture = http.createServer((_request, response) => {
		response.setHeader('content-type', 'text/plain; version=0.0.4');
		response.end(fleetExposition(Date.now(), options));
	});
	const kill = () => {
		process.off('exit', kill);
		if (isRunning(prometheus)) {
			prometheus.kill('SIGKILL');
		}

		fixture.closeAllConnections();
		fixture.close();
		rmSync(directory, {recursive: true, force: true, maxRetries: 5});
	};

	// Whatever ends the process (an error, a signal turned into exit, the watchdog) removes it all.
	process.on('exit', kill);

	const stop = async () => {
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

		kill();
	};

	try {
		await new Promise<void>(resolve => {
			fixture.listen(0, '127.0.0.1', resolve);
		});
		const target = `127.0.0.1:${(fixture.address() as AddressInfo).port}`;
		const config = path.join(directory, 'prometheus.yml');
		writeFileSync(config, [
			'global:', `  scrape_interval: ${options.scrapeSeconds}s`, `  scrape_timeout: ${options.scrapeSeconds}s`, 'scrape_configs:',
			'  - job_name: fleet', '    honor_labels: true', '    static_configs:', `      - targets: ["${target}"]`, '',
		].join('\n'));
		const port = await freePort();
		const url = `http://127.0.0.1:${port}`;
		prometheus = spawn(PROMETHEUS_BINARY, [`--config.file=${config}`, `--storage.tsdb.path=${path.join(directory, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {stdio: 'ignore'});
		await waitFor('prometheus to be ready', async () => (await fetch(`${url}/-/ready`)).ok, 30_000, 200);
		const count = async (query: string) => {
			const body = await (await fetch(`${url}/api/v1/query?${new URLSearchParams({query})}`)).json() as {data?: {result?: Array<{value: [number, string]}>}};
			return Number(body.data?.result?.[0]?.value[1] ?? 0);
		};

		const series = options.instances * options.pools.length;
		await waitFor(`${series} pool series with rates`, async () => (await count('count(hikaricp_connections_max)')) === series && (await count('count(rate(hikaricp_connections_timeout_total[1m]))')) === series, 60_000 + (options.scrapeSeconds * 3000), 200);
		return {url, series, stop, kill};
	} catch (error) {
		await stop();
		throw error;
	}
}
