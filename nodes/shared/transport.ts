import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import { acquireSlot } from './concurrency';
import { apiError, markTransient, notJsonError } from './errors';
import { ExecutionCancelledError, pause } from './pause';
import { blockBucketUntil, SlotDeadlineError, waitForSlot } from './rateLimit';
import { isRedirect, MAX_REDIRECTS, redirectBecomesGet, redirectTarget, sameOrigin } from './redirects';
import type { RateLimit } from './rateLimit';

/** Every n8n context a node of ours can make requests from. */
export type RequestContext =
	| IExecuteFunctions
	| IPollFunctions
	| ILoadOptionsFunctions
	| IHookFunctions
	| IWebhookFunctions;

/** Which credential to authenticate with, and the provider's name for messages. */
export interface ApiTarget {
	credentialName: string;
	providerName: string;
	/**
	 * For APIs that limit simultaneous requests: the credential field holding how
	 * many may be in flight at once (per credential), and the number to use when
	 * the field is empty.
	 */
	concurrency?: { credentialField: string; fallback: number };
	/** What to tell the user for a status, where this API means something else by it than most (e.g. 429). */
	statusHints?: Partial<Record<number, string>>;
}

export interface ApiRequest {
	method: IHttpRequestMethods;
	/** Path below the credential's Base URL; build it with `urlPath` so ids are encoded. */
	path: string;
	qs?: IDataObject;
	body?: IDataObject | IDataObject[];
	itemIndex?: number;
	rateLimit?: RateLimit;
	/** What the path names, so a 404 can say which ID was not found (e.g. {what: 'task', id}). */
	subject?: { what: string; id: string };
	/**
	 * Epoch ms after which a read must not keep retrying or waiting: a wait with a
	 * Timeout passes its deadline here, so retries never push its end past it.
	 */
	deadline?: number;
	/** Called with the server's quota headers (X-RateLimit-*) of every answer that has them. */
	onQuota?: (quota: Quota) => void;
}

/** What a server said about its request quota in one answer. */
export interface Quota {
	remaining: number;
	limit?: number;
	/** Epoch ms when the quota refills, if the server said. */
	resetAt?: number;
}

/** The options a reader passes through to its reads (see `JobReader`). */
export type ReadOptions = Pick<ApiRequest, 'deadline' | 'onQuota'>;

/**
 * How idempotent reads are retried. Mutable only so tests can shorten the waits;
 * nodes never change it.
 */
export const retryPolicy = {
	maxRetries: 4,
	baseDelayMs: 1000,
	maxDelayMs: 30_000,
	/**
	 * A Retry-After longer than this is not waited out: the user gets the 429. Also the
	 * most one request waits in total for 429s that say when to come back (see apiRequest).
	 */
	maxServerWaitMs: 120_000,
	/** Up to this much is added to a server-given wait, so that workers told the same reset spread out. */
	rateLimitJitterMs: 250,
	requestTimeoutMs: 60_000,
};

/** Builds a path with every interpolated value URL-encoded: urlPath`/jobs/${id}`. */
export function urlPath(strings: TemplateStringsArray, ...values: Array<string | number>): string {
	return strings.reduce((out, part, i) => out + part + (i < values.length ? encodeURIComponent(String(values[i])) : ''), '');
}

export function cancelSignalOf(ctx: RequestContext): AbortSignal | undefined {
	const withSignal = ctx as Partial<IExecuteFunctions>;
	return typeof withSignal.getExecutionCancelSignal === 'function' ? withSignal.getExecutionCancelSignal() : undefined;
}

export async function credentialBaseUrl(ctx: RequestContext, credentialName: string): Promise<string> {
	return baseUrlOf(ctx, await ctx.getCredentials(credentialName));
}

function baseUrlOf(ctx: RequestContext, credentials: IDataObject): string {
	const baseUrl = String(credentials.baseUrl ?? '').trim().replace(/\/+$/, '');
	if (!/^https?:\/\/[^/]+/i.test(baseUrl)) {
		throw new NodeOperationError(ctx.getNode(), `The Base URL in the credential is not a valid URL: "${baseUrl}"`, {
			description: 'Open the credential and enter the API address, starting with https:// (for example https://host/v1/api).',
		});
	}
	return baseUrl;
}

