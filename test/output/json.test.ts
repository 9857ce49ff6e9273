// `--json`'s findings keep their contract: a subject is a name (`api`, `pid 42`, `server`), not the
// judge's value, and with several servers each finding names its server beside it.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {pictureOf} from '../../source/judge/picture.js';
import {serversJson, snapshotJson} from '../../source/output/json.js';
import {defaultThresholds, observation, poolStatus, serverSnapshot, session} from '../helpers/snapshots.js';

const busy = observation({
	server: serverSnapshot({connections: 95, sessions: [session({pid: 42, state: 'idle in transaction', stateSeconds: 300})]}),
	pools: [poolStatus({metrics: {active: 5, max: 5, waiting: 12}})],
});

test('--json findings: code, level, how it knows, the subject\'s name, the message', () => {
	const json = snapshotJson({target: 'postgres://u:***@h/app', picture: pictureOf(busy, defaultThresholds)});
	assert.deepEqual(json.findings.map(finding => [finding.code, finding.subject]), [
		['pool-saturated', 'api'],
		['server-saturated', 'server'],
		['idle-in-transaction', 'pid 42'],
	]);
	assert.ok(json.findings.every(finding => Object.keys(finding).join() === 'code,level,evidence,subject,message' && finding.evidence === 'measured'));
});

test('several servers: each finding names its server, its subject stays a name', () => {
	const picture = pictureOf(busy, defaultThresholds);
	const json = serversJson([{name: 'primary', target: 'a', picture, error: null}, {name: 'replica', target: 'b', picture, error: null}]);
	assert.deepEqual(json.findings.filter(finding => finding.code === 'pool-saturated').map(finding => [finding.server, finding.subject]), [['primary', 'api'], ['replica', 'api']]);
});
