// SQL of `lifeguard doctor`, named by intent, one constant per question. Each one is read on its own,
// so a role that may not run one still gets the rest of the review: some settings views need privileges a monitoring role may lack.

/** The settings the review judges, as this session sees them, with where each value came from. */
export const SERVER_SETTINGS = `
select name, setting, unit, source
from pg_settings
where name in (
	'server_version', 'server_version_num', 'max_connections', 'superuser_reserved_connections',
	'reserved_connections', 'idle_in_transaction_session_timeout', 'idle_session_timeout',
	'statement_timeout', 'tcp_keepalives_idle', 'tcp_keepalives_interval', 'tcp_keepalives_count',
	'tcp_user_timeout'
)
`;

/**
 * Settings whose value did not come from the default (or that wait for a restart), and those some
 * ALTER DATABASE / ROLE … SET names (for their default). sourcefile and sourceline are NULL unless the
 * role is a superuser or in pg_read_all_settings. 'override' values are the server's own (data_directory,
 * values computed at start), not anyone's choice.
 */
export const CHANGED_SETTINGS = `
select name, setting, unit, boot_val, reset_val, source, sourcefile, sourceline, pending_restart
from pg_settings
where (source not in ('default', 'override') or pending_restart)
	or name in (select split_part(unnest(setconfig), '=', 1) from pg_db_role_setting)
order by name
`;

/**
 * The values the configuration files hold that the server could not apply without a restart, in file
 * order (the last of a name wins). pg_file_settings is readable by superusers only, by default.
 */
export const FILE_SETTINGS_PENDING = `
select name, setting, sourcefile, sourceline
from pg_file_settings
where not applied and error is not null and name is not null
order by seqno
`;

/**
 * What the monitoring role may do. pg_use_reserved_connections exists from 16 only: looked up by oid,
 * pg_has_role() answers NULL for a role that does not exist instead of raising an error.
 */
export const MONITOR_PRIVILEGES = `
select current_user as role,
	coalesce((select rolsuper from pg_roles where rolname = current_user), false) as is_superuser,
	pg_has_role('pg_read_all_stats', 'USAGE') as can_read_all_stats,
	pg_has_role('pg_signal_backend', 'USAGE') as can_signal_backend,
	pg_has_role((select oid from pg_roles where rolname = 'pg_use_reserved_connections'), 'USAGE') as can_use_reserved,
	inet_server_addr() is null as is_unix_socket
`;

/**
 * Client connections now: client backends, plus the rows this role may not inspect that have a
 * database and a user (as the live screen counts them, collectors/postgres-queries.ts).
 */
const CLIENT_ROWS = `
	select a.usesysid, a.datid, a.application_name
	from pg_stat_get_activity(null) a
	where a.backend_type = 'client backend'
		or (a.backend_type is null and a.datid is not null and a.usesysid is not null)
`;

/** Every login role with its connection limit and how many connections it holds now. */
export const LOGIN_ROLES = `
with client as (${CLIENT_ROWS})
select r.rolname as name, r.rolsuper as is_superuser, r.rolconnlimit as connection_limit,
	(select count(*) from client c where c.usesysid = r.oid)::int as connections
from pg_roles r
where r.rolcanlogin
order by r.rolname
`;

/** Every database that takes connections, with its limit and how many it holds now. */
export const DATABASES = `
with client as (${CLIENT_ROWS})
select d.datname as name, d.datconnlimit as connection_limit,
	(select count(*) from client c where c.datid = d.oid)::int as connections
from pg_database d
where d.datallowconn and not d.datistemplate
order by d.datname
`;

/** ALTER ROLE … SET / ALTER DATABASE … SET / ALTER ROLE … IN DATABASE … SET; NULL name = all. */
export const ROLE_AND_DATABASE_SETTINGS = `
select r.rolname as role, d.datname as database, s.setconfig as settings
from pg_db_role_setting s
left join pg_roles r on r.oid = s.setrole
left join pg_database d on d.oid = s.setdatabase
`;

/** Which role and database each application_name connects as: maps a pool to the limits it meets. */
export const APPLICATION_USAGE = `
with client as (${CLIENT_ROWS})
select c.application_name as application, r.rolname as role, d.datname as database, count(*)::int as connections
from client c
join pg_roles r on r.oid = c.usesysid
join pg_database d on d.oid = c.datid
group by 1, 2, 3
order by 4 desc
`;

/** Client connections now (lifeguard's own included) and how many of them this role cannot inspect. */
export const CLIENT_CONNECTIONS = `
with client as (
	select a.backend_type is null as hidden
	from pg_stat_get_activity(null) a
	where a.backend_type = 'client backend'
		or (a.backend_type is null and a.datid is not null and a.usesysid is not null)
)
select count(*)::int as connections, count(*) filter (where hidden)::int as hidden from client
`;

/** PgBouncer admin console commands (simple query protocol; columns read by name, they vary by version). */
export const PGBOUNCER_CONFIG = 'SHOW CONFIG';
export const PGBOUNCER_DATABASES = 'SHOW DATABASES';
export const PGBOUNCER_POOLS = 'SHOW POOLS';
export const PGBOUNCER_LISTS = 'SHOW LISTS';
