// SQL named by intent. One statement per poll, run in autocommit: pg_stat_activity is snapshotted once
// per transaction, so a BEGIN would freeze it (PostgreSQL docs, "Statistics Functions": the
// cumulative statistics are cached until the end of the transaction).

/**
 * The snapshot runs as this named prepared statement: parsed once per connection, and planned once
 * too (the plan cache settles on a generic plan after five executions). Re-parsing and re-planning
 * this statement on every poll was two thirds of its cost on the server.
 */
export const SNAPSHOT_STATEMENT_NAME = 'lifeguard_snapshot';
/** Rows the session list ships at most (the number left out is reported): --json and check. */
export const SESSION_ROW_CAP = 500;
/** The live screen shows a few dozen rows; every shipped row costs the server and the wire each poll. */
export const SCREEN_SESSION_ROW_CAP = 200;
/** pg_blocking_pids takes all 16 lock-manager partition locks: call it for lock waiters only, capped. */
export const BLOCKER_LOOKUP_CAP = 200;
export const QUERY_TEXT_CAP = 512;
/**
 * A connection in a transaction or statement that began this long ago has done no new work lately:
 * the client groups count it as `stale`, not as a pool's working connection. A capped pool under load
 * starts transactions on every connection again and again, so each one is seconds old at most; a batch
 * job's pg_sleep(3600) or a session left idle in its transaction never gets younger. 10 s, a third of
 * pool-suspected's 30 s window: a long statement that just began cannot fill that window with "new
 * work". A pool whose requests each take longer than this is not suspected (README: how it can be wrong).
 */
export const STALE_WORK_SECONDS = 10;

/**
 * lifeguard's own connections: this process's (pg_backend_pid) and those of other lifeguard screens
 * and one-shots, which connect as this application_name unless told otherwise. They hold slots, so the
 * free count takes them, but they are no one's usage: never in `connections`, the states, the session
 * list or the consumers (applications, users, databases, client groups). The literal name, not
 * ours: a PGAPPNAME shared with an application must not hide that application's sessions.
 */
const LIFEGUARD_APPLICATION = 'lifeguard';

/**
 * The whole picture in one statement (PostgreSQL 12–18). Client backends only (lifeguard's own apart):
 * autovacuum, background and parallel workers, walsenders have slots of their own. A row the role may
 * not inspect has a NULL backend_type; those with a database and a user are client backends we cannot
 * see into ("hidden").
 * It reads pg_stat_get_activity() rather than the view, which would join the catalogs for every row:
 * names are looked up only for the groups and the listed rows. $1 caps the session list.
 * Ages are clamped at 0 because the statement's clock can precede a state_change.
 */
