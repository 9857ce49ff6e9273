import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {parsePrometheusText, parsePromNumber} from '../../../source/collectors/pools/prometheus-text.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/pools/${name}`, import.meta.url), 'utf8');

test('edge cases: escapes, } and , inside values, NaN, ±Inf, timestamps, exemplars, quoted names', () => {
	const parsed = parsePrometheusText(fixture('edge-cases.prom'));
	assert.deepEqual(parsed.samples, [
		{name: 'weird_metric', labels: {path: 'C:\\temp\\', quote: 'say "hi"', multi: 'line1\nline2'}, value: 1, timestamp: null},
		{name: 'weird_metric', labels: {brace: 'a}b', comma: 'x,y', empty: ''}, value: 2500, timestamp: null},
		{name: 'weird_metric', labels: {spaced: 'yes', tab: 't'}, value: -3, timestamp: 1_712_345_678_000},
		{name: 'namespace:job:rate5m', labels: {job: 'api'}, value: Number.NaN, timestamp: null},
		{name: 'infinite_metric', labels: {sign: 'plus'}, value: Number.POSITIVE_INFINITY, timestamp: null},
		{name: 'infinite_metric', labels: {sign: 'minus'}, value: Number.NEGATIVE_INFINITY, timestamp: null},
		{name: 'infinite_metric', labels: {sign: 'lower'}, value: Number.POSITIVE_INFINITY, timestamp: null},
		{name: 'no_labels_metric', labels: {}, value: 42, timestamp: null},
		{name: 'empty_braces', labels: {}, value: 7, timestamp: -1000},
		{name: 'exemplar_metric', labels: {a: 'b'}, value: 1.5, timestamp: null},
		{name: 'dotted.name', labels: {'error.message': 'Not Found'}, value: 9, timestamp: null},
	]);
	// garbage, unterminated quote, missing value, non-numeric value, three numbers
	assert.equal(parsed.malformedLines, 5);
	assert.equal(parsed.types.get('weird_metric'), 'gauge');
	assert.equal(parsed.hasEof, false);
});

test('Micrometer trailing commas in label sets', () => {
	const parsed = parsePrometheusText(fixture('micrometer-hikari.prom'));
	assert.equal(parsed.malformedLines, 0);
	const pending = parsed.samples.filter(sample => sample.name === 'hikaricp_connections_pending');
	assert.deepEqual(pending, [
		{name: 'hikaricp_connections_pending', labels: {application: 'orders', pool: 'HikariPool-1'}, value: 37, timestamp: null},
		{name: 'hikaricp_connections_pending', labels: {application: 'orders', pool: 'reporting'}, value: 0, timestamp: null},
	]);
	assert.equal(parsed.types.get('hikaricp_connections_timeout_total'), 'counter');
	assert.equal(parsed.samples.length, 27);
});

test('OpenMetrics: exemplars ignored, # UNIT kept, # EOF seen, family types by family name', () => {
	const parsed = parsePrometheusText(fixture('openmetrics-exemplars.om'));
	assert.equal(parsed.malformedLines, 0);
	assert.equal(parsed.hasEof, true);
	assert.equal(parsed.types.get('hikaricp_connections_timeout'), 'counter');
	assert.equal(parsed.units.get('hikaricp_connections_acquire_seconds'), 'seconds');
	assert.deepEqual(parsed.samples[0], {name: 'hikaricp_connections_timeout_total', labels: {pool: 'HikariPool-1'}, value: 4, timestamp: null});
	assert.deepEqual(parsed.samples[1], {name: 'hikaricp_connections_timeout_created', labels: {pool: 'HikariPool-1'}, value: 1_713_900_000.123, timestamp: null});
	assert.equal(parsed.samples.length, 11);
});

test('nothing after # EOF is read', () => {
	const parsed = parsePrometheusText('a 1\n# EOF\nb 2\n');
	assert.deepEqual(parsed.samples.map(sample => sample.name), ['a']);
	assert.equal(parsed.hasEof, true);
});

