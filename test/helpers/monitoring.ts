// The rest of a monitoring stack, real and on loopback, from Debian's packages: Alertmanager
// (prometheus-alertmanager), postgres_exporter (prometheus-postgres-exporter), and VictoriaMetrics with
// vmalert (victoria-metrics). Each runs in its own directory under the test run's temporary directory,
// is owned by the test process (stopped even when a test is interrupted) and answers before it is used.
import {spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {freePort, pollUntil} from './postgres.js';
import {configYaml, type ScrapeJob} from './prometheus.js';
import {ownProcess} from './test-tmp.js';

export const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
export const POSTGRES_EXPORTER = '/usr/bin/prometheus-postgres-exporter';
export const VICTORIA_METRICS = '/usr/bin/victoria-metrics';
export const VMALERT = '/usr/bin/vmalert';

/** Why a test of these parts cannot run here, or false. */
export function missing(...binaries: string[]): string | false {
	const packages: Record<string, string> = {[ALERTMANAGER]: 'prometheus-alertmanager', [POSTGRES_EXPORTER]: 'prometheus-postgres-exporter', [VICTORIA_METRICS]: 'victoria-metrics', [VMALERT]: 'victoria-metrics'};
	const absent = binaries.filter(binary => !existsSync(binary));
	return absent.length === 0 ? false : `not installed: apt-get install ${[...new Set(absent.map(binary => packages[binary] ?? binary))].join(' ')}`;
}

export type Running = {url: string; directory: string; stop: () => Promise<void>; log: () => string};

type Start = {
	binary: string;
	/** The command line, given the server's directory and port. */
	args: (directory: string, port: number) => string[];
	/** Files written to its directory before it starts (configs, rules). */
	files?: Record<string, string>;
	/** A path that answers 200 once it serves. */
	readyPath: string;
	env?: Record<string, string>;
};

/** Start a server in a directory of its own and wait until it answers. */
async function startServer(name: string, {binary, args, files = {}, readyPath, env = {}}: Start): Promise<Running> {
	const directory = await mkdtemp(path.join(os.tmpdir(), `lifeguard-test-${name}-`));
	for (const [file, text] of Object.entries(files)) {
		await writeFile(path.join(directory, file), text);
	}

	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	let output = '';
	const child = spawn(binary, args(directory, port), {cwd: directory, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, ...env}});
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

	try {
		await pollUntil(async () => {
			if (child.exitCode !== null) {
				throw new Error(`${name} exited with ${child.exitCode}: ${output}`);
			}

			return fetch(`${url}${readyPath}`).then(response => response.ok, () => false);
		}, {timeoutMs: 30_000, everyMs: 100, what: `${name} to be ready`});
	} catch (error) {
		await stop();
		throw error;
	}

	return {url, directory, stop, log: () => output};
}

export type AlertmanagerAlert = {labels: Record<string, string>; annotations: Record<string, string>; status?: {state?: string; inhibitedBy?: string[]}};

/** Alertmanager with one receiver that delivers nowhere (alerts are read back from its API), and `extra` config. */
export async function startAlertmanager(extra = ''): Promise<Running & {alerts: () => Promise<AlertmanagerAlert[]>}> {
	const running = await startServer('alertmanager', {
		binary: ALERTMANAGER,
		files: {'alertmanager.yml': ['route:', '  receiver: none', '  group_wait: 0s', 'receivers:', '  - name: none', extra].join('\n')},
		args: (directory, port) => [
			'--config.file=alertmanager.yml',
			`--storage.path=${path.join(directory, 'data')}`,
			`--web.listen-address=127.0.0.1:${port}`,
			// no cluster: nothing listens beyond the one loopback port
			'--cluster.listen-address=',
			'--log.level=warn',
		],
		readyPath: '/-/ready',
	});
	return {...running, alerts: async () => (await fetch(`${running.url}/api/v2/alerts`)).json() as Promise<AlertmanagerAlert[]>};
}

/** postgres_exporter reading `databaseUrl` (its default collectors: pg_stat_activity_count, pg_settings_*). */
export async function startPostgresExporter(databaseUrl: string): Promise<Running & {target: string}> {
	const url = new URL(databaseUrl);
	url.searchParams.set('sslmode', 'disable');
	const running = await startServer('postgres-exporter', {
		binary: POSTGRES_EXPORTER,
		args: (_directory, port) => [`--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
		readyPath: '/metrics',
		env: {DATA_SOURCE_NAME: url.toString()},
	});
	return {...running, target: new URL(running.url).host};
}

/**
 * VictoriaMetrics scraping `jobs` (if any) every `intervalSeconds`. `latencyOffset`: how old data must be
 * before queries see it; VictoriaMetrics' own default (30 s) when null, as users run it.
 */
export async function startVictoriaMetrics(jobs: readonly ScrapeJob[], intervalSeconds = 1, {latencyOffset = '1s'}: {latencyOffset?: string | null} = {}): Promise<Running> {
	return startServer('victoria-metrics', {
		binary: VICTORIA_METRICS,
		files: jobs.length > 0 ? {'scrape.yml': configYaml(jobs, intervalSeconds)} : {},
		args: (directory, port) => [
			`-httpListenAddr=127.0.0.1:${port}`,
			`-storageDataPath=${path.join(directory, 'data')}`,
			...(jobs.length > 0 ? ['-promscrape.config=scrape.yml'] : []),
			'-retentionPeriod=1d',
			// By default the last 30 s are hidden from queries (samples may still arrive): too slow for the alert tests.
			...(latencyOffset === null ? [] : [`-search.latencyOffset=${latencyOffset}`]),
			'-loggerLevel=WARN',
		],
		readyPath: '/health',
	});
}

/** vmalert evaluating `rules` on `datasourceUrl` every `intervalSeconds`, writing recorded series and ALERTS back, alerting `notifierUrl`. */
export async function startVmalert(options: {rules: string; datasourceUrl: string; notifierUrl: string; intervalSeconds: number}): Promise<Running> {
	return startServer('vmalert', {
		binary: VMALERT,
		files: {'rules.yml': options.rules},
		args: (_directory, port) => [
			`-httpListenAddr=127.0.0.1:${port}`,
			'-rule=rules.yml',
			`-datasource.url=${options.datasourceUrl}`,
			// recorded series and ALERTS go back to VictoriaMetrics: the rules read both (the hold reads ALERTS)
			`-remoteWrite.url=${options.datasourceUrl}`,
			`-remoteRead.url=${options.datasourceUrl}`,
			'-remoteWrite.flushInterval=500ms',
			`-notifier.url=${options.notifierUrl}`,
			`-evaluationInterval=${options.intervalSeconds}s`,
			'-loggerLevel=WARN',
		],
		readyPath: '/-/ready',
	});
}
