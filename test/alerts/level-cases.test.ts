// The rules that judge a ratio against --warn and --critical (a pool's busy share, the server's used
// slots) and the fleet's sum of maxes, run by promtool: firing and quiet cases, the hold 5 points
// under the line that keeps a hovering value from paging twice, and the clear after three samples.
import {test} from 'node:test';
import {assertPasses, firingAt, HIKARI, saysAt, unit} from './cases.js';
import {PROMTOOL_MISSING} from './promtool.js';
import {APP, DB, goSql, held, jdbc, micrometerHikari, postgresExporter} from './series.js';

test('pool busy: warning at --warn, critical at --critical, in the finding\'s words; quiet below', {skip: PROMTOOL_MISSING}, async () => {
	const words = (severity: string, active: number, line: number, clear: number) => ({
		labels: HIKARI,
		severity,
		summary: `Pool orders/HikariPool-1 on 10.0.0.7:8080 is ${active}/100 busy (${active}%), nobody waiting yet; the server has 91 free slots. The next burst will queue: raise its max if the server has room.`,
		description: `Busy connections reached ${line}% of the pool's max. Fires after 30s; holds until 3 samples (44s) under ${clear}%.`,
	});
	const pool = (active: number) => [...micrometerHikari('HikariPool-1', {max: held(100), active: held(active), pending: held(0)}), ...postgresExporter(held(6))];
	await assertPasses([
		unit('warning', pool(80), {says: [saysAt(30, 'LifeguardPoolBusy', [words('warning', 80, 80, 75)])]}),
		unit('critical', pool(96), {says: [saysAt(30, 'LifeguardPoolBusy', [words('critical', 96, 95, 90), words('warning', 96, 80, 75)])]}),
		unit('quiet', pool(79), {fires: [firingAt(60, 'LifeguardPoolBusy', [])]}),
	]);
});

test('pool busy without a waiting gauge never says "nobody waiting": its source shows none, or wait counters that stood still', {skip: PROMTOOL_MISSING}, async () => {
	const JDBC = {...APP, application: 'orders', name: 'dataSource', lifeguard_pool: 'dataSource', lifeguard_family: 'jdbc'};
	const summary = (busy: string, percent: number, queue: string, pool = 'dataSource') => `Pool orders/${pool} on 10.0.0.7:8080 is ${busy} busy (${percent}%), ${queue}; the server has 91 free slots. The next burst will queue: raise its max if the server has room.`;
	const GO = {...APP, db_name: 'inventory', lifeguard_pool: 'inventory', lifeguard_family: 'go_sql'};
	const description = 'Busy connections reached 80% of the pool\'s max. Fires after 30s; holds until 3 samples (44s) under 75%.';
	await assertPasses([
		unit('no gauge', [...jdbc(85, 100), ...postgresExporter(held(6))], {
			says: [saysAt(30, 'LifeguardPoolBusy', [{labels: JDBC, severity: 'warning', summary: summary('85/100', 85, 'its source shows no waiting count'), description}])],
		}),
		unit('wait counters still', [...goSql(4, held(0)), ...postgresExporter(held(6))], {
			says: [saysAt(30, 'LifeguardPoolBusy', [{labels: {...GO, job: 'orders'}, severity: 'warning', summary: summary('4/5', 80, 'no new waits counted in the last 1m', 'inventory'), description}])],
		}),
	]);
});

test('pool busy holds between the lowered line and --warn, says so, and clears after three samples under it', {skip: PROMTOOL_MISSING}, async () => {
	// 80 % from 0 s (fires at 30 s), 77 % from 45 s (held), 70 % from 75 s: cleared at 105 s
	const input = [...micrometerHikari('HikariPool-1', {max: held(100), active: '80 80 80 77 77 70 70 70 70 70 70 70', pending: held(0)}), ...postgresExporter(held(6))];
	const warning = {labels: HIKARI, severity: 'warning'};
	await assertPasses([unit('hold', input, {
		fires: [firingAt(30, 'LifeguardPoolBusy', [warning]), firingAt(90, 'LifeguardPoolBusy', [warning]), firingAt(105, 'LifeguardPoolBusy', [])],
		says: [saysAt(60, 'LifeguardPoolBusy', [{
			...warning,
			summary: 'Pool orders/HikariPool-1 on 10.0.0.7:8080 is 77/100 busy (77%), nobody waiting yet; the server has 91 free slots (below 80%, but warning holds until under 75%). The next burst will queue: raise its max if the server has room.',
			description: 'Busy connections reached 80% of the pool\'s max. Fires after 30s; holds until 3 samples (44s) under 75%.',
		}])],
	})]);

	// Without having fired, 77 % is below the line: it never rises.
	const never = [...micrometerHikari('HikariPool-1', {max: held(100), active: held(77), pending: held(0)}), ...postgresExporter(held(6))];
	await assertPasses([unit('never', never, {fires: [firingAt(90, 'LifeguardPoolBusy', [])]})]);
});