test('CRLF line endings and a last line without newline', () => {
	const parsed = parsePrometheusText(fixture('node-postgres-exporter.prom'));
	assert.equal(parsed.malformedLines, 0);
	assert.equal(parsed.samples.length, 6);
	assert.deepEqual(parsed.samples[4], {name: 'pg_pool_waiting_connections', labels: {host: 'db.internal:5432', database: 'api'}, value: 812, timestamp: null});
	assert.deepEqual(parsePrometheusText('x{a="b"} 3').samples, [{name: 'x', labels: {a: 'b'}, value: 3, timestamp: null}]);
});

test('never throws on hostile input', () => {
	for (const input of ['{', '}', '{{{', 'a{', 'a{b', 'a{b=', 'a{b="', 'a{b="\\', '# TYPE', '#', '\u0000', 'a{__proto__="x"} 1', '"\n"']) {
		const parsed = parsePrometheusText(input);
		assert.ok(parsed.malformedLines >= 0);
	}

	const proto = parsePrometheusText('a{__proto__="x"} 1').samples[0];
	assert.equal(Object.getPrototypeOf(proto?.labels), Object.prototype);
	assert.equal(proto?.labels['__proto__'], 'x');
});

test('numbers: Go ParseFloat forms and NaN/Inf in any case', () => {
	assert.equal(parsePromNumber('1.458255915e9'), 1_458_255_915);
	assert.equal(parsePromNumber('3.15511238E8'), 315_511_238);
	assert.equal(parsePromNumber('-0.5'), -0.5);
	assert.ok(Number.isNaN(parsePromNumber('nan')));
	assert.equal(parsePromNumber('+Infinity'), Number.POSITIVE_INFINITY);
	assert.equal(parsePromNumber('-INF'), Number.NEGATIVE_INFINITY);
	assert.equal(parsePromNumber(''), null);
	assert.equal(parsePromNumber('1,5'), null);
	assert.equal(parsePromNumber('5.'), 5);
	assert.equal(parsePromNumber('.5'), 0.5);
	assert.equal(parsePromNumber('+1e-3'), 0.001);
});

test('numbers Prometheus refuses are refused: hex (Number() read 0x10 as 16), octal, binary, digit separators, out of range', () => {
	// prometheus/prometheus model/textparse and prometheus/common expfmt: strconv.ParseFloat, after
	// refusing 'p', 'P' and '_'; Go's hex floats need a 'p' exponent, so no hex form gets through.
	for (const token of ['0x10', '0X1F', '-0x10', '0x1p4', '0x1P-3', '0b101', '0o17', '1_000', '1e400', '-1e400', 'Infinityx', '+nan', '1e', 'e5', '.', '--1']) {
		assert.equal(parsePromNumber(token), null, token);
	}

	const exposition = parsePrometheusText('hikaricp_connections_active{pool="a"} 0x10\nhikaricp_connections_max{pool="a"} 10\n');
	assert.deepEqual(exposition.samples.map(sample => [sample.name, sample.value]), [['hikaricp_connections_max', 10]]);
	assert.equal(exposition.malformedLines, 1);
});

// How fast is a benchmark's question (npm run bench), not a test's: a timed test fails on a busy machine.
test('a 1 MB exposition parses whole: every sample, its labels and its value', () => {
	const lines: string[] = [];
	let size = 0;
	for (let i = 0; size < 1024 * 1024; i++) {
		const line = `hikaricp_connections_active{application="orders",instance="10.0.${i % 250}.${i % 7}:8080",pool="pool-${i}",} ${i}.0\n`;
		lines.push(line);
		size += line.length;
	}

	const parsed = parsePrometheusText(lines.join(''));
	assert.equal(parsed.samples.length, lines.length);
	const last = parsed.samples.at(-1)!;
	assert.equal(last.value, lines.length - 1);
	assert.equal(last.labels['pool'], `pool-${lines.length - 1}`);
});
