// `lifeguard alerts --prometheus URL`: which pool families (and whether postgres_exporter's server
// numbers) a Prometheus holds, and for which services, so the rule file covers what is there. One
// instant query of the names lifeguard reads, counted by name and service labels. Never throws: a
// failure is one masked line.
import {errorReason, LIVE_QUERY, queryUrl} from '../collectors/pools/prometheus-api.js';
import {serviceOf} from '../collectors/pools/prometheus-fleet.js';
import {familyNames} from '../collectors/pools/prometheus-pools.js';
import {endpointAuthorization, endpointSecrets} from '../connection/credentials.js';
import {createHttpClient, formatBytes} from '../connection/http.js';
import {maskText} from '../connection/mask.js';
import {withDeadline} from '../polling/deadline.js';
import type {PoolEndpoint} from '../readings/types.js';
import {safeText} from '../text/sanitize.js';
import {oneLine} from '../text/words.js';
import {type RuleSource, SERVER_SOURCE} from './rules.js';

export type Probe = {ok: true; sources: RuleSource[]} | {ok: false; error: string};

/** The server's numbers need both: sessions and the connection limit. */
const SERVER_NAMES = ['pg_stat_activity_count', 'pg_settings_max_connections'];
/** The labels serviceOf reads. */
const SERVICE_LABELS = 'service, app, job';
/** A count per name and service is small: a fleet of 500 services answers in well under this. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** The probe's query: every name lifeguard reads, counted by name and service labels. */
export function probeQuery(selector: string | null): string {
	const names = [...new Set([...familyNames().flatMap(family => [...family.gauges, ...family.counters]), ...SERVER_NAMES])];
	const matchers = selector ? `,${selector}` : '';
	return `count by (__name__, ${SERVICE_LABELS}) ({__name__=~"${names.join('|')}"${matchers}})`;
}

/** Which sources the answer's series show, each with its services (sorted); families in table order. */
export function sourcesOf(series: ReadonlyArray<{metric?: Record<string, string>}>): RuleSource[] {
	const found = new Map<string, Set<string>>();
	const seen = (id: string, service: string) => {
		found.set(id, (found.get(id) ?? new Set()).add(service));
	};

	const serverNames = new Map<string, Set<string>>();
	for (const {metric} of series) {
		const name = metric?.['__name__'];
		if (!metric || name === undefined) {
			continue;
		}

		const service = serviceOf(metric);
		for (const family of familyNames().filter(each => each.gauges.includes(name) || each.counters.includes(name))) {
			seen(family.id, service);
		}

		if (SERVER_NAMES.includes(name)) {
			serverNames.set(service, (serverNames.get(service) ?? new Set()).add(name));
		}
	}

	for (const [service, names] of serverNames) {
		if (names.size === SERVER_NAMES.length) {
			seen(SERVER_SOURCE, service);
		}
	}

	const order = [...familyNames().map(family => family.id), SERVER_SOURCE];
	return order.filter(id => found.has(id)).map(id => ({id, services: [...found.get(id)!].sort()}));
}

/** Ask `endpoint` (a --prometheus endpoint: URL, selector, credentials) which sources it holds. */
export async function probeFamilies(endpoint: Pick<PoolEndpoint, 'url' | 'selector' | 'bearerToken'>, timeoutMs: number): Promise<Probe> {
	const failed = (reason: string): Probe => ({ok: false, error: safeText(oneLine(maskText(`prometheus: ${reason}`, endpointSecrets(endpoint))))});
	const url = queryUrl(endpoint.url);
	const client = createHttpClient({isHttps: url.protocol === 'https:', maxSockets: 1, authorization: endpointAuthorization(endpoint)});
	try {
		return await withDeadline(timeoutMs, async ({signal}) => {
			const answer = await client.request({
				url,
				accept: 'application/json',
				form: new URLSearchParams({query: probeQuery(endpoint.selector ?? null), ...LIVE_QUERY}).toString(),
				signal,
				maxBytes: MAX_ANSWER_BYTES,
				isJsonErrorRead: true,
			});
			if (!answer.ok) {
				return failed(answer.cap ? `an answer over ${formatBytes(MAX_ANSWER_BYTES)} (narrow --prometheus-selector)` : answer.error);
			}

			let parsed: {status?: unknown; error?: unknown; data?: {resultType?: unknown; result?: unknown}};
			try {
				parsed = JSON.parse(answer.body) as typeof parsed;
			} catch {
				return failed(answer.status >= 200 && answer.status <= 299 ? 'response is not JSON' : `HTTP ${answer.status} ${answer.statusText}`.trim());
			}

			if (parsed.status !== 'success' || !Array.isArray(parsed.data?.result)) {
				return failed(errorReason(parsed.error) ?? `HTTP ${answer.status}, status is not "success"`);
			}

			return {ok: true, sources: sourcesOf(parsed.data.result as Array<{metric?: Record<string, string>}>)};
		}, failed);
	} finally {
		client.close();
	}
}
