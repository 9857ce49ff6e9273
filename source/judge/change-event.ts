// What changed while watching, as the log writes it and the picture carries it: its own file so the
// picture (which carries recent changes) and the log's contract (which writes them) share it without
// importing each other.
import type {Subject} from './subject.js';

/**
 * What a line is about: the writer writes a Subject. A log written before subjects were data holds
 * words instead (`server`, `pool api`, `pid 42`, `privileges`; `api` in an open finding), and a fold
 * names a connection or an endpoint in words (`connection`, `endpoint URL`).
 */
export type LoggedSubject = Subject | string;

/**
 * What changed while watching: a pool's max (not a fleet's sum); the server's configuration reloaded
 * (`loadedAt`: the server's pg_conf_load_time, with the settings then pending a restart, when read);
 * the server restarted (`from`/`to`: pg_postmaster_start_time before and after); an application
 * reconnected at once; a fleet's instances came or went.
 */
export type ChangeLogEvent = {type: 'change'; subject: LoggedSubject; /** Where it was seen when not while watching: `Prometheus` history. */ source?: string} & (
	| {what: 'max'; from: number; to: number}
	| {what: 'reload'; loadedAt: string; pendingRestart?: string[]}
	| {what: 'restart'; from: string; to: string}
	/**
	 * An application's backends replaced at once (a restart or deploy, reconnect-bursts.ts): `replaced`
	 * of its `of` old ones by new ones whose backend_start lie within `withinSeconds`, the first at
	 * `firstStartedAt` (the server's clock). `client`: the address, when the application sent no name.
	 */
	| {what: 'reconnected'; application: string; client: string | null; replaced: number; of: number; withinSeconds: number; firstStartedAt: string}
	/** A fleet's instances that joined or left between polls (fleet-members.ts), by name, with the count before and after. */
	| {what: 'instances'; from: number; to: number; joined: string[]; left: string[]}
);

export type RecentChange = {
	atMs: number;
	event: ChangeLogEvent & {at: string};
	/** When the first finding after it began (warning or critical), null while none has. */
	findingAfterMs: number | null;
};

/** A pool's max that changed, with its time. */
export type MaxChange = Extract<ChangeLogEvent, {what: 'max'}> & {at: string};

/** One pool's queue before lifeguard started (judge/before-start.ts): only pools that queued are told. */
export type PriorPool = {
	name: string;
	/** When the queue that still stood at the last point before the start began; null when it had drained. */
	queueSince: string | null;
	/** The most waiting in the window, the earliest moment of it. */
	peakWaiting: {value: number; at: string};
};

/** What a source of history (Prometheus) showed before the start; `from`: its first point. */
export type PriorStory = {source: string; from: string; pools: PriorPool[]; changes: MaxChange[]};
