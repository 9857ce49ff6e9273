// `npm run sizes`: the sizes the README's Install section gives, measured, printed as the table the
// README carries between <!-- sizes --> and <!-- /sizes --> (test/release/release.test.ts measures the
// same things on its own installs and fails when the README is off by more than SIZE_TOLERANCE), and
// the start-up time of both forms (`--version`: the program without the live screen, which loads only when it draws).
// It packs the tarball and installs it twice into temporary prefixes, both removed at the end.
import {spawnSync} from 'node:child_process';
import {existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = path.join(ROOT, 'dist', 'cli.js');
const EXE = path.join(ROOT, 'dist', 'lifeguard-linux-x64');
const MB = 1_000_000;
/** How far a README size may be from the measured one: 5 %, at least 0.1 MB. */
const SIZE_TOLERANCE = {ratio: 0.05, minimumMb: 0.1};

/** Bytes of the regular files under `entry` (symbolic links not followed, not counted). */
export function treeBytes(entry) {
	const stat = lstatSync(entry);
	if (stat.isDirectory()) {
		return readdirSync(entry).reduce((sum, name) => sum + treeBytes(path.join(entry, name)), 0);
	}

	return stat.isFile() ? stat.size : 0;
}

function npm(args, options = {}) {
	const result = spawnSync('npm', args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options});
	if (result.status !== 0) {
		throw new Error(`npm ${args.join(' ')}: exit ${result.status ?? result.signal}: ${result.stderr.trim().split('\n').slice(-3).join(' / ')}`);
	}

	return result.stdout;
}

/** `npm pack` of the repository (the bundle as built: no prepare) into `directory`; the tarball's path. */
function packTarball(directory, root = ROOT) {
	const [packed] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', directory], {cwd: root}));
	return path.join(directory, packed.filename);
}

/** The README's slim install: `npm install --prefix PREFIX --omit=optional TARBALL`. */
function installSlim(tarball, prefix) {
	npm(['install', '--prefix', prefix, '--omit=optional', '--no-audit', '--no-fund', '--prefer-offline', tarball], {cwd: path.dirname(tarball)});
}

/** The README's global install (`npm install -g TARBALL`), with npm's global prefix pointed at `prefix`. */
function installGlobal(tarball, prefix) {
	npm(['install', '-g', '--no-audit', '--no-fund', '--prefer-offline', tarball], {cwd: path.dirname(tarball), env: {...process.env, npm_config_prefix: prefix}});
}

const mb = bytes => `${(bytes / MB).toFixed(bytes >= 10 * MB ? 0 : 1)} MB`;

/** The table as the README carries it; `sizes` in bytes. */
export function sizesTable({bundle, tarball, tarballName, slim, full, exe}) {
	return [
		'| what | size |',
		'| --- | ---: |',
		`| \`dist/cli.js\`: the bundle, the whole program | ${mb(bundle)} |`,
		`| \`${tarballName}\` (\`npm pack\`) | ${mb(tarball)} |`,
		`| installed with \`--omit=optional\` | ${mb(slim)} |`,
		`| installed with the demo's PostgreSQL | ${mb(full)} |`,
		`| \`dist/lifeguard-linux-x64\` (\`npm run build:exe\`) | ${mb(exe)} |`,
	].join('\n');
}

/** The table between the README's size markers, or null. */
export function readmeSizesTable(readme) {
	return /<!-- sizes -->\n([\s\S]*?)\n<!-- \/sizes -->/.exec(readme)?.[1] ?? null;
}

/**
 * Differences between a README table and a measured one: the same rows in the same order, each size
 * within SIZE_TOLERANCE. An empty list when they agree.
 */
export function compareTables(readmeTable, measuredTable) {
	const rows = table => table.split('\n').slice(2).map(line => {
		const [, label, size] = /^\| (.*) \| ([\d.]+) MB \|$/.exec(line) ?? [];
		return {label, size: Number(size)};
	});
	const written = rows(readmeTable);
	const measured = rows(measuredTable);
	if (written.map(row => row.label).join('\n') !== measured.map(row => row.label).join('\n')) {
		return [`rows differ: README ${JSON.stringify(written.map(row => row.label))}, measured ${JSON.stringify(measured.map(row => row.label))}`];
	}

	return measured.flatMap(({label, size}, index) => {
		const allowed = Math.max(SIZE_TOLERANCE.minimumMb, size * SIZE_TOLERANCE.ratio);
		// (Both sizes are rounded to 0.1 MB: a hair over `allowed` is the rounding.)
		return Math.abs(written[index].size - size) <= allowed + 1e-9 ? [] : [`${label}: README ${written[index].size} MB, measured ${size} MB`];
	});
}

/**
 * Start-up of `argv` over `runs` runs (after one warm-up): the median wall time, and the median CPU
 * time (user + system, from the shell's `times`), which a busy machine disturbs less. In seconds.
 */
function startup(argv, runs = 9) {
	const walls = [];
	const cpus = [];
	for (let run = 0; run <= runs; run++) {
		const started = process.hrtime.bigint();
		const result = spawnSync('sh', ['-c', '"$0" "$@" > /dev/null || exit 1; times', ...argv], {encoding: 'utf8', cwd: os.tmpdir()});
		const wall = Number(process.hrtime.bigint() - started) / 1e9;
		// `times`: the shell's user and system time, then its children's: "0m0.300s 0m0.050s".
		const children = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/m.exec(result.stdout.trim().split('\n').at(-1) ?? '');
		if (result.status !== 0 || !children) {
			throw new Error(`${argv.join(' ')}: exit ${result.status ?? result.signal} ${result.stderr.trim()}`);
		}

		if (run > 0) {
			walls.push(wall);
			cpus.push((Number(children[1]) * 60) + Number(children[2]) + (Number(children[3]) * 60) + Number(children[4]));
		}
	}

	const median = values => values.sort((x, y) => x - y)[Math.floor(values.length / 2)];
	return {wallSeconds: median(walls), cpuSeconds: median(cpus)};
}

function main() {
	for (const [file, command] of [[BUNDLE, 'npm run build'], [EXE, 'npm run build:exe']]) {
		if (!existsSync(file)) {
			throw new Error(`${path.relative(ROOT, file)} is missing: run ${command} first`);
		}
	}

	const work = mkdtempSync(path.join(os.tmpdir(), 'lifeguard-sizes-'));
	try {
		const tarball = packTarball(work);
		installSlim(tarball, path.join(work, 'slim'));
		installGlobal(tarball, path.join(work, 'global'));
		console.log('<!-- sizes -->');
		console.log(sizesTable({
			bundle: statSync(BUNDLE).size,
			tarball: statSync(tarball).size,
			tarballName: path.basename(tarball),
			slim: treeBytes(path.join(work, 'slim')),
			full: treeBytes(path.join(work, 'global')),
			exe: statSync(EXE).size,
		}));
		console.log('<!-- /sizes -->');
	} finally {
		rmSync(work, {recursive: true, force: true});
	}

	const times = argv => {
		const {wallSeconds, cpuSeconds} = startup(argv);
		return `${wallSeconds.toFixed(2)} s (CPU ${cpuSeconds.toFixed(2)} s)`;
	};
	console.log(`\nstart-up, \`lifeguard --version\`, median of 9 runs (${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}): dist/cli.js through its #! line (node ${process.version}) ${times([BUNDLE, '--version'])}; dist/lifeguard-linux-x64 ${times([EXE, '--version'])}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	try {
		main();
	} catch (error) {
		console.error(`sizes: ${error.message}`);
		process.exit(1);
	}
}
