// Substitute for ink/build/output.js (Ink 6.8.0), bundled into dist/cli.js by scripts/build.mjs (issue 24).
// Ink lays every frame out cell by cell: a width × height grid of cell objects, each write tokenised
// into styled characters and placed, each row turned back into a string. On the live screen a row is
// one line of text written at column 0, and most rows are the same as in the last frame: here such a
// row's string is kept (an LRU of ROW_CACHE_CAPACITY, by its styled text) and its cells are never made;
// other rows (clips, several writes, text of several lines) go the original way. Same results
// (scripts/build.mjs compares them on sample frames before every build).
import sliceAnsi from 'slice-ansi';
import stringWidth from 'string-width';
import { styledCharsFromTokens, styledCharsToString, tokenize, } from '@alcalzone/ansi-tokenize';
import { BoundedCache, register } from './bounded-cache.js';

/** A few screens' worth of rows (45 at 160×45), so that a row that comes back is still there. */
const ROW_CACHE_CAPACITY = 1024;
const rowCache = new BoundedCache(ROW_CACHE_CAPACITY);
register('outputRows', null, rowCache);
class OutputCaches {
    widths = new Map();
    blockWidths = new Map();
    styledChars = new Map();
    getStyledChars(line) {
        let cached = this.styledChars.get(line);
        if (cached === undefined) {
            cached = styledCharsFromTokens(tokenize(line));
            this.styledChars.set(line, cached);
        }
        return cached;
    }
    getStringWidth(text) {
        let cached = this.widths.get(text);
        if (cached === undefined) {
            cached = stringWidth(text);
            this.widths.set(text, cached);
        }
        return cached;
    }
    getWidestLine(text) {
        let cached = this.blockWidths.get(text);
        if (cached === undefined) {
            let lineWidth = 0;
            for (const line of text.split('\n')) {
                lineWidth = Math.max(lineWidth, this.getStringWidth(line));
            }
            cached = lineWidth;
            this.blockWidths.set(text, cached);
        }
        return cached;
    }
}
export default class Output {
    width;
    height;
    operations = [];
    caches = new OutputCaches();
    constructor(options) {
        const { width, height } = options;
        this.width = width;
        this.height = height;
    }
    write(x, y, text, options) {
        const { transformers } = options;
        if (!text) {
            return;
        }
        this.operations.push({
            type: 'write',
            x,
            y,
            text,
            transformers,
        });
    }
    clip(clip) {
        this.operations.push({
            type: 'clip',
            clip,
        });
    }
    unclip() {
        this.operations.push({
            type: 'unclip',
        });
    }
    get() {
        // Rows whose only write is one line at column 0, outside any clip: their string depends on that
        // text (styled by its transformers) and the width alone.
        const writesPerRow = new Map();
        const clipsOpen = [];
        for (const operation of this.operations) {
            if (operation.type === 'clip') {
                clipsOpen.push(operation.clip);
            }
            else if (operation.type === 'unclip') {
                clipsOpen.pop();
            }
            else if (operation.type === 'write') {
                const isSimple = clipsOpen.length === 0 && operation.x === 0 && !operation.text.includes('\n');
                const lines = isSimple ? 1 : operation.text.split('\n').length;
                for (let y = operation.y; y < operation.y + lines; y++) {
                    const seen = writesPerRow.get(y);
                    writesPerRow.set(y, seen === undefined && isSimple ? operation : null);
                }
            }
        }
        const cachedRows = new Map();
        for (const [y, operation] of writesPerRow) {
            if (operation && y >= 0 && y < this.height) {
                // The styles are applied here, as get() applies them (Ink's Text colours by transformer).
                let line = operation.text;
                for (const transformer of operation.transformers) {
                    line = transformer(line, 0);
                }
                const key = `${this.width}:${line}`;
                let row = rowCache.get(key);
                if (row === undefined) {
                    row = this.#layOut([{ ...operation, text: line, transformers: [] }], 1, operation.y)[0];
                    rowCache.set(key, row);
                }
                cachedRows.set(y, row);
            }
        }
        const others = this.operations.filter(operation => operation.type !== 'write' || !cachedRows.has(operation.y) || writesPerRow.get(operation.y) !== operation);
        const rows = this.#layOut(others, this.height, 0, cachedRows);
        return {
            output: rows.map((row, y) => cachedRows.get(y) ?? row).join('\n'),
            height: rows.length,
        };
    }
    /** Ink's get(): `operations` drawn on rows `top` to `top + height`, as strings; rows in `skip` are left blank and not drawn. */
    #layOut(operations, height, top, skip = new Map()) {
        // Initialize output array with a specific set of rows, so that margin/padding at the bottom is preserved
        const output = [];
        for (let y = 0; y < height; y++) {
            const row = [];
            if (!skip.has(y + top)) {
                for (let x = 0; x < this.width; x++) {
                    row.push({
                        type: 'char',
                        value: ' ',
                        fullWidth: false,
                        styles: [],
                    });
                }
            }
            output.push(row);
        }
        const clips = [];
        for (const operation of operations) {
            if (operation.type === 'clip') {
                clips.push(operation.clip);
            }
            if (operation.type === 'unclip') {
                clips.pop();
            }
            if (operation.type === 'write') {
                const { text, transformers } = operation;
                let { x, y } = operation;
                let lines = text.split('\n');
                const clip = clips.at(-1);
                if (clip) {
                    const clipHorizontally = typeof clip?.x1 === 'number' && typeof clip?.x2 === 'number';
                    const clipVertically = typeof clip?.y1 === 'number' && typeof clip?.y2 === 'number';
                    // If text is positioned outside of clipping area altogether,
                    // skip to the next operation to avoid unnecessary calculations
                    if (clipHorizontally) {
                        const width = this.caches.getWidestLine(text);
                        if (x + width < clip.x1 || x > clip.x2) {
                            continue;
                        }
                    }
                    if (clipVertically) {
                        const height = lines.length;
                        if (y + height < clip.y1 || y > clip.y2) {
                            continue;
                        }
                    }
                    if (clipHorizontally) {
                        lines = lines.map(line => {
                            const from = x < clip.x1 ? clip.x1 - x : 0;
                            const width = this.caches.getStringWidth(line);
                            const to = x + width > clip.x2 ? clip.x2 - x : width;
                            return sliceAnsi(line, from, to);
                        });
                        if (x < clip.x1) {
                            x = clip.x1;
                        }
                    }
                    if (clipVertically) {
                        const from = y < clip.y1 ? clip.y1 - y : 0;
                        const height = lines.length;
                        const to = y + height > clip.y2 ? clip.y2 - y : height;
                        lines = lines.slice(from, to);
                        if (y < clip.y1) {
                            y = clip.y1;
                        }
                    }
                }
                let offsetY = 0;
                for (let [index, line] of lines.entries()) {
                    const currentLine = output[y + offsetY - top];
                    // Line can be missing if `text` is taller than height of pre-initialized `this.output`
                    if (!currentLine) {
                        continue;
                    }
                    for (const transformer of transformers) {
                        line = transformer(line, index);
                    }
                    const characters = this.caches.getStyledChars(line);
                    let offsetX = x;
                    for (const character of characters) {
                        currentLine[offsetX] = character;
                        // Determine printed width using string-width to align with measurement
                        const characterWidth = Math.max(1, this.caches.getStringWidth(character.value));
                        // For multi-column characters, clear following cells to avoid stray spaces/artifacts
                        if (characterWidth > 1) {
                            for (let index = 1; index < characterWidth; index++) {
                                currentLine[offsetX + index] = {
                                    type: 'char',
                                    value: '',
                                    fullWidth: false,
                                    styles: character.styles,
                                };
                            }
                        }
                        offsetX += characterWidth;
                    }
                    offsetY++;
                }
            }
        }
        return output.map(line => {
            // See https://github.com/vadimdemedes/ink/pull/564#issuecomment-1637022742
            const lineWithoutEmptyItems = line.filter(item => item !== undefined);
            return styledCharsToString(lineWithoutEmptyItems).trimEnd();
        });
    }
}
