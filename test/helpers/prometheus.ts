// A real Prometheus (Debian package `prometheus`) on loopback, scraping fixture endpoints every second,
// and the fixture endpoints themselves: small HTTP servers serving Prometheus text. Everything lives in
// the test run's temporary directory (test-tmp.ts) and is stopped and removed even when interrupted.
import {execFile, spawn, type ChildProcess} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {freePort, pollUntil} from './postgres.js';
import {ownProcess} from './test-tmp.js';

const execFileAsync = promisify(execFile);

export const PROMETHEUS_MISSING = 'prometheus not installed: apt-get install prometheus';

export function prometheusBinary(): string | null {
	for (const candidate of ['/usr/bin/prometheus', '/usr/local/bin/prometheus']) {
		if (existsSync(candidate)) {
			return candidate;
		}
	}

	return null;
}

/** One scrape job: its targets (host:port) and labels added to every target's series. */
export type ScrapeJob = {job: string; targets: string[]; labels?: Record<string, string>; honorLabels?: boolean; metricsPath?: string};

export type TestPrometheus = {
	/** http://127.0.0.1:PORT */
	url: string;
	/** Instant query through the HTTP API: the number of series `query` returns. */
	seriesCount: (query: string) => Promise<number>;
	stop: () => Promise<void>;
	log: () => string;
};

const quote = (text: string) => JSON.stringify(text);

/** Rule files (written beside the config) and an Alertmanager to send alerts to; rules run at the scrape interval. */
export type RuleOptions = {ruleFiles?: readonly string[]; alertmanagerUrl?: string};

/** The scrape config (also VictoriaMetrics' -promscrape.config), with rule files and Alertmanager for Prometheus. */
export function configYaml(jobs: readonly ScrapeJob[], intervalSeconds: number, rules: RuleOptions = {}): string {
	const lines = ['global:', `  scrape_interval: ${intervalSeconds}s`, `  scrape_timeout: ${intervalSeconds}s`];
	if (rules.ruleFiles) {
		lines.push(`  evaluation_interval: ${intervalSeconds}s`, 'rule_files:', ...rules.ruleFiles.map((_file, index) => `  - rules-${index}.yml`));
	}

	if (rules.alertmanagerUrl) {
		lines.push('alerting:', '  alertmanagers:', '    - static_configs:', `        - targets: [${quote(new URL(rules.alertmanagerUrl).host)}]`);
	}

	lines.push('scrape_configs:');
	for (const job of jobs) {
		lines.push(`  - job_name: ${quote(job.job)}`, `    metrics_path: ${quote(job.metricsPath ?? '/metrics')}`);
		if (job.honorLabels) {
			lines.push('    honor_labels: true');
		}

		lines.push('    static_configs:', `      - targets: [${job.targets.map(target => quote(target)).join(', ')}]`);
		if (job.labels) {
			lines.push('        labels:', ...Object.entries(job.labels).map(([name, value]) => `          ${name}: ${quote(value)}`));
		}
	}

	return `${lines.join('\n')}\n`;
}

/**
 * `history`: OpenMetrics text (timestamps in seconds, ending `# EOF`) written into the data directory
 * as blocks by `promtool tsdb create-blocks-from openmetrics` before the start: minutes of the past a
 * test cannot wait for.
 */
