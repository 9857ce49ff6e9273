import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

// The floors of source/ (ARCHITECTURE.md): a folder imports its own files and folders of lower floors,
// never one of its own floor or above, so no two folders import each other. The files at source/'s
// root (options, one-shot, watch, …) sit with floor 5.
const FLOORS = [
	['text', 'readings', 'polling', 'keys'],
	['judge', 'connection'],
	['screen', 'collectors', 'actions'],
	['output', 'doctor', 'alerts', 'report'],
	['ui'],
	['commands', 'demo'],
];
/** Arrows the floors would allow that still run the wrong way. */
const NEVER = {ui: ['doctor']};
/** Pure floors: no terminal, no database, no Node API. */
const PURE = new Set(['judge', 'screen', 'readings', 'keys', 'text']);
/** The deepest folder under source/ (collectors/pools/ is 2). */
const MAX_DEPTH = 3;

const floorOf = folder => FLOORS.findIndex(floor => floor.includes(folder));

/** The import rule of the files `depth` folders below source/ in `folder`. */
function floorRule(folder, depth) {
	const up = String.raw`\.\./`.repeat(depth);
	const floor = floorOf(folder);
	const allowed = FLOORS.slice(0, floor).flat().filter(other => !(NEVER[folder] ?? []).includes(other));
	const because = `${folder}/ is on floor ${floor} (ARCHITECTURE.md): it may import ${allowed.length > 0 ? `${allowed.join('/, ')}/` : 'nothing of ours'}`;
	// The top floor (the commands, the demo, source/'s root files) may use each other.
	const higher = FLOORS.flat().filter(other => other !== folder && !allowed.includes(other) && !(floor === FLOORS.length - 1 && floorOf(other) === floor));
	const patterns = [
		...higher.map(other => ({regex: `^${up}${other}(/|$)`, message: `${because}, not ${other}/.`})),
		...(floor < FLOORS.length - 1 ? [{regex: `^${up}[^./][^/]*$`, message: `${because}, not the files at source/'s root.`}] : []),
		...(PURE.has(folder) ? [{regex: '^(ink|react|pg)(/|$)|^node:', message: `${folder}/ is pure: no terminal, no database, no Node API (ARCHITECTURE.md).`}] : []),
	];
	return {
		files: [`source/${folder}/${'*/'.repeat(depth - 1)}*.{ts,tsx}`],
		rules: {'no-restricted-imports': ['error', {patterns}]},
	};
}


export default tseslint.config(
	{ignores: ['dist/', 'node_modules/', 'media/*.svg']},
	...tseslint.configs.recommended,
	{
		files: ['**/*.{ts,tsx}'],
		plugins: {'react-hooks': reactHooks},
		rules: {
			'react-hooks/rules-of-hooks': 'error',
			'react-hooks/exhaustive-deps': 'error',
			'@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
			'@typescript-eslint/no-floating-promises': 'off',
			'no-console': ['error', {allow: ['error']}],
		},
	},
	...FLOORS.flat().flatMap(folder => Array.from({length: MAX_DEPTH}, (_, index) => floorRule(folder, index + 1))),
	{
		files: ['test/**', 'bench/**', 'media/**', 'cli.tsx'],
		rules: {'no-console': 'off'},
	},
);
