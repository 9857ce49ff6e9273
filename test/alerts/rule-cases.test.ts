// Every alerting rule, run by promtool on series shaped as the exporters write them: a case where it
// fires (with the words it says) and one where it stays quiet; the hold that keeps a level while the
// value hovers under its line, and the clear after three quiet samples.
import {test} from 'node:test';
import {alertRules} from '../../source/alerts/rules.js';
import {poolAdvice} from '../../source/judge/advice.js';
import {assertPasses, firingAt, HIKARI, saysAt, unit} from './cases.js';
import {PROMTOOL_MISSING, type PromqlCase, series} from './promtool.js';
import {agroal, APP, held, hikariSimpleclient, micrometerHikari, postgresExporter, type Usage} from './series.js';

const AGROAL = {...APP, datasource: 'default', lifeguard_pool: 'default', lifeguard_family: 'agroal'};
const holds = 'holds until nothing has waited for 3 samples (44s).';

/** Saturated, 5/5 busy and 150 waiting, with a usage timer. */
const hikariUsage = (usage: Usage, instance = APP.instance) => micrometerHikari('HikariPool-1', {max: held(5), active: held(5), pending: held(150), usage}, {...APP, instance});
const hikari = (max: number, active: number, pending: number | string, timeouts?: string) => micrometerHikari('HikariPool-1', {max: held(max), active: held(active), pending: typeof pending === 'number' ? held(pending) : pending, timeouts});

test('pool saturated: fires at the third sample at the max with a queue, in the finding\'s words; quiet at the max with nobody waiting', {skip: PROMTOOL_MISSING}, async () => {
	await assertPasses([
		unit('saturated', [...hikari(5, 5, 150), ...postgresExporter(held(6))], {
			fires: [firingAt(15, 'LifeguardPoolSaturated', []), firingAt(30, 'LifeguardPoolSaturated', [{labels: HIKARI, severity: 'critical'}])],
			says: [saysAt(30, 'LifeguardPoolSaturated', [{
				labels: HIKARI,
				severity: 'critical',
				summary: 'Pool orders/HikariPool-1 on 10.0.0.7:8080 is saturated: 5/5 busy, 150 waiting, while the server has 91 free slots: raise the pool\'s max.',
				description: 'Requests wait for a connection while every connection of the pool is busy and the server has room. Fires after 30s, holds until 3 samples (44s) without a queue or below the max.',
			}])],
		}),
		unit('at the max, nobody waiting', [...hikari(5, 5, 0), ...postgresExporter(held(6))], {fires: [firingAt(60, 'LifeguardPoolSaturated', [])]}),
	]);
});

/** The screen's advice for a fleet of `instances` such pools at `usage` each, against a server of 97 usable slots with `free` free. */
function screenAdvice(usage: Usage, instances: number, free: number | null) {
	return poolAdvice({
		pool: 'checkout', max: 5, instances, open: 5 * instances,
		rates: {servedPerSecond: usage.perSecond * instances, meanHoldSeconds: usage.holdSeconds, timeoutsPerMinute: 0, queueGrowthPerSecond: 0},
		hasHoldTimes: true, format: 'prometheus', server: free === null ? null : {usable: 97, free}, windowSeconds: 60,
	});
}

/** The recorded needed and advised max of each instance equal the screen's numbers (absent where the screen has none). */
function agreesWithScreen(advice: ReturnType<typeof poolAdvice>, instances: readonly string[], hasServer = true): PromqlCase[] {
	const each = (value: number | null) => (value === null ? [] : instances.map(instance => ({labels: series('', {instance}), value})));
	return [
		{expr: 'max by (instance) (lifeguard:pool_needed_connections)', eval_time: '60s', exp_samples: each(advice.needed)},
		...(hasServer ? [{expr: 'max by (instance) (lifeguard:pool_advised_max)', eval_time: '60s', exp_samples: each(advice.suggested)}] : []),
	];
}

