// Issue 22, item 2: a fleet's instances leaving, through a real Prometheus (Debian's) scraping three
// loopback instances every second. One failed scrape of an instance (a body Prometheus cannot parse:
// `up` 0, its series stale until the next scrape) is seen by lifeguard as a missing instance and says
// nothing; an instance whose server stops is one `instances` change, on the Changes line at 80×24 and
// in the timeline with its time.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {renderToString} from 'ink';
import {createPoolCollector} from '../../../source/collectors/pools/create-collector.js';
import {parsePrometheusSpec} from '../../../source/connection/pool-endpoint.js';
import type {LogEvent} from '../../../source/judge/log-events.js';
import {renderTimeline} from '../../../source/output/timeline.js';
import {startPoller} from '../../../source/polling/poller.js';
import type {PoolReading} from '../../../source/readings/types.js';
import {initialState} from '../../../source/screen/board.js';
import {type Desk, deskOf, updateDesk} from '../../../source/screen/desk.js';
import {deskLines} from '../../../source/ui/components/dashboard.js';
import {Lines} from '../../../source/ui/lines.js';
import {ThemeContext} from '../../../source/ui/theme.js';
import {pollUntil} from '../../helpers/postgres.js';
import {type FixtureServer, hikariExposition, PROMETHEUS_MISSING, prometheusBinary, startFixtureServer, startPrometheus, type TestPrometheus} from '../../helpers/prometheus.js';
import {defaultThresholds} from '../../helpers/snapshots.js';

const missing = prometheusBinary() === null ? PROMETHEUS_MISSING : null;
const body = () => hikariExposition([{pool: 'HikariPool-1', max: 10, active: 2, idle: 8, pending: 0}]);

const frame = (desk: Desk) => renderToString(
	<ThemeContext.Provider value={{isColor: false}}>
		<Lines lines={deskLines({desk, targets: ['embedded'], columns: 80, rows: 24})} width={80}/>
	</ThemeContext.Provider>,
	{columns: 80},
);

test('one failed scrape says nothing; an instance whose server stopped left the fleet: one change, on screen and in the timeline', async t => {
	if (missing) {
		t.skip(missing);
		return;
	}

	const fixtures: FixtureServer[] = [];
	let prometheus: TestPrometheus | undefined;
	let stopPoller = () => {};
	const collector = {close: async () => {}};
	try {
		for (let index = 0; index < 3; index++) {
			fixtures.push(await startFixtureServer(body));
		}

		// Scrapes every 2 s (timeout 2 s): a loaded machine must not fail a second scrape of the hiccup by timing out.
		prometheus = await startPrometheus([{job: 'pods', targets: fixtures.map(fixture => fixture.target), labels: {service: 'checkout'}}], {intervalSeconds: 2});
		const endpoint = parsePrometheusSpec(prometheus.url, '--prometheus', {selector: null, token: null});
		const source = createPoolCollector(endpoint);
		collector.close = async () => source.close();
		// Watching starts once Prometheus has scraped all three (else they would join one by one).
		await pollUntil(async () => {
			const reading = await source.collect(2000);
			return reading.ok && reading.pools[0]?.fleet?.instances === 3;
		}, {timeoutMs: 30_000, everyMs: 200, what: 'three instances through Prometheus'});
		let desk = deskOf([initialState(defaultThresholds, {pools: []})]);
		const log: LogEvent[] = [];
		const readings: PoolReading[] = [];
		const poller = startPoller({task: async () => source.collect(2000), intervalMs: 200, maxBackoffMs: 1000, isFailure: reading => !reading.ok, onResult(reading) {
			readings.push(reading);
			const step = updateDesk(desk, {type: 'pool-polled', endpoint, reading, atMs: Date.now()});
			desk = step.desk;
			log.push(...step.effects.flatMap(effect => (effect.type === 'log' ? [effect.event] : [])));
		}});
		stopPoller = () => poller.stop();
		const instances = (reading: PoolReading | undefined) => (reading?.ok ? reading.pools[0]?.fleet?.instances : undefined);
		const changes = () => log.filter(event => event.type === 'change');
		await pollUntil(() => instances(readings.at(-1)) === 3, {what: 'a first reading'});

		// A hiccup: the next scrape of the third instance cannot be parsed, the ones after can.
		const shaky = fixtures[2]!;
		let isBroken = true;
		shaky.setBody(() => {
			if (isBroken) {
				isBroken = false;
				return 'this is { not prometheus text\n';
			}

			return body();
		});
		const seenFrom = readings.length;
		await pollUntil(() => readings.slice(seenFrom).some(reading => instances(reading) === 2), {timeoutMs: 15_000, what: 'lifeguard to see the instance missing after its failed scrape'});
		const failed = readings.slice(seenFrom).find(reading => instances(reading) === 2);
		assert.ok(failed?.ok && failed.failedScrapes?.some(scrape => scrape.instance === shaky.target), `Prometheus says which scrape failed: ${JSON.stringify(failed?.ok && failed.failedScrapes)}`);
		await pollUntil(() => instances(readings.at(-1)) === 3 && !isBroken, {timeoutMs: 15_000, what: 'the instance back'});
		assert.deepEqual(changes(), [], `one failed scrape is no change: ${JSON.stringify(readings.slice(seenFrom).map(reading => [instances(reading), reading.ok && reading.failedScrapes]))}`);

		// The third instance's server stops: every scrape fails from now on.
		const stoppedMs = Date.now();
		await shaky.stop();
		fixtures.splice(2, 1);
		const event = await pollUntil(() => changes().find(change => change.what === 'instances'), {timeoutMs: 20_000, what: 'an instances line'});
		assert.ok(event.type === 'change' && event.what === 'instances');
		assert.deepEqual([event.from, event.to, event.joined, event.left], [3, 2, [], [shaky.target]]);
		assert.ok(Date.parse(event.at) >= stoppedMs, event.at);
		const pool = typeof event.subject === 'object' && event.subject.kind === 'pool' ? event.subject.name : '?';

		const changesLine = await pollUntil(() => frame(desk).split('\n').find(line => line.startsWith('Changes: ')), {what: 'the Changes line'});
		assert.equal(changesLine.replace(/ \d+(\.\d)? s ago$/, ''), `Changes: ${pool} instances 3→2`);
		const timeline = renderTimeline(log.map(line => JSON.stringify(line)).join('\n')).markdown;
		assert.match(timeline, new RegExp(`^- \\*\\*${event.at.slice(11, 19)} UTC:\\*\\* Pool ${pool.replaceAll('/', '\\/')}: 1 instance left the fleet \\(3 → 2\\): ${shaky.target.replaceAll('.', '\\.')}$`, 'm'), timeline);
		assert.equal(changes().length, 1, JSON.stringify(changes()));
	} finally {
		stopPoller();
		await collector.close();
		await prometheus?.stop();
		await Promise.all(fixtures.map(async fixture => fixture.stop()));
	}
});
