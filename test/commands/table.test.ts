// The commands table drives the command line: which command a line names, the flags each takes (a
// flag it does not take is one line naming it), --help and the README's list of commands. A new
// command is one more row: the table test shows one added without touching options.ts.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {FLAG_NAMES} from '../../source/argv.js';
import {type Command} from '../../source/commands/command.js';
import {commandsMarkdownTable} from '../../source/commands/help.js';
import {COMMANDS} from '../../source/commands/index.js';
import {OptionsError, parseCommandLine} from '../../source/options.js';
import {ensureBuilt, runCli} from '../cli/helpers.js';

const refusal = (argv: string[], commands: readonly Command[] = COMMANDS) => {
	try {
		parseCommandLine(argv, {}, commands);
	} catch (error) {
		assert.ok(error instanceof OptionsError, String(error));
		return error.message;
	}

	return null;
};

test("the README's list of commands is the commands table", () => {
	const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
	assert.ok(readme.includes(commandsMarkdownTable(COMMANDS)), `README.md must contain, row for row:\n${commandsMarkdownTable(COMMANDS)}`);
});

test('--help lists every command of the table with its usage line', async () => {
	ensureBuilt();
	const result = await runCli(['--help']);
	assert.equal(result.code, 0, result.stderr);
	for (const command of COMMANDS) {
		assert.match(result.stdout, new RegExp(`\\$ ${command.usage.replaceAll(/[[\]]/g, String.raw`\$&`)} +${command.summary.replaceAll(/[()]/g, String.raw`\$&`)}`), command.name);
	}
});

test('one row per name; every flag but --help and --version (answered first) is taken by some command', () => {
	const names = COMMANDS.map(command => command.name);
	assert.equal(new Set(names).size, names.length);
	const taken = new Set(COMMANDS.flatMap(command => command.flags));
	assert.deepEqual(FLAG_NAMES.filter(flag => !taken.has(flag)), ['help', 'version']);
});

test('a word picks the command; a selector switch picks among those of the word', () => {
	const command = (argv: string[]) => parseCommandLine(argv, {}, COMMANDS).command;
	assert.equal(command([]), 'watch');
	assert.equal(command(['--json']), 'json');
	assert.equal(command(['--no-json']), 'watch');
	assert.equal(command(['check']), 'check');
	assert.equal(command(['demo']), 'demo');
	assert.equal(command(['demo', '--doctor']), 'demo-doctor');
	assert.equal(command(['demo', '--no-doctor']), 'demo');
});

test('a command added as one row: selected by its word, its own flags only, named in the hints', () => {
	const replay: Command = {
		name: 'replay',
		word: 'replay',
		argument: 'FILE',
		label: 'lifeguard replay',
		usage: 'lifeguard replay FILE',
		summary: 'keep every reading in FILE',
		flags: ['db', 'interval'],
		run: async () => 0,
	};
	const commands = [...COMMANDS, replay];
	const options = parseCommandLine(['replay', 'out.jsonl', '--interval', '2', '--db', 'postgres://h/x'], {}, commands);
	assert.deepEqual([options.command, options.argument, options.intervalMs], ['replay', 'out.jsonl', 2000]);
	assert.equal(refusal(['replay', 'out.jsonl', '--read-only'], commands), '--read-only: only for the live screen and lifeguard demo');
	assert.equal(refusal(['replay'], commands), 'usage: lifeguard replay FILE');
	assert.equal(refusal(['timeline', 'f.jsonl', '--interval', '1'], commands), '--interval: only for the live screen, lifeguard --json, lifeguard check, lifeguard demo, lifeguard record and lifeguard replay');
	assert.equal(refusal(['frobnicate'], commands), 'unknown command "frobnicate" (use check, doctor, timeline FILE, demo, alerts, record, report FILE or replay FILE; the target goes in --db)');
});