test('pool saturated with a usage timer: the screen\'s sizing advice, bounded by the slots the server can spare for the fleet', {skip: PROMTOOL_MISSING}, async () => {
	const INSTANCES = ['10.0.0.7:8080', '10.0.0.8:8080', '10.0.0.9:8080'];
	const fleet = (usage: Usage, connections: number) => [...INSTANCES.flatMap(instance => hikariUsage(usage, instance)), ...postgresExporter(held(connections))];
	const says = (instances: readonly string[], server: string, advice: string) => saysAt(60, 'LifeguardPoolSaturated', instances.map(instance => ({
		labels: {...HIKARI, instance},
		severity: 'critical',
		summary: `Pool orders/HikariPool-1 on ${instance} is saturated: 5/5 busy, 150 waiting, ${server}: ${advice}.`,
		description: 'Requests wait for a connection while every connection of the pool is busy and the server has room. Fires after 30s, holds until 3 samples (44s) without a queue or below the max.',
	})));
	const steady = {perSecond: 50, holdSeconds: 0.2};
	const small = {perSecond: 30, holdSeconds: 0.2};
	const light = {perSecond: 15, holdSeconds: 0.2};
	// At 60 s: the rate window (1m) has filled; before, rate() reads a counter that started at 0 as slower.
	// Each case's numbers are judge/advice.ts's own (screenAdvice): the rules must not drift from it.
	await assertPasses([
		// 50 req/s × 0.2 s = 10 busy on average: 15 with headroom; 91 free, 86 to spare.
		unit('one instance', [...hikariUsage(steady), ...postgresExporter(held(6))], {
			says: [says([APP.instance], 'while the server has 91 free slots', 'needs ~10 connections (≈ 50 req/s × 0.20 s); set max 15 for headroom')],
			fires: agreesWithScreen(screenAdvice(steady, 1, 91), [APP.instance]),
		}),
		// 3 × (30 req/s × 0.2 s): 6 each, 9 with headroom; 3 × 9 = 27 > 15 busy + 17 free − 10 kept = 22: 7 each fits.
		unit('fleet bounded', fleet(small, 80), {
			says: [says(INSTANCES, 'while the server has 17 free slots', 'needs ~6 connections per instance (≈ 30 req/s × 0.20 s); set max 7, all the server can spare (3 instances × 9 > 22 slots to spare)')],
			fires: agreesWithScreen(screenAdvice(small, 3, 17), INSTANCES),
		}),
		// 7 free: 15 + 7 − 10 = 12 to spare, 4 each, fewer than the 6 needed.
		unit('nothing fits', fleet(small, 90), {
			says: [says(INSTANCES, 'while the server has 7 free slots', 'needs ~6 connections per instance (≈ 30 req/s × 0.20 s); 3 instances × 9 > 12 slots to spare: put PgBouncer in front or raise max_connections first')],
			fires: agreesWithScreen(screenAdvice(small, 3, 7), INSTANCES),
		}),
		// 15 req/s × 0.2 s = 3, 5 with headroom: the max is not what is short.
		unit('max covers it', [...hikariUsage(light), ...postgresExporter(held(6))], {
			says: [says([APP.instance], 'while the server has 91 free slots', 'needs ~3 connections (≈ 15 req/s × 0.20 s); its max 5 covers it: look for bursts or slow queries')],
			fires: agreesWithScreen(screenAdvice(light, 1, 91), [APP.instance]),
		}),
		unit('no server', hikariUsage(steady), {
			says: [says([APP.instance], 'while the server\'s free slots are unknown (no postgres_exporter series)', 'needs ~10 connections (≈ 50 req/s × 0.20 s); set max 15 for headroom (the server\'s room is unknown: check it first)')],
			fires: agreesWithScreen(screenAdvice(steady, 1, null), [APP.instance], false),
		}),
		// Nothing came back in the window: no hold time to size it by, as the screen says.
		unit('stuck', [...hikariUsage({perSecond: 0, holdSeconds: 0}), ...postgresExporter(held(6))], {
			says: [says([APP.instance], 'while the server has 91 free slots', 'no connection came back in the last 1m: find what holds its connections before sizing it')],
		}),
		// HikariCP's own collector counts in milliseconds: the same advice from the same demand.
		unit('milliseconds', [...hikariSimpleclient(5, 150, steady), ...postgresExporter(held(6))], {
			says: [saysAt(60, 'LifeguardPoolSaturated', [{
				labels: {...APP, pool: 'billing', lifeguard_pool: 'billing', lifeguard_family: 'hikaricp'},
				severity: 'critical',
				summary: 'Pool orders/billing on 10.0.0.7:8080 is saturated: 5/5 busy, 150 waiting, while the server has 91 free slots: needs ~10 connections (≈ 50 req/s × 0.20 s); set max 15 for headroom.',
				description: 'Requests wait for a connection while every connection of the pool is busy and the server has room. Fires after 30s, holds until 3 samples (44s) without a queue or below the max.',
			}])],
		}),
	]);
});

