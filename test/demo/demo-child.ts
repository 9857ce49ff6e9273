// Test-only entry: start a demo headless in its own process, print its data directory, wait for a
// signal. startDemo's own signal handling must stop the server and remove the directory.
import process from 'node:process';
import {startDemo} from '../../source/demo/start-demo.js';

try {
	const demo = await startDemo(process.argv[2] ?? 'pool-too-small');
	process.stdout.write(`${JSON.stringify({dataDir: demo.dataDir})}\n`);
	setInterval(() => undefined, 60_000);
} catch (error) {
	process.stderr.write(`lifeguard: ${(error as Error).message}\n`);
	process.exitCode = (error as {exitCode?: number}).exitCode ?? 1;
}