export async function startPrometheus(jobs: readonly ScrapeJob[], options: {intervalSeconds?: number; history?: string} & RuleOptions = {}): Promise<TestPrometheus> {
	const binary = prometheusBinary();
	if (!binary) {
		throw new Error(PROMETHEUS_MISSING);
	}

	const directory = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-test-prometheus-'));
	const configFile = path.join(directory, 'prometheus.yml');
	await writeFile(configFile, configYaml(jobs, options.intervalSeconds ?? 1, options));
	for (const [index, rules] of (options.ruleFiles ?? []).entries()) {
		await writeFile(path.join(directory, `rules-${index}.yml`), rules);
	}

	if (options.history !== undefined) {
		await writeHistory(directory, options.history);
	}

	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	let output = '';
	const child: ChildProcess = spawn(binary, [
		`--config.file=${configFile}`,
		`--storage.tsdb.path=${path.join(directory, 'data')}`,
		`--web.listen-address=127.0.0.1:${port}`,
		'--storage.tsdb.retention.time=1h',
		'--log.level=warn',
	], {stdio: ['ignore', 'pipe', 'pipe']});
	ownProcess(child);
	const keep = (chunk: Buffer) => {
		output = `${output}${chunk.toString()}`.slice(-20_000);
	};

	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);

	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) {
			const exited = new Promise(resolve => {
				child.once('exit', resolve);
			});
			child.kill('SIGTERM');
			const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
			await exited;
			clearTimeout(killer);
		}

		await rm(directory, {recursive: true, force: true, maxRetries: 5});
	};

	const seriesCount = async (query: string) => {
		const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({query}).toString()}`);
		const body = await response.json() as {data?: {result?: unknown[]}};
		return body.data?.result?.length ?? 0;
	};

	try {
		await pollUntil(async () => {
			if (child.exitCode !== null) {
				throw new Error(`prometheus exited with ${child.exitCode}: ${output}`);
			}

			const response = await fetch(`${url}/-/ready`);
			return response.ok;
		}, {timeoutMs: 30_000, everyMs: 100, what: 'prometheus to be ready'});
	} catch (error) {
		await stop();
		throw error;
	}

	return {url, seriesCount, stop, log: () => output};
}

async function writeHistory(directory: string, history: string): Promise<void> {
	const file = path.join(directory, 'history.om');
	await writeFile(file, history);
	try {
		await execFileAsync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, path.join(directory, 'data')], {timeout: 30_000});
	} catch (error) {
		await rm(directory, {recursive: true, force: true, maxRetries: 5});
		throw error;
	}
}

export type FixtureServer = {
	/** 127.0.0.1:PORT, as a scrape target */
	target: string;
	/** Replace what the server answers from now on. */
	setBody: (body: string | (() => string)) => void;
	stop: () => Promise<void>;
};

/** An HTTP server on loopback answering every GET with `body` (or what it returns now) as Prometheus text 0.0.4. */
export async function startFixtureServer(initialBody: string | (() => string)): Promise<FixtureServer> {
	let body = initialBody;
	const server = http.createServer((_request, response) => {
		response.setHeader('content-type', 'text/plain; version=0.0.4; charset=utf-8');
		response.end(typeof body === 'function' ? body() : body);
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	const {port} = server.address() as AddressInfo;
	return {
		target: `127.0.0.1:${port}`,
		setBody(next) {
			body = next;
		},
		async stop() {
			server.closeAllConnections();
			await new Promise(resolve => {
				server.close(resolve);
			});
		},
	};
}

/** A server answering every request with a fixed status, content type and body (a broken Prometheus). */
export async function startFakePrometheus(status: number, contentType: string, body: string): Promise<{url: string; stop: () => Promise<void>}> {
	const server = http.createServer((_request, response) => {
		response.statusCode = status;
		response.setHeader('content-type', contentType);
		response.end(body);
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	const {port} = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		async stop() {
			server.closeAllConnections();
			await new Promise(resolve => {
				server.close(resolve);
			});
		},
	};
}

/** HikariCP (Micrometer naming) exposition of one instance. */
export function hikariExposition(pools: ReadonlyArray<{pool: string; max: number; active: number; idle: number; pending: number; timeouts?: number; instance?: string}>): string {
	const lines: string[] = [];
	const gauge = (name: string, pick: (pool: typeof pools[number]) => number) => {
		lines.push(`# TYPE ${name} gauge`);
		for (const pool of pools) {
			const instance = pool.instance === undefined ? '' : `,instance="${pool.instance}"`;
			lines.push(`${name}{pool="${pool.pool}"${instance}} ${pick(pool)}`);
		}
	};

	gauge('hikaricp_connections_max', pool => pool.max);
	gauge('hikaricp_connections', pool => pool.active + pool.idle);
	gauge('hikaricp_connections_active', pool => pool.active);
	gauge('hikaricp_connections_idle', pool => pool.idle);
	gauge('hikaricp_connections_pending', pool => pool.pending);
	lines.push('# TYPE hikaricp_connections_timeout_total counter');
	for (const pool of pools) {
		const instance = pool.instance === undefined ? '' : `,instance="${pool.instance}"`;
		lines.push(`hikaricp_connections_timeout_total{pool="${pool.pool}"${instance}} ${pool.timeouts ?? 0}`);
	}

	return `${lines.join('\n')}\n`;
}
