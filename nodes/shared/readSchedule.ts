import type { CanonicalJob } from './job';
import type { Quota } from './transport';

/**
 * When to read a job next, from what the job itself tells us.
 *
 * A fixed round reads every job every interval, so a 10-minute job at a 10 s
 * interval costs 60 reads. When a running job reports progress (and we know
 * how fast it moves: from two reads, or from its start time), we can project
 * its finish and read it again halfway there: the gap halves as the finish
 * nears, down to the poll interval, so it is still detected within one
 * interval of finishing while costing a handful of reads. Halving (not
 * jumping to the projected finish) keeps detection prompt when a job speeds
 * up by up to 2×. Jobs without such signals keep the fixed interval (with
 * the user's backoff, if on).
 */
export interface ScheduleSettings {
	pollIntervalMs: number;
	/** The longest gap between two reads of one job. */
	maxGapMs: number;
	/** Each signal-less gap is the previous one times this (1 = fixed interval). */
	backoffFactor: number;
	/** Upper bound for the backoff gap. */
	maxIntervalMs: number;
	/** Whether progress may stretch the gap at all. */
	useSignals: boolean;
}

/** What one job's earlier reads taught us. */
export interface JobHistory {
	/** The first read that showed progress above 0: the start of the observed rate. */
	firstProgress?: { progress: number; at: number };
	/** The current signal-less gap (grows with backoff). */
	plainGapMs: number;
}

/** Of the projected remaining time, how much to wait before looking again. */
const LOOK_AGAIN_AT = 0.5;
/** Rates measured over less than this are noise (one progress tick). */
const MIN_OBSERVATION_MS = 500;

export function newHistory(settings: ScheduleSettings): JobHistory {
	return { plainGapMs: settings.pollIntervalMs };
}

/** Updates the history with a fresh read. */
export function observe(history: JobHistory, job: CanonicalJob, at: number): void {
	if (!history.firstProgress && job.status === 'running' && job.progress !== null && job.progress > 0 && job.progress < 100) {
		history.firstProgress = { progress: job.progress, at };
	}
}

/**
 * Milliseconds until the job is projected to finish, or undefined when it
 * gives nothing to project from (no progress, not running, no rate yet).
 * With both an observed rate and a start time, the sooner finish wins: being
 * early costs a read, being late costs detection latency.
 */
export function projectedRemainingMs(job: CanonicalJob, history: JobHistory, now: number): number | undefined {
	if (job.done || job.status !== 'running') return undefined;
	const progress = job.progress;
	if (progress === null || progress <= 0 || progress >= 100) return undefined;
	const rates: number[] = [];
	const first = history.firstProgress;
	if (first && progress > first.progress && now - first.at >= MIN_OBSERVATION_MS) rates.push((progress - first.progress) / (now - first.at));
	const startedAt = job.startedAt ? Date.parse(job.startedAt) : NaN;
	if (Number.isFinite(startedAt) && now - startedAt >= MIN_OBSERVATION_MS) rates.push(progress / (now - startedAt));
	const rate = Math.max(0, ...rates);
	return rate > 0 ? (100 - progress) / rate : undefined;
}

/**
 * The gap before the next read of this job: the interval (grown by the user's
 * backoff, if on), or longer when its progress says it has long to go.
 */
export function nextGapMs(job: CanonicalJob | undefined, history: JobHistory, settings: ScheduleSettings, now: number): number {
	const plain = history.plainGapMs;
	history.plainGapMs = Math.min(settings.maxIntervalMs, plain * settings.backoffFactor);
	const remaining = job && settings.useSignals ? projectedRemainingMs(job, history, now) : undefined;
	if (remaining === undefined) return plain;
	return Math.max(plain, Math.min(settings.maxGapMs, Math.max(settings.pollIntervalMs, remaining * LOOK_AGAIN_AT)));
}

/**
 * Keeps a wait inside the server's announced quota (X-RateLimit-Remaining /
 * -Reset): when the reads the pending jobs are expected to make before the
 * reset do not fit in what is left, every job's gap is stretched so they do —
 * the reads are spread instead of running into 429s. A small reserve stays for
 * other requests (starts, other nodes).
 *
 * How long will a job still run? Unknown, so we take it to run as long again
 * as it has been waited for (at least one interval, at most until the reset or
 * the wait's deadline): a wait of short jobs is not slowed down for a quota it
 * will never use, and a wait that drags on is spread more and more, so it never
 * runs the quota dry.
 */
export class QuotaPlan {
	private latest?: Quota & { at: number };
	private reports = 0;
	private reads = 0;

	/** Feed every quota report of the reads (ApiRequest.onQuota). */
	report(quota: Quota): void {
		this.reports++;
		this.latest = { ...quota, at: Date.now() };
	}

	/** Count one finished read (for the requests-per-read average). */
	countRead(): void {
		this.reads++;
	}

	/**
	 * The smallest gap each of `pendingJobs` jobs may have so their reads until
	 * the reset fit in the remaining quota; 0 when the quota is not a concern.
	 */
	minGapMs(pendingJobs: number, now: number, waitedMs: number, intervalMs: number, deadline: number): number {
		const q = this.latest;
		if (!q || q.resetAt === undefined || q.resetAt <= now || pendingJobs <= 0) return 0;
		const reserve = Math.max(1, Math.ceil((q.limit ?? 0) * 0.02));
		const requestsPerRead = this.reads > 0 ? Math.max(1, this.reports / this.reads) : 1;
		// Requests sent since the report are not in it yet.
		const readsLeft = Math.floor((q.remaining - reserve) / requestsPerRead);
		const window = q.resetAt - now;
		// Nothing left: the next read goes just after the reset, when the quota is whole again.
		const afterReset = window + 250;
		if (readsLeft <= 0) return afterReset;
		const expectedMs = Math.min(window, Math.max(0, deadline - now), Math.max(intervalMs, waitedMs));
		return Math.min(afterReset, (expectedMs * pendingJobs) / readsLeft);
	}

	/** How many reads may run at once without overdrawing the quota. */
	maxConcurrent(): number {
		const q = this.latest;
		if (!q || q.resetAt === undefined || q.resetAt <= Date.now()) return Infinity;
		return Math.max(1, q.remaining - 1);
	}
}

/**
 * How many reads to run at once: enough that a round over many jobs stays
 * short (about one read in flight per 10 due jobs), at least a few, never more
 * than the provider allows.
 */
export function readConcurrency(dueJobs: number, providerMax: number): number {
	return Math.max(1, Math.min(providerMax, Math.max(4, Math.ceil(dueJobs / 10))));
}