/**
 * The one function that talks to a provider's API. The credential's
 * `authenticate` adds the key, and only to the credential's own Base URL.
 *
 * Reads (GET) are retried on 429, 5xx and network errors with exponential
 * backoff and jitter, honouring Retry-After / X-RateLimit-Reset. Anything else
 * (start, rerun, cancel) is sent exactly once: repeating it could start a
 * duplicate job, so the user gets the error instead.
 */
export async function apiRequest<T = IDataObject>(ctx: RequestContext, target: ApiTarget, req: ApiRequest): Promise<T> {
	if (!req.path.startsWith('/')) throw new Error(`apiRequest needs a path starting with "/", got "${req.path}"`);
	const credentials = await ctx.getCredentials(target.credentialName);
	const baseUrl = baseUrlOf(ctx, credentials);
	const url = baseUrl + req.path;
	// Rate-limit memory is per credential and endpoint: one account's empty bucket
	// must not hold back another account that uses the same API host.
	const scope = credentialScope(target.credentialName, baseUrl, credentials);
	const bucket = req.rateLimit?.bucket ?? new URL(baseUrl).host;
	const maxInFlight = target.concurrency ? concurrencyOf(credentials, target.concurrency) : undefined;
	const retryable = req.method === 'GET';
	const signal = cancelSignalOf(ctx);
	const options: IHttpRequestOptions = {
		method: req.method,
		url,
		qs: req.qs,
		body: req.body,
		json: true,
		headers: { Accept: 'application/json' },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		sendCredentialsOnCrossOriginRedirect: false,
		// n8n would carry an x-api-key header on to another host: redirects are followed below, same origin only.
		disableFollowRedirect: true,
		timeout: retryPolicy.requestTimeoutMs,
		abortSignal: signal,
	};

	// Retries counted against maxRetries; a 429 that says when to come back is not one of them.
	let retries = 0;
	let rateLimitWaitedMs = 0;
	let redirects = 0;
	// A wait's deadline: no retry, rate-limit wait or request may run past it.
	const pastDeadline = (waitMs: number) => req.deadline !== undefined && Date.now() + waitMs > req.deadline;
	let cutAtDeadline = false;
	for (let attempt = 0; ; attempt++) {
		const slot = await waitForSlot(bucket, req.rateLimit, signal, scope, req.deadline).then(
			(answered) => ({ answered }),
			(error: Error) => error,
		);
		if (slot instanceof SlotDeadlineError) {
			throw markTransient(
				new NodeOperationError(ctx.getNode(), `${target.providerName} rate limit: no request allowed before the wait's deadline (${req.method} ${req.path})`, {
					itemIndex: req.itemIndex,
				}),
			);
		}
		if (slot instanceof Error) throw slot;
		if (req.deadline !== undefined) options.timeout = Math.max(1000, Math.min(retryPolicy.requestTimeoutMs, req.deadline - Date.now()));
		let response: FullResponse | undefined;
		let failure: Error | undefined;
		// Every request counts against a simultaneous-requests limit, starts included:
		// a start refused with 429 is never retried, so it must not bounce off the limit.
		const release = maxInFlight
			? await acquireSlot(scope, maxInFlight, signal).catch((error: Error) => {
					slot.answered(); // cancelled before it was sent: free its rate-limit place
					throw error;
				})
			: undefined;
		try {
			response = (await ctx.helpers.httpRequestWithAuthentication.call(
				ctx,
				target.credentialName,
				options,
			)) as FullResponse;
		} catch (error) {
			failure = error as Error;
		} finally {
			release?.();
			slot.answered();
		}
		if (!response) {
			if (signal?.aborted) throw new ExecutionCancelledError();
			// Status errors never throw (ignoreHttpStatusErrors), so what n8n throws here is a
			// network failure it wrapped in NodeApiError, or a missing credential.
			if (failure instanceof NodeOperationError) throw failure;
			if (retryable && retries < retryPolicy.maxRetries && !pastDeadline(backoffMs(retries))) {
				await pause(backoffMs(retries++), signal);
				continue;
			}
			throw networkError(ctx, target, req, failure ?? new Error('no response'), retryable ? attempt + 1 : undefined);
		}

		const status = Number(response.statusCode);
		const headers = lowerCaseKeys(response.headers);
		// A request paced by its own client-side limit reaches Remaining: 0 by design at the end of
		// each window; holding the bucket until a reset given in whole seconds would only slow it.
		if (!req.rateLimit || status === 429) rememberServerRateLimit(bucket, scope, headers);
		reportQuota(req, headers);
		if (isRedirect(status)) {
			const next = redirectTarget(headers, options.url);
			if (!next || !sameOrigin(next, baseUrl) || redirects >= MAX_REDIRECTS) throw redirectError(ctx, target, req, status, next, baseUrl);
			redirects++;
			attempt--; // following a redirect is not a retry
			if (redirectBecomesGet(status, String(options.method))) Object.assign(options, { method: 'GET', body: undefined });
			Object.assign(options, { url: next, qs: undefined });
			continue;
		}
		if (status < 400) {
			if (!isTextBody(response.body)) return response.body as T;
			// A body n8n could not parse as JSON: a proxy's or login page's HTML, or a
			// body cut short. Never read it as a job (it would have no id and no status).
			if (response.body.trim() === '' && !retryable) return {} as T;
			const error = notJsonError({
				node: ctx.getNode(),
				providerName: target.providerName,
				status,
				contentType: String(headers['content-type'] ?? ''),
				body: response.body,
				method: req.method,
				path: req.path,
				itemIndex: req.itemIndex,
				note: retryable
					? undefined
					: 'The request may have reached the API all the same: check the provider (e.g. for a new job) before running it again. It was not retried, because repeating it could start a duplicate job.',
			});
			if (retryable && retries < retryPolicy.maxRetries && !pastDeadline(backoffMs(retries))) {
				await pause(backoffMs(retries++), signal);
				continue;
			}
			throw markTransient(error);
		}

		const transient = status === 429 || status >= 500;
		const serverWait = serverWaitMs(headers);
		// A 429 with Retry-After / X-RateLimit-Reset is the server pacing us, not a fault.
		// With several n8n processes on one account (queue-mode workers), each counts only
		// its own requests, so such 429s are expected and must not use up the retries: they
		// are waited out (plus jitter, so that processes told the same reset do not all come
		// back at once) until maxServerWaitMs of waiting in total.
		cutAtDeadline = retryable && transient && pastDeadline(serverWait ?? backoffMs(retries));
		if (retryable && status === 429 && serverWait !== undefined && rateLimitWaitedMs + serverWait <= retryPolicy.maxServerWaitMs && !cutAtDeadline) {
			const wait = serverWait + Math.random() * retryPolicy.rateLimitJitterMs;
			// At least a second counts, so a server answering "Retry-After: 0" is not asked endlessly.
			rateLimitWaitedMs += Math.max(wait, 1000);
			await pause(wait, signal);
			continue;
		}
		if (retryable && transient && retries < retryPolicy.maxRetries && !cutAtDeadline) {
			const wait = serverWait ?? backoffMs(retries);
			if (wait <= retryPolicy.maxServerWaitMs) {
				retries++;
				await pause(wait, signal);
				continue;
			}
		}
		const error = apiError({
			node: ctx.getNode(),
			providerName: target.providerName,
			status,
			body: response.body,
			method: req.method,
			path: req.path,
			itemIndex: req.itemIndex,
			subject: req.subject,
			hint: target.statusHints?.[status],
			note: !retryable && transient
				? 'It was not retried automatically, because repeating this request could start a duplicate job: check the provider before running it again.'
				: cutAtDeadline
					? `Stopped retrying after ${attempt + 1} attempt(s) at the wait's deadline.`
					: retryable && attempt > 0
						? `Gave up after ${attempt + 1} attempts.`
						: undefined,
		});
		throw transient ? markTransient(error) : error;
	}
}

