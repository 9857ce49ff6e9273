// Sizing by Little's law: the arithmetic on its own, then counters that move as real pools move them
// (served, timed out, hold times, a standing queue) read through lifeguard's own parsers and judge.
import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {type AdviceInput, arrivalPerSecond, MIN_SERVER_SPARE, poolAdvice, serverRoom} from '../../source/judge/advice.js';
import {freeConnections} from '../../source/judge/levels.js';
import {emptyWatch, judgePoolReading, judgeServerReading, type Watch} from '../../source/judge/watch.js';
import {parsePoolSpec} from '../../source/connection/pool-endpoint.js';
import {parsePrometheusText} from '../../source/collectors/pools/prometheus-text.js';
import {poolsFromExposition} from '../../source/collectors/pools/prometheus-pools.js';
import {poolsFromJson} from '../../source/collectors/pools/json-pools.js';
import type {PoolFormat, PoolMetrics, PoolReading, ServerSnapshot} from '../../source/readings/types.js';
import {baseTimeMs, defaultThresholds, serverSnapshot} from '../helpers/snapshots.js';
import {fleetPool, instance, prometheusEndpoint} from '../helpers/fleet.js';

/** The demo's steady state at max 5: 25 served and 25 timed out a second, the queue level, 0.2 s holds. */
const demoRates = {servedPerSecond: 25, meanHoldSeconds: 0.2, timeoutsPerMinute: 1500, queueGrowthPerSecond: 0};

function input(overrides: Partial<AdviceInput> = {}): AdviceInput {
	return {pool: 'checkout', max: 5, instances: 1, open: 5, rates: demoRates, hasHoldTimes: true, format: 'json', server: {usable: 97, free: 91}, windowSeconds: 30, ...overrides};
}