test('a fleet is one service\'s pool: two apps under one job (as Kubernetes pod scraping labels them) are two fleets, as on the screen', {skip: PROMTOOL_MISSING}, async () => {
	const app = (name: string, instance: string) => micrometerHikari('HikariPool-1', {max: held(5), active: held(5), pending: held(150), usage: {perSecond: 30, holdSeconds: 0.2}}, {job: 'kubernetes-pods', app: name, instance});
	const input = [...app('orders', '10.0.0.7:8080'), ...app('billing', '10.0.0.8:8080'), ...postgresExporter(held(6))];
	await assertPasses([unit('two apps', input, {
		fires: [{expr: 'lifeguard:pool_fleet_instances', eval_time: '60s', exp_samples: ['orders', 'billing'].map(name => ({
			labels: series('lifeguard:pool_fleet_instances', {app: name, job: 'kubernetes-pods', lifeguard_family: 'hikaricp', lifeguard_pool: 'HikariPool-1'}), value: 1,
		}))}],
	})]);
});

test('pool saturated holds while the queue comes and goes, and clears at the third sample without one', {skip: PROMTOOL_MISSING}, async () => {
	// waiting at 0–45 s, none at 60, back at 75, none from 90 on: one alert throughout, cleared at 120 s
	const fires = (seconds: number) => firingAt(seconds, 'LifeguardPoolSaturated', [{labels: HIKARI, severity: 'critical'}]);
	await assertPasses([unit('hold', [...hikari(5, 5, '150 150 150 150 0 150 0 0 0 0 0 0'), ...postgresExporter(held(6))], {
		fires: [fires(30), fires(60), fires(90), fires(105), firingAt(120, 'LifeguardPoolSaturated', [])],
	})]);
});

test('pool saturated, then below its max with the queue still there: saturated clears after three samples, waiting below the max takes over', {skip: PROMTOOL_MISSING}, async () => {
	// 5/5 with a queue until 45 s, 4/5 with the queue from 60 s: held at 60 and 75, cleared at 90 s
	const input = [...micrometerHikari('HikariPool-1', {max: held(5), active: '5 5 5 5 4 4 4 4 4 4 4 4', pending: held(3)}), ...postgresExporter(held(6))];
	const critical = {labels: HIKARI, severity: 'critical'};
	await assertPasses([unit('below max', input, {fires: [
		firingAt(75, 'LifeguardPoolSaturated', [critical]),
		firingAt(90, 'LifeguardPoolSaturated', []),
		firingAt(90, 'LifeguardPoolWaiting', [critical, {labels: HIKARI, severity: 'warning'}]),
	]})]);
});

test('waiting behind a full server: fires instead of "raise the max"; quiet while the server has room', {skip: PROMTOOL_MISSING}, async () => {
	await assertPasses([
		unit('full', [...hikari(5, 5, 150), ...postgresExporter(held(97))], {
			fires: [firingAt(30, 'LifeguardPoolSaturated', [])],
			says: [saysAt(30, 'LifeguardPoolWaitingBehindFullServer', [{
				labels: HIKARI,
				severity: 'critical',
				summary: 'Pool orders/HikariPool-1 on 10.0.0.7:8080 has requests waiting (5/5 busy, 150 waiting) behind a full server (97/97): free server slots first; raising the pool\'s max will not help.',
				description: `Requests wait for a connection while the server has no free slot. Fires after 30s, ${holds}`,
			}])],
		}),
		unit('room', [...hikari(5, 5, 150), ...postgresExporter(held(96))], {fires: [firingAt(30, 'LifeguardPoolWaitingBehindFullServer', [])]}),
	]);
});