function reportQuota(req: ApiRequest, headers: Record<string, unknown>): void {
	if (!req.onQuota || headers['x-ratelimit-remaining'] === undefined) return;
	const remaining = Number(headers['x-ratelimit-remaining']);
	if (!Number.isFinite(remaining)) return;
	const limit = Number(headers['x-ratelimit-limit']);
	req.onQuota({ remaining, limit: Number.isFinite(limit) ? limit : undefined, resetAt: resetAtMs(headers, Date.now()) });
}

function isTextBody(body: unknown): body is string {
	return typeof body === 'string';
}

/**
 * A short, stable key for one credential (its Base URL and key), so per-account
 * limits are kept apart without holding the key itself as a map key.
 */
export function credentialScope(credentialName: string, baseUrl: string, credentials: IDataObject): string {
	const secret = credentials.apiKey ?? credentials.accessToken ?? credentials.token ?? JSON.stringify(credentials);
	return `${credentialName}@${baseUrl}#${fnv1a(String(secret))}`;
}

/** FNV-1a, 32 bit: enough to tell credentials apart, not a security measure. */
function fnv1a(text: string): string {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return hash.toString(36);
}

function concurrencyOf(credentials: IDataObject, setting: { credentialField: string; fallback: number }): number {
	const value = Number(credentials[setting.credentialField]);
	return Number.isFinite(value) && value >= 1 ? Math.floor(value) : setting.fallback;
}

