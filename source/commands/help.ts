// `lifeguard --help` and the README's list of commands, both made from the commands table.
import type {FlagName} from '../argv.js';
import {keysHelpText} from '../keys/bindings.js';
import type {CommandSpec} from '../options.js';

/** Switches that are on by default are typed in their `--no-` form. */
const TYPED: Partial<Record<FlagName, string>> = {bell: '--no-bell', endpoint: '--no-endpoint'};
const typed = (flag: FlagName) => TYPED[flag] ?? `--${flag}`;

const OPTIONS = `Target: --db URL, else DATABASE_URL, else PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD,
PGSSLMODE, PGAPPNAME, PGCONNECT_TIMEOUT and ~/.pgpass, as psql reads them.

Options (a command refuses those it does not take; see the README's list of commands)
  --db [NAME=]URL                 postgres://user@host:5432/db (the password is never shown);
                                  repeat for several servers: --db primary=… --db replica=…
                                  (the pools are judged against the first)
  --pool [NAME=]URL               a pool endpoint, repeatable: http(s)://, prom+http(s)://,
                                  json+http(s)://, pgbouncer://user:pass@host:6432/pgbouncer
                                  (also LIFEGUARD_POOLS, space-separated)
  --prometheus [NAME=]URL         a fleet's pools through a Prometheus API, repeatable (also
                                  LIFEGUARD_PROMETHEUS); basic auth in the URL, or a bearer
                                  token in LIFEGUARD_PROMETHEUS_TOKEN_<NAME> (or in
                                  LIFEGUARD_PROMETHEUS_TOKEN for the one endpoint without
                                  credentials of its own)
  --prometheus-selector '{...}'   label matchers added to every query: '{namespace="shop"}'
  --interval SECONDS              refresh interval, 0.2 to 60 (default 1); with --sample, how
                                  often the one-shot commands poll
  --sample DURATION               --json, check: observe this long (e.g. 40s, 1s to 10m) and
                                  answer with all the live screen would show, pool-suspected too
  --pool-timeout SECONDS          per-endpoint timeout (default 2)
  --warn PERCENT                  warning level of used/usable and pool active/max (default 80)
  --critical PERCENT              critical level (default 95)
  --idle-after DURATION           what \`i\` marks: idle at least this long (default 5m)
  --idle-in-transaction-after D   idle-in-transaction finding threshold (default 60s)
  --read-only                     disable terminate and cancel
  --log FILE                      live screen: append an incident log (JSON Lines, new file 0600)
  --no-bell                       no terminal bell when something turns critical
  --json                          print one snapshot as JSON and exit (doctor: the report)
  --markdown                      doctor: the report as Markdown, for a postmortem or a ticket
  --scenario NAME                 demo: pool-too-small, server-full, idle-in-transaction, lock-contention
  --no-endpoint                   demo: the application does not publish its pool (find it anyway)
  --rule-interval SECONDS         alerts: the rules' evaluation interval, whole seconds (default 15)
  --for DURATION                  record: how long to record (30s, 10m, 2h; 1s to 168h)
  --out FILE                      record: the recording to write (JSON Lines, new file 0600)
  --html FILE                     report: also write the report as one self-contained HTML page`;

/** The usage, the options and the keys: the body of --help. */
export function helpText(commands: readonly CommandSpec[]): string {
	const width = Math.max(...commands.map(command => command.usage.length));
	const usage = commands.map(command => `  $ ${command.usage.padEnd(width)}  ${command.summary}`);
	return ['Usage', ...usage, '', OPTIONS, '', `Keys: ${keysHelpText()}.`].join('\n');
}

/** The README's list of commands, row for row the table (test/commands/table.test.ts checks it). */
export function commandsMarkdownTable(commands: readonly CommandSpec[]): string {
	const rows = commands.map(command => `| \`${command.usage}\` | ${command.summary} | ${command.flags.length === 0 ? 'none' : command.flags.map(flag => `\`${typed(flag)}\``).join(' ')} |`);
	return ['| command | what it does | flags it takes |', '| --- | --- | --- |', ...rows].join('\n');
}
