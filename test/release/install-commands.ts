// The README's Install section as the release test reads it: the commands of its code blocks, in order.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {REPO_ROOT} from '../cli/helpers.js';

export function readme(): string {
	return readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
}

/** The text from `## Install` to the next `## ` heading. */
export function installSection(text = readme()): string {
	const start = text.indexOf('\n## Install\n');
	const end = text.indexOf('\n## ', start + 1);
	if (start === -1 || end === -1) {
		throw new Error('README.md has no "## Install" section followed by another section');
	}

	return text.slice(start, end);
}

/** Every command line of the section's ```sh blocks, without its trailing `# comment`. */
export function installCommands(section = installSection()): string[] {
	const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map(match => match[1]!);
	return blocks.flatMap(block => block.split('\n'))
		.map(line => line.replace(/\s+#\s.*$/, '').trim())
		.filter(line => line !== '' && !line.startsWith('#'));
}
