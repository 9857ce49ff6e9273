// The rule file at work, all parts real and on loopback: a PostgreSQL 18 (max_connections 20, 3 slots
// for superusers, 2 reserved) read by Debian's postgres_exporter, an application's HikariCP pool served
// in Micrometer's format by an HTTP server, Alertmanager receiving the alerts. Evaluated by Debian's
// Prometheus 2.42, and by VictoriaMetrics with vmalert (Debian's 1.79): a quiet pool pages nobody; a
// saturated one reaches Alertmanager in the finding's words with the server's real free slots; the
// server filling past --warn does too.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {probeFamilies} from '../../source/alerts/probe.js';
import {alertRules} from '../../source/alerts/rules.js';
import {ALERTMANAGER, type AlertmanagerAlert, missing, POSTGRES_EXPORTER, type Running, startAlertmanager, startPostgresExporter, startVictoriaMetrics, startVmalert, VICTORIA_METRICS, VMALERT} from '../helpers/monitoring.js';
import {pollUntil, Sessions, startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {type FixtureServer, hikariExposition, prometheusBinary, type ScrapeJob, startFixtureServer, startPrometheus} from '../helpers/prometheus.js';

const USABLE = 20 - 3 - 2;
const rules = alertRules({warnRatio: 0.8, criticalRatio: 0.95, intervalSeconds: 1});
const quietPool = hikariExposition([{pool: 'HikariPool-1', max: 5, active: 2, idle: 3, pending: 0}]);
const saturatedPool = hikariExposition([{pool: 'HikariPool-1', max: 5, active: 5, idle: 0, pending: 150}]);

type Engine = {name: string; skip: string | false; start: (jobs: ScrapeJob[], alertmanagerUrl: string) => Promise<{queryUrl: string; stop: () => Promise<void>; log: () => string}>};

const engines: Engine[] = [
	{
		name: 'Prometheus 2.42',
		skip: prometheusBinary() ? false : 'prometheus not installed: apt-get install prometheus',
		async start(jobs, alertmanagerUrl) {
			const prometheus = await startPrometheus(jobs, {ruleFiles: [rules], alertmanagerUrl});
			return {queryUrl: prometheus.url, stop: prometheus.stop, log: prometheus.log};
		},
	},
	{
		name: 'VictoriaMetrics and vmalert',
		skip: missing(VICTORIA_METRICS, VMALERT),
		async start(jobs, alertmanagerUrl) {
			const storage = await startVictoriaMetrics(jobs);
			const vmalert = await startVmalert({rules, datasourceUrl: storage.url, notifierUrl: alertmanagerUrl, intervalSeconds: 1}).catch(async (error: unknown) => {
				await storage.stop();
				throw error;
			});
			return {
				queryUrl: storage.url,
				async stop() {
					await vmalert.stop();
					await storage.stop();
				},
				log: () => `${storage.log()}\n${vmalert.log()}`,
			};
		},
	},
];

/** The values an instant query returns. */
async function values(url: string, query: string): Promise<number[]> {
	const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({query}).toString()}`);
	const body = await response.json() as {data?: {result?: Array<{value: [number, string]}>}};
	return (body.data?.result ?? []).map(sample => Number(sample.value[1]));
}

/** The inhibit rules the README gives: a critical alert silences the warning of the same subject, a queue silences "busy". */
const INHIBIT = `inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [alertname, lifeguard_family, lifeguard_pool, instance, job, server]
  - source_matchers: [alertname=~"LifeguardPool(Saturated|WaitingBehindFullServer|Waiting|MaybeSaturated)"]
    target_matchers: [alertname="LifeguardPoolBusy"]
    equal: [lifeguard_family, lifeguard_pool, instance, job]
`;

const lifeguardAlerts = (alerts: AlertmanagerAlert[]) => alerts.filter(alert => alert.labels['alertname']?.startsWith('Lifeguard'));

for (const engine of engines) {
	describe(`the rules in ${engine.name}`, {skip: engine.skip || missing(ALERTMANAGER, POSTGRES_EXPORTER), timeout: 240_000}, () => {
		let server: TestServer;
		let sessions: Sessions;
		let exporter: Running & {target: string};
		let app: FixtureServer;
		let alertmanager: Running & {alerts: () => Promise<AlertmanagerAlert[]>};
		let stack: Awaited<ReturnType<Engine['start']>>;

		before(async () => {
			server = await startEmbeddedPostgres({maxConnections: 20, superuserReserved: 3, reserved: 2});
			sessions = new Sessions(server.url);
			// Four sessions the application holds, idle: with the exporter's own, five of 15 usable.
			for (let index = 0; index < 4; index++) {
				await sessions.open('orders');
			}

			exporter = await startPostgresExporter(server.url);
			app = await startFixtureServer(quietPool);
			alertmanager = await startAlertmanager(INHIBIT);
			stack = await engine.start([{job: 'orders', targets: [app.target]}, {job: 'postgres', targets: [exporter.target]}], alertmanager.url);
		});

		after(async () => {
			await stack?.stop();
			await alertmanager?.stop();
			await app?.stop();
			await exporter?.stop();
			await sessions?.closeAll();
			await server?.stop();
		});

		test('a quiet pool: the rules record it and the server, and page nobody', async () => {
			// Ten evaluations of a recorded series: several times the 2 s `for:` of the rules.
			await pollUntil(async () => (await values(stack.queryUrl, 'count_over_time(lifeguard:pool_used:ratio[1m])'))[0]! >= 10, {timeoutMs: 60_000, everyMs: 250, what: `ten evaluations (${stack.log()})`});
			assert.deepEqual(await values(stack.queryUrl, 'lifeguard:pool_used:ratio'), [0.4]);
			assert.deepEqual(await values(stack.queryUrl, 'lifeguard:server_usable_connections'), [USABLE]);
			assert.deepEqual(await values(stack.queryUrl, 'ALERTS{alertstate="firing"}'), []);
			assert.deepEqual(lifeguardAlerts(await alertmanager.alerts()), []);
		});

		test('--prometheus: the probe finds the HikariCP family on the orders service and the server on postgres, and a selector narrows it', async () => {
			const endpoint = {url: stack.queryUrl, selector: null, bearerToken: null};
			assert.deepEqual(await probeFamilies(endpoint, 5000), {ok: true, sources: [{id: 'hikaricp', services: ['orders']}, {id: 'postgres_exporter', services: ['postgres']}]});
			assert.deepEqual(await probeFamilies({...endpoint, selector: 'job="orders"'}, 5000), {ok: true, sources: [{id: 'hikaricp', services: ['orders']}]});
		});

		test('a saturated pool reaches Alertmanager as LifeguardPoolSaturated, with the server\'s free slots as postgres_exporter reads them', async t => {
			const startedMs = Date.now();
			app.setBody(saturatedPool);
			const alert = await pollUntil(async () => lifeguardAlerts(await alertmanager.alerts()).find(each => each.labels['alertname'] === 'LifeguardPoolSaturated'), {timeoutMs: 60_000, everyMs: 250, what: 'the pool alert in Alertmanager'});
			t.diagnostic(`in Alertmanager ${Date.now() - startedMs} ms after the endpoint turned saturated (1 s scrapes and evaluations, for: 2s)`);
			assert.equal(alert.labels['severity'], 'critical');
			assert.equal(alert.labels['lifeguard_family'], 'hikaricp');
			assert.equal(alert.labels['lifeguard_pool'], 'HikariPool-1');
			assert.equal(alert.labels['instance'], app.target);
			const sessionsSeen = (await values(stack.queryUrl, 'sum(pg_stat_activity_count)'))[0]!;
			assert.ok(sessionsSeen >= 5, `${sessionsSeen} sessions seen by postgres_exporter`);
			const free = USABLE - sessionsSeen;
			assert.equal(alert.annotations['summary'], `Pool orders/HikariPool-1 on ${app.target} is saturated: 5/5 busy, 150 waiting, while the server has ${free} free slots: raise the pool's max.`);

			// The hold joins the alert's own ALERTS series to the pool's recorded series: both must be in storage, alike.
			const joined = 'ALERTS{alertname="LifeguardPoolSaturated",alertstate="firing"} and ignoring (alertname, alertstate, severity, alertgroup) lifeguard:pool_queued';
			await pollUntil(async () => (await values(stack.queryUrl, joined)).length === 1, {timeoutMs: 30_000, everyMs: 250, what: 'the alert\'s ALERTS series joined to its pool'});

			// 5/5 is also "busy" at both levels: with the README's inhibit rules, Alertmanager holds those back.
			const busy = await pollUntil(async () => {
				const found = lifeguardAlerts(await alertmanager.alerts()).filter(each => each.labels['alertname'] === 'LifeguardPoolBusy');
				return found.length === 2 && found.every(each => each.status?.state === 'suppressed') && found;
			}, {timeoutMs: 30_000, everyMs: 250, what: 'both busy alerts, suppressed'});
			assert.deepEqual(busy.map(each => each.labels['severity']).sort(), ['critical', 'warning']);
		});

		test('the server past --warn of its usable slots reaches Alertmanager as LifeguardServerSaturated', async () => {
			// 4 + 7 held, and the exporter's own: over 12 of 15 usable (80 %)
			for (let index = 0; index < 7; index++) {
				await sessions.open('reports');
			}

			const alert = await pollUntil(async () => lifeguardAlerts(await alertmanager.alerts()).find(each => each.labels['alertname'] === 'LifeguardServerSaturated' && each.labels['severity'] === 'warning'), {timeoutMs: 60_000, everyMs: 250, what: 'the server alert in Alertmanager'});
			const sessionsSeen = (await values(stack.queryUrl, 'sum(pg_stat_activity_count)'))[0]!;
			assert.ok(sessionsSeen >= 12, `${sessionsSeen} sessions seen by postgres_exporter`);
			assert.equal(alert.annotations['summary'], `Server 127.0.0.1:${server.port} at ${Math.round(sessionsSeen / USABLE * 100)}% of usable connections (${sessionsSeen}/${USABLE}). Terminate idle sessions or lower pool sizes.`);
		});
	});
}
