// What a terminate or cancel did, per session: actions/terminate.ts reports these back as collectors
// report readings, and the screen folds them in. Types only.

export type SignalKind = 'terminate' | 'cancel';

export type SignalOutcome = 'terminated' | 'cancelled' | 'skipped' | 'not-permitted' | 'failed';

export type SignalResult = {
	pid: number;
	user: string | null;
	application: string;
	state: string | null;
	outcome: SignalOutcome;
	/** One line, short enough for the status line. */
	detail: string;
};
