// SQL for the session actions, one constant per intent. Every signalling statement re-checks the
// identity the operator saw (pid + backend_start in µs + state) inside the statement itself, so a
// session that ended, was replaced under a recycled pid or changed state yields 0 rows, not a kill.

/** Once per client: the server version (for the terminate form) and lifeguard's own backend. */
export const SIGNAL_PREFLIGHT = `
select current_setting('server_version_num')::int as version_num,
	pg_backend_pid() as self_pid`;

// $1 pid, $2 backend_start in integer µs, $3 the state the operator saw. Never lifeguard itself,
// never a non-client process. On 12/13 extract() returns double; rounding it is deterministic, so
// the key the collector computed the same way still compares equal.
const confirmedTarget = `
	select pid
	from pg_stat_activity
	where pid = $1
		and round(extract(epoch from backend_start) * 1e6)::bigint = $2::bigint
		and state = $3
		and backend_type = 'client backend'
		and pid <> pg_backend_pid()`;

// MATERIALIZED keeps the check and the signal visibly separate: the function runs only for a row that
// passed every condition. At most one row: a pid is unique among live backends.

/** Terminate one confirmed session, waiting up to $4 ms for it to exit (PG14+). */
export const TERMINATE_SESSION_AND_WAIT = `
with target as materialized (${confirmedTarget}
)
select pid, pg_terminate_backend(pid, $4::bigint) as is_signalled from target`;

/** Terminate one confirmed session; only says the signal was sent (PG12/13 have no timeout form). */
export const TERMINATE_SESSION = `
with target as materialized (${confirmedTarget}
)
select pid, pg_terminate_backend(pid) as is_signalled from target`;

/** Cancel the running query of one confirmed session; only an active session has one. */
export const CANCEL_SESSION_QUERY = `
with target as materialized (${confirmedTarget}
		and state = 'active'
)
select pid, pg_cancel_backend(pid) as is_signalled from target`;
