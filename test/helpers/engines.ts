// The engines `--prometheus` is tested against, both real and on loopback: Prometheus 2.42 and
// VictoriaMetrics 1.79 (Debian's packages), which serves the same HTTP API. Each starts in a directory of
// its own under the test run's temporary directory, scrapes the same targets every second and holds the
// same past, and is stopped and removed with it. A test runs once per engine (a describe each); an
// engine that is not installed skips its tests, saying why.
import {pollUntil} from './postgres.js';
import {missing, startVictoriaMetrics, VICTORIA_METRICS} from './monitoring.js';
import {PROMETHEUS_MISSING, prometheusBinary, type ScrapeJob, startPrometheus, type TestPrometheus} from './prometheus.js';

export type EngineOptions = {
	/** OpenMetrics text (timestamps in seconds, ending `# EOF`): minutes of the past a test cannot wait for. */
	history?: string;
};

export type Engine = {
	name: 'Prometheus' | 'VictoriaMetrics';
	/** Why it cannot run here, or false. */
	missing: string | false;
	start: (jobs: readonly ScrapeJob[], options?: EngineOptions) => Promise<TestPrometheus>;
};

export const ENGINES: readonly Engine[] = [
	{name: 'Prometheus', missing: prometheusBinary() === null ? PROMETHEUS_MISSING : false, start: async (jobs, options = {}) => startPrometheus(jobs, options)},
	{name: 'VictoriaMetrics', missing: missing(VICTORIA_METRICS), start: startVictoria},
];

/** The series an instant query returns. */
async function seriesCount(url: string, query: string): Promise<number> {
	const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({query, nocache: '1'}).toString()}`);
	const body = await response.json() as {data?: {result?: unknown[]}};
	return body.data?.result?.length ?? 0;
}

/**
 * VictoriaMetrics with its defaults, as users run it (queries see data only 30 s old unless they ask
 * otherwise: `-search.latencyOffset`); the past imported through `/api/v1/import/prometheus` and waited
 * for until every sample of it can be read back.
 */
async function startVictoria(jobs: readonly ScrapeJob[], options: EngineOptions = {}): Promise<TestPrometheus> {
	const running = await startVictoriaMetrics(jobs, 1, {latencyOffset: null});
	try {
		if (options.history !== undefined) {
			await importHistory(running.url, options.history);
		}
	} catch (error) {
		await running.stop();
		throw error;
	}

	return {url: running.url, seriesCount: async query => seriesCount(running.url, query), stop: running.stop, log: running.log};
}

/** OpenMetrics (seconds) → Prometheus text with millisecond timestamps, imported; resolves once all of it reads back. */
async function importHistory(url: string, history: string): Promise<void> {
	const samples = history.split('\n').filter(line => line !== '' && !line.startsWith('#')).map(line => {
		const cut = line.lastIndexOf(' ');
		return `${line.slice(0, cut)} ${Math.round(Number(line.slice(cut + 1)) * 1000)}`;
	});
	const response = await fetch(`${url}/api/v1/import/prometheus`, {method: 'POST', body: samples.join('\n')});
	if (!response.ok) {
		throw new Error(`victoria-metrics import: HTTP ${response.status} ${await response.text()}`);
	}

	const names = [...new Set(samples.map(line => /^[^{ ]+/.exec(line)![0]))];
	const match = `{__name__=~"${names.join('|')}"}`;
	await pollUntil(async () => {
		const exported = await (await fetch(`${url}/api/v1/export?${new URLSearchParams({'match[]': match}).toString()}`)).text();
		const count = exported.split('\n').filter(Boolean).reduce((sum, line) => sum + (JSON.parse(line) as {values: unknown[]}).values.length, 0);
		return count >= samples.length;
	}, {timeoutMs: 30_000, everyMs: 200, what: `the ${samples.length} imported samples`});
}