interface FullResponse {
	body: unknown;
	headers: Record<string, unknown>;
	statusCode: number;
}

function networkError(ctx: RequestContext, target: ApiTarget, req: ApiRequest, error: Error, attempts?: number) {
	const what = attempts ? `after ${attempts} attempts` : 'and it was not retried, because repeating it could start a duplicate job';
	return markTransient(
		new NodeApiError(
			ctx.getNode(),
			{ message: error.message },
			{
				message: `Could not reach the ${target.providerName} API (${req.method} ${req.path}) ${what}: ${error.message}`,
				description: 'Check the Base URL in the credential and that the API is reachable from n8n.',
				itemIndex: req.itemIndex,
			},
		),
	);
}

function redirectError(ctx: RequestContext, target: ApiTarget, req: ApiRequest, status: number, next: string | undefined, baseUrl: string) {
	const where = next ? `to ${safeHost(next)}` : 'without a usable Location';
	return new NodeOperationError(
		ctx.getNode(),
		`The ${target.providerName} API answered ${req.method} ${req.path} with a redirect ${where} (HTTP ${status}), which was not followed`,
		{
			description: next
				? `The API key is only ever sent to the credential's Base URL (${safeHost(baseUrl)}). If the API has moved, change the Base URL in the credential to the new address (${new URL(next).origin}).`
				: 'Check the Base URL in the credential.',
			itemIndex: req.itemIndex,
		},
	);
}

/** Exponential backoff with jitter for the `attempt`-th retry. */
export function backoffMs(attempt: number): number {
	const exponential = retryPolicy.baseDelayMs * 2 ** attempt;
	const jitter = Math.random() * retryPolicy.baseDelayMs;
	return Math.min(retryPolicy.maxDelayMs, exponential + jitter);
}

/** Retry-After (seconds or HTTP date), else X-RateLimit-Reset (epoch or seconds). */
export function serverWaitMs(headers: Record<string, unknown>, now = Date.now()): number | undefined {
	const retryAfter = headers['retry-after'];
	if (retryAfter !== undefined && retryAfter !== '') {
		const seconds = Number(retryAfter);
		if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
		const date = Date.parse(String(retryAfter));
		if (!Number.isNaN(date)) return Math.max(0, date - now);
	}
	const reset = resetAtMs(headers, now);
	return reset === undefined ? undefined : Math.max(0, reset - now);
}

function resetAtMs(headers: Record<string, unknown>, now: number): number | undefined {
	const raw = Number(headers['x-ratelimit-reset']);
	if (!Number.isFinite(raw) || headers['x-ratelimit-reset'] === undefined) return undefined;
	// Providers send either an epoch timestamp or seconds until the reset.
	return raw > 1e9 ? raw * 1000 : now + raw * 1000;
}

function rememberServerRateLimit(bucket: string, scope: string, headers: Record<string, unknown>): void {
	if (headers['x-ratelimit-remaining'] === undefined || Number(headers['x-ratelimit-remaining']) > 0) return;
	const reset = resetAtMs(headers, Date.now());
	if (reset !== undefined) blockBucketUntil(bucket, Math.min(reset, Date.now() + retryPolicy.maxServerWaitMs), scope);
}

export function lowerCaseKeys(headers: Record<string, unknown> | undefined): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(headers ?? {})) out[key.toLowerCase()] = value;
	return out;
}

/** The host of a URL for messages, without failing on a malformed one. */
export function safeHost(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return 'invalid URL';
	}
}
