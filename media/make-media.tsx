// `npm run media`: real pictures of the demo's scenarios. Each scenario runs headless on its own
// embedded server; the real <App> renders it at 100×30 into a fake terminal until the frame shows the
// scenario's finding; that frame becomes media/<scenario>.svg.
import {EventEmitter} from 'node:events';
import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {terminalSvg} from './terminal-svg.js';

// Before Ink and its colour library load: the fake terminal is not a TTY, colours are wanted anyway.
process.env['FORCE_COLOR'] = '1';
const {render} = await import('ink');
const {demoOptions} = await import('../source/demo/scenarios.js');
const {startDemo} = await import('../source/demo/start-demo.js');
const {initialState} = await import('../source/screen/board.js');
const {deskOf} = await import('../source/screen/desk.js');
const {placeholderPool} = await import('../source/judge/pool-status.js');
const {parseCommandLine} = await import('../source/options.js');
const {COMMANDS} = await import('../source/commands/index.js');
const {App} = await import('../source/ui/app.js');
const {ThemeContext} = await import('../source/ui/theme.js');
const {liveSources} = await import('../source/watch.js');

const COLUMNS = 100;
const ROWS = 30;
const TIMEOUT_MS = 60_000;

type Picture = {file: string; scenario: string; title: string; isPoolPublished: boolean; ready: RegExp[]};

/** Each picture, and what it must show: the finding's own words, plus the moment worth showing. */
const PICTURES: Picture[] = [
	{file: 'pool-too-small', scenario: 'pool-too-small', title: 'lifeguard demo', isPoolPublished: true, ready: [/Pool checkout is saturated.*\b1\d\d (?:requests )?waiting/, /WAITING 1\d\d/, /History slots .*█/]},
	{file: 'no-endpoint', scenario: 'pool-too-small', title: 'lifeguard demo --no-endpoint', isPoolPublished: false, ready: [/probably capped at 5/, /History slots .*█/]},
	{file: 'server-full', scenario: 'server-full', title: 'lifeguard demo --scenario server-full', isPoolPublished: true, ready: [/Server at \d+% of usable connections/, /timeouts [1-9]/]},
	{file: 'idle-in-transaction', scenario: 'idle-in-transaction', title: 'lifeguard demo --scenario idle-in-transaction', isPoolPublished: true, ready: [/has been idle in transaction for/]},
	{file: 'lock-contention', scenario: 'lock-contention', title: 'lifeguard demo --scenario lock-contention', isPoolPublished: true, ready: [/waited on locks for/]},
];

// This file runs from media/ (tsx) or dist/media/ (npm run media); the pictures go to media/.
const here = path.dirname(fileURLToPath(import.meta.url));
const mediaDir = path.basename(path.dirname(here)) === 'dist' ? path.resolve(here, '../../media') : here;

class FakeStdout extends EventEmitter {
	readonly columns = COLUMNS;
	readonly rows = ROWS;
	readonly isTTY = true;
	lastFrame = '';
	write = (frame: string) => {
		this.lastFrame = frame;
		return true;
	};
}

class FakeStdin extends EventEmitter {
	readonly isTTY = true;
	setEncoding() {}
	setRawMode() {}
	resume() {}
	pause() {}
	ref() {}
	unref() {}
	read = () => null;
}

const plainText = (frame: string) => frame.replaceAll(/\u001B\[[\d;]*[A-Za-z]/g, '');

async function take(picture: Picture): Promise<{file: string; seconds: number}> {
	const startedAtMs = Date.now();
	const name = picture.file;
	const demo = await startDemo(picture.scenario, {isPoolPublished: picture.isPoolPublished});
	try {
		const options = demoOptions(demo.scenario, parseCommandLine(['demo'], {}, COMMANDS));
		const stdout = new FakeStdout();
		const app = render(
			<ThemeContext.Provider value={{isColor: true}}>
				<App
					initial={deskOf([initialState(options.thresholds, {role: demo.target.user, pools: demo.poolCollectors.map(collector => placeholderPool(collector.endpoint)), hasPoolControl: true, idleAfterSeconds: options.idleAfterSeconds})])}
					targets={[demo.target.display]}
					{...liveSources([demo.postgres], demo.poolCollectors)}
					intervalMs={options.intervalMs}
					poolTimeoutMs={options.poolTimeoutMs}
					now={() => Date.now()}
					poolControl={demo.poolControl}
				/>
			</ThemeContext.Provider>,
			{stdout: stdout as unknown as NodeJS.WriteStream, stdin: new FakeStdin() as unknown as NodeJS.ReadStream, debug: true, patchConsole: false, exitOnCtrlC: false},
		);
		try {
			const wanted = picture.ready;
			const deadline = Date.now() + TIMEOUT_MS;
			while (!wanted.every(pattern => pattern.test(plainText(stdout.lastFrame)))) {
				if (Date.now() > deadline) {
					throw new Error(`${name}: the frame never showed ${wanted.join(' and ')}:\n${plainText(stdout.lastFrame)}`);
				}

				await new Promise(resolve => {
					setTimeout(resolve, 100);
				});
			}

			const file = path.join(mediaDir, `${name}.svg`);
			const frame = stdout.lastFrame.replace(/\n+$/, '');
			await writeFile(file, terminalSvg(frame, {columns: COLUMNS, rows: ROWS - 1, title: picture.title}));
			return {file, seconds: (Date.now() - startedAtMs) / 1000};
		} finally {
			app.unmount();
		}
	} finally {
		await demo.stop();
	}
}

const only = process.argv.slice(2);
for (const picture of PICTURES.filter(candidate => only.length === 0 || only.includes(candidate.file))) {
	const {file, seconds} = await take(picture);
	process.stdout.write(`${path.relative(process.cwd(), file)}  (${seconds.toFixed(1)} s)\n`);
}

// Sockets of the stopped demo may linger; the pictures are written.
process.exit(0);
