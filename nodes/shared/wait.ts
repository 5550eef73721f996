import { isTransientFailure } from './failures';
import type { CanonicalJob } from './job';
import { ExecutionCancelledError, pause } from './pause';

export interface WaitSettings {
	pollIntervalMs: number;
	/** Upper bound for the interval when backing off; equal to pollIntervalMs means no backoff. */
	maxIntervalMs: number;
	/** Each round's interval is the previous one times this (1 = fixed interval). */
	backoffFactor: number;
	timeoutMs: number;
	signal?: AbortSignal;
	/** How many reads run at once in one round. */
	concurrency?: number;
}

export interface WaitOutcome {
	/** The last state read; absent only when the first read failed. */
	job?: CanonicalJob;
	/** A read that failed for good (404, bad key …): waiting for this job stopped. */
	error?: Error;
	polls: number;
	/**
	 * Reads that failed in a way that may pass (network, 429, 5xx, a body that was
	 * not JSON): a missed poll, never a job state. If the last read before the
	 * deadline still failed, `error` says why.
	 */
	missedPolls?: number;
	lastMiss?: Error;
	waitedMs: number;
	timedOut: boolean;
}

/**
 * Waits for many jobs at once: every round reads all still-unfinished jobs
 * (each distinct id once), so N jobs take about as long as the slowest one,
 * not the sum. `unknown` statuses keep waiting. Returns when every job is done,
 * failed to read, or the deadline passed; throws ExecutionCancelledError as soon
 * as the signal fires.
 */
export async function waitForJobs(
	ids: string[],
	readJob: (id: string) => Promise<CanonicalJob>,
	settings: WaitSettings,
): Promise<WaitOutcome[]> {
	const start = Date.now();
	const deadline = start + settings.timeoutMs;
	const outcomes: WaitOutcome[] = ids.map(() => ({ polls: 0, waitedMs: 0, timedOut: false }));
	let pending = ids.map((_, i) => i);
	let interval = settings.pollIntervalMs;

	for (;;) {
		await readRound(ids, pending, outcomes, readJob, settings);
		const now = Date.now();
		for (const i of pending) outcomes[i].waitedMs = now - start;
		pending = pending.filter((i) => !outcomes[i].error && !outcomes[i].job?.done);
		if (pending.length === 0) return outcomes;
		if (now >= deadline) {
			for (const i of pending) {
				if (outcomes[i].lastMiss) outcomes[i].error = outcomes[i].lastMiss;
				else outcomes[i].timedOut = true;
			}
			return outcomes;
		}
		// The last sleep is cut short so that one final read happens at the deadline.
		await pause(Math.min(interval, deadline - now), settings.signal);
		interval = Math.min(settings.maxIntervalMs, interval * settings.backoffFactor);
	}
}

async function readRound(
	ids: string[],
	pending: number[],
	outcomes: WaitOutcome[],
	readJob: (id: string) => Promise<CanonicalJob>,
	settings: WaitSettings,
): Promise<void> {
	// Several items may wait on the same job: read it once per round.
	const reads = new Map<string, Promise<CanonicalJob>>();
	const uniqueIds = [...new Set(pending.map((i) => ids[i]))];
	await forEachLimited(uniqueIds, settings.concurrency ?? 10, async (id) => {
		if (settings.signal?.aborted) throw new ExecutionCancelledError();
		const read = readJob(id);
		reads.set(id, read);
		await read.catch(() => undefined);
	});
	for (const i of pending) {
		let failure: Error | undefined;
		try {
			outcomes[i].job = await reads.get(ids[i])!;
			outcomes[i].polls++;
			outcomes[i].lastMiss = undefined;
		} catch (error) {
			failure = error as Error;
		}
		if (failure instanceof ExecutionCancelledError || settings.signal?.aborted) throw new ExecutionCancelledError();
		if (failure && isTransientFailure(failure)) {
			outcomes[i].missedPolls = (outcomes[i].missedPolls ?? 0) + 1;
			outcomes[i].lastMiss = failure;
		} else if (failure) outcomes[i].error = failure;
	}
}

/** Runs `task` over `values` with at most `limit` at a time. */
export async function forEachLimited<T>(values: T[], limit: number, task: (value: T) => Promise<void>): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < values.length) {
			const value = values[next++];
			await task(value);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, values.length) }, worker));
}
