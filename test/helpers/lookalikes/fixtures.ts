// Fixtures of what real poolers answer, written by the lookalike tests themselves, never by hand:
//   LIFEGUARD_RECORD_FIXTURES=1 node --import tsx --test test/lookalikes/<file>.test.ts
// Without it, a test compares its live reading to the recorded one (by shape: columns, error codes
// and messages), so a fixture that no longer matches the real thing fails.
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/lookalikes/', import.meta.url));
const IS_RECORDING = process.env['LIFEGUARD_RECORD_FIXTURES'] === '1';

/**
 * When recording: write `live` as fixture `name` (text as it is, anything else as JSON) and return it.
 * Otherwise: the recorded fixture, or null when there is none of that name (another version of the
 * pooler: the name carries it).
 */
export function recordedFixture<T>(name: string, live: T): T | null {
	const file = path.join(FIXTURES_DIR, name);
	if (IS_RECORDING) {
		mkdirSync(FIXTURES_DIR, {recursive: true});
		writeFileSync(file, typeof live === 'string' ? live : `${JSON.stringify(live, null, '\t')}\n`);
		return live;
	}

	if (!existsSync(file)) {
		return null;
	}

	const text = readFileSync(file, 'utf8');
	return (typeof live === 'string' ? text : JSON.parse(text)) as T;
}
