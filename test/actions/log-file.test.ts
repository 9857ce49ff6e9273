// The incident log's file (issue 19): it names roles, client addresses and findings, so a new one is
// created 0600, and lifeguard writes only to a regular file: a symlink planted at the path, a FIFO, a
// directory or a device is refused with one line naming the path, and nothing is written through it.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, describe, it} from 'node:test';
import {openIncidentLog} from '../../source/actions/incident-log.js';
import {logTime} from '../../source/judge/log-events.js';
import {baseTimeMs} from '../helpers/snapshots.js';

const dir = mkdtempSync(join(tmpdir(), 'lifeguard-log-file-'));
after(() => rmSync(dir, {recursive: true, force: true}));

const at = logTime(baseTimeMs);

function refusal(path: string): string {
	try {
		openIncidentLog(path).close();
	} catch (error) {
		const {message} = error as Error;
		assert.equal(message.includes('\n'), false, message);
		return message;
	}

	return assert.fail(`${path} was opened`);
}

describe('the incident log file', () => {
	it('is created 0600, whatever the umask lets through', () => {
		const path = join(dir, 'new.jsonl');
		const log = openIncidentLog(path);
		log.write({at, type: 'reconnect'});
		log.close();
		assert.equal((statSync(path).mode & 0o777).toString(8), '600');
	});

	it('keeps the mode of a file that exists, and appends to it', () => {
		const path = join(dir, 'existing.jsonl');
		writeFileSync(path, '', {mode: 0o640});
		const log = openIncidentLog(path);
		log.write({at, type: 'reconnect'});
		log.close();
		assert.equal((statSync(path).mode & 0o777).toString(8), '640');
		assert.equal(readFileSync(path, 'utf8'), `${JSON.stringify({at, type: 'reconnect'})}\n`);
	});

	it('refuses a symlink, to a file that exists or to none, and writes nothing through it', () => {
		const target = join(dir, 'target.txt');
		writeFileSync(target, 'keep\n');
		for (const [name, pointsTo] of [['link.jsonl', target], ['dangling.jsonl', join(dir, 'created-through-link.txt')]] as const) {
			const link = join(dir, name);
			symlinkSync(pointsTo, link);
			assert.equal(refusal(link), `Cannot open the incident log ${link} for append: it is a symbolic link, not a regular file`);
		}

		assert.equal(readFileSync(target, 'utf8'), 'keep\n');
		assert.throws(() => statSync(join(dir, 'created-through-link.txt')), {code: 'ENOENT'});
	});

	it('refuses a FIFO with a reader at the other end', () => {
		// (Without a reader, opening one to write would block this process: test/cli/log-file.test.ts
		// shows that case on the command line, where a run can be timed out.)
		const fifo = join(dir, 'fifo.jsonl');
		const made = spawnSync('mkfifo', [fifo]);
		assert.equal(made.status, 0, String(made.stderr));
		const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
		try {
			assert.equal(refusal(fifo), `Cannot open the incident log ${fifo} for append: it is a FIFO, not a regular file`);
		} finally {
			closeSync(reader);
		}
	});

	it('refuses a directory and a device', () => {
		assert.equal(refusal(dir), `Cannot open the incident log ${dir} for append: it is a directory, not a regular file`);
		assert.equal(refusal('/dev/null'), 'Cannot open the incident log /dev/null for append: it is a device, not a regular file');
	});
});
