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
const blockedUntil = new Map<string, number>();

/**
 * Waits until one more request may go to `bucket`: after any block the server
 * announced (X-RateLimit-Remaining: 0), and, when a `limit` is given, until the
 * request fits in its window. Records the request.
 */
export async function waitForSlot(bucket: string, limit: RateLimit | undefined, signal?: AbortSignal, deadline?: number): Promise<void> {
	for (;;) {
		const now = Date.now();
		const block = blockedUntil.get(bucket) ?? 0;
		if (block > now) {
			if (deadline !== undefined && block > deadline) throw new SlotDeadlineError();
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
		const free = window[0] + limit.perMs + 1;
		if (deadline !== undefined && free > deadline) throw new SlotDeadlineError();
		await pause(free - now, signal);
	}
}

/** No request may go before the caller's deadline (see `waitForSlot`). */
export class SlotDeadlineError extends Error {
	constructor() {
		super('No request slot before the deadline');
		this.name = 'SlotDeadlineError';
	}
}

/** The server told us the bucket is empty until `untilMs`: hold every request in it. */
export function blockBucketUntil(bucket: string, untilMs: number): void {
	if (untilMs > (blockedUntil.get(bucket) ?? 0)) blockedUntil.set(bucket, untilMs);
}

/**
 * How many requests `limit`'s bucket can still take within the next `withinMs`
 * without breaking the limit (or a block the server announced). Lets a poll that
 * has a time budget plan how much it can do, instead of waiting past the budget.
 */
export function capacityWithin(limit: RateLimit, withinMs: number, now = Date.now()): number {
	const horizon = now + Math.max(0, withinMs);
	const block = blockedUntil.get(limit.bucket) ?? 0;
	if (block >= horizon) return 0;
	const from = Math.max(now, block);
	// Requests sent in the last window still count until they are perMs old.
	const stillCounting = (recentRequests.get(limit.bucket) ?? []).filter((t) => t + limit.perMs > from).length;
	const windowsAhead = Math.floor((horizon - from) / limit.perMs);
	return Math.max(0, limit.maxRequests - stillCounting) + windowsAhead * limit.maxRequests;
}
