// `npm run bench -- --frame-cost [--frames 200]`: the CPU of one frame of the live screen in which one
// line changed (an age, a history bucket: what a steady screen draws), at 160×45, through the bundle's
// drawing machinery: Ink with the render options of source/watch.tsx (changed lines only, line-diff.ts)
// into a terminal that records the bytes. Bundled twice with the build's own options, once with Ink's
// own Output and once with the bundle's (scripts/ink-bounded-caches/output.js, which keeps unchanged
// rows), and run with the bin's V8 flags; CPU from process.cpuUsage() over the frames.
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {parseArgs} from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const {values} = parseArgs({options: {'frame-cost': {type: 'boolean'}, frames: {type: 'string', default: '200'}}});
const FRAMES = Number(values.frames);

const HARNESS = `
import {EventEmitter} from 'node:events';
import {render} from 'ink';
import {Lines, span} from './source/ui/lines.js';
import {screenRenderOptions} from './source/ui/render-options.js';
import {ThemeContext} from './source/ui/theme.js';

class Terminal extends EventEmitter {
	isTTY = true; columns = 160; rows = 45; bytes = 0; waiting = [];
	write(chunk, callback) { this.bytes += Buffer.byteLength(chunk); for (const resolve of this.waiting.splice(0)) resolve(); callback?.(); return true; }
}
const terminal = new Terminal();
// 44 rows of five styled spans, like the session list; row 5's age changes every frame.
const lines = n => Array.from({length: 44}, (_, i) => ({spans: [span(String(10000 + i).padStart(8), {tone: 'ok'}), span(' shop       postgres   checkout      ', {isBold: i % 3 === 0}), span('active', {tone: 'warning'}), span(\`  \${i === 5 ? n : 0}s  \`), span('select pg_sleep($1) from orders where a = b and c = d order by e limit 100', {isDim: true})]}));
const frame = n => <ThemeContext.Provider value={{isColor: true}}><Lines lines={lines(n)} width={160}/></ThemeContext.Provider>;
const drawn = () => new Promise(resolve => terminal.waiting.push(resolve));
const first = drawn();
const app = render(frame(0), screenRenderOptions(terminal));
await first;
const firstBytes = terminal.bytes;
const frames = Number(process.argv[2]);
const start = process.cpuUsage();
for (let n = 1; n <= frames; n++) {
	const written = drawn();
	app.rerender(frame(n));
	await written;
	// Past Ink's 100 ms throttle, so every frame is drawn on its own.
	await new Promise(resolve => setTimeout(resolve, 101));
}
const used = process.cpuUsage(start);
app.unmount();
console.log(JSON.stringify({cpuMsPerFrame: (used.user + used.system) / 1000 / frames, bytesPerFrame: (terminal.bytes - firstBytes) / frames, firstFrameBytes: firstBytes}));
`;

type Build = {bundleOptions: (plugin: unknown) => {plugins: unknown[]} & Record<string, unknown>; inkBoundedCaches: () => {plugin: unknown}; inkBuildDir: () => string};
type EsbuildPlugin = {name: string; setup: (build: {onLoad: (filter: {filter: RegExp}, load: (args: {path: string}) => unknown) => void}) => void};

const build = await import(pathToFileURL(path.join(ROOT, 'scripts', 'build.mjs')).href) as Build;
const esbuild = await import('esbuild');
/** Loads Ink's own output.js before the substitutes' plugin can replace it. */
const inkOwnOutput: EsbuildPlugin = {
	name: 'ink-own-output',
	setup(bundler) {
		bundler.onLoad({filter: /[\\/]ink[\\/]build[\\/]output\.js$/}, args => ({contents: readFileSync(args.path, 'utf8'), loader: 'js', resolveDir: path.dirname(args.path)}));
	},
};

const dir = mkdtempSync(path.join(os.tmpdir(), 'lifeguard-frame-cost-'));
try {
	// The bin's #! flags, which decide how often the young generation is collected.
	const flags = /node (.*)$/.exec(readFileSync(path.join(ROOT, 'cli.tsx'), 'utf8').split('\n')[0]!)![1]!.split(' ');
	console.log(`# one-line frames at 160x45, ${FRAMES} frames each; ${new Date().toISOString()}; load ${os.loadavg().map(load => load.toFixed(1)).join(' ')}`);
	for (const [label, extra] of [["Ink's Output", [inkOwnOutput]], ['the bundle\'s Output (rows kept)', []]] as const) {
		const outfile = path.join(dir, `${label.length}.mjs`);
		const {plugin} = build.inkBoundedCaches();
		const options = build.bundleOptions(plugin);
		await esbuild.build({...options, plugins: [...extra, ...options.plugins], jsx: 'automatic', metafile: false, logLevel: 'error', stdin: {contents: HARNESS, loader: 'tsx', resolveDir: ROOT, sourcefile: 'frame-cost-harness.tsx'}, outfile} as Parameters<typeof esbuild.build>[0]);
		const output = execFileSync(process.execPath, [...flags, outfile, String(FRAMES)], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: {...process.env, MALLOC_ARENA_MAX: '2'}});
		const result = JSON.parse(/{.*}/.exec(output)![0]) as {cpuMsPerFrame: number; bytesPerFrame: number; firstFrameBytes: number};
		console.log(`${label}: ${result.cpuMsPerFrame.toFixed(2)} ms CPU per frame, ${result.bytesPerFrame.toFixed(0)} bytes per frame written (the first frame: ${result.firstFrameBytes})`);
	}
} finally {
	if (!process.env['KEEP']) rmSync(dir, {recursive: true, force: true});
}