const SNAPSHOT_COLUMNS = `
with me as materialized (
	select pg_backend_pid() as pid, clock_timestamp() as now
),
client as materialized (
	select a.pid, a.datid, a.usesysid, a.application_name, host(a.client_addr) as client,
		a.backend_type is null as hidden, a.state, a.backend_start, a.xact_start, a.query_start, a.state_change,
		a.wait_event_type, a.wait_event, left(a.query, ${QUERY_TEXT_CAP}) as query,
		(a.pid = me.pid or a.application_name = '${LIFEGUARD_APPLICATION}') as own
	from pg_stat_get_activity(null) a, me
	where a.backend_type = 'client backend'
		or (a.backend_type is null and a.datid is not null and a.usesysid is not null)
),
seen as materialized (
	select c.*,
		greatest(extract(epoch from (me.now - coalesce(c.state_change, c.backend_start))), 0)::float8 as state_seconds,
		c.state is distinct from 'idle'
			and coalesce(c.xact_start, c.query_start, c.backend_start) < me.now - interval '${STALE_WORK_SECONDS} seconds' as is_stale
	from client c, me
	where not c.hidden and not c.own
),
waiter as materialized (
	select s.pid, pg_blocking_pids(s.pid) as blocked_by
	from seen s
	where s.wait_event_type = 'Lock'
	limit ${BLOCKER_LOOKUP_CAP}
),
listed as (
	select s.*, w.blocked_by
	from seen s left join waiter w using (pid)
	order by (w.pid is not null) desc, s.state like 'idle in transaction%' desc, s.state = 'active' desc,
		s.state_seconds desc
	limit $1
)
select
	current_setting('server_version') as version,
	current_setting('server_version_num')::int as version_num,
	current_setting('max_connections')::int as max_connections,
	current_setting('superuser_reserved_connections')::int as superuser_reserved,
	coalesce(nullif(current_setting('reserved_connections', true), '')::int, 0) as reserved,
	(select pid from me) as self_pid,
	-- Two reads of this backend's memory: a reload or a restart between polls is a change to tell.
	(extract(epoch from pg_conf_load_time()) * 1000)::float8 as conf_loaded_ms,
	(extract(epoch from pg_postmaster_start_time()) * 1000)::float8 as started_ms,
	(select count(*) from client where not own)::int as connections,
	(select count(*) from client where own)::int as own_connections,
	(select count(*) from client where hidden)::int as hidden,
	(select json_build_object(
		'active', count(*) filter (where state = 'active'),
		'idle', count(*) filter (where state = 'idle'),
		'idleInTransaction', count(*) filter (where state = 'idle in transaction'),
		'idleInTransactionAborted', count(*) filter (where state = 'idle in transaction (aborted)'),
		'other', count(*) filter (where state is null or state not in
			('active', 'idle', 'idle in transaction', 'idle in transaction (aborted)'))
	) from seen) as states,
	(select count(*) from seen where wait_event_type = 'Lock')::int as lock_waiting,
	(select json_build_object('pid', s.pid, 'seconds', s.state_seconds,
		'blocking', (select count(*) from waiter w where s.pid = any(w.blocked_by)))
		from seen s where s.state like 'idle in transaction%' order by s.state_seconds desc limit 1) as oldest_idle_in_transaction,
	(select json_build_object('pid', s.pid,
		'seconds', greatest(extract(epoch from (me.now - s.query_start)), 0)::float8)
		from seen s, me where s.state = 'active' order by s.query_start limit 1) as longest_active,
	(select coalesce(json_agg(json_build_object('name', db.datname, 'connections', d.n,
		'limit', nullif(db.datconnlimit, -1)) order by d.n desc), '[]')
		from (select datid, count(*) as n from client where not own group by datid) d
		join pg_database db on db.oid = d.datid) as databases,
	(select coalesce(json_agg(json_build_object('name', r.rolname, 'connections', u.n,
		'limit', nullif(r.rolconnlimit, -1)) order by u.n desc), '[]')
		from (select usesysid, count(*) as n from client where not own group by usesysid) u
		join pg_roles r on r.oid = u.usesysid) as users,
	(select coalesce(json_agg(json_build_object('name', p.name, 'connections', p.n, 'idle', p.idle)
		order by p.n desc), '[]')
		from (select application_name as name, count(*) as n, count(*) filter (where state = 'idle') as idle
			from seen group by application_name) p) as applications,
	(select coalesce(json_agg(json_build_object('application', g.application, 'client', g.client,
		'connections', g.n, 'active', g.active, 'busy', g.busy, 'backends', g.backends)
		order by g.n desc), '[]')
		from (select application_name as application, client, count(*) as n,
			count(*) filter (where state = 'active') as active,
			count(*) filter (where state is distinct from 'idle') as busy,
			-- [pid, 0 idle | 1 working | 2 stale, backend_start] per backend: pool-suspected follows a
			-- pooler's server connections by pid as their application_name changes; a burst of new
			-- backends replacing old ones is a restart or deploy (some 26 bytes a connection).
			json_agg(json_build_array(pid, case when state = 'idle' then 0 when is_stale then 2 else 1 end,
				round(extract(epoch from backend_start)::numeric, 1)) order by pid) as backends
			from seen group by application_name, client) g) as client_groups,
	(select coalesce(json_agg(json_build_object(
		'pid', l.pid, 'user', r.rolname, 'database', db.datname, 'application', l.application_name,
		'client', l.client, 'state', l.state, 'stateSeconds', l.state_seconds,
		'backendStart', l.backend_start,
		'backendStartMicros', round(extract(epoch from l.backend_start) * 1e6)::bigint::text,
		'xactStart', l.xact_start, 'queryStart', l.query_start,
		'waitEventType', l.wait_event_type, 'waitEvent', l.wait_event,
		'blockedBy', coalesce(to_json(l.blocked_by), '[]'),
		'query', l.query,
		'isSuperuser', coalesce(r.rolsuper, false))), '[]')
		from listed l left join pg_roles r on r.oid = l.usesysid left join pg_database db on db.oid = l.datid) as sessions,
	greatest((select count(*) from seen) - $1, 0)::int as sessions_omitted,
	coalesce((select rolsuper from pg_roles where rolname = current_user), false) as is_superuser,
	pg_has_role('pg_read_all_stats', 'USAGE') as can_read_all_stats,
	pg_has_role('pg_signal_backend', 'USAGE') as can_signal_backend
`;

/**
 * The snapshot as one json column (keys: the column names above). One field to describe and parse per
 * poll instead of 21: the client's share of a 1 s poll was 15 % lower, measured at one poll a second.
 */
export const SNAPSHOT_OF_CLIENT_CONNECTIONS = `select row_to_json(snapshot) as snapshot from (${SNAPSHOT_COLUMNS}) snapshot`;

/**
 * Settings changed in the configuration that wait for a restart: read once at the start and again only
 * when the configuration's load time moves, never per poll (pg_settings builds every setting's row).
 */
export const PENDING_RESTART_SETTINGS = `select coalesce(array_agg(name::text order by name), '{}') as names from pg_settings where pending_restart`;
