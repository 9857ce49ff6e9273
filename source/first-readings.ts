// Every watched server's first reading, at once. The live screen asks for them before it loads Ink,
// React and yoga (commands/watch.ts): the servers work on the first snapshot while that code evaluates,
// which at 5000 backends is a few hundred milliseconds of the server's time off the first frame.
import type {PostgresSource} from './collectors/postgres-activity.js';
import type {ServerReading} from './readings/types.js';

/** A server whose connection could not be opened at start reads as down, with why. */
export type FirstReadingSource = {postgres: PostgresSource; startError?: string};

export async function firstReadings(servers: readonly FirstReadingSource[]): Promise<ServerReading[]> {
	return Promise.all(servers.map(async (server): Promise<ServerReading> => (server.startError
		? {ok: false, error: server.startError, isDisconnected: true}
		: server.postgres.poll())));
}
