import assert from 'node:assert/strict';
import {test} from 'node:test';
import {parseAnsiLine, terminalSvg} from '../../media/terminal-svg.js';

test('terminalSvg: one escaped, padded <text> per line, whitespace preserved', () => {
	const svg = terminalSvg('a <b> & "c"\nsecond', {columns: 20, rows: 3});
	assert.match(svg, /xml:space="preserve"/);
	assert.match(svg, /a &lt;b&gt; &amp; &quot;c&quot; {9}<\/text>/);
	assert.equal(svg.match(/<text /g)?.length, 2);
	assert.doesNotMatch(svg, /\u001B/);
});

test('parseAnsiLine: SGR colour, bold and inverse become styled runs; the style carries to the next line', () => {
	const {runs, style} = parseAnsiLine('x\u001B[1;31mCRIT\u001B[22m red\u001B[7m');
	assert.deepEqual(runs.map(run => run.text), ['x', 'CRIT', ' red']);
	assert.equal(runs[1]!.style.isBold, true);
	assert.equal(runs[2]!.style.isBold, false);
	assert.equal(runs[2]!.style.fg, runs[1]!.style.fg);
	assert.equal(style.isInverse, true);
	assert.match(terminalSvg('\u001B[7m CRIT \u001B[27m', {columns: 10, rows: 1}), /<rect x="14.0"/);
});
