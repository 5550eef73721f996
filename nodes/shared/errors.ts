import { NodeApiError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

/**
 * Finds the human message in any of the error-body shapes our providers use:
 *   {error:{message,type,param}}   {detail:"…"}   {detail:[{loc,msg}]} (FastAPI 422)
 *   {error:"msg"}   {errors:{message,type,code}}   {errors:[{message}]}
 *   {data:null, error:{name,message,details}}   {message:"…"}   plain text
 */
export function providerErrorMessage(body: unknown): string | undefined {
	if (body === undefined || body === null) return undefined;
	if (typeof body === 'string') return textPreview(body, 300) || undefined;
	if (Buffer.isBuffer(body)) return providerErrorMessage(body.toString('utf8'));
	if (typeof body !== 'object') return String(body);
	const b = body as Record<string, unknown>;

	if (Array.isArray(b.detail)) {
		// FastAPI validation: name the offending field, which is what the user must fix.
		return b.detail
			.map((d) => {
				const entry = (d ?? {}) as Record<string, unknown>;
				const where = Array.isArray(entry.loc) ? entry.loc.filter((p) => p !== 'body').join('.') : '';
				return where ? `${where}: ${String(entry.msg ?? '')}` : String(entry.msg ?? JSON.stringify(d));
			})
			.join('; ');
	}
	for (const key of ['error', 'errors', 'detail', 'message']) {
		const value = b[key];
		if (typeof value === 'string' && value) return value;
		if (Array.isArray(value) && value.length) return providerErrorMessage(value[0]);
		if (value && typeof value === 'object') {
			const nested = value as Record<string, unknown>;
			const text = nested.message ?? nested.msg ?? nested.detail;
			if (typeof text === 'string' && text) {
				const details = nested.details ?? nested.param;
				return typeof details === 'string' && details && details !== text ? `${text} (${details})` : text;
			}
		}
	}
	return undefined;
}

/**
 * Structured error details (e.g. `{data:null, error:{message, details:{…}}}`) as
 * one readable line: "field: value; other: value". Undefined when there are none.
 */
export function providerErrorDetails(body: unknown): string | undefined {
	if (!body || typeof body !== 'object' || Buffer.isBuffer(body)) return undefined;
	const error = (body as Record<string, unknown>).error;
	const details = error && typeof error === 'object' ? (error as Record<string, unknown>).details : undefined;
	if (!details || typeof details !== 'object') return undefined;
	const parts = Array.isArray(details)
		? details.map((d) => (d && typeof d === 'object' ? flatten(d as Record<string, unknown>) : String(d)))
		: [flatten(details as Record<string, unknown>)];
	const text = parts.filter(Boolean).join('; ');
	return text ? text.slice(0, 500) : undefined;
}

function flatten(object: Record<string, unknown>): string {
	return Object.entries(object)
		.filter(([, value]) => value !== undefined && value !== null && value !== '')
		.map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
		.join('; ');
}

/**
 * The first characters of a text body, readable in an error message: HTML (a
 * proxy's or login page) becomes its title and text, never markup.
 */
export function textPreview(text: string, max = 120): string {
	let out = text;
	if (/<[a-z!/][^>]*>/i.test(out)) {
		const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(out)?.[1];
		const body = out
			.replace(/<(script|style|head)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
			.replace(/<!--[\s\S]*?-->/g, ' ')
			.replace(/<[^>]*>/g, ' ');
		out = title && !body.includes(title.trim()) ? `${title} ${body}` : body;
		out = out.replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '‹').replace(/&gt;/g, '›').replace(/&quot;/g, '"');
		// Anything left that still looks like a tag (a cut-off "<div") goes too.
		out = out.replace(/</g, '‹').replace(/>/g, '›');
	}
	out = out.replace(/\s+/g, ' ').trim();
	return out.length > max ? `${out.slice(0, max)}…` : out;
}

const transientErrors = new WeakSet<Error>();

/**
 * Marks a failed read as one that may work next time (network error, 429, 5xx,
 * a body that was not JSON): a wait counts it as a missed poll, not the job's end.
 */
export function markTransient<E extends Error>(error: E): E {
	transientErrors.add(error);
	return error;
}

export function isTransient(error: unknown): boolean {
	return error instanceof Error && transientErrors.has(error);
}

/** What the user should do next, by HTTP status. */
export function hintForStatus(status: number, providerName: string, subject?: { what: string; id: string }): string | undefined {
	if (status === 401) return `Check the API key in your ${providerName} credential: the API did not accept it.`;
	if (status === 402) return `Your ${providerName} plan or credits do not cover this request: check your account's billing.`;
	if (status === 403) return `The API key is valid but not allowed to do this (plan tier, quota or permissions). Check your ${providerName} account.`;
	if (status === 404 && subject) {
		return `${providerName} has no ${subject.what} with the ID "${subject.id}" for this API key: check the ID (a mapped expression may pick the wrong field) and that the credential belongs to the account that owns it.`;
	}
	if (status === 404) return 'Nothing exists under that ID: check the ID (and, for self-hosted APIs, the Base URL in the credential).';
	if (status === 422 || status === 400) return 'The API rejected the parameters: the message above names the field to fix.';
	if (status === 429) return `${providerName} is rate limiting requests. Retry later, raise the poll interval, or watch fewer jobs at once.`;
	if (status >= 500) return `${providerName} had an internal error. This is usually temporary: try again in a minute.`;
	return undefined;
}

export interface ApiFailure {
	node: INode;
	providerName: string;
	status: number;
	body: unknown;
	method: string;
	path: string;
	itemIndex?: number;
	/** Extra sentence the caller knows and the API did not say (e.g. "it was not retried"). */
	note?: string;
	/** What the request was about, so a 404 names the ID that was not found. */
	subject?: { what: string; id: string };
	/** The provider's own advice for this status, instead of the generic one. */
	hint?: string;
}

export function apiError(failure: ApiFailure): NodeApiError {
	const { node, providerName, status, body, method, path, itemIndex, note, subject } = failure;
	const providerMessage = providerErrorMessage(body) ?? `HTTP ${status}`;
	const details = providerErrorDetails(body);
	const hint = failure.hint ?? hintForStatus(status, providerName, subject);
	const description = [details ? `Details: ${details}.` : undefined, hint, note, `Request: ${method} ${path}`].filter(Boolean).join(' ');
	const response: JsonObject =
		body && typeof body === 'object' && !Buffer.isBuffer(body) ? (body as JsonObject) : { body: providerMessage };
	const about = status === 404 && subject ? ` — no ${subject.what} with ID "${subject.id}"` : '';
	return new NodeApiError(node, response, {
		message: `${providerName} API error ${status}: ${providerMessage}${about}`,
		description,
		httpCode: String(status),
		itemIndex,
	});
}

export interface NotJsonAnswer {
	node: INode;
	providerName: string;
	status: number;
	contentType: string;
	body: string;
	method: string;
	path: string;
	itemIndex?: number;
	/** Extra sentence the caller knows (e.g. that a start may have gone through). */
	note?: string;
}

/**
 * A successful status whose body is not JSON: something other than the API
 * answered (a proxy, a login or captive portal), or the body was cut short.
 */
export function notJsonError(answer: NotJsonAnswer): NodeApiError {
	const { node, providerName, status, contentType, body, method, path, itemIndex, note } = answer;
	const preview = textPreview(body, 120);
	const type = contentType.trim() || 'none';
	return new NodeApiError(
		node,
		{ body: preview },
		{
			message: `${providerName} answered ${method} ${path} with HTTP ${status} but the body is not JSON (content type: ${type}): "${preview || '(empty)'}"`,
			description:
				`Something other than the ${providerName} API may have answered (a proxy, firewall, or login page), or the answer was cut short. ` +
				'Check the Base URL in the credential and the network path from n8n to the API, then try again.' +
				(note ? ` ${note}` : ''),
			httpCode: String(status),
			itemIndex,
		},
	);
}
