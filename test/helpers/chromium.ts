// Debian's headless Chromium, to look at an HTML page as a browser draws it: a screenshot, with no
// network, no profile of its own kept and nothing left running (killed at the deadline).
import {spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {ownProcess} from './test-tmp.js';

const CHROMIUM = '/usr/bin/chromium';

/** The page at `htmlFile` drawn in a window of `width` × `height`, as PNG bytes. */
export async function screenshot(htmlFile: string, {width, height, timeoutMs = 60_000}: {width: number; height: number; timeoutMs?: number}): Promise<Buffer> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'lifeguard-chromium-'));
	const png = path.join(dir, 'page.png');
	try {
		const child = spawn(CHROMIUM, [
			'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
			'--disable-component-update', '--disable-sync', `--user-data-dir=${path.join(dir, 'profile')}`, `--screenshot=${png}`,
			`--window-size=${width},${height}`, '--hide-scrollbars', pathToFileURL(htmlFile).href,
		], {stdio: ['ignore', 'ignore', 'pipe']});
		ownProcess(child);
		let stderr = '';
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
			stderr = (stderr + chunk).slice(-4000);
		});
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		const code = await new Promise<number | null>((resolve, reject) => {
			child.on('error', reject);
			child.on('close', resolve);
		});
		clearTimeout(timer);
		if (!existsSync(png)) {
			throw new Error(`chromium wrote no screenshot (exit ${String(code)}): ${stderr}`);
		}

		return await readFile(png);
	} finally {
		await rm(dir, {recursive: true, force: true});
	}
}
