// The one HTTP client of every endpoint that speaks HTTP (exporters, JSON payloads, Spring Boot
// Actuator, the Prometheus API): GET or a form POST, gzip and deflate, a cap on the decoded bytes of
// an answer and one shared by the answers of a poll, one keep-alive agent per endpoint, the
// endpoint's credentials, and the poll's deadline as an AbortSignal (no timer of its own). Never
// throws: every failure is one short line, not yet masked (the caller knows the secrets).
// node:http rather than fetch so the caps, the deadline and decompression are all in our hands.
import type http from 'node:http';
import type https from 'node:https';
import {createRequire} from 'node:module';
import type {Readable} from 'node:stream';
import type zlib from 'node:zlib';
import {abortMessage} from '../polling/deadline.js';
import {isLoopbackHost} from './credentials.js';

// Loaded when the first endpoint client is made, not at start: --help, check and --json on a server
// alone never load Node's HTTP, TLS and zlib modules (issue 24: start-up CPU).
const requireBuiltin = createRequire(import.meta.url);
const httpModule = () => requireBuiltin('node:http') as typeof http;

/** What all the answers of one poll may hold together; `bytes` counts what they hold so far. */
export type ByteBudget = {bytes: number; readonly maxBytes: number};

export type HttpRequest = {
	url: URL;
	accept: string;
	/** POST this form (application/x-www-form-urlencoded); without it, GET. */
	form?: string;
	/** The poll's deadline: aborting it destroys the request and its socket. */
	signal: AbortSignal;
	/** Decoded bytes one answer may hold. */
	maxBytes: number;
	budget?: ByteBudget;
	/** Read a non-2xx answer that says it is JSON (an API explains its errors there) instead of failing on its status. */
	isJsonErrorRead?: boolean;
};

/** `cap`: which cap cut the answer, for a caller that words it its own way. */
export type HttpFailure = {ok: false; error: string; cap?: 'answer' | 'budget'};
export type HttpAnswer = {ok: true; status: number; statusText: string; contentType: string; body: string} | HttpFailure;

export type HttpClient = {
	request(request: HttpRequest): Promise<HttpAnswer>;
	/** Close the kept-alive connections. */
	close(): void;
};

/** `isStaleSocket`: a kept-alive socket the server had closed; safe to try once more on a fresh one. */
type Attempt = HttpAnswer | (HttpFailure & {isStaleSocket: true});

/**
 * A client for one endpoint: `maxSockets` kept-alive connections (1: polls never overlap and an
 * Actuator poll's requests go one after another; a Prometheus poll's queries run side by side), and
 * the Authorization header every request carries (basic from the URL's userinfo, or a bearer token).
 */
export function createHttpClient(options: {isHttps: boolean; maxSockets: number; authorization?: string}): HttpClient {
	const transport = options.isHttps ? requireBuiltin('node:https') as typeof https : httpModule();
	const agent = new transport.Agent({keepAlive: true, maxSockets: options.maxSockets, keepAliveMsecs: 1000});
	return {
		async request(request) {
			// Once more on a fresh socket when a kept-alive one turned out closed by the server (it may close
			// an idle connection just as a poll reuses it): the Node docs' pattern for `reusedSocket`.
			const first = await attempt(transport, agent, options.authorization, request);
			const answer = 'isStaleSocket' in first && !request.signal.aborted ? await attempt(transport, agent, options.authorization, request) : first;
			return 'isStaleSocket' in answer ? {ok: false, error: answer.error} : answer;
		},
		close() {
			agent.destroy();
		},
	};
}

