// What a finding, an alarm and a level line are about, as a value. It is made into words here and
// only here, and into the key of its alarm here and only here. With several `--db`, the server a
// subject belongs to travels beside it (`Finding.server`, the log's `server`), never inside its words.

export type Subject =
	| {kind: 'server'}
	| {kind: 'pool'; name: string}
	/**
	 * A capped pool inferred from the server side: one application instance, or (client null) the
	 * application across its instances; with `pooler`, a connection pooler's server connections from
	 * one address (application '').
	 */
	| {kind: 'group'; application: string; client: string | null; pooler?: string}
	| {kind: 'pid'; pid: number}
	| {kind: 'privileges'}
	/** Every fleet read through Prometheus at once (fleet-over-capacity). */
	| {kind: 'fleet'};

export type SubjectKind = Subject['kind'];

export const serverSubject: Subject = {kind: 'server'};

export function poolSubject(name: string): Subject {
	return {kind: 'pool', name};
}

/**
 * The key of a subject's alarm: a subject holds one level, the worst of its findings. `server`,
 * `pool NAME`, `pid N`, `privileges`, `fleet` (as logs written before subjects were data named them),
 * `group APP\0CLIENT`; with several servers, the server's name first.
 */
export function subjectKey(subject: Subject, server?: string): string {
	const own = ownKey(subject);
	return server === undefined ? own : `${server}\u0000${own}`;
}

function ownKey(subject: Subject): string {
	switch (subject.kind) {
		case 'pool': {
			return `pool ${subject.name}`;
		}

		case 'group': {
			return subject.pooler === undefined ? `group ${subject.application}\u0000${subject.client ?? ''}` : `pooler ${subject.client ?? ''}`;
		}

		case 'pid': {
			return `pid ${subject.pid}`;
		}

		default: {
			return subject.kind;
		}
	}
}

/**
 * The subject's own name, as `--json`'s `subject` and the open findings have always written it: a
 * pool's name alone (`api`), `checkout (10.0.0.5)` for a suspected group, `pid 42`, `server`.
 */
export function subjectLabel(subject: Subject, server?: string): string {
	return withServer(ownLabel(subject), server);
}

function ownLabel(subject: Subject): string {
	switch (subject.kind) {
		case 'pool': {
			return subject.name;
		}

		case 'group': {
			if (subject.pooler !== undefined) {
				return `${subject.client ?? 'local socket'} (pooler)`;
			}

			const name = subject.application === '' ? '(no application name)' : subject.application;
			return subject.client === null ? name : `${name} (${subject.client})`;
		}

		case 'pid': {
			return `pid ${subject.pid}`;
		}

		default: {
			return subject.kind;
		}
	}
}

/** The subject inside a sentence: `pool api`, `suspected pool checkout (10.0.0.5)`, `pid 42`, `server`. */
export function subjectText(subject: Subject, server?: string): string {
	const label = ownLabel(subject);
	const text = subject.kind === 'pool' ? `pool ${label}` : (subject.kind === 'group' ? `suspected pool ${label}` : label);
	return withServer(text, server);
}

/** The subject at the start of a sentence: `Server`, `Pool api`, `Suspected pool checkout`, `pid 42` (a pid stays lower-case). */
export function subjectTitle(subject: Subject): string {
	const text = subjectText(subject);
	return subject.kind === 'pid' ? text : text.charAt(0).toUpperCase() + text.slice(1);
}

/** A finding's words, with its server's name in front when there are several. */
export function findingText(finding: {message: string; server?: string}): string {
	return withServer(finding.message, finding.server);
}

function withServer(text: string, server: string | undefined): string {
	return server === undefined ? text : `${server}: ${text}`;
}
