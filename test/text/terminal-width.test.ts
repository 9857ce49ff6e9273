// Widths as a real terminal draws them (tmux, test/helpers/terminal.ts): a row that lifeguard
// measures narrower than the terminal draws it takes two lines, and the frame scrolls. Every
// invisible or disputed-width character, in a name made safe; and names in scripts whose clusters
// string-width measures differently from terminals.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {safeText} from '../../source/text/sanitize.js';
import {cellWidth, fitCells} from '../../source/text/width.js';
import {INVISIBLE_CHARACTERS} from '../helpers/hostile.js';
import {hasTmux, terminalCells} from '../helpers/terminal.js';

const NAMES = [
	'checkout', '注文サービス', 'ｶﾞｲﾄﾞ', '한국어 각', 'Привет', 'café e\u0301', 'שָׁלוֹם', 'مُحَمَّد',
	'क्षत्रिय', 'स्त्री', 'ক্ষমা', 'ക്ഷേത്രം', 'ញ្ញា', 'กำลัง', 'ລຳ', 'தமிழ்', 'ཀྵ',
	'🐘 pg', '🇺🇸🇯🇵', '👍🏽',
];

describe('cell widths agree with a real terminal', {skip: hasTmux() ? false : 'tmux is not installed'}, () => {
	test('every invisible or disputed-width character, made safe in a name: as many cells as lifeguard counts', async () => {
		const shown = INVISIBLE_CHARACTERS.map(character => safeText(`sx-${character}${character}`));
		const drawn = await terminalCells(shown);
		const wrong = shown
			.map((text, index) => ({code: INVISIBLE_CHARACTERS[index]!.codePointAt(0)!.toString(16), drawn: drawn[index]!, counted: cellWidth(text)}))
			.filter(each => each.drawn !== each.counted);
		assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} of ${shown.length} differ`);
	});

	test('names in many scripts: as many cells as lifeguard counts, whole and cut', async () => {
		const texts = [...NAMES, ...NAMES.map(name => fitCells(name.repeat(3), 7)), ...NAMES.map(name => fitCells(name.repeat(3), 12))];
		const drawn = await terminalCells(texts);
		assert.deepEqual(texts.map(text => [text, cellWidth(text)]), texts.map((text, index) => [text, drawn[index]]));
	});
});
