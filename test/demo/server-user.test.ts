// Which directories the server's user can enter, read from real directories' modes and owners: the
// owner's bits for its owner, the group's for its group, the others' for everyone else.
import assert from 'node:assert/strict';
import {chmodSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {after, before, describe, test} from 'node:test';
import '../helpers/test-tmp.js';
import {firstBlocker, type ServerUser} from '../../source/demo/server-user.js';

describe('firstBlocker', {skip: process.getuid ? false : 'POSIX only'}, () => {
	let root = '';
	let middle = '';
	let leaf = '';
	const owner: ServerUser = {uid: process.getuid!(), gid: null};
	const groupMember: ServerUser = {uid: null, gid: process.getgid!()};
	// Not an id of any file here: a user that is neither owner nor in the group.
	const stranger: ServerUser = {uid: 4_000_001, gid: 4_000_001};

	before(() => {
		root = mkdtempSync(path.join(os.tmpdir(), 'lifeguard-blocker-'));
		chmodSync(root, 0o711);
		middle = path.join(root, 'home');
		leaf = path.join(middle, 'clone', 'node_modules');
		mkdirSync(leaf, {recursive: true});
	});

	after(() => {
		chmodSync(middle, 0o755);
		rmSync(root, {recursive: true, force: true});
	});

	const cases: Array<{mode: number; user: ServerUser; name: string; isBlocked: boolean}> = [
		{mode: 0o700, user: stranger, name: 'others, 0700 (a private home)', isBlocked: true},
		{mode: 0o701, user: stranger, name: 'others, 0701', isBlocked: false},
		{mode: 0o770, user: stranger, name: 'others, 0770', isBlocked: true},
		{mode: 0o710, user: groupMember, name: 'the group, 0710', isBlocked: false},
		{mode: 0o701, user: groupMember, name: 'the group, 0701: the group\'s bits, not the others\'', isBlocked: true},
		{mode: 0o700, user: owner, name: 'the owner, 0700', isBlocked: false},
		{mode: 0o071, user: owner, name: 'the owner, 0071: the owner\'s bits, not the group\'s or others\'', isBlocked: true},
	];
	for (const {mode, user, name, isBlocked} of cases) {
		test(`${name}: ${isBlocked ? 'stops at that directory' : 'reaches the end'}`, () => {
			chmodSync(middle, mode);
			const expected = isBlocked ? {directory: middle, mode: `mode ${mode.toString(8).padStart(3, '0')}`} : undefined;
			assert.deepEqual(firstBlocker(leaf, user), expected);
		});
	}

	test('a directory that does not exist blocks, named as missing', () => {
		chmodSync(middle, 0o755);
		const missing = path.join(leaf, 'nope');
		assert.deepEqual(firstBlocker(missing, stranger), {directory: missing, mode: 'missing'});
	});
});
