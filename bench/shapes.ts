// The steady screens the side-by-side bench measures, as data: what each session of a shape does and
// which application it is. Played by sessions.ts; each shape is one that incidents have (issue 24).
// Nothing in a steady shape changes state once it is set up, so whatever a screen redraws is its own doing.

/** What one session does while a shape holds. */
export type Role =
	| 'idle'
	/** `begin; select 1`, then nothing. */
	| 'idle-in-transaction'
	/** `begin; update` of the lock row, then nothing: idle in transaction, holding a row lock. */
	| 'lock-holder'
	/** `update` of the same row: active, waiting for the holder's lock. */
	| 'lock-waiter'
	/** `select pg_sleep(3600)`: active until the shape changes (it is cancelled then). */
	| 'long-query'
	/** The same, as a report with a few hundred characters of SQL (longQuery). */
	| 'long-report';

export type SessionPlan = {role: Role; application: string};

export type ShapeName = 'steady' | 'lock-chain' | 'findings' | 'applications' | 'long-queries' | 'near-full';

export type Shape = {
	name: ShapeName;
	/** One line for the report. */
	summary: string;
	/**
	 * How many sessions: the bench's session count, or as many as bring the server's client connections
	 * (the watching tool's and the bench's own included) to this share of its usable slots.
	 */
	size: {kind: 'sessions'} | {kind: 'used-ratio'; usedRatio: number};
	/** Session `index` of `count`. */
	plan: (index: number, count: number) => SessionPlan;
};

/** Application names of ordinary shapes: a few services, most connections from the api. */
const APPLICATIONS = ['api', 'api', 'api', 'worker', 'worker', 'cron', 'reports', 'admin'];
/** Thirty services, for the many-applications shape. */
const SERVICES = [
	'orders-api', 'payments', 'checkout', 'catalog', 'search', 'inventory', 'shipping', 'billing', 'invoices', 'accounts',
	'auth', 'sessions', 'notifications', 'mailer', 'webhooks', 'reports', 'analytics', 'exports', 'imports', 'scheduler',
	'cron', 'admin', 'support', 'pricing', 'promotions', 'reviews', 'recommendations', 'ledger', 'audit', 'geo',
];

export const applicationOf = (index: number) => APPLICATIONS[index % APPLICATIONS.length]!;

/** Today's steady phase (issue 11): most idle, one in seven idle in transaction, one in fourteen a long query. */
function mixed(index: number): Role {
	if (index % 14 === 0) {
		return 'long-query';
	}

	return index % 7 === 3 ? 'idle-in-transaction' : 'idle';
}

/** The incident, first sessions first: a lock held by an idle transaction, three waiting, one more idle transaction, three long queries. */
const LOCK_CHAIN: readonly Role[] = ['lock-holder', 'lock-waiter', 'lock-waiter', 'lock-waiter', 'idle-in-transaction', 'long-query', 'long-query', 'long-query'];
/** A group that holds exactly this many connections, all busy, looks like a pool capped there (pool-suspected). */
const CAPPED_POOL = {application: 'checkout', connections: 4};

export const SHAPES: readonly Shape[] = [
	{
		name: 'steady',
		summary: 'most idle, 1 in 7 idle in transaction, 1 in 14 a long query (issue 11\'s steady phase)',
		size: {kind: 'sessions'},
		plan: index => ({role: mixed(index), application: applicationOf(index)}),
	},
	{
		name: 'lock-chain',
		summary: 'an idle transaction holding a lock with 3 sessions waiting, a second idle transaction, 3 long queries, the rest idle (issue 24)',
		size: {kind: 'sessions'},
		plan: index => ({role: LOCK_CHAIN[index] ?? 'idle', application: applicationOf(index)}),
	},
	{
		name: 'findings',
		summary: `server at 85 % (mostly idle), a lock chain of 2 behind an idle transaction, ${CAPPED_POOL.connections} busy ${CAPPED_POOL.application} connections that look capped: several findings at once`,
		size: {kind: 'used-ratio', usedRatio: 0.85},
		plan(index) {
			if (index < CAPPED_POOL.connections) {
				return {role: 'long-query', application: CAPPED_POOL.application};
			}

			const roles: readonly Role[] = ['lock-holder', 'lock-waiter', 'lock-waiter', 'idle-in-transaction'];
			return {role: roles[index - CAPPED_POOL.connections] ?? 'idle', application: applicationOf(index)};
		},
	},
	{
		name: 'applications',
		summary: `the steady mix over ${SERVICES.length} application names`,
		size: {kind: 'sessions'},
		plan: index => ({role: mixed(index), application: SERVICES[index % SERVICES.length]!}),
	},
	{
		name: 'long-queries',
		summary: 'one session in three runs a long report query (a few hundred characters of SQL), the rest idle',
		size: {kind: 'sessions'},
		plan: index => ({role: index % 3 === 0 ? 'long-report' : 'idle', application: applicationOf(index)}),
	},
	{
		name: 'near-full',
		summary: 'the steady mix, with as many sessions as bring the server to 92 % of its usable slots',
		size: {kind: 'used-ratio', usedRatio: 0.92},
		plan: index => ({role: mixed(index), application: applicationOf(index)}),
	},
];

export const SHAPE_NAMES = SHAPES.map(shape => shape.name);

export function shapeNamed(name: string): Shape | undefined {
	return SHAPES.find(shape => shape.name === name);
}

const REPORTS = ['monthly revenue by region', 'churn by cohort', 'stock valuation', 'late shipments', 'refunds by reason', 'top customers'];

/**
 * A long-running statement that reads like a report (a few hundred characters, different per session):
 * it sleeps for an hour in a lateral join, so it stays active until the shape changes.
 */
export function longQuery(index: number): string {
	const report = REPORTS[index % REPORTS.length]!;
	return `/* ${report} */ with orders as (select g as id, g % 7 as region_id, (g * 37) % 1000 as total_cents, now() - g * interval '1 hour' as created_at from generate_series(1, 1000) as g) `
		+ `select o.region_id, date_trunc('month', o.created_at) as month, count(*) as orders, sum(o.total_cents) / 100.0 as revenue, max(s.slept::text) as note `
		+ `from orders as o cross join lateral (select pg_sleep(3600) as slept) as s where o.id % ${index + 2} = 0 group by 1, 2 order by 1, 2`;
}
