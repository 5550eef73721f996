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
	if (typeof body === 'string') return body.trim().slice(0, 500) || undefined;
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

/** What the user should do next, by HTTP status. */
export function hintForStatus(status: number, providerName: string): string | undefined {
	if (status === 401) return `Check the API key in your ${providerName} credential: the API did not accept it.`;
	if (status === 402) return `Your ${providerName} plan or credits do not cover this request: check your account's billing.`;
	if (status === 403) return `The API key is valid but not allowed to do this (plan tier, quota or permissions). Check your ${providerName} account.`;
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
}

export function apiError(failure: ApiFailure): NodeApiError {
	const { node, providerName, status, body, method, path, itemIndex, note } = failure;
	const providerMessage = providerErrorMessage(body) ?? `HTTP ${status}`;
	const hint = hintForStatus(status, providerName);
	const description = [hint, note, `Request: ${method} ${path}`].filter(Boolean).join(' ');
	const response: JsonObject =
		body && typeof body === 'object' && !Buffer.isBuffer(body) ? (body as JsonObject) : { body: providerMessage };
	return new NodeApiError(node, response, {
		message: `${providerName} API error ${status}: ${providerMessage}`,
		description,
		httpCode: String(status),
		itemIndex,
	});
}
