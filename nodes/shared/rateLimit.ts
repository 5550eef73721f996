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

/**
 * A request counted against a client-side limit. Its time is when it was sent
 * until its answer comes, then when the answer came: the server counted it at
 * some moment in between, and only the answer's time is sure not to be earlier.
 * Pacing from send times alone lets a request that reached the server late (a
 * busy machine, a slow network) share the server's window with the next ones.
 */
interface CountedRequest {
	at: number;
	answered: boolean;
}

/** An unanswered request stops counting after this long, whatever happens to it. */
const IN_FLIGHT_LIMIT_MS = 5 * 60_000;
/** How often a bucket full of unanswered requests is looked at again. */
const IN_FLIGHT_RECHECK_MS = 20;

const recentRequests = new Map<string, CountedRequest[]>();

function stillCounting(request: CountedRequest, now: number, perMs: number): boolean {
	return request.answered ? request.at > now - perMs : request.at > now - IN_FLIGHT_LIMIT_MS;
}

/** Tells the limit a request's answer (or failure) has come: its window runs from now. */
export type SlotAnswered = () => void;
const nothingToRecord: SlotAnswered = () => undefined;

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
 * given, until the request fits in its window. Records the request, and returns
 * the function to call when its answer comes (see CountedRequest). With a
 * `deadline` (epoch ms), throws SlotDeadlineError at once when no slot comes
 * before it, instead of waiting past it.
 */
export async function waitForSlot(bucket: string, limit: RateLimit | undefined, signal?: AbortSignal, scope?: string, deadline?: number): Promise<SlotAnswered> {
	for (;;) {
		const now = Date.now();
		const block = blockOf(bucket, scope);
		if (block > now) {
			if (deadline !== undefined && block > deadline) throw new SlotDeadlineError();
			await pause(block - now, signal);
			continue;
		}
		if (!limit) return nothingToRecord;
		const window = (recentRequests.get(limit.bucket) ?? []).filter((r) => stillCounting(r, now, limit.perMs));
		recentRequests.set(limit.bucket, window);
		if (window.length < limit.maxRequests) {
			const request: CountedRequest = { at: now, answered: false };
			window.push(request);
			return () => {
				request.at = Math.max(request.at, Date.now());
				request.answered = true;
			};
		}
		const answered = window.filter((r) => r.answered).map((r) => r.at);
		// Every slot taken by a request still waiting for its answer: look again shortly.
		const free = answered.length ? Math.min(...answered) + limit.perMs + 1 : now + IN_FLIGHT_RECHECK_MS;
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
	// Requests answered in the last window, and unanswered ones, still count until perMs after their answer.
	const counting = (recentRequests.get(limit.bucket) ?? []).filter((r) => stillCounting(r, from, limit.perMs)).length;
	const windowsAhead = Math.floor((horizon - from) / limit.perMs);
	return Math.max(0, limit.maxRequests - counting) + windowsAhead * limit.maxRequests;
}
