import assert from 'node:assert/strict';
import {test} from 'node:test';
import {parseAnsiLine, terminalSvg} from '../../media/terminal-svg.js';

test('terminalSvg: one escaped <text> per line, as long as its cells, spaces inside kept', () => {
	const svg = terminalSvg('a  <b> & "c"   \nsecond', {columns: 20, rows: 3});
	assert.match(svg, /xml:space="preserve" style="white-space: pre"/);
	// 12 cells: the blanks at the end do not count (a browser would stretch the line over them).
	assert.match(svg, /<text xml:space="preserve" x="14" y="28" textLength="100\.8" lengthAdjust="spacingAndGlyphs">a {2}&lt;b&gt; &amp; &quot;c&quot;<\/text>/);
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
