import { NodeApiError } from 'n8n-workflow';

import { isTransient } from './errors';

/**
 * Whether a failed read is worth trying again later rather than ending the wait:
 * rate limits (429), the provider's own errors (5xx) and network failures (no
 * HTTP status). A 401, 403 or 404 will not get better by waiting.
 */
export function isTransientFailure(error: unknown): boolean {
	// The transport marks what it knows may pass, e.g. a 200 whose body was not JSON (a proxy page).
	if (isTransient(error)) return true;
	if (!(error instanceof NodeApiError)) return false;
	const status = Number(error.httpCode);
	if (!error.httpCode || !Number.isFinite(status)) return true;
	return status === 429 || status >= 500;
}