async function attempt(transport: typeof http | typeof https, agent: http.Agent, authorization: string | undefined, request: HttpRequest): Promise<Attempt> {
	const {url, signal, form} = request;
	return new Promise<Attempt>(resolve => {
		let isSettled = false;
		const settle = (result: Attempt) => {
			if (isSettled) {
				return;
			}

			isSettled = true;
			if (!result.ok) {
				outgoing.destroy(); // also stops a body still streaming in; the agent opens a new socket next time
			}

			// Whatever broke first, a request cut by the deadline failed by the deadline.
			resolve(!result.ok && signal.aborted ? {ok: false, error: abortMessage(signal)} : result);
		};

		const outgoing = transport.request({
			protocol: url.protocol,
			hostname: url.hostname.replace(/^\[|\]$/g, ''),
			port: url.port || undefined,
			path: `${url.pathname}${url.search}`,
			method: form === undefined ? 'GET' : 'POST',
			headers: {
				accept: request.accept,
				// Compressed over a network (a fleet's answer is MiBs); not on loopback, where it only costs CPU on
				// both ends (measured: 62 → 80 ms for a 500-instance Prometheus family on a loaded 2-CPU machine).
				'accept-encoding': isLoopbackHost(url.hostname) ? 'identity' : 'gzip, deflate',
				'user-agent': 'lifeguard',
				...(form === undefined ? {} : {'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(form)}),
				// The URL's password or the token never reaches a screen (the caller masks every error).
				...(authorization ? {authorization} : {}),
			},
			agent,
			signal,
		}, response => {
			readAnswer(response, request, settle);
		});
		outgoing.on('error', error => {
			const code = (error as {code?: string}).code;
			const isStale = outgoing.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE');
			const failure: HttpFailure = {ok: false, error: describeHttpError(error, url.hostname)};
			settle(isStale ? {...failure, isStaleSocket: true} : failure);
		});
		outgoing.end(form);
	});
}

/** One answer, decoded, within its own cap and the poll's: settled once, cut the moment a cap is passed. */
function readAnswer(response: http.IncomingMessage, request: HttpRequest, settle: (result: Attempt) => void): void {
	const {maxBytes, budget} = request;
	const status = response.statusCode ?? 0;
	const statusText = (response.statusMessage ?? '').trim() || httpModule().STATUS_CODES[status] || '';
	const contentType = String(response.headers['content-type'] ?? '');
	if ((status < 200 || status > 299) && !(request.isJsonErrorRead && contentType.includes('json'))) {
		settle({ok: false, error: `HTTP ${status}${statusText ? ` ${statusText}` : ''}`});
		return;
	}

	const tooLarge: HttpFailure = {ok: false, error: `response larger than ${formatBytes(maxBytes)}`, cap: 'answer'};
	const decoded = decode(response);
	if (typeof decoded === 'string') {
		settle({ok: false, error: decoded});
		return;
	}

	const declared = Number(response.headers['content-length']);
	if (decoded === response && Number.isFinite(declared) && declared > maxBytes) {
		settle(tooLarge);
		return;
	}

	const chunks: Buffer[] = [];
	let size = 0;
	const fail = (error: Error) => {
		settle({ok: false, error: describeHttpError(error, request.url.hostname)});
	};

	decoded.on('data', (chunk: Buffer) => {
		size += chunk.length;
		if (budget) {
			budget.bytes += chunk.length;
		}

		// The caps count decoded bytes: a small gzip body can inflate to gigabytes.
		const over = size > maxBytes ? tooLarge
			: budget && budget.bytes > budget.maxBytes ? {ok: false as const, error: `responses larger than ${formatBytes(budget.maxBytes)} in one poll`, cap: 'budget' as const} : null;
		if (over) {
			settle(over);
			decoded.destroy();
			return;
		}

		chunks.push(chunk);
	});
	decoded.on('end', () => {
		const body = Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '');
		settle({ok: true, status, statusText, contentType, body});
	});
	decoded.on('error', fail);
	if (decoded !== response) {
		response.on('error', fail);
	}

	response.on('close', () => {
		// A body cut short without an error event still must not pass as a whole one.
		if (!response.complete) {
			settle({ok: false, error: 'connection reset'});
		}
	});
}

/** The body as it was meant (gunzipped, inflated), or why it cannot be read. */
function decode(response: http.IncomingMessage): Readable | string {
	const encoding = (response.headers['content-encoding'] ?? '').toLowerCase();
	if (encoding === 'gzip' || encoding === 'x-gzip') {
		return response.pipe((requireBuiltin('node:zlib') as typeof zlib).createGunzip());
	}

	if (encoding === 'deflate') {
		return response.pipe((requireBuiltin('node:zlib') as typeof zlib).createInflate());
	}

	return encoding === '' || encoding === 'identity' ? response : `unsupported Content-Encoding "${encoding}"`;
}

/** A request's failure in one short line. */
export function describeHttpError(error: unknown, hostname: string): string {
	const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as {code: unknown}).code) : '';
	const message = error instanceof Error ? error.message : String(error);
	switch (code) {
		case 'ECONNREFUSED': {
			return 'connection refused';
		}

		case 'ECONNRESET':
		case 'EPIPE': {
			return 'connection reset';
		}

		case 'ENOTFOUND':
		case 'EAI_AGAIN': {
			return `host not found: ${hostname}`;
		}

		case 'EHOSTUNREACH':
		case 'ENETUNREACH': {
			return 'host unreachable';
		}

		case 'Z_DATA_ERROR':
		case 'Z_BUF_ERROR': {
			return 'invalid gzip body';
		}

		default: {
			return message === 'socket hang up' ? 'connection reset' : message;
		}
	}
}

/** 1 MiB, 4 KiB, 1000 bytes. */
export function formatBytes(bytes: number): string {
	if (bytes % (1024 * 1024) === 0) {
		return `${bytes / (1024 * 1024)} MiB`;
	}

	return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}
