// The recording `lifeguard record` writes and `lifeguard report` reads: JSON Lines, a header, one
// line per sample of what the live screen read and judged, an end line. The field names are a
// contract (README, "Recording format"); `version` changes when a field changes meaning. A sample is
// capped (pools, client groups, findings, the length of outside text), so the file's size per hour
// is bounded: see MAX_SAMPLE_BYTES.
import {freeConnections, usableConnections} from '../judge/levels.js';
import type {Picture} from '../judge/picture.js';
import {subjectLabel, type SubjectKind} from '../judge/subject.js';
import type {FindingCode, Level} from '../judge/types.js';

export const RECORDING_VERSION = 1;

/** What one sample carries at most: the worst pools, the busiest client groups, the worst findings. */
export const SAMPLE_CAPS = {pools: 20, groups: 10, findings: 10, text: 120, message: 240} as const;

export type RecordingHeader = {
	lifeguard: 'recording';
	version: number;
	startedAt: string;
	intervalSeconds: number;
	forSeconds: number;
	/** The server, masked (postgres://user:***@host:port/db). */
	target: string;
	warnPercent: number;
	criticalPercent: number;
	caps: typeof SAMPLE_CAPS;
	/**
	 * Set when the report was built from Prometheus history (`report --prometheus`), never written by
	 * `record`: where the server's numbers came from, or why there are none.
	 */
	prometheus?: {server: string};
};

export type ServerSample = {
	connections: number;
	usable: number;
	maxConnections: number;
	free: number;
	active: number;
	idle: number;
	idleInTransaction: number;
	/** null from Prometheus: postgres_exporter's counts do not say who waits for a lock. */
	lockWaiting: number | null;
};

/** A pool's numbers; each null when its endpoint does not expose it (never an invented zero). */
export type PoolSample = {
	name: string;
	level: Level | 'unknown';
	max: number | null;
	active: number | null;
	idle: number | null;
	waiting: number | null;
	timeoutsTotal: number | null;
	error: string | null;
	/**
	 * The sizing advice's line when the judge could compute a need (Little's law, judge/advice.ts), else
	 * null; absent from recordings made before it was recorded.
	 */
	advice?: string | null;
};

export type GroupSample = {application: string; client: string | null; connections: number; busy: number};

export type FindingSample = {code: FindingCode; level: Exclude<Level, 'ok'>; kind: SubjectKind; subject: string; message: string};

export type RecordingSample = {
	type: 'sample';
	at: string;
	/** null while the server could not be read (serverError says why). */
	server: ServerSample | null;
	serverError: string | null;
	level: Level;
	pools: PoolSample[];
	poolsOmitted: number;
	groups: GroupSample[];
	groupsOmitted: number;
	findings: FindingSample[];
	findingsOmitted: number;
};

export type RecordingEnd = {type: 'end'; at: string; samples: number};

/** Outside text cut to `limit` characters (whole code points), so a sample's size stays bounded. */
function cut(text: string, limit: number = SAMPLE_CAPS.text): string {
	const points = [...text];
	return points.length <= limit ? text : `${points.slice(0, limit - 1).join('')}…`;
}

export function recordingHeader(input: {startedAtMs: number; intervalMs: number; forMs: number; target: string; warnRatio: number; criticalRatio: number}): RecordingHeader {
	return {
		lifeguard: 'recording',
		version: RECORDING_VERSION,
		startedAt: new Date(input.startedAtMs).toISOString(),
		intervalSeconds: input.intervalMs / 1000,
		forSeconds: input.forMs / 1000,
		target: cut(input.target, 200),
		warnPercent: Math.round(input.warnRatio * 100),
		criticalPercent: Math.round(input.criticalRatio * 100),
		caps: SAMPLE_CAPS,
	};
}

