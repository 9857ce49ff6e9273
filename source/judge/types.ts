// What the judge works with besides the readings: levels, findings, the pools it holds, its lines
// and what it sees at one moment.
import type {PoolFormat, PoolMetrics, ServerSnapshot} from '../readings/types.js';
import type {Subject} from './subject.js';

export type Level = 'ok' | 'warning' | 'critical';

export type FindingCode =
	| 'pool-saturated'
	| 'pool-waiting'
	| 'pool-timeouts'
	| 'pool-busy'
	| 'pool-suspected'
	| 'fleet-over-capacity'
	| 'server-saturated'
	| 'idle-hoarding'
	| 'idle-in-transaction'
	| 'lock-contention'
	| 'pool-endpoint-down'
	| 'privileges-partial'
	/** One of several servers cannot be read (a lone server says so in the header instead). */
	| 'server-unreachable';

/**
 * How a finding knows: `measured` from numbers the source reports (a pool's waiters, the server's
 * slots, a session's lock wait), `inferred` from a shape that usually means it (a group holding a
 * steady count, busy). At the same level a measured finding always ranks above an inferred one.
 */
export type Evidence = 'measured' | 'inferred';

/** Each code's evidence: a new code must say how it knows (a finding may still say otherwise). */
export const CODE_EVIDENCE: Readonly<Record<FindingCode, Evidence>> = {
	'pool-saturated': 'measured',
	'pool-waiting': 'measured',
	'pool-timeouts': 'measured',
	'pool-busy': 'measured',
	'pool-suspected': 'inferred',
	'fleet-over-capacity': 'measured',
	'server-saturated': 'measured',
	'idle-hoarding': 'measured',
	'idle-in-transaction': 'measured',
	'lock-contention': 'measured',
	'pool-endpoint-down': 'measured',
	'privileges-partial': 'measured',
	'server-unreachable': 'measured',
};

export type Finding = {
	code: FindingCode;
	level: Exclude<Level, 'ok'>;
	subject: Subject;
	message: string;
	/** How it knows, when it differs from its code's (CODE_EVIDENCE); read it with evidenceOf. */
	evidence?: Evidence;
	/** With several `--db`, the server the finding is about (the desk sets it); absent for one. */
	server?: string;
};

/** One pool as the judge holds it: its last good metrics, and the endpoint's latest error. */
export type PoolStatus = {
	/** Display name, see the naming rules in `poolDisplayName`. */
	name: string;
	/** The id of the endpoint it comes from (PoolEndpoint.id): with its name, the pool's identity. */
	endpointId: string;
	/** Masked endpoint URL, to show. */
	endpoint: string;
	format: PoolFormat | null;
	/** Last good metrics, null before the first good sample. */
	metrics: PoolMetrics | null;
	/** When `metrics` was sampled (ms since the epoch), null before the first good sample. */
	sampledAtMs: number | null;
	/** The endpoint's latest failure (one line, masked), null when its last poll succeeded. */
	error: string | null;
	/** The endpoint answered, but with impossible numbers for this pool: `error` says which. */
	isInvalidReading?: boolean;
	/** A `pgbouncer://` endpoint answered as something else (pgpool-II, PostgreSQL): `error` says what. */
	isNotAConsole?: boolean;
	/** Pools the endpoint reported beyond lifeguard's cap, on each of its rows; absent when none. */
	omittedPools?: number;
};

export type Thresholds = {
	/** 0–1, default 0.8 */
	warnRatio: number;
	/** 0–1, default 0.95 */
	criticalRatio: number;
	/** --idle-in-transaction-after, default 60 */
	idleInTransactionSeconds: number;
};

/** What the diagnosis sees at one moment; the judge keeps a short history of these, oldest first. */
export type Observation = {
	atMs: number;
	/** null while disconnected */
	server: ServerSnapshot | null;
	pools: PoolStatus[];
};
