// `lifeguard timeline FILE`: an incident log (--log) as a Markdown timeline, streamed: memory grows
// neither with the file nor with its lines.
import {once} from 'node:events';
import {createReadStream} from 'node:fs';
import process from 'node:process';
import {streamTimeline} from '../output/timeline-stream.js';
import {type Command, CommandError} from './command.js';

export const timelineCommand: Command = {
	name: 'timeline',
	word: 'timeline',
	argument: 'FILE',
	label: 'lifeguard timeline',
	usage: 'lifeguard timeline FILE',
	summary: 'an incident log (--log) as a Markdown timeline',
	flags: [],
	async run(options) {
		const file = options.argument!;
		try {
			await streamTimeline(createReadStream(file), async text => {
				if (!process.stdout.write(text)) {
					await once(process.stdout, 'drain');
				}
			});
		} catch (error) {
			throw new CommandError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 1);
		}

		return 0;
	},
};
