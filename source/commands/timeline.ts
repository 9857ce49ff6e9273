// `lifeguard timeline FILE`: an incident log (--log) as a Markdown or JSON timeline, streamed: memory grows
// neither with the file nor with its lines.
import {once} from 'node:events';
import {createReadStream} from 'node:fs';
import {stat} from 'node:fs/promises';
import process from 'node:process';
import {isOutputOver} from '../hang-up.js';
import {streamTimeline} from '../output/timeline-stream.js';
import {type Command, CommandError} from './command.js';

export const timelineCommand: Command = {
	name: 'timeline',
	word: 'timeline',
	argument: 'FILE',
	label: 'lifeguard timeline',
	usage: 'lifeguard timeline FILE [--json]',
	summary: 'an incident log (--log) as a timeline: Markdown (the default) or JSON',
	flags: ['markdown', 'json'],
	async run(options) {
		const file = options.argument!;
		if (options.isJson && options.isMarkdown) {
			throw new CommandError('timeline: --markdown and --json are two forms of one timeline: give one', 2);
		}

		try {
			// Read twice: the summary at the top comes from a first pass. A pipe can be read once only.
			const isRereadable = (await stat(file)).isFile();
			await streamTimeline(() => createReadStream(file), async text => {
				if (!process.stdout.write(text)) {
					await once(process.stdout, 'drain');
				}
			}, {format: options.isJson ? 'json' : 'markdown', isRereadable});
		} catch (error) {
			// A write that failed (the reader gone, a full disk) is no fault of the log: cli.tsx says which.
			if (isOutputOver()) {
				return 0;
			}

			throw new CommandError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 1);
		}

		return 0;
	},
};