test('waiting below the max: warning, and critical once it lasts; quiet without waiters', {skip: PROMTOOL_MISSING}, async () => {
	const words = (severity: string, lasting: string) => ({
		labels: HIKARI,
		severity,
		summary: `Pool orders/HikariPool-1 on 10.0.0.7:8080 has requests waiting below its max (3/5 busy, 2 waiting${lasting}): it cannot open connections fast enough; check its logs for refused logins.`,
		description: `Requests wait although the pool is below its max. ${severity === 'critical' ? 'Critical once it lasts 30s' : 'Fires after 30s'}, ${holds}`,
	});
	await assertPasses([
		unit('waiting', [...hikari(5, 3, 2), ...postgresExporter(held(6))], {
			fires: [firingAt(15, 'LifeguardPoolWaiting', [])],
			says: [saysAt(30, 'LifeguardPoolWaiting', [words('warning', ''), words('critical', ' for over 30s')])],
		}),
		unit('nobody waiting', [...hikari(5, 3, 0), ...postgresExporter(held(6))], {fires: [firingAt(60, 'LifeguardPoolWaiting', [])]}),
	]);

	// At a 2 s interval the screen's 10 s of waiting shows apart: warning after 4 s, critical after 10 s.
	const fast = alertRules({warnRatio: 0.8, criticalRatio: 0.95, intervalSeconds: 2});
	const input = [...micrometerHikari('HikariPool-1', {max: '5x20', active: '3x20', pending: '2x20'}), ...postgresExporter('6x20')];
	const warning = {labels: HIKARI, severity: 'warning'};
	await assertPasses([unit('fast', input, {
		interval: '2s',
		fires: [
			firingAt(2, 'LifeguardPoolWaiting', []),
			firingAt(4, 'LifeguardPoolWaiting', [warning]),
			firingAt(8, 'LifeguardPoolWaiting', [warning]),
			firingAt(10, 'LifeguardPoolWaiting', [{labels: HIKARI, severity: 'critical'}, warning]),
		],
	})], fast, '2s');
});

test('may be saturated: a queue where the max is unknown (Agroal); quiet without one', {skip: PROMTOOL_MISSING}, async () => {
	const words = (severity: string, lasting: string) => ({
		labels: AGROAL,
		severity,
		summary: `Pool orders/default on 10.0.0.7:8080 may be saturated: 3 busy, 4 waiting${lasting}, and its max is unknown, while the server has 91 free slots. Check the pool's max and raise it if it is the limit.`,
		description: `Requests wait and the source does not expose the pool's max (or its busy count). ${severity === 'critical' ? 'Critical once it lasts 30s' : 'Fires after 30s'}, ${holds}`,
	});
	await assertPasses([
		unit('queue', [...agroal(3, 4), ...postgresExporter(held(6))], {says: [saysAt(30, 'LifeguardPoolMaybeSaturated', [words('warning', ''), words('critical', ' for over 30s')])]}),
		unit('no queue', [...agroal(3, 0), ...postgresExporter(held(6))], {fires: [firingAt(60, 'LifeguardPoolMaybeSaturated', [])]}),
	]);
});

test('timeouts: fires while the counter moves, in requests a minute; quiet while it stands', {skip: PROMTOOL_MISSING}, async () => {
	// +1 every 15 s: 4 a minute
	await assertPasses([
		unit('moving', [...hikari(5, 5, 0, '0+1x11'), ...postgresExporter(held(6))], {says: [saysAt(60, 'LifeguardPoolTimeouts', [{
			labels: HIKARI,
			severity: 'warning',
			summary: 'Pool orders/HikariPool-1 on 10.0.0.7:8080: 4 requests a minute timed out waiting for a connection over the last 1m (5/5 busy now); check the server\'s free slots and the pool\'s max.',
			description: 'The pool\'s timeout counter moved (per minute, over 1m); for pgx pools, canceled acquires. Fires after 30s.',
		}])]}),
		unit('standing', [...hikari(5, 5, 0, held(42)), ...postgresExporter(held(6))], {fires: [firingAt(60, 'LifeguardPoolTimeouts', [])]}),
		unit('moving, server full', [...hikari(5, 5, 0, '0+1x11'), ...postgresExporter(held(97))], {says: [saysAt(60, 'LifeguardPoolTimeouts', [{
			labels: HIKARI,
			severity: 'warning',
			summary: 'Pool orders/HikariPool-1 on 10.0.0.7:8080: 4 requests a minute timed out waiting for a connection over the last 1m (5/5 busy now); the server is full (97/97): free server slots first.',
			description: 'The pool\'s timeout counter moved (per minute, over 1m); for pgx pools, canceled acquires. Fires after 30s.',
		}])]}),
	]);
});