/** One sample: the picture the live screen would draw at `atMs`, capped. */
export function recordingSample(picture: Picture, serverError: string | null, atMs: number): RecordingSample {
	const {server} = picture;
	const groups = server ? [...server.clientGroups].sort((a, b) => b.busy - a.busy || b.connections - a.connections) : [];
	return {
		type: 'sample',
		at: new Date(atMs).toISOString(),
		server: server ? {
			connections: server.connections,
			usable: usableConnections(server),
			maxConnections: server.maxConnections,
			free: freeConnections(server),
			active: server.states.active,
			idle: server.states.idle,
			idleInTransaction: server.states.idleInTransaction + server.states.idleInTransactionAborted,
			lockWaiting: server.lockWaiting,
		} : null,
		serverError: serverError === null ? null : cut(serverError, SAMPLE_CAPS.message),
		level: picture.level,
		// Worst first already (the picture's order): the cap keeps the pools that matter.
		pools: picture.pools.slice(0, SAMPLE_CAPS.pools).map(pool => ({
			name: cut(pool.name),
			level: pool.level,
			max: pool.metrics?.max ?? null,
			active: pool.metrics?.active ?? null,
			idle: pool.metrics?.idle ?? null,
			waiting: pool.metrics?.waiting ?? null,
			timeoutsTotal: pool.metrics?.timeoutsTotal ?? null,
			error: pool.error === null ? null : cut(pool.error, SAMPLE_CAPS.message),
			// Only a computed need: "no hold time to size it" on every sample would double a sample's size.
			advice: pool.advice?.needed === null || !pool.advice ? null : cut(pool.advice.text, SAMPLE_CAPS.message),
		})),
		poolsOmitted: Math.max(0, picture.pools.length - SAMPLE_CAPS.pools),
		groups: groups.slice(0, SAMPLE_CAPS.groups).map(group => ({
			application: cut(group.application),
			client: group.client === null ? null : cut(group.client),
			connections: group.connections,
			busy: group.busy,
		})),
		groupsOmitted: Math.max(0, groups.length - SAMPLE_CAPS.groups),
		findings: picture.findings.slice(0, SAMPLE_CAPS.findings).map(finding => ({
			code: finding.code,
			level: finding.level,
			kind: finding.subject.kind,
			subject: cut(subjectLabel(finding.subject)),
			message: cut(finding.message, SAMPLE_CAPS.message),
		})),
		findingsOmitted: Math.max(0, picture.findings.length - SAMPLE_CAPS.findings),
	};
}

export function recordingEnd(atMs: number, samples: number): RecordingEnd {
	return {type: 'end', at: new Date(atMs).toISOString(), samples};
}

/** The header of a recording, or why the line is not one (one line, no outside text echoed). */
export function parseHeader(line: string): RecordingHeader | {error: string} {
	let value: unknown;
	try {
		value = JSON.parse(line);
	} catch {
		return {error: 'not a lifeguard recording (its first line is not JSON)'};
	}

	const header = value as Partial<RecordingHeader> | null;
	if (header === null || typeof header !== 'object' || header.lifeguard !== 'recording') {
		return {error: 'not a lifeguard recording (no recording header on its first line)'};
	}

	if (typeof header.version !== 'number' || header.version > RECORDING_VERSION || header.version < 1) {
		return {error: `a recording of version ${typeof header.version === 'number' ? header.version : '?'}; this lifeguard reads version ${RECORDING_VERSION}`};
	}

	if (typeof header.startedAt !== 'string' || typeof header.intervalSeconds !== 'number' || typeof header.warnPercent !== 'number') {
		return {error: 'not a lifeguard recording (its header lacks startedAt, intervalSeconds or warnPercent)'};
	}

	return header as RecordingHeader;
}

/** A later line: a sample, the end, or null (a line cut short by a kill, or not ours): skipped and counted. */
export function parseLine(line: string): RecordingSample | RecordingEnd | null {
	let value: unknown;
	try {
		value = JSON.parse(line);
	} catch {
		return null;
	}

	const entry = value as {type?: unknown; at?: unknown; pools?: unknown; findings?: unknown} | null;
	if (entry === null || typeof entry !== 'object' || typeof entry.at !== 'string' || Number.isNaN(Date.parse(entry.at))) {
		return null;
	}

	if (entry.type === 'end') {
		return entry as RecordingEnd;
	}

	if (entry.type !== 'sample' || !Array.isArray(entry.pools) || !Array.isArray(entry.findings)) {
		return null;
	}

	// Someone else's file may hold anything in a list: only objects are read.
	const isObject = (item: unknown) => item !== null && typeof item === 'object';
	return {...entry, pools: entry.pools.filter(isObject), findings: entry.findings.filter(isObject)} as RecordingSample;
}
