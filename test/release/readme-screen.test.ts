// What the README says about the screen's size and about lifeguard counting itself, held to the code:
// the sizes come from the layout, the notice from a drawn frame.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {initialState} from '../../source/screen/board.js';
import {dashboardLines} from '../../source/ui/components/dashboard.js';
import {layoutFor, MIN_COLUMNS, MIN_ROWS} from '../../source/ui/layout.js';
import {defaultThresholds} from '../helpers/snapshots.js';
import {readme} from './install-commands.js';

/** The README's prose as one line per paragraph: a phrase may break across lines. */
const prose = () => readme().replaceAll(/\n(?!\n)/g, ' ');

describe('the README on terminal sizes', () => {
	test('it names the smallest size that draws, and the notice below it as the frame draws it', () => {
		assert.ok(prose().includes(`draws down to ${MIN_COLUMNS}×${MIN_ROWS}`), `no "draws down to ${MIN_COLUMNS}×${MIN_ROWS}"`);
		const [notice, ...rest] = dashboardLines({state: initialState(defaultThresholds), target: 'x', columns: MIN_COLUMNS - 2, rows: 20});
		assert.equal(rest.length, 0, 'one line');
		const text = notice!.spans.map(each => each.text).join('');
		assert.equal(text, `Too small: ${MIN_COLUMNS - 2}×20, lifeguard needs ${MIN_COLUMNS}×${MIN_ROWS}`);
		assert.ok(prose().includes(`\`${text}\``), `the README does not quote "${text}"`);
		// And the frame does draw at that size.
		assert.ok(dashboardLines({state: initialState(defaultThresholds), target: 'x', columns: MIN_COLUMNS, rows: MIN_ROWS}).length > 1);
	});

	test('it says from how many rows the breakdown and history show', () => {
		// The first height with a breakdown line, looked for up to a tall terminal (a layout that never
		// shows one fails here rather than looping).
		const rows = Array.from({length: 200}, (_, index) => MIN_ROWS + index).find(height => layoutFor(height, 0, 0).breakdownLines > 0);
		assert.ok(rows !== undefined, 'no height up to 200 rows shows the breakdown');

		assert.equal(layoutFor(rows, 0, 0).historyLines, 1);
		assert.ok(prose().includes(`under ${rows} rows the breakdown and history lines go first`), `no "under ${rows} rows"`);
	});
});

describe('the README on lifeguard\'s own connections', () => {
	test('it states the rule once, with where it applies', () => {
		const text = prose();
		assert.ok(text.includes('lifeguard\'s own connections are shown apart, never as usage'));
		for (const where of ['Apps, Users and DBs lines', 'top consumers', '`--json` `connections`', '`check`\'s `connections`', '`17/17 100%`, not `18/17`']) {
			assert.ok(text.includes(where), `the rule does not name ${where}`);
		}

		assert.ok(text.includes('`freeConnections` = `usableConnections` − `connections` − `ownConnections`'));
	});
});