describe('the arithmetic', () => {
	it('the demo\'s steady state: arrivals are served + timed out + queue growth, not served alone', () => {
		assert.equal(arrivalPerSecond(demoRates), 50);
		assert.deepEqual(poolAdvice(input()), {
			needed: 10,
			suggested: 15,
			arithmetic: '≈ 50 req/s × 0.20 s',
			limitedBy: 'demand',
			text: 'checkout needs ~10 connections (≈ 50 req/s × 0.20 s); set max 15 for headroom',
			step: 'needs ~10 connections (≈ 50 req/s × 0.20 s); set max 15 for headroom',
		});
	});

	it('a growing queue is arrivals too; a draining one was served from before', () => {
		assert.equal(arrivalPerSecond({...demoRates, timeoutsPerMinute: 0, queueGrowthPerSecond: 25}), 50);
		// Just raised: 60 served a second, 10 of them from a queue shrinking by 10 a second.
		assert.equal(arrivalPerSecond({...demoRates, servedPerSecond: 60, timeoutsPerMinute: 0, queueGrowthPerSecond: -10}), 50);
	});

	it('the issue\'s example: 38 req/s × 0.26 s ≈ 10, max 15 for headroom', () => {
		const advice = poolAdvice(input({rates: {servedPerSecond: 38, meanHoldSeconds: 0.26, timeoutsPerMinute: 0, queueGrowthPerSecond: 0}}));
		assert.equal(advice.text, 'checkout needs ~10 connections (≈ 38 req/s × 0.26 s); set max 15 for headroom');
	});

	it('small demand still gets MIN_HEADROOM_CONNECTIONS above its mean', () => {
		const advice = poolAdvice(input({max: 1, rates: {servedPerSecond: 2, meanHoldSeconds: 0.5, timeoutsPerMinute: 0, queueGrowthPerSecond: 0}}));
		assert.deepEqual([advice.needed, advice.suggested], [1, 3]);
	});

	it('a fleet of 12 instances: per instance, and bounded by the server', () => {
		const fleet = {instances: 12, open: 60, rates: {servedPerSecond: 456, meanHoldSeconds: 0.26, timeoutsPerMinute: 0, queueGrowthPerSecond: 0}};
		// 91 free + 60 its own − 10 spare = 141 < 12 × 15: the most that fits, 11, still covers the need.
		const roomy = poolAdvice(input({...fleet, server: {usable: 97, free: 91}}));
		assert.deepEqual([roomy.needed, roomy.suggested, roomy.limitedBy], [10, 11, 'server']);
		assert.match(roomy.text, /set max 11, all the server can spare: 12 instances × 15 = 180 > 141 slots to spare \(91 free \+ 60 its own − 10 kept free\)/);
		// 27 free: 77 to spare, 6 an instance, less than the 10 each needs.
		const tight = poolAdvice(input({...fleet, server: {usable: 97, free: 27}}));
		assert.deepEqual([tight.needed, tight.suggested, tight.limitedBy], [10, null, 'server']);
		assert.match(tight.text, /^checkout needs ~10 connections per instance \(≈ 456 req\/s × 0\.26 s ÷ 12 instances\); 12 instances × 15 = 180 > 77 slots to spare .*: put PgBouncer in front or raise max_connections first$/);
	});

	it('never a number that fills the server: suggested × instances stays within free + its own − spare', () => {
		for (const free of [0, 3, 10, 40, 91, 400]) {
			for (const instances of [1, 2, 12, 40]) {
				for (const served of [1, 25, 300, 5000]) {
					const open = instances * 5;
					const advice = poolAdvice(input({instances, open, server: {usable: 97 + open, free}, rates: {...demoRates, servedPerSecond: served}}));
					if (advice.suggested !== null && advice.suggested > 5) {
						const {room, spare} = serverRoom({usable: 97 + open, free}, open);
						assert.ok(advice.suggested * instances <= room, `${advice.text} (room ${room})`);
						assert.ok(spare >= MIN_SERVER_SPARE);
					}
				}
			}
		}
	});

	it('a max that already covers the mean says so instead of raising it', () => {
		const advice = poolAdvice(input({max: 20}));
		assert.deepEqual([advice.suggested, advice.limitedBy], [20, 'demand']);
		assert.match(advice.text, /its max 20 covers it: look for bursts or slow queries/);
	});

	it('an unknown server: the number with a warning to check its room', () => {
		assert.match(poolAdvice(input({server: null})).text, /set max 15 for headroom \(the server's room is unknown: check it first\)$/);
	});

	it('what is missing, instead of a number from the queue', () => {
		const cases: Array<[PoolFormat, RegExp]> = [
			['prometheus', /add a usage timer \(HikariCP hikaricp_connections_usage_seconds, OpenTelemetry db\.client\.connection\.use_time\)/],
			['json', /add servedTotal and holdSecondsTotal to its JSON \(or psycopg get_stats\(\) usage_ms, requests_num\)/],
		];
		for (const [format, hint] of cases) {
			const advice = poolAdvice(input({format, hasHoldTimes: false}));
			assert.deepEqual([advice.needed, advice.suggested, advice.limitedBy], [null, null, 'unmeasured']);
			assert.match(advice.text, /^checkout's demand is unknown: its source exposes no hold time: /);
			assert.match(advice.text, hint);
		}

		assert.equal(poolAdvice(input({rates: {servedPerSecond: null, meanHoldSeconds: null, timeoutsPerMinute: null, queueGrowthPerSecond: null}})).text, 'checkout: measuring demand (demand needs two readings of its usage counters)');
		// Everything held for the whole window (a stall): no hold time to multiply, and no guess.
		const stuck = poolAdvice(input({rates: {servedPerSecond: 0, meanHoldSeconds: null, timeoutsPerMinute: 600, queueGrowthPerSecond: 0}}));
		assert.deepEqual([stuck.needed, stuck.suggested], [null, null]);
		assert.match(stuck.text, /no connection came back in the last 30 s: find what holds its connections/);
	});
});

// --- counters that move like real ones, through the parsers and the judge -----------------------

/** The demo's steady state, second by second: 50 arrive, 25 are served (0.2 s each), 25 time out, 150 wait. */
function steadyState(second: number) {
	return {served: 1000 + (25 * second), holdSeconds: 200 + (5 * second), timeouts: 40 + (25 * second), waiting: 150};
}

/** 12 s of polls, a second apart, of one endpoint, judged against a server with 91 free slots. */
function watchPolls(format: PoolFormat, pools: (second: number) => PoolMetrics[], server = serverSnapshot({connections: 6})): Watch {
	const endpoint = format === 'prometheus' ? parsePoolSpec('checkout=http://127.0.0.1:9/metrics') : parsePoolSpec('checkout=json+http://127.0.0.1:9/pool');
	let watch = judgeServerReading(emptyWatch(defaultThresholds), {ok: true, snapshot: server, isReconnected: false}, baseTimeMs).watch;
	for (let second = 0; second <= 12; second++) {
		const reading: PoolReading = {ok: true, format, pools: pools(second)};
		watch = judgePoolReading(watch, endpoint, reading, baseTimeMs + (second * 1000)).watch;
	}

	return watch;
}

function assertDemoAdvice(watch: Watch, server: ServerSnapshot) {
	const pool = watch.live.pools[0]!;
	const advice = pool.advice!;
	assert.ok(advice.suggested !== null && advice.suggested >= 10 && advice.suggested <= 25, advice.text);
	assert.ok(advice.suggested <= freeConnections(server), `${advice.suggested} > ${freeConnections(server)} free`);
	assert.equal(advice.text, `${pool.name} needs ~10 connections (≈ 50 req/s × 0.20 s); set max 15 for headroom`);
	const finding = watch.live.findings.find(each => each.code === 'pool-saturated');
	assert.match(finding!.message, /while the server has 91 free slots: needs ~10 connections \(≈ 50 req\/s × 0\.20 s\); set max 15 for headroom\.$/);
}

describe('counters that move like real ones', () => {
	const server = serverSnapshot({connections: 6});
	const hikariNamings: Array<[string, string, string, number]> = [
		['Micrometer', 'hikaricp_connections_usage_seconds_count', 'hikaricp_connections_usage_seconds_sum', 1],
		['Micrometer without the unit', 'hikaricp_connections_usage_count', 'hikaricp_connections_usage_sum', 1],
		['HikariCP\'s own collector (ms)', 'hikaricp_connection_usage_millis_count', 'hikaricp_connection_usage_millis_sum', 1000],
	];
	for (const [naming, count, sum, scale] of hikariNamings) {
		it(`HikariCP, ${naming}: max 5 with 150 waiting is sized from demand, within the server`, () => {
			const exposition = (second: number) => {
				const now = steadyState(second);
				return poolsFromExposition(parsePrometheusText([
					'hikaricp_connections_max{pool="HikariPool-1"} 5',
					'hikaricp_connections_active{pool="HikariPool-1"} 5',
					'hikaricp_connections_idle{pool="HikariPool-1"} 0',
					`hikaricp_connections_pending{pool="HikariPool-1"} ${now.waiting}`,
					`hikaricp_connections_timeout_total{pool="HikariPool-1"} ${now.timeouts}`,
					`${count}{pool="HikariPool-1"} ${now.served}`,
					`${sum}{pool="HikariPool-1"} ${now.holdSeconds * scale}`,
					'',
				].join('\n')));
			};

			assertDemoAdvice(watchPolls('prometheus', exposition), server);
		});
	}

	it('psycopg_pool get_stats(): requests_num, requests_errors, usage_ms', () => {
		const stats = (second: number) => {
			const now = steadyState(second);
			// requests_num counts every request as it asks: the served, the failed, the queued and the 5 out.
			const body = {pool_min: 5, pool_max: 5, pool_size: 5, requests_waiting: now.waiting, requests_num: now.served + now.timeouts + now.waiting + 5, requests_errors: now.timeouts, usage_ms: now.holdSeconds * 1000, requests_queued: now.served, requests_wait_ms: 9000};
			const parsed = poolsFromJson(body);
			assert.ok(parsed.ok);
			return parsed.pools;
		};

		assertDemoAdvice(watchPolls('json', stats), server);
	});

	it('lifeguard\'s payload (the demo\'s pool): servedTotal, holdSecondsTotal, timeoutsTotal', () => {
		const payload = (second: number) => {
			const now = steadyState(second);
			const parsed = poolsFromJson({pools: [{name: 'checkout', max: 5, total: 5, idle: 0, waiting: now.waiting, timeoutsTotal: now.timeouts, servedTotal: now.served, holdSecondsTotal: now.holdSeconds}]});
			assert.ok(parsed.ok);
			return parsed.pools;
		};

		assertDemoAdvice(watchPolls('json', payload), server);
	});

	it('Go database/sql (no hold time): the finding and the advice say what is missing, no number', () => {
		const exposition = (second: number) => poolsFromExposition(parsePrometheusText([
			'go_sql_max_open_connections{db_name="inventory"} 5',
			'go_sql_in_use_connections{db_name="inventory"} 5',
			'go_sql_idle_connections{db_name="inventory"} 0',
			`go_sql_wait_count_total{db_name="inventory"} ${100 + (25 * second)}`,
			`go_sql_wait_duration_seconds_total{db_name="inventory"} ${50 + (70 * second)}`,
			'',
		].join('\n')));
		const watch = watchPolls('prometheus', exposition);
		const pool = watch.live.pools[0]!;
		assert.deepEqual([pool.advice!.needed, pool.advice!.suggested, pool.advice!.limitedBy], [null, null, 'unmeasured']);
		assert.match(pool.advice!.text, /its source exposes no hold time: add a usage timer/);
		const finding = watch.live.findings.find(each => each.code === 'pool-saturated');
		assert.match(finding!.message, /: raise the pool's max \(its source exposes no hold time to size it\)\.$/);
	});

	it('a fleet of 12 instances through Prometheus\' rates: bounded by the server, PgBouncer first', () => {
		// Each instance: max 5 full, 150 waiting, 25 served and 25 timed out a second, 0.2 s holds.
		const rates = {waitsPerSecond: null, waitingAverage: null, timeoutsPerMinute: 1500, servedPerSecond: 25, holdSecondsPerSecond: 5};
		const members = Array.from({length: 12}, (_, index) => instance(`pod-${index}`, 5, 150, 5, {sourceRates: rates}));
		const crowded = serverSnapshot({connections: 70});
		let watch = judgeServerReading(emptyWatch(defaultThresholds), {ok: true, snapshot: crowded, isReconnected: false}, baseTimeMs).watch;
		watch = judgePoolReading(watch, prometheusEndpoint, {ok: true, format: 'prometheus', pools: [fleetPool('checkout', members)]}, baseTimeMs).watch;
		const advice = watch.live.pools[0]!.advice!;
		assert.deepEqual([advice.needed, advice.suggested, advice.limitedBy], [10, null, 'server']);
		assert.match(advice.text, /needs ~10 connections per instance \(≈ 600 req\/s × 0\.20 s ÷ 12 instances\); 12 instances × 15 = 180 > 77 slots to spare \(27 free \+ 60 its own − 10 kept free\): put PgBouncer in front or raise max_connections first$/);
		assert.match(watch.live.findings[0]!.message, /put PgBouncer in front or raise max_connections first\.$/);
	});
});
