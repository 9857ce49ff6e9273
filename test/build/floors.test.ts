// The layering of source/ is a check, not a comment: the ESLint rule (eslint.config.js) refuses an
// import from a higher floor or a sibling folder, and no file imports another that imports it back.
import assert from 'node:assert/strict';
import {readdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {describe, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {ESLint} from 'eslint';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCE = path.join(ROOT, 'source');
const eslint = new ESLint({cwd: ROOT});

/** The floor messages ESLint gives `code` as if it were the file at `file` (under the repository). */
async function floorErrors(file: string, code: string): Promise<string[]> {
	const [result] = await eslint.lintText(code, {filePath: path.join(ROOT, file)});
	return (result?.messages ?? []).filter(message => message.ruleId === 'no-restricted-imports').map(message => message.message);
}

describe('the floors, as ESLint checks them', () => {
	test('an upward import is an error that names the floor and what it may import', async () => {
		const errors = await floorErrors('source/judge/upward.ts', "import {update} from '../screen/board.js';\nexport const step = update;\n");
		assert.equal(errors.length, 1, errors.join('\n'));
		assert.match(errors[0]!, /'..\/screen\/board.js' import .* judge\/ is on floor 1 \(ARCHITECTURE\.md\): it may import text\/, readings\/, polling\/, keys\/, not screen\/\.$/);
	});

	test('a type import, a folder two levels down, a sibling folder of the same floor and a root file are caught too', async () => {
		const cases: Array<[file: string, code: string]> = [
			['source/judge/upward.ts', "import type {Desk} from '../screen/desk.js';\nexport type D = Desk;\n"],
			['source/collectors/pools/upward.ts', "import {update} from '../../screen/board.js';\nexport const step = update;\n"],
			['source/screen/sideways.ts', "import {signalSessions} from '../actions/terminate.js';\nexport const signal = signalSessions;\n"],
			['source/ui/sideways.ts', "import {runDoctor} from '../doctor/run-doctor.js';\nexport const run = runDoctor;\n"],
			['source/output/upward.ts', "import {watch} from '../watch.js';\nexport const live = watch;\n"],
			['source/readings/upward.ts', "import type {Level} from '../judge/types.js';\nexport type L = Level;\n"],
		];
		for (const [file, code] of cases) {
			assert.equal((await floorErrors(file, code)).length, 1, `${file}: ${code}`);
		}
	});

	test('the pure floors import no terminal, database or Node API', async () => {
		for (const [file, code] of [['source/judge/impure.ts', "import {render} from 'ink';\nexport const r = render;\n"], ['source/screen/impure.ts', "import {readFileSync} from 'node:fs';\nexport const read = readFileSync;\n"]]) {
			assert.match((await floorErrors(file!, code!)).join(), /is pure: no terminal, no database, no Node API/);
		}
	});

	test('downward and same-folder imports pass', async () => {
		assert.deepEqual(await floorErrors('source/judge/fine.ts', "import {levelRank} from './levels.js';\nimport type {Session} from '../readings/types.js';\nimport {plural} from '../text/words.js';\nexport const all = [levelRank, plural];\nexport type S = Session;\n"), []);
		assert.deepEqual(await floorErrors('source/collectors/pools/fine.ts', "import {selectPool} from '../pools/select-pool.js';\nimport {maskText} from '../../connection/mask.js';\nexport const all = [selectPool, maskText];\n"), []);
		assert.deepEqual(await floorErrors('source/ui/fine.ts', "import {updateDesk} from '../screen/desk.js';\nimport {render} from 'ink';\nexport const all = [updateDesk, render];\n"), []);
	});
});

/** Every .ts and .tsx file under `directory`. */
function sourceFiles(directory: string): string[] {
	return readdirSync(directory).flatMap(name => {
		const full = path.join(directory, name);
		return statSync(full).isDirectory() ? sourceFiles(full) : (/\.tsx?$/.test(name) ? [full] : []);
	});
}

/** The files a file imports (relative imports, static and type-only, resolved to .ts or .tsx). */
function importsOf(file: string): string[] {
	const text = readFileSync(file, 'utf8');
	return [...text.matchAll(/^(?:import|export)\b[^'"]*?from '(\.{1,2}\/[^']+)\.js';$|^import '(\.{1,2}\/[^']+)\.js';$/gm)]
		.map(match => path.join(path.dirname(file), match[1] ?? match[2]!))
		.flatMap(base => [`${base}.ts`, `${base}.tsx`].filter(candidate => {
			try {
				return statSync(candidate).isFile();
			} catch {
				return false;
			}
		}));
}

/** The cycles of a graph (its strongly connected components of more than one node), by Tarjan. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
	const index = new Map<string, number>();
	const low = new Map<string, number>();
	const stack: string[] = [];
	const found: string[][] = [];
	const visit = (node: string) => {
		index.set(node, index.size);
		low.set(node, index.get(node)!);
		stack.push(node);
		for (const next of graph.get(node) ?? []) {
			if (!index.has(next)) {
				visit(next);
				low.set(node, Math.min(low.get(node)!, low.get(next)!));
			} else if (stack.includes(next)) {
				low.set(node, Math.min(low.get(node)!, index.get(next)!));
			}
		}

		if (low.get(node) === index.get(node)) {
			const component: string[] = [];
			let member: string;
			do {
				member = stack.pop()!;
				component.push(member);
			} while (member !== node);
			if (component.length > 1) {
				found.push(component);
			}
		}
	};

	for (const node of graph.keys()) {
		if (!index.has(node)) {
			visit(node);
		}
	}

	return found;
}

test('no file under source/ imports one that imports it back, directly or around a circle', () => {
	const files = sourceFiles(SOURCE);
	const graph = new Map(files.map(file => [file, importsOf(file)]));
	assert.ok([...graph.values()].flat().length > 200, 'the imports were read');
	assert.deepEqual(cycles(graph).map(cycle => cycle.map(file => path.relative(SOURCE, file)).sort()), []);
});

test('the cycle finder finds a circle of three and a pair', () => {
	const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['e']], ['e', ['d']], ['f', ['a']]]);
	assert.deepEqual(cycles(graph).map(cycle => cycle.sort().join()).sort(), ['a,b,c', 'd,e']);
});
