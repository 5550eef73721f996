import { pause } from './pause';

/**
 * A client-side limit of `maxRequests` per `perMs`, shared by every request that
 * names the same bucket (in this n8n process). Providers such as Lobstr block IPs
 * that keep hitting their limits, so we stay under them rather than bounce off.
 */
export interface RateLimit {
	bucket: string;
	maxRequests: number;
	perMs: number;
}

const recentRequests = new Map<string, number[]>();
const blockedUntil = new Map<string, number>();

/**
 * Waits until one more request may go to `bucket`: after any block the server
 * announced (X-RateLimit-Remaining: 0), and, when a `limit` is given, until the
 * request fits in its window. Records the request.
 */
export async function waitForSlot(bucket: string, limit: RateLimit | undefined, signal?: AbortSignal): Promise<void> {
	for (;;) {
		const now = Date.now();
		const block = blockedUntil.get(bucket) ?? 0;
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

/** The server told us the bucket is empty until `untilMs`: hold every request in it. */
export function blockBucketUntil(bucket: string, untilMs: number): void {
	if (untilMs > (blockedUntil.get(bucket) ?? 0)) blockedUntil.set(bucket, untilMs);
}
