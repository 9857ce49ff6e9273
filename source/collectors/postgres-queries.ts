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
 *
 * At 5000 backends the one read of pg_stat_get_activity() is most of the statement's cost (the server
 * copies every slot's status and finds each backend's PGPROC), so the rest reads `client` as few times
 * as it can and as little of it: one aggregate for every count; one hash aggregate for the client
 * groups, from which the applications are summed (no sort by name: the pids are sorted within each
 * group); the age and the address as text are computed for the listed rows and groups only; a state
 * is compared as a small number (`sc`). bench/README.md has the figures.
 */
const SNAPSHOT_COLUMNS = `
with me as materialized (
	select pg_backend_pid() as pid, clock_timestamp() as now
),
client as materialized (
	select a.pid, a.datid, a.usesysid, a.backend_type is null as hidden,
		(a.pid = me.pid or a.application_name = '${LIFEGUARD_APPLICATION}') as own,
		-- sc: 0 idle, 1 active, 2 idle in transaction, 3 … (aborted), 4 anything else (or none yet).
		case a.state when 'idle' then 0 when 'active' then 1 when 'idle in transaction' then 2
			when 'idle in transaction (aborted)' then 3 else 4 end as sc,
		coalesce(a.wait_event_type = 'Lock', false) as is_lock,
		a.state is distinct from 'idle'
			and coalesce(a.xact_start, a.query_start, a.backend_start) < me.now - interval '${STALE_WORK_SECONDS} seconds' as is_stale,
		coalesce(a.state_change, a.backend_start) as since, a.query_start,
		a.application_name, a.client_addr, a.state, a.backend_start, a.xact_start,
		a.wait_event_type, a.wait_event, left(a.query, ${QUERY_TEXT_CAP}) as query
	from pg_stat_get_activity(null) a, me
	where a.backend_type = 'client backend'
		or (a.backend_type is null and a.datid is not null and a.usesysid is not null)
),
seen as not materialized (
	select * from client where not hidden and not own
),
totals as materialized (
	select count(*) filter (where not own) as connections, count(*) filter (where own) as own_connections,
		count(*) filter (where hidden) as hidden,
		count(*) filter (where not hidden and not own) as seen,
		count(*) filter (where not hidden and not own and sc = 0) as idle,
		count(*) filter (where not hidden and not own and sc = 1) as active,
		count(*) filter (where not hidden and not own and sc = 2) as idle_in_transaction,
		count(*) filter (where not hidden and not own and sc = 3) as aborted,
		count(*) filter (where not hidden and not own and sc = 4) as other,
		count(*) filter (where not hidden and not own and is_lock) as lock_waiting
	from client
),
waiter as materialized (
	select s.pid, pg_blocking_pids(s.pid) as blocked_by
	from seen s
	where s.is_lock
	limit ${BLOCKER_LOOKUP_CAP}
),
listed as materialized (
	select * from (
		select s.*, case when s.is_lock then (select w.blocked_by from waiter w where w.pid = s.pid) end as blocked_by
		from seen s
	) s
	-- The oldest state first: since ascending is the age descending.
	order by s.blocked_by is not null desc, s.sc in (2, 3) desc, s.sc = 1 desc, s.since
	limit $1
),
grp as materialized (
	select application_name as application, client_addr, count(*) as n,
		count(*) filter (where sc = 1) as active, count(*) filter (where sc <> 0) as busy,
		-- Per backend: 0 idle | 1 working | 2 stale (ordered by pid below, within the group).
		array_agg(pid) as pids, array_agg(case when sc = 0 then 0 when is_stale then 2 else 1 end) as work,
		-- backend_start to 0.1 s (seconds since the epoch)
		array_agg(round(extract(epoch from backend_start)::numeric, 1)) as starts
	from seen
	group by application_name, client_addr
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
	t.connections::int, t.own_connections::int, t.hidden::int,
	json_build_object('active', t.active, 'idle', t.idle, 'idleInTransaction', t.idle_in_transaction,
		'idleInTransactionAborted', t.aborted, 'other', t.other) as states,
	t.lock_waiting::int,
	(select json_build_object('pid', s.pid, 'seconds', greatest(extract(epoch from (me.now - s.since)), 0)::float8,
		'blocking', (select count(*) from waiter w where s.pid = any(w.blocked_by)))
		from seen s, me where s.sc in (2, 3) order by s.since limit 1) as oldest_idle_in_transaction,
	(select json_build_object('pid', s.pid,
		'seconds', greatest(extract(epoch from (me.now - s.query_start)), 0)::float8)
		from seen s, me where s.sc = 1 order by s.query_start limit 1) as longest_active,
	(select coalesce(json_agg(json_build_object('name', db.datname, 'connections', d.n,
		'limit', nullif(db.datconnlimit, -1)) order by d.n desc), '[]')
		from (select datid, count(*) as n from client where not own group by datid) d
		join pg_database db on db.oid = d.datid) as databases,
	(select coalesce(json_agg(json_build_object('name', r.rolname, 'connections', u.n,
		'limit', nullif(r.rolconnlimit, -1)) order by u.n desc), '[]')
		from (select usesysid, count(*) as n from client where not own group by usesysid) u
		join pg_roles r on r.oid = u.usesysid) as users,
	-- An application's idle connections are its groups' connections that are not busy.
	(select coalesce(json_agg(json_build_object('name', p.name, 'connections', p.n, 'idle', p.idle)
		order by p.n desc), '[]')
		from (select application as name, sum(n)::int as n, sum(n - busy)::int as idle
			from grp group by application) p) as applications,
	(select coalesce(json_agg(json_build_object('application', g.application, 'client', host(g.client_addr),
		'connections', g.n, 'active', g.active, 'busy', g.busy,
		-- [pid, state, backend_start] per backend: pool-suspected follows a pooler's server connections
		-- by pid as their application_name changes; a burst of new backends replacing old ones is a
		-- restart or deploy (some 26 bytes a connection).
		'backends', (select array_agg(array[b.pid, b.work, b.started] order by b.pid)
			from unnest(g.pids, g.work, g.starts) b(pid, work, started)))
		order by g.n desc), '[]')
		from grp g) as client_groups,
	(select coalesce(json_agg(json_build_object(
		'pid', l.pid, 'user', r.rolname, 'database', db.datname, 'application', l.application_name,
		'client', host(l.client_addr), 'state', l.state,
		'stateSeconds', greatest(extract(epoch from (me.now - l.since)), 0)::float8,
		'backendStart', l.backend_start,
		'backendStartMicros', round(extract(epoch from l.backend_start) * 1e6)::bigint::text,
		'xactStart', l.xact_start, 'queryStart', l.query_start,
		'waitEventType', l.wait_event_type, 'waitEvent', l.wait_event,
		'blockedBy', coalesce(to_json(l.blocked_by), '[]'),
		'query', l.query,
		'isSuperuser', coalesce(r.rolsuper, false))), '[]')
		from listed l left join pg_roles r on r.oid = l.usesysid left join pg_database db on db.oid = l.datid, me) as sessions,
	greatest(t.seen - $1, 0)::int as sessions_omitted,
	coalesce((select rolsuper from pg_roles where rolname = current_user), false) as is_superuser,
	pg_has_role('pg_read_all_stats', 'USAGE') as can_read_all_stats,
	pg_has_role('pg_signal_backend', 'USAGE') as can_signal_backend
from totals t
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