test('a value hovering across --warn fires once and stays (no second page), as the screen holds a level', {skip: PROMTOOL_MISSING}, async () => {
	const input = [...micrometerHikari('HikariPool-1', {max: held(100), active: '81 81 81 79 81 79 81 79 81 79 81 79', pending: held(0)}), ...postgresExporter(held(6))];
	const warning = {labels: HIKARI, severity: 'warning'};
	await assertPasses([unit('hover', input, {fires: [30, 45, 60, 75, 90, 105, 120, 135, 150, 165].map(seconds => firingAt(seconds, 'LifeguardPoolBusy', [warning]))})]);
});

test('server saturated: warning and critical on usable slots (reserved ones taken off), held 5 points lower; quiet below', {skip: PROMTOOL_MISSING}, async () => {
	const SERVER = {...DB};
	const words = (severity: string, percent: number, connections: number, line: number, clear: number, holding = '', usable = 97) => ({
		labels: SERVER,
		severity,
		summary: `Server 10.0.0.5:5432 at ${percent}% of usable connections (${connections}/${usable})${holding}. Terminate idle sessions or lower pool sizes.`,
		description: `Sessions reached ${line}% of the slots an ordinary client can take; \`lifeguard\` on this server shows who holds them. Fires after 30s; holds until 3 samples (44s) under ${clear}%.`,
	});
	await assertPasses([
		// 80 of 100 - 3 superuser-reserved = 82 %
		unit('warning', postgresExporter(held(80)), {says: [saysAt(30, 'LifeguardServerSaturated', [words('warning', 82, 80, 80, 75)])]}),
		// PostgreSQL 16's reserved_connections counts too: 91 of 100 - 3 - 2 = 96 %
		unit('critical', postgresExporter(held(91), {reserved: 2}), {says: [saysAt(30, 'LifeguardServerSaturated', [words('critical', 96, 91, 95, 90, '', 95), words('warning', 96, 91, 80, 75, '', 95)])]}),
		unit('quiet', postgresExporter(held(77)), {fires: [firingAt(60, 'LifeguardServerSaturated', [])]}),
		// 96 % fires critical at 30 s; 91 % holds it (with the words that say why); 85 % for three samples clears it
		unit('held', postgresExporter('93 93 93 88 88 82 82 82 82 82 82 82'), {
			fires: [firingAt(30, 'LifeguardServerSaturated', [{labels: SERVER, severity: 'critical'}, {labels: SERVER, severity: 'warning'}]), firingAt(105, 'LifeguardServerSaturated', [{labels: SERVER, severity: 'warning'}])],
			says: [saysAt(60, 'LifeguardServerSaturated', [words('critical', 91, 88, 95, 90, ' (below 95%, but critical holds until under 90%)'), words('warning', 91, 88, 80, 75)])],
		}),
	]);
});

test('fleet over capacity: every instance\'s max adds up past the server\'s usable slots; quiet under them', {skip: PROMTOOL_MISSING}, async () => {
	const fleet = (max: number) => [
		...micrometerHikari('HikariPool-1', {max: held(max), active: held(1), pending: held(0)}, {job: 'orders', instance: '10.0.0.7:8080'}),
		...micrometerHikari('HikariPool-1', {max: held(max), active: held(1), pending: held(0)}, {job: 'orders', instance: '10.0.0.8:8080'}),
		...postgresExporter(held(6)),
	];
	await assertPasses([
		unit('over', fleet(50), {says: [saysAt(30, 'LifeguardFleetOverCapacity', [{
			labels: {},
			severity: 'warning',
			summary: 'The fleet\'s pools can open 100 connections (orders/HikariPool-1 100) but the server has 97 usable slots: when every instance fills its pool, logins fail. Lower the pools\' max or raise max_connections.',
			description: 'The sum of every pool\'s max over every instance is above the server\'s usable slots. Fires after 30s.',
		}])]}),
		unit('under', fleet(48), {fires: [firingAt(60, 'LifeguardFleetOverCapacity', [])]}),
	]);
});
