// `--json` into a pipe whose reader is slower than lifeguard: the whole document arrives before the
// process exits (it exited with the document still in its write queue: a 2.5 MB document arrived cut
// after ~200 KB). The closed pipe of hang-up.test.ts still ends quietly.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {setTimeout as sleep} from 'node:timers/promises';
import {after, before, describe, test} from 'node:test';
import {startPrometheusApi, type FakePrometheusApi} from '../helpers/hostile-endpoints.js';
import {startEmbeddedPostgres, type TestServer} from '../helpers/postgres.js';
import {CLI, cleanEnv, ensureBuilt, REPO_ROOT} from './helpers.js';

const EMPTY_VECTOR = '{"status":"success","data":{"resultType":"vector","result":[]}}';

/** `services` HikariCP services of `instances` instances each: a fleet row per service in --json. */
function fleetVector(services: number, instances: number): string {
	const series: string[] = [];
	for (let service = 0; service < services; service++) {
		for (let index = 0; index < instances; index++) {
			for (const [name, value] of [['hikaricp_connections_max', 10], ['hikaricp_connections', 10], ['hikaricp_connections_active', 4], ['hikaricp_connections_idle', 6], ['hikaricp_connections_pending', 0]] as const) {
				series.push(`{"metric":{"__name__":"${name}","instance":"10.${service}.${index >> 8}.${index & 255}:8080","pool":"HikariPool-1","service":"svc${service}"},"value":[1796000000.123,"${value}"]}`);
			}
		}
	}

	return `{"status":"success","data":{"resultType":"vector","result":[${series.join(',')}]}}`;
}

describe('--json into a slow pipe', () => {
	let server: TestServer;
	let api: FakePrometheusApi;

	before(async () => {
		ensureBuilt();
		server = await startEmbeddedPostgres();
		const body = Buffer.from(fleetVector(20, 150)); // ~2.2 MB, under the 4 MiB answer cap
		api = await startPrometheusApi(query => (query.includes('hikaricp_connections_max') ? body : EMPTY_VECTOR));
	});

	after(async () => {
		await api?.stop();
		await server?.stop();
	});

	test('a reader taking 20 ms per chunk gets the whole document, and it parses', async () => {
		// Two endpoints on the same API: 40 fleets of 150 instances, a document of ~2.5 MB.
		const child = spawn(process.execPath, [CLI, '--json', '--db', server.url, '--pool-timeout', '10', '--prometheus', `a=${api.url}`, '--prometheus', `b=${api.url}/b`], {cwd: REPO_ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe']});
		let stderr = '';
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
			stderr += chunk;
		});
		const exited = new Promise<number | null>((resolve, reject) => {
			child.on('error', reject);
			child.on('exit', resolve);
		});
		const chunks: Buffer[] = [];
		// The async iterator reads on 'readable': one chunk (at most 64 KiB), then a pause, until the end.
		for await (const chunk of child.stdout) {
			chunks.push(chunk as Buffer);
			await sleep(20);
		}

		assert.equal(await exited, 0, stderr);
		const text = Buffer.concat(chunks).toString('utf8');
		assert.ok(text.length > 2_000_000, `--json is ${text.length} bytes: too small to outlast the pipe's buffer`);
		const json = JSON.parse(text) as {server: unknown; pools: Array<{name: string; fleet: {instances: number} | null}>};
		assert.ok(json.server, 'the server part is there');
		assert.equal(json.pools.length, 40);
		assert.ok(json.pools.every(pool => pool.fleet?.instances === 150), JSON.stringify(json.pools.map(pool => [pool.name, pool.fleet?.instances])));
	});
});
