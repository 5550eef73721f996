import { sleep } from 'n8n-workflow';

import { isTransientFailure } from './failures';
import type { CanonicalJob } from './job';
import { ExecutionCancelledError } from './pause';
import { newHistory, nextGapMs, observe, QuotaPlan, readConcurrency } from './readSchedule';
import type { JobHistory, ScheduleSettings } from './readSchedule';
import type { ReadOptions } from './transport';

export interface WaitSettings {
	pollIntervalMs: number;
	/** Upper bound for the interval when backing off; equal to pollIntervalMs means no backoff. */
	maxIntervalMs: number;
	/** Each signal-less gap is the previous one times this (1 = fixed interval). */
	backoffFactor: number;
	timeoutMs: number;
	signal?: AbortSignal;
	/** The most reads in flight at once (the provider's allowance); fewer for few jobs. */
	concurrency?: number;
	/**
	 * The longest gap a job's own progress may stretch its reads to; absent or
	 * equal to the poll interval reads every job every interval.
	 */
	maxGapMs?: number;
}

export interface WaitOutcome {
	/** The last state read; absent only when no read succeeded. */
	job?: CanonicalJob;
	/** A read that failed for good (404, bad key …), or no read succeeded by the deadline. */
	error?: Error;
	polls: number;
	/**
	 * Reads that failed in a way that may pass (network, 429, 5xx, a body that was
	 * not JSON): a missed poll, never a job state.
	 */
	missedPolls?: number;
	/** The last such failure, if the last read failed. */
	lastMiss?: Error;
	waitedMs: number;
	timedOut: boolean;
}

export type WaitReader = (id: string, options: ReadOptions) => Promise<CanonicalJob>;

/** How often the loop looks at the clock while reads are in flight. */
const TICK_MS = 50;
/** Default allowance of reads in flight when the provider sets none. */
const DEFAULT_CONCURRENCY = 20;

interface Tracked {
	id: string;
	/** The outcome indexes (items) waiting on this id. */
	items: number[];
	history: JobHistory;
	nextAt: number;
	inFlight: boolean;
	/** A read was started at or after the deadline: the last one. */
	finalRead: boolean;
	settled: boolean;
	job?: CanonicalJob;
	lastTransient?: Error;
}

/**
 * Waits for many jobs at once. Each distinct job is read on its own schedule
 * (readSchedule.ts): every poll interval by default, further apart when its
 * progress says it has long to go, further apart still when the server's quota
 * would not last; never more reads at once than fit the job count and the
 * provider. `unknown` statuses keep waiting.
 *
 * Timeout is a deadline: every job still running is read once more at the
 * deadline, and a read's retries may not run past it by more than one poll
 * interval. A read that fails for now (429, 5xx, network, after its retries) is
 * a missed poll and waiting goes on; one that fails for good (401, 404 …) ends
 * that job's wait at once. Throws ExecutionCancelledError as soon as the signal
 * fires.
 */
export async function waitForJobs(ids: string[], readJob: WaitReader, settings: WaitSettings): Promise<WaitOutcome[]> {
	const start = Date.now();
	const deadline = start + settings.timeoutMs;
	const schedule: ScheduleSettings = {
		pollIntervalMs: settings.pollIntervalMs,
		maxIntervalMs: settings.maxIntervalMs,
		backoffFactor: settings.backoffFactor,
		maxGapMs: Math.max(settings.pollIntervalMs, settings.maxGapMs ?? settings.pollIntervalMs),
		useSignals: (settings.maxGapMs ?? 0) > settings.pollIntervalMs,
	};
	const outcomes: WaitOutcome[] = ids.map(() => ({ polls: 0, missedPolls: 0, waitedMs: 0, timedOut: false }));
	const tracked = new Map<string, Tracked>();
	ids.forEach((id, item) => {
		const entry = tracked.get(id) ?? { id, items: [], history: newHistory(schedule), nextAt: start, inFlight: false, finalRead: false, settled: false };
		entry.items.push(item);
		tracked.set(id, entry);
	});
	const jobs = [...tracked.values()];
	const quota = new QuotaPlan();
	const providerMax = settings.concurrency ?? DEFAULT_CONCURRENCY;
	const inFlight = new Set<Promise<void>>();
	let cancelled = false;

	const finish = (entry: Tracked, now: number, fields: Partial<WaitOutcome>) => {
		entry.settled = true;
		for (const item of entry.items) Object.assign(outcomes[item], { waitedMs: now - start }, fields);
	};

	const read = async (entry: Tracked) => {
		const startedAt = Date.now();
		entry.inFlight = true;
		if (startedAt >= deadline) entry.finalRead = true;
		let job: CanonicalJob | undefined;
		let failure: Error | undefined;
		try {
			job = await readJob(entry.id, { deadline: deadline + settings.pollIntervalMs, onQuota: (q) => quota.report(q) });
		} catch (error) {
			failure = error as Error;
		}
		entry.inFlight = false;
		quota.countRead();
		const now = Date.now();
		if (failure instanceof ExecutionCancelledError || settings.signal?.aborted) {
			cancelled = true;
			return;
		}
		if (failure && !isTransientFailure(failure)) return finish(entry, now, { error: failure });
		if (failure) {
			entry.lastTransient = failure;
			for (const item of entry.items) {
				outcomes[item].missedPolls = (outcomes[item].missedPolls ?? 0) + 1;
				outcomes[item].lastMiss = failure;
			}
		} else {
			entry.job = job;
			observe(entry.history, job!, now);
			for (const item of entry.items) {
				outcomes[item].job = job;
				outcomes[item].polls++;
				outcomes[item].lastMiss = undefined;
			}
			if (job!.done) return finish(entry, now, {});
		}
		if (entry.finalRead || now >= deadline + settings.pollIntervalMs) {
			// The deadline passed: the last state read stands, or, with none, the last failure.
			return finish(entry, now, entry.job ? { timedOut: true } : { timedOut: true, error: entry.lastTransient });
		}
		const pending = jobs.filter((j) => !j.settled).length;
		const quotaGap = quota.minGapMs(pending, now, now - start, settings.pollIntervalMs, deadline);
		const gap = Math.max(nextGapMs(entry.job, entry.history, schedule, now), quotaGap);
		// The last read happens at the deadline, whatever the schedule says.
		entry.nextAt = Math.min(now + gap, deadline);
	};

	for (;;) {
		if (cancelled || settings.signal?.aborted) {
			await Promise.allSettled(inFlight);
			throw new ExecutionCancelledError();
		}
		const open = jobs.filter((j) => !j.settled);
		if (open.length === 0 && inFlight.size === 0) return outcomes;
		const now = Date.now();
		const due = open.filter((j) => !j.inFlight && j.nextAt <= now).sort((a, b) => a.nextAt - b.nextAt);
		const limit = Math.min(readConcurrency(due.length + inFlight.size, providerMax), quota.maxConcurrent());
		for (const entry of due) {
			if (inFlight.size >= limit) break;
			const promise: Promise<void> = read(entry).finally(() => inFlight.delete(promise));
			inFlight.add(promise);
		}
		const nextDue = Math.min(...open.filter((j) => !j.inFlight).map((j) => j.nextAt));
		const idle = inFlight.size === 0 ? Math.max(0, nextDue - Date.now()) : TICK_MS;
		// Short slices keep a cancel prompt; a finishing read wakes the loop at once.
		await Promise.race([sleep(Math.min(idle, 200)), ...inFlight]);
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
