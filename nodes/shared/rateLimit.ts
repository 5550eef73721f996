import { pause } from './pause';

/**
 * A client-side limit of `maxRequests` per `perMs`, shared by every request that
 * names the same bucket (in this n8n process). Some providers block IPs
 * that keep hitting their limits, so we stay under them rather than bounce off.
 */
export interface RateLimit {
	bucket: string;
	maxRequests: number;
	perMs: number;
}

const recentRequests = new Map<string, number[]>();
/**
 * Blocks the server announced, per bucket and then per scope (one credential):
 * one account running out of requests must not hold back another account's
 * requests to the same API.
 */
const blockedUntil = new Map<string, Map<string, number>>();

function blockOf(bucket: string, scope: string | undefined): number {
	const scopes = blockedUntil.get(bucket);
	if (!scopes) return 0;
	// No scope (a caller planning for any credential): the latest block of the bucket.
	if (scope === undefined) return Math.max(0, ...scopes.values());
	return scopes.get(scope) ?? 0;
}

/**
 * Waits until one more request may go to `bucket`: after any block the server
 * announced for this `scope` (X-RateLimit-Remaining: 0), and, when a `limit` is
 * given, until the request fits in its window. Records the request.
 */
export async function waitForSlot(bucket: string, limit: RateLimit | undefined, signal?: AbortSignal, scope?: string): Promise<void> {
	for (;;) {
		const now = Date.now();
		const block = blockOf(bucket, scope);
		if (block > now) {
			await pause(block - now, signal);
			continue;
		}
		if (!limit) return;
		const window = (recentRequests.get(limit.bucket) ?? []).filter((t) => t > now - limit.perMs);
		if (window.length < limit.maxRequests) {
			window.push(now);
			recentRequests.set(limit.bucket, window);
			return;
		}
		recentRequests.set(limit.bucket, window);
		await pause(window[0] + limit.perMs - now + 1, signal);
	}
}

/** The server told `scope` (a credential) the bucket is empty until `untilMs`: hold its requests to it. */
export function blockBucketUntil(bucket: string, untilMs: number, scope = ''): void {
	let scopes = blockedUntil.get(bucket);
	if (!scopes) blockedUntil.set(bucket, (scopes = new Map()));
	if (untilMs > (scopes.get(scope) ?? 0)) scopes.set(scope, untilMs);
}

/**
 * How many requests `limit`'s bucket can still take within the next `withinMs`
 * without breaking the limit (or a block the server announced). Lets a poll that
 * has a time budget plan how much it can do, instead of waiting past the budget.
 */
export function capacityWithin(limit: RateLimit, withinMs: number, now = Date.now(), scope?: string): number {
	const horizon = now + Math.max(0, withinMs);
	const block = blockOf(limit.bucket, scope);
	if (block >= horizon) return 0;
	const from = Math.max(now, block);
	// Requests sent in the last window still count until they are perMs old.
	const stillCounting = (recentRequests.get(limit.bucket) ?? []).filter((t) => t + limit.perMs > from).length;
	const windowsAhead = Math.floor((horizon - from) / limit.perMs);
	return Math.max(0, limit.maxRequests - stillCounting) + windowsAhead * limit.maxRequests;
}
